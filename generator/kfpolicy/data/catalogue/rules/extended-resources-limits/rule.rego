package lib.kubeflow.rules.extended_resources_limits

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.quantity
import data.lib.kubeflow.resources

# A request without a limit. A `limits` that is not an object is left to field-types.
violation contains core.required(field, "Limit must be set for non overcommitable resources") if {
	some maps in resources.request_limit_maps
	some name, request in maps[1]
	not name in resources.overcommit_names
	is_number(resources.usable_values[request])
	not core.has_value(maps[2], name)
	field := resources.map_path(maps[0], "limits")
}

# A request that differs from its limit (usable values, compared once in resources.unequal_pairs).
violation contains core.invalid(field, quantity.text(pair.request), detail) if {
	some pair in resources.unequal_pairs
	not pair.name in resources.overcommit_names
	field := resources.map_path(pair.path, "requests")
	detail := sprintf("must be equal to %v limit of %v", [pair.name, quantity.text(pair.limit)])
}

package lib.kubeflow.rules.extended_resources_limits

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.quantity
import data.lib.kubeflow.resources

# A request without a limit. A `limits` that is not an object is left to field-types. Each row is
# looked into for the object's few resource names that may not be overcommitted, not walked whole.
violation contains core.required(field, "Limit must be set for non overcommitable resources") if {
	some name in committed_names
	some row in resources.rows
	request := row.requests[name]
	is_number(resources.usable_values[request])
	object.get(row.limits, name, null) == null
	not resources.malformed(row.resources, "limits")
	some path in resources.paths_of(row)
	field := resources.map_path(path, "limits")
}

committed_names := resources.distinct_names - resources.overcommit_names

# A request that differs from its limit (usable values, compared once in resources.unequal_pairs).
violation contains core.invalid(field, quantity.text(request), detail) if {
	some pair in resources.unequal_pairs
	not pair.name in resources.overcommit_names
	some path in resources.paths_of(pair.row)
	field := resources.map_path(path, "requests")
	request := resources.pair_request(pair)
	limit := quantity.text(resources.pair_limit(pair))
	detail := sprintf("must be equal to %v limit of %v", [pair.name, limit])
}

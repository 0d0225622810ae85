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
	requests := maps[1]
	limits := maps[2]
	some name, request in requests
	not name in resources.overcommit_names
	resources.usable(request)
	not core.has_value(limits, name)
	field := resources.map_path(maps[0], "limits")
}

# A request that differs from its limit.
violation contains core.invalid(field, quantity.text(request), detail) if {
	some maps in resources.request_limit_maps
	requests := maps[1]
	limits := maps[2]
	some name, request in requests
	not name in resources.overcommit_names
	limit := limits[name]
	resources.usable(request)
	resources.usable(limit)
	resources.value(request) != resources.value(limit)
	field := resources.map_path(maps[0], "requests")
	detail := sprintf("must be equal to %v limit of %v", [name, quantity.text(limit)])
}

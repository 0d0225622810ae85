package lib.kubeflow.rules.requests_within_limits

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.quantity
import data.lib.kubeflow.resources

violation contains core.invalid(field, quantity.text(request), detail) if {
	some maps in resources.request_limit_maps
	requests := maps[1]
	limits := maps[2]
	some name, request in requests
	name in resources.overcommit_names
	limit := limits[name]
	resources.usable(request)
	resources.usable(limit)
	resources.value(request) > resources.value(limit)
	field := resources.map_path(maps[0], "requests")
	detail := sprintf("must be less than or equal to %v limit of %v", [name, quantity.text(limit)])
}

package lib.kubeflow.rules.requests_within_limits

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.quantity
import data.lib.kubeflow.resources

# Values come from the shared table of usable quantities (valid, not negative), looked up once each.
violation contains core.invalid(field, quantity.text(request), detail) if {
	some maps in resources.request_limit_maps
	some name, request in maps[1]
	name in resources.overcommit_names
	limit := maps[2][name]
	request_value := resources.usable_values[request]
	is_number(request_value)
	limit_value := resources.usable_values[limit]
	is_number(limit_value)
	request_value > limit_value
	field := resources.map_path(maps[0], "requests")
	detail := sprintf("must be less than or equal to %v limit of %v", [name, quantity.text(limit)])
}

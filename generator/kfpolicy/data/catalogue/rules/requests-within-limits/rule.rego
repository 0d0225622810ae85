package lib.kubeflow.rules.requests_within_limits

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.quantity
import data.lib.kubeflow.resources

# Values come from the shared table of usable quantities (valid, not negative), looked up once per
# pair by resources.unequal_pairs.
violation contains core.invalid(field, quantity.text(request), detail) if {
	some pair in resources.unequal_pairs
	pair.above
	pair.name in resources.overcommit_names
	some path in resources.paths_of(pair.row)
	field := resources.map_path(path, "requests")
	request := resources.pair_request(pair)
	limit := quantity.text(resources.pair_limit(pair))
	detail := sprintf("must be less than or equal to %v limit of %v", [pair.name, limit])
}

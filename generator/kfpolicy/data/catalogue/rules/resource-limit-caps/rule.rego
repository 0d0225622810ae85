package lib.kubeflow.rules.resource_limit_caps

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.parameters
import data.lib.kubeflow.quantity
import data.lib.kubeflow.resources

# This rule's effective parameters: its profile's (or its constraint's, in Gatekeeper).
params := parameters.of("resource-limit-caps")

caps[name] := cap if {
	is_object(params.max_limits)
	some name, cap in params.max_limits
	resources.usable_parameter(cap)
}

violation contains core.invalid(field, quantity.text(limit), detail) if {
	some pair in resources.containers
	limits := resources.map_of(pair[1], "limits")
	some name, limit in limits
	cap := caps[name]
	resources.usable(limit)
	resources.value(limit) > quantity.value(cap)
	field := resources.key_path(pair[0], "limits", name)
	detail := sprintf("must be less than or equal to %v", [quantity.text(cap)])
}

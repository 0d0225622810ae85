package lib.kubeflow.rules.resources_required

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.parameters
import data.lib.kubeflow.resources

# This rule's effective parameters: its profile's (or its constraint's, in Gatekeeper).
params := parameters.of("resources-required")

required_resources contains name if {
	is_array(params.resources)
	some name in params.resources
	is_string(name)
}

# A `requests`/`limits` that is not an object is left to field-types (map_of is undefined then).
violation contains core.required(field, detail) if {
	some pair in resources.containers
	some which in ["requests", "limits"]
	values := resources.map_of(pair[1], which)
	some name in required_resources
	not core.has_value(values, name)
	not defaulted_from_limit(pair[1], which, name)
	field := resources.key_path(pair[0], which, name)
	detail := sprintf("every container must set a %v for %v", [singular[which], name])
}

# Kubernetes copies a container's limit into its missing request when the pod is created, so a limit
# alone satisfies a required request, unless the `explicit_requests` parameter asks for the request.
defaulted_from_limit(r, which, name) if {
	which == "requests"
	not explicit_requests
	limits := resources.map_of(r, "limits")
	is_object(limits)
	core.has_value(limits, name)
}

explicit_requests if params.explicit_requests == true

singular := {"requests": "request", "limits": "limit"}

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

# A `requests`/`limits` that is not an object is left to field-types (it is not in resources.maps).
violation contains core.required(field, detail) if {
	some entry in resources.maps
	some name in required_resources
	object.get(entry[2], name, null) == null
	not defaulted_from_limit(entry[0], entry[1], name)
	field := resources.key_path(entry[0], entry[1], name)
	detail := sprintf("every container must set a %v for %v", [singular[entry[1]], name])
}

# Kubernetes copies a container's limit into its missing request when the pod is created, so a limit
# alone satisfies a required request, unless the `explicit_requests` parameter asks for the request.
defaulted_from_limit(path, which, name) if {
	which == "requests"
	not explicit_requests
	limits := resources.limits_by_path[path]
	is_object(limits)
	core.has_value(limits, name)
}

explicit_requests if params.explicit_requests == true

singular := {"requests": "request", "limits": "limit"}

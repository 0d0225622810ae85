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

# A required resource missing from a requests or limits map: each distinct map is looked into once,
# and only the holders of a map that lacks one are then visited.
missing contains [m, name] if {
	some m in resources.distinct_maps
	some name in required_resources
	object.get(m, name, null) == null
}

# A `requests`/`limits` that is not an object is left to field-types.
violation contains core.required(field, detail) if {
	some entry in missing
	some row in resources.rows
	some which in ["requests", "limits"]
	row[which] == entry[0]
	name := entry[1]
	not resources.malformed(row.resources, which)
	not defaulted_from_limit(row, which, name)
	some path in resources.paths_of(row)
	field := resources.key_path(path, which, name)
	detail := sprintf("every container must set a %v for %v", [singular[which], name])
}

# Kubernetes copies a container's limit into its missing request when the pod is created, so a limit
# alone satisfies a required request, unless the `explicit_requests` parameter asks for the request.
defaulted_from_limit(row, which, name) if {
	which == "requests"
	not explicit_requests
	core.has_value(row.limits, name)
}

explicit_requests if params.explicit_requests == true

singular := {"requests": "request", "limits": "limit"}

package lib.kubeflow.rules.default_container_required

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

# PaddleJob's webhook formats the name with %q; the others print it bare.
_quoted_kinds := {"paddlejob"}

_shown_name := concat("", ["\"", core.default_container, "\""]) if {
	core.kind_id in _quoted_kinds
} else := core.default_container

_detail := sprintf("must have at least one container with name %v", [_shown_name])

# (The default container's name is never "", so only a string name can match it.)
_has_default(containers) if {
	some c in containers
	is_object(c)
	c.name == core.default_container
}

violation contains core.required(jobs.containers_path(rtype), _detail) if {
	some rtype, containers in jobs.replica_containers
	not _has_default(containers)
}

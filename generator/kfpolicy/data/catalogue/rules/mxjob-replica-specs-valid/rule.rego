package lib.kubeflow.rules.mxjob_replica_specs_valid

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

_controller := " (the MXJob controller fails the job: MXJobSpec is not valid)"

violation contains core.required(core.replica_specs_path, concat("", ["must be required", _controller])) if {
	jobs.replica_specs_missing
}

violation contains core.required(jobs.containers_path(rtype), concat("", ["must be specified", _controller])) if {
	some rtype, containers in jobs.replica_containers
	count(containers) == 0
}

violation contains core.required(field, concat("", ["must be required", _controller])) if {
	some rtype, containers in jobs.replica_containers
	some i, c in containers
	jobs.container_string(c, "image") == ""
	field := sprintf("%v[%d].image", [jobs.containers_path(rtype), i])
}

_has_default(containers) if {
	some c in containers
	jobs.container_string(c, "name") == core.default_container
}

violation contains core.required(jobs.containers_path(rtype), detail) if {
	some rtype, containers in jobs.replica_containers
	not _has_default(containers)
	detail := concat("", ["must have at least one container with name ", core.default_container, _controller])
}

package lib.kubeflow.rules.container_image_required

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

violation contains core.required(field, "must be required") if {
	some rtype, containers in jobs.replica_containers
	some i, c in containers
	jobs.container_string(c, "image") == ""
	field := sprintf("%v[%d].image", [jobs.containers_path(rtype), i])
}

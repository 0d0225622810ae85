package lib.kubeflow.rules.container_image_required

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

# An image that is "", null or absent (jobs.container_string, written out: every container is
# checked, without a function call each). Other types are left to field-types.
violation contains core.required(field, "must be required") if {
	some rtype, containers in jobs.replica_containers
	some i, c in containers
	is_object(c)
	object.get(c, "image", null) in unset
	field := sprintf("%v[%d].image", [jobs.containers_path(rtype), i])
}

unset := {"", null}

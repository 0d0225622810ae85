package lib.kubeflow.rules.replica_type_supported

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

violation contains core.not_supported(core.replica_path(rtype), rtype, supported) if {
	supported := core.kind_info.replica_types
	some rtype in jobs.replica_types
	not rtype in supported
}

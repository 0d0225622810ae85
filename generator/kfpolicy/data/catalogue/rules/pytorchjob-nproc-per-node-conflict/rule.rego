package lib.kubeflow.rules.pytorchjob_nproc_per_node_conflict

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

violation contains core.forbidden("spec.elasticPolicy.nProcPerNode", "must not be used with spec.nprocPerNode") if {
	object.get(core.spec, ["elasticPolicy", "nProcPerNode"], null) != null
	jobs.given(core.spec, "nprocPerNode")
}

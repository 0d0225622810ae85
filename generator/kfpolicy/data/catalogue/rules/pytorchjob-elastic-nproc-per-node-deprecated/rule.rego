package lib.kubeflow.rules.pytorchjob_elastic_nproc_per_node_deprecated

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

_message := "spec.elasticPolicy.nProcPerNode is deprecated, use spec.nprocPerNode instead"

violation contains core.plain("Warning", "spec.elasticPolicy.nProcPerNode", _message) if {
	object.get(core.spec, ["elasticPolicy", "nProcPerNode"], null) != null
}

package lib.kubeflow.rules.mxjob_deprecated

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

_message := concat("\n", [
	"MXJob is deprecated, and the MXJob will be removed in the release v1.9.0.",
	"Please see https://github.com/kubeflow/training-operator/issues/1996 for more details",
])

violation contains core.warning(_message) if {
	core.kind_id == "mxjob"
}

package lib.kubeflow.rules.trainjob_runtime_deprecated

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

violation contains core.warning(msg) if {
	trainer.ref_kind == "ClusterTrainingRuntime"
	trainer.runtime_labels[trainer.support_label] == "deprecated"
	msg := sprintf(
		"Referenced ClusterTrainingRuntime %v is deprecated and will be removed in a future release of Kubeflow Trainer. %v",
		[core.format_value(trainer.ref_name), trainer.deprecation_policy]
	)
}

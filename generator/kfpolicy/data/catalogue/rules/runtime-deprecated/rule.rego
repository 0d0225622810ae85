package lib.kubeflow.rules.runtime_deprecated

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

violation contains core.warning(msg) if {
	core.operation == "CREATE"
	not trainer.validation_disabled
	core.labels[trainer.support_label] == "deprecated"
	name := core.metadata.name
	msg := sprintf(
		"ClusterTrainingRuntime %v is deprecated and will be removed in a future release of Kubeflow Trainer. %v",
		[core.format_value(name), trainer.deprecation_policy]
	)
}

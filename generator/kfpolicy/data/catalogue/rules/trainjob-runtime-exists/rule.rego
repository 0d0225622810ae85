package lib.kubeflow.rules.trainjob_runtime_exists

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

violation contains core.invalid("spec.runtimeRef", trainer.ref, detail) if {
	trainer.ref_supported
	trainer.ref_kind == "TrainingRuntime"
	name := trainer.ref_name
	not trainer.runtime_found
	detail := sprintf(
		"trainingruntimes.trainer.kubeflow.org %v not found: specified trainingRuntime must be created before the TrainJob is created",
		[core.format_value(name)]
	)
}

# Upstream reports ClusterTrainingRuntime lookups on "spec.RuntimeRef" (capital R), sic.
violation contains core.invalid("spec.RuntimeRef", trainer.ref, detail) if {
	trainer.ref_supported
	trainer.ref_kind == "ClusterTrainingRuntime"
	name := trainer.ref_name
	not trainer.runtime_found
	detail := sprintf(
		"clustertrainingruntimes.trainer.kubeflow.org %v not found: specified clusterTrainingRuntime must be created before the TrainJob is created",
		[core.format_value(name)]
	)
}

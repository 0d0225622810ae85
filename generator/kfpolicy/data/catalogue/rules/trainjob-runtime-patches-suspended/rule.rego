package lib.kubeflow.rules.trainjob_runtime_patches_suspended

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

violation contains core.forbidden(
	"spec.runtimePatches",
	"RuntimePatches can only be modified when the TrainJob is suspended before or after the update"
) if {
	trainer.is_trainjob
	trainer.patches_changed
	not trainer.suspended(trainer.old_spec)
	not trainer.suspended(core.spec)
}

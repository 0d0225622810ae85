package lib.kubeflow.rules.trainjob_volcano_queue_name

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

_key := "scheduling.volcano.sh/queue-name"

violation contains core.invalid(
	sprintf("spec.annotations[%v]", [_key]),
	"",
	"Volcano queue name must not be empty"
) if {
	trainer.volcano_set
	trainer.merged_annotations[_key] == ""
}

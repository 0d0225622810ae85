package lib.kubeflow.rules.trainjob_conditions_terminal_exclusive

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

_true_index(type) := [t.index | some t in trainer.conditions; t.condition.type == type; t.condition.status == "True"]

violation contains core.forbidden(
	sprintf("status.conditions[%d]", [failed]),
	"must not be Failed while Complete is True"
) if {
	complete := _true_index("Complete")
	count(complete) > 0
	some failed in _true_index("Failed")
}

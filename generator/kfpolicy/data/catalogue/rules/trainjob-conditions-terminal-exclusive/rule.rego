package lib.kubeflow.rules.trainjob_conditions_terminal_exclusive

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

true_index(type) := [t[0] | some t in trainer.conditions; t[1].type == type; t[1].status == "True"]

violation contains core.forbidden(sprintf("status.conditions[%d]", [failed]), "must not be Failed while Complete is True") if {
	complete := true_index("Complete")
	count(complete) > 0
	some failed in true_index("Failed")
}

package lib.kubeflow.rules.trainjob_condition_created

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

violation contains core.plain("Warning", field, msg) if {
	some t in trainer.conditions
	t.condition.type == "Created"
	field := sprintf("status.conditions[%d].type", [t.index])
	msg := sprintf(
		"%v: condition type \"Created\" was removed in Kubeflow Trainer v2.0.0 and is left over from a pre-2.0 controller",
		[field]
	)
}

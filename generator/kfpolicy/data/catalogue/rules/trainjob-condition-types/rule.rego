package lib.kubeflow.rules.trainjob_condition_types

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

_known := ["Suspended", "Complete", "Failed"]

violation contains core.not_supported(sprintf("status.conditions[%d].type", [t.index]), c.type, _known) if {
	some t in trainer.conditions
	c := t.condition
	is_string(c.type)
	not c.type in _known
	c.type != "Created"
}

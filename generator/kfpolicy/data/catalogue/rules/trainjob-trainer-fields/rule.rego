package lib.kubeflow.rules.trainjob_trainer_fields

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

_trainer := core.spec.trainer if is_object(core.spec.trainer)

violation contains core.invalid("spec.trainer.numNodes", v, "should be greater than or equal to 0") if {
	v := _trainer.numNodes
	is_number(v)
	v < 0
}

violation contains core.invalid(
	"spec.trainer.numProcPerNode",
	v,
	"numProcPerNode must be greater than or equal to 1"
) if {
	v := _trainer.numProcPerNode
	is_number(v)
	v < 1
}

violation contains core.error("FieldValueTooLong", "spec.trainer.image", null, "may not be more than 500 bytes") if {
	is_string(_trainer.image)
	core.length(_trainer.image) > 500
}

# command, args, env (trainer) and the initializers' env: at most 128 items.
_lists contains {"path": sprintf("spec.trainer.%v", [name]), "items": _trainer[name]} if {
	some name in ["command", "args", "env"]
	is_array(_trainer[name])
}

_lists contains {"path": sprintf("spec.initializer.%v.env", [which]), "items": env} if {
	some which in ["dataset", "model"]
	env := core.spec.initializer[which].env
	is_array(env)
}

violation contains core.error("FieldValueTooMany", field, null, "must have at most 128 items") if {
	some list in _lists
	field := list.path
	count(list.items) > 128
}

violation contains core.invalid(
	sprintf("spec.trainer.%v[%d]", [name, i]),
	"string",
	"may not be more than 1048576 bytes (items maxLength)"
) if {
	some name in ["command", "args"]
	is_array(_trainer[name])
	some i, item in _trainer[name]
	is_string(item)
	core.length(item) > 1048576
}

package lib.kubeflow.rules.trainjob_torchtune_immutable_args

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

violation contains core.invalid(sprintf("spec.trainer.args[%d]", [i]), arg, detail) if {
	trainer.is_torchtune
	is_array(trainer.trainer.args)
	some i, arg in trainer.trainer.args
	is_string(arg)
	key := split(arg, "=")[0]
	key in trainer.torchtune_immutable_configs
	detail := sprintf(
		"must not set immutable config %v in trainer args; it is managed by the runtime",
		[core.format_value(key)]
	)
}

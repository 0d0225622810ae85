package lib.kubeflow.rules.trainjob_runtime_kind

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

violation contains core.plain("Error", "", msg) if {
	trainer.ref
	not trainer.ref_supported
	is_string(trainer.ref_kind)
	is_string(trainer.ref_group)
	msg := sprintf("unsupported runtime: %v.%v", [trainer.ref_kind, trainer.ref_group])
}

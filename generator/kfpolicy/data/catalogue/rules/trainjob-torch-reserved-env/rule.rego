package lib.kubeflow.rules.trainjob_torch_reserved_env

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

_reserved := {"PET_NNODES", "PET_NPROC_PER_NODE", "PET_NODE_RANK", "PET_MASTER_ADDR", "PET_MASTER_PORT"}

violation contains core.invalid("spec.trainer.env", trainer.trainer.env, trainer.reserved_env_detail(_reserved)) if {
	trainer.policy_set("torch")
	trainer.has_reserved_env(_reserved)
}

package lib.kubeflow.rules.trainjob_xgboost_reserved_env

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

_reserved := {"DMLC_TRACKER_URI", "DMLC_TRACKER_PORT", "DMLC_TASK_ID", "DMLC_NUM_WORKER"}

violation contains core.forbidden(
	sprintf("spec.trainer.env[%d]", [env.index]),
	sprintf("%v is reserved for the XGBoost runtime", [env.name])
) if {
	trainer.policy_set("xgboost")
	some env in trainer.trainer_envs
	env.name in _reserved
}

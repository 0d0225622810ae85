package lib.kubeflow.rules.trainjob_xgboost_reserved_env

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

reserved := {"DMLC_TRACKER_URI", "DMLC_TRACKER_PORT", "DMLC_TASK_ID", "DMLC_NUM_WORKER"}

violation contains core.forbidden(sprintf("spec.trainer.env[%d]", [t[0]]), sprintf("%v is reserved for the XGBoost runtime", [t[1]])) if {
	trainer.policy_set("xgboost")
	some t in trainer.trainer_envs
	t[1] in reserved
}

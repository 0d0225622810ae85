package lib.kubeflow.rules.trainjob_trainer_status_updated_time

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

violation contains core.invalid(
	"status.trainerStatus",
	"object",
	"lastUpdatedTime is required when trainerStatus is present"
) if {
	ts := trainer.status.trainerStatus
	is_object(ts)
	not core.has_value(ts, "lastUpdatedTime")
}

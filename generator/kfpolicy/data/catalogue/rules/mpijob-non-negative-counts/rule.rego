package lib.kubeflow.rules.mpijob_non_negative_counts

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

_message := "must be greater than or equal to 0"

violation contains core.invalid("spec.slotsPerWorker", slots, _message) if {
	slots := jobs.member(core.spec, "slotsPerWorker")
	is_number(slots)
	slots < 0
}

violation contains core.invalid(concat(".", ["spec.runPolicy", key]), value, _message) if {
	some key in ["ttlSecondsAfterFinished", "activeDeadlineSeconds", "backoffLimit"]
	value := jobs.member(jobs.member(core.spec, "runPolicy"), key)
	is_number(value)
	value < 0
}

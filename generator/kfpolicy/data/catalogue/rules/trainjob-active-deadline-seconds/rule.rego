package lib.kubeflow.rules.trainjob_active_deadline_seconds

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

violation contains core.invalid("spec.activeDeadlineSeconds", v, "should be greater than or equal to 1") if {
	v := core.spec.activeDeadlineSeconds
	is_number(v)
	v < 1
}

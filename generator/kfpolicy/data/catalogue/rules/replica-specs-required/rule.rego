package lib.kubeflow.rules.replica_specs_required

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

# mpi-operator words it differently from the Training Operator webhooks.
_details := {"mpijob-v2beta1": "must have replica specs"}

_detail := _details[core.kind_id] if {
	_details[core.kind_id]
} else := "must be required"

violation contains core.required(core.replica_specs_path, _detail) if {
	jobs.replica_specs_missing
}

package lib.kubeflow.rules.xgboostjob_master_required

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

_master_key if "Master" in jobs.replica_types

_specs_shape_ok if core.replica_specs

_specs_shape_ok if jobs.replica_specs_missing

violation contains core.required(core.replica_path("Master"), "must be present") if {
	_specs_shape_ok
	not _master_key
}

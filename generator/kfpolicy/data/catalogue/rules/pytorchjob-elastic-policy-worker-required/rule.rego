package lib.kubeflow.rules.pytorchjob_elastic_policy_worker_required

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

# Go looks the key up (`_, ok := specs["Worker"]`): a Worker key set to null counts as present.
# A nil replica-spec map has no Worker either.
_worker_key if "Worker" in jobs.replica_types

_specs_shape_ok if core.replica_specs

_specs_shape_ok if jobs.replica_specs_missing

violation contains core.required(core.replica_path("Worker"), "must be configured if elastic policy is used") if {
	jobs.given(core.spec, "elasticPolicy")
	_specs_shape_ok
	not _worker_key
}

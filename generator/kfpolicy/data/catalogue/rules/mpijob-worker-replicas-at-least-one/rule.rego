package lib.kubeflow.rules.mpijob_worker_replicas_at_least_one

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

violation contains core.invalid(
	concat(".", [core.replica_path("Worker"), "replicas"]),
	replicas,
	"must be greater than or equal to 1"
) if {
	replicas := _worker_replicas
	is_number(replicas)
	replicas <= 0
}

_worker_spec := core.replica_specs.Worker

# mpi-operator's defaulting sets an unset (or null) Worker count to 0 before its controller
# validates, so a Worker spec without `replicas` fails like `replicas: 0`. No Worker spec at all
# is not defaulted and not checked.
_worker_replicas := _worker_spec.replicas if {
	core.has_value(_worker_spec, "replicas")
} else := 0 if {
	is_object(_worker_spec)
}

package lib.kubeflow.rules.pytorchjob_worker_replicas_at_least_one

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

violation contains core.forbidden(concat(".", [core.replica_path(rtype), "replicas"]), "must be at least 1") if {
	some rtype, replica in core.replica_specs
	rtype != "Master"
	replicas := replica.replicas
	is_number(replicas)
	replicas < 1
}

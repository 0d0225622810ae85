package lib.kubeflow.rules.mpijob_worker_replicas_at_least_one

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

violation contains core.invalid(concat(".", [core.replica_path("Worker"), "replicas"]), replicas, "must be greater than or equal to 1") if {
	replicas := jobs.member(core.replica_specs.Worker, "replicas")
	is_number(replicas)
	replicas <= 0
}

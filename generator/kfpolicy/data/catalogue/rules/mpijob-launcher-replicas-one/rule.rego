package lib.kubeflow.rules.mpijob_launcher_replicas_one

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

violation contains core.invalid(concat(".", [core.replica_path("Launcher"), "replicas"]), replicas, "must be 1") if {
	replicas := jobs.member(core.replica_specs.Launcher, "replicas")
	is_number(replicas)
	replicas != 1
}

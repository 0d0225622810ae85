package lib.kubeflow.rules.mpijob_launcher_required

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

violation contains core.required(core.replica_path("Launcher"), "must have Launcher replica spec") if {
	jobs.member(core.replica_specs, "Launcher") == null
}

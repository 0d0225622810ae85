package lib.kubeflow.rules.mpijob_containers_required

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

violation contains core.required(jobs.containers_path(rtype), "must define at least one container") if {
	some rtype in ["Launcher", "Worker"]
	replica := core.replica_specs[rtype]
	replica != null
	count(jobs.replica_containers[rtype]) == 0
}

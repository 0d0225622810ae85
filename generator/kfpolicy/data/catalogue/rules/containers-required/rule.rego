package lib.kubeflow.rules.containers_required

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

violation contains core.required(jobs.containers_path(rtype), "must be specified") if {
	some rtype, containers in jobs.replica_containers
	count(containers) == 0
}

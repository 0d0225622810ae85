package lib.kubeflow.rules.master_replicas_one

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

# Unset (absent or null, also a null Master spec) counts: the webhook runs before defaulting.
_replicas_wrong(replica) if {
	replica == null
}

_replicas_wrong(replica) if {
	jobs.member(replica, "replicas") == null
}

_replicas_wrong(replica) if {
	replicas := jobs.member(replica, "replicas")
	is_number(replicas)
	replicas != 1
}

violation contains core.forbidden(concat(".", [core.replica_path("Master"), "replicas"]), "must be 1") if {
	replica := core.replica_specs.Master
	_replicas_wrong(replica)
}

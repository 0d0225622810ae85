package lib.kubeflow.rules.replicas_non_negative

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

violation contains core.invalid(field, replicas, "must be greater than or equal to 0") if {
	some rtype, replica in core.replica_specs
	replicas := replica.replicas
	is_number(replicas)
	replicas < 0
	field := concat(".", [core.replica_path(rtype), "replicas"])
}

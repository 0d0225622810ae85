package lib.kubeflow.rules.mpijob_name_dns1035

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs
import data.lib.kubeflow.names

_name := core.metadata.name if {
	is_string(core.metadata.name)
} else := "" if {
	jobs.member(core.metadata, "name") == null
	not jobs.given(core.metadata, "generateName")
}

# mpi-operator names the last worker pod and service "<name>-worker-<replicas-1>", counting at
# least one worker.
_workers := n if {
	n := core.replica_specs.Worker.replicas
	core.is_integer(n)
	n > 0
} else := 1

_host := sprintf("%v-worker-%d", [_name, _workers - 1])

violation contains core.invalid("metadata.name", _name, detail) if {
	errors := names.dns1035_label_errors(_host)
	count(errors) > 0
	detail := sprintf(
		"will not able to create pod and service with invalid DNS label \"%v\": %v",
		[_host, concat(", ", errors)]
	)
}

package lib.kubeflow.rules.pod_security_baseline

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

host_namespaces := {
	"hostNetwork": "sharing the host's network namespace is not allowed",
	"hostPID": "sharing the host's process ID namespace is not allowed",
	"hostIPC": "sharing the host's IPC namespace is not allowed",
}

container_flags := {
	"privileged": "privileged containers are not allowed",
	"allowPrivilegeEscalation": "privilege escalation is not allowed",
}

# Only a literal `true` is reported; other types are left to field-types.
violation contains core.forbidden(field, detail) if {
	some rtype, replica in core.replica_specs
	pod := core.pod_spec(replica)
	some key, detail in host_namespaces
	pod[key] == true
	field := sprintf("%v.template.spec.%v", [core.replica_path(rtype), key])
}

violation contains core.forbidden(field, detail) if {
	some pair in core.all_containers
	context := pair[1].securityContext
	is_object(context)
	some key, detail in container_flags
	context[key] == true
	field := sprintf("%v.securityContext.%v", [pair[0], key])
}

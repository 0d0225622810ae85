package lib.kubeflow.rules.mxjob_name_dns1035

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

# The controller prints the error list with Go's %v: "[e1 e2]".
violation contains core.invalid("metadata.name", _name, detail) if {
	errors := names.dns1035_label_errors(_name)
	count(errors) > 0
	detail := concat("", ["MXJob name is invalid: [", concat(" ", errors), "]"])
}

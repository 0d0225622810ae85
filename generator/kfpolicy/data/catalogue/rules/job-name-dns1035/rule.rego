package lib.kubeflow.rules.job_name_dns1035

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs
import data.lib.kubeflow.names

# The name the webhook sees. With generateName and no name the API server generates the name
# before admission, so there is nothing to check; with neither, Go reads "".
_name := core.metadata.name if {
	is_string(core.metadata.name)
} else := "" if {
	jobs.member(core.metadata, "name") == null
	not jobs.given(core.metadata, "generateName")
}

violation contains core.invalid("metadata.name", _name, detail) if {
	errors := names.dns1035_label_errors(_name)
	count(errors) > 0
	detail := concat("", ["should match: ", concat(",", errors)])
}

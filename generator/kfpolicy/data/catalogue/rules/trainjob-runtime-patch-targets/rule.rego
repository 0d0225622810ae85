package lib.kubeflow.rules.trainjob_runtime_patch_targets

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

_field := "spec.runtimePatches"

violation contains core.invalid(
	_field,
	core.spec.runtimePatches,
	"must not have replicated job that doesn't exist in the runtime job template"
) if {
	trainer.runtime_found
	some t in trainer.patched_jobs
	not t.job.name in trainer.runtime_job_names
}

violation contains core.invalid(_field, core.spec.runtimePatches, detail) if {
	trainer.runtime_found
	some t in trainer.patched_jobs
	job := t.job
	some [list_name, what] in [["initContainers", "initContainer"], ["containers", "container"]]
	rjob := trainer.runtime_job(job.name)
	is_object(rjob)
	known := trainer.job_all_container_names(rjob)
	some c in trainer.pod_list(trainer.pod_spec_or_empty(job), list_name)
	is_object(c)
	not object.get(c, "name", "") in known # a nameless container is "" as in Go (`not c.name in` differs by engine)
	detail := sprintf("must not have %v that doesn't exist in the runtime job %v", [what, job.name])
}

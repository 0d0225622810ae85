package lib.kubeflow.rules.trainjob_runtime_patch_reserved_env

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

_reserved := {"dataset-initializer", "model-initializer", "node"}

violation contains core.invalid(
	"spec.runtimePatches",
	core.spec.runtimePatches,
	"must not have envs for the dataset-initializer, model-initializer, node containers"
) if {
	trainer.runtime_found
	some t in trainer.patched_jobs
	job := t.job
	rjob := trainer.runtime_job(job.name)
	is_object(rjob)
	known := trainer.job_all_container_names(rjob)
	some list_name in ["initContainers", "containers"]
	some c in trainer.pod_list(trainer.pod_spec_or_empty(job), list_name)
	c.name in _reserved
	c.name in known
	is_array(c.env)
	count(c.env) > 0
}

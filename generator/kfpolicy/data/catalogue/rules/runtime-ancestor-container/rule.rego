package lib.kubeflow.rules.runtime_ancestor_container

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

_required := {"dataset-initializer": "dataset-initializer", "model-initializer": "model-initializer", "trainer": "node"}

violation contains core.invalid(
	field,
	names,
	sprintf("must contain the required container for the ancestor: %v", [ancestor])
) if {
	trainer.runtime_webhook_applies
	some i, job in trainer.spec_jobs(core.spec)
	ancestor := trainer.job_ancestor(job)
	container := _required[ancestor]
	is_string(container) # an ancestor with no required container: the compiled mode's marker is not a string
	ps := trainer.pod_spec_or_empty(job)
	names := [n | some c in trainer.pod_list(ps, "containers"); n := c.name]
	not container in names
	field := sprintf("spec.template.spec.replicatedJobs[%d].template.spec.template.spec.containers", [i])
}

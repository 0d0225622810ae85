package lib.kubeflow.rules.runtime_ancestor_replicas

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

violation contains core.invalid(field, replicas, "always must be 1") if {
	trainer.runtime_webhook_applies
	some i, job in trainer.spec_jobs(core.spec)
	trainer.job_ancestor(job) in {"dataset-initializer", "model-initializer", "trainer"}
	replicas := job.replicas
	is_number(replicas)
	replicas != 1
	field := sprintf("spec.template.spec.replicatedJobs[%d].replicas", [i])
}

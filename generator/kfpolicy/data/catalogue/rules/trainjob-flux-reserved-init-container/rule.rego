package lib.kubeflow.rules.trainjob_flux_reserved_init_container

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

violation contains core.invalid(
	"spec.trainer.initContainers",
	"flux-installer",
	"InitContainer 'flux-installer' is reserved"
) if {
	trainer.policy_set("flux")
	job := trainer.merged_job_named("node")
	"flux-installer" in trainer.pod_container_names(trainer.pod_spec_or_empty(job), "initContainers")
}

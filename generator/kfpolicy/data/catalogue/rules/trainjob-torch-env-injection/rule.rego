package lib.kubeflow.rules.trainjob_torch_env_injection

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

violation contains core.invalid("spec.runtimeRef", target, detail) if {
	trainer.policy_set("torch")
	targets := trainer.ml_policy.torch.envInjection.targets
	is_array(targets)
	some target in targets
	is_object(target)
	is_string(target.jobName)
	is_array(target.containerNames)
	some cname in target.containerNames
	is_string(cname)
	not cname in _job_containers(target.jobName)
	detail := sprintf(
		"envInjection target podSet %v container %v not found in runtime template",
		[core.format_value(target.jobName), core.format_value(cname)]
	)
}

_job_containers(name) := trainer.pod_container_names(trainer.pod_spec_or_empty(job), "containers") if {
	job := trainer.merged_job_named(name)
} else := {n | some n in []}

package lib.kubeflow.rules.mpijob_clean_pod_policy_supported

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

_supported := ["All", "None", "Running"]

violation contains core.not_supported("spec.runPolicy.cleanPodPolicy", policy, _supported) if {
	policy := jobs.member(jobs.member(core.spec, "runPolicy"), "cleanPodPolicy")
	is_string(policy)
	not policy in _supported
}

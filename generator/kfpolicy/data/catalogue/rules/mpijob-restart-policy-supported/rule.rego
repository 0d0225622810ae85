package lib.kubeflow.rules.mpijob_restart_policy_supported

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

supported := ["Never", "OnFailure"]

violation contains core.not_supported(concat(".", [core.replica_path(rtype), "restartPolicy"]), policy, supported) if {
	some rtype in ["Launcher", "Worker"]
	policy := jobs.member(core.replica_specs[rtype], "restartPolicy")
	is_string(policy)
	not policy in supported
}

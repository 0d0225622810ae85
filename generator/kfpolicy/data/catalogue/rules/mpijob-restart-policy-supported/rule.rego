package lib.kubeflow.rules.mpijob_restart_policy_supported

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs
import data.lib.kubeflow.parameters

params := parameters.of("mpijob-restart-policy-supported")

_supported := ["Never", "OnFailure"]

violation contains core.not_supported(concat(".", [core.replica_path(rtype), "restartPolicy"]), policy, _supported) if {
	some rtype in ["Launcher", "Worker"]
	policy := jobs.member(core.replica_specs[rtype], "restartPolicy")
	is_string(policy)
	not policy in _supported
	not _defaulted(policy)
}

# mpi-operator replaces an empty restartPolicy with its default before validating.
_defaulted(policy) if {
	policy == ""
	params.empty_is_default == true
}

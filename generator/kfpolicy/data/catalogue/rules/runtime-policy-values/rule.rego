package lib.kubeflow.rules.runtime_policy_values

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

_policy := core.spec.mlPolicy if is_object(core.spec.mlPolicy)

violation contains core.invalid(
	sprintf("spec.mlPolicy.%v.numProcPerNode", [name]),
	v,
	sprintf("NumProcPerNode in %vPolicy must be >= 1", [name])
) if {
	some name in ["mpi", "flux"]
	v := _policy[name].numProcPerNode
	is_number(v)
	v < 1
}

violation contains core.not_supported("spec.mlPolicy.mpi.mpiImplementation", v, ["OpenMPI", ""]) if {
	v := _policy.mpi.mpiImplementation
	is_string(v)
	not v in {"OpenMPI", ""}
}

violation contains core.error(
	"FieldValueTooLong",
	"spec.mlPolicy.mpi.sshAuthMountPath",
	null,
	"may not be more than 4096 bytes"
) if {
	v := _policy.mpi.sshAuthMountPath
	is_string(v)
	core.length(v) > 4096
}

_targets := _policy.torch.envInjection.targets if is_array(_policy.torch.envInjection.targets)

violation contains core.error(
	"FieldValueTooMany",
	"spec.mlPolicy.torch.envInjection.targets",
	null,
	"must have at most 16 items"
) if {
	count(_targets) > 16
}

_target_path(i) := sprintf("spec.mlPolicy.torch.envInjection.targets[%d]", [i])

violation contains core.invalid(
	concat(".", [_target_path(i), "containerNames"]),
	"array",
	"containerNames must not include the main node container because PET_* envs are always injected into it"
) if {
	some i, t in _targets
	is_array(t.containerNames)
	"node" in t.containerNames
}

violation contains core.invalid(
	concat(".", [_target_path(i), "containerNames"]),
	"array",
	"should have at least 1 items"
) if {
	some i, t in _targets
	is_array(t.containerNames)
	count(t.containerNames) == 0
}

violation contains core.error(
	"FieldValueTooMany",
	concat(".", [_target_path(i), "containerNames"]),
	null,
	"must have at most 8 items"
) if {
	some i, t in _targets
	is_array(t.containerNames)
	count(t.containerNames) > 8
}

violation contains core.error(
	"FieldValueTooLong",
	sprintf("%v.containerNames[%d]", [_target_path(i), k]),
	null,
	"may not be more than 63 bytes"
) if {
	some i, t in _targets
	is_array(t.containerNames)
	some k, n in t.containerNames
	is_string(n)
	core.length(n) > 63
}

violation contains core.error("FieldValueDuplicate", sprintf("%v.containerNames[%d]", [_target_path(i), k]), n, "") if {
	some i, t in _targets
	is_array(t.containerNames)
	some k, n in t.containerNames
	some l, m in t.containerNames
	l < k
	m == n
}

violation contains core.error("FieldValueDuplicate", _target_path(i), {"jobName": t.jobName}, "") if {
	some i, t in _targets
	is_string(t.jobName)
	some k, o in _targets
	k < i
	o.jobName == t.jobName
}

violation contains core.required(concat(".", [_target_path(i), "jobName"]), "") if {
	some i, t in _targets
	is_object(t)
	not core.has_value(t, "jobName")
}

violation contains core.not_supported("spec.podGroupPolicy.volcano.networkTopology.mode", v, ["hard", "soft"]) if {
	v := core.spec.podGroupPolicy.volcano.networkTopology.mode
	is_string(v)
	not v in {"hard", "soft"}
}

package lib.kubeflow.rules.runtime_jobset_immutable

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

_new := core.spec.template.spec if is_object(core.spec.template.spec)

_old := core.old_obj.spec.template.spec if is_object(core.old_obj.spec.template.spec)

violation contains core.invalid(sprintf("spec.template.spec.%v", [name]), "object", "Value is immutable") if {
	some name in ["failurePolicy", "network", "startupPolicy", "successPolicy", "volumeClaimPolicies"]
	core.has_value(_new, name)
	core.has_value(_old, name)
	_new[name] != _old[name]
}

violation contains core.invalid(
	sprintf("spec.template.spec.replicatedJobs[%d].dependsOn", [i]),
	"array",
	"Value is immutable"
) if {
	is_array(_new.replicatedJobs)
	is_array(_old.replicatedJobs)
	some i, j in _new.replicatedJobs
	is_string(j.name)
	some o in _old.replicatedJobs
	o.name == j.name
	core.has_value(j, "dependsOn")
	core.has_value(o, "dependsOn")
	j.dependsOn != o.dependsOn
}

package lib.kubeflow.rules.trainjob_immutable_fields

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

_old := core.old_obj.spec if is_object(core.old_obj.spec)

_new := core.spec

# Transition rules run only when the field is set in both objects.
violation contains core.invalid(sprintf("spec.%v", [name]), "object", "field is immutable") if {
	some name in ["runtimeRef", "initializer", "trainer", "activeDeadlineSeconds", "managedBy"]
	core.has_value(_old, name)
	core.has_value(_new, name)
	_old[name] != _new[name]
}

# runtimePatches are a map keyed by manager, their replicatedJobs a map keyed by name: compare
# the pod spec fields of entries with the same keys.
_pod_fields := [
	"serviceAccountName",
	"volumes",
	"initContainers",
	"containers",
	"imagePullSecrets",
	"securityContext",
	"terminationGracePeriodSeconds",
]

violation contains core.invalid(field, "object", "field is immutable") if {
	is_array(_new.runtimePatches)
	is_array(_old.runtimePatches)
	some i, p in _new.runtimePatches
	is_string(p.manager)
	some op in _old.runtimePatches
	op.manager == p.manager
	jobs := p.trainingRuntimeSpec.template.spec.replicatedJobs
	old_jobs := op.trainingRuntimeSpec.template.spec.replicatedJobs
	is_array(jobs)
	is_array(old_jobs)
	some k, j in jobs
	is_string(j.name)
	some oj in old_jobs
	oj.name == j.name
	ps := j.template.spec.template.spec
	ops := oj.template.spec.template.spec
	is_object(ps)
	is_object(ops)
	some name in _pod_fields
	core.has_value(ps, name)
	core.has_value(ops, name)
	ps[name] != ops[name]
	field := sprintf(
		"spec.runtimePatches[%d].trainingRuntimeSpec.template.spec.replicatedJobs[%d].template.spec.template.spec.%v",
		[i, k, name]
	)
}

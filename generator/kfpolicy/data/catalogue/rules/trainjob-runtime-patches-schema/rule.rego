package lib.kubeflow.rules.trainjob_runtime_patches_schema

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

patches := core.spec.runtimePatches if is_array(core.spec.runtimePatches)

too_many(field, list, limit) := core.error("FieldValueTooMany", field, null, sprintf("must have at most %d items", [limit])) if {
	is_array(list)
	count(list) > limit
}

# The lists are bound in the body: the embedded engine drops or fails the whole rule when a
# head's function argument is undefined in one iteration (OPA skips just that iteration).
violation contains too_many("spec.runtimePatches", list, 16) if {
	list := patches
}

# listType map keyed by manager: no two patches with the same manager.
violation contains core.error("FieldValueDuplicate", sprintf("spec.runtimePatches[%d]", [i]), {"manager": m}, "") if {
	some i, p in patches
	m := p.manager
	is_string(m)
	some j, q in patches
	j < i
	q.manager == m
}

violation contains core.error("FieldValueTooLong", sprintf("spec.runtimePatches[%d].manager", [i]), null, "may not be more than 253 bytes") if {
	some i, p in patches
	is_string(p.manager)
	core.length(p.manager) > 253
}

violation contains core.invalid(sprintf("spec.runtimePatches[%d].manager", [i]), "", "should be at least 1 chars long") if {
	some i, p in patches
	p.manager == ""
}

jobs contains [sprintf("spec.runtimePatches[%d].trainingRuntimeSpec.template.spec.replicatedJobs", [i]), js] if {
	some i, p in patches
	js := p.trainingRuntimeSpec.template.spec.replicatedJobs
	is_array(js)
}

violation contains too_many(pair[0], pair[1], 100) if some pair in jobs

violation contains core.error("FieldValueDuplicate", sprintf("%v[%d]", [pair[0], k]), {"name": j.name}, "") if {
	some pair in jobs
	some k, j in pair[1]
	is_string(j.name)
	some l, o in pair[1]
	l < k
	o.name == j.name
}

# Pod spec fields of each patched job, with their limits.
pod_specs contains [sprintf("%v[%d].template.spec.template.spec", [pair[0], k]), ps] if {
	some pair in jobs
	some k, j in pair[1]
	ps := j.template.spec.template.spec
	is_object(ps)
}

list_limits := {"volumes": 128, "initContainers": 64, "containers": 64, "imagePullSecrets": 64, "tolerations": 128, "schedulingGates": 16}

violation contains too_many(sprintf("%v.%v", [pair[0], name]), list, limit) if {
	some pair in pod_specs
	some name, limit in list_limits
	list := pair[1][name]
}

violation contains core.invalid(sprintf("%v.terminationGracePeriodSeconds", [pair[0]]), v, "should be greater than or equal to 0") if {
	some pair in pod_specs
	v := pair[1].terminationGracePeriodSeconds
	is_number(v)
	v < 0
}

violation contains core.error("FieldValueTooLong", sprintf("%v.serviceAccountName", [pair[0]]), null, "may not be more than 253 bytes") if {
	some pair in pod_specs
	is_string(pair[1].serviceAccountName)
	core.length(pair[1].serviceAccountName) > 253
}

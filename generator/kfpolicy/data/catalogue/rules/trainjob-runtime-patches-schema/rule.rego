package lib.kubeflow.rules.trainjob_runtime_patches_schema

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

patches := core.spec.runtimePatches if is_array(core.spec.runtimePatches)

too_many(field, limit) := core.error("FieldValueTooMany", field, null, sprintf("must have at most %d items", [limit]))

# The lists are checked in the body and the head's function is defined for every argument: the
# embedded engine drops or fails the whole rule when a head's function call is undefined in one
# iteration (OPA skips just that iteration).
violation contains too_many("spec.runtimePatches", 16) if {
	count(patches) > 16
}

# The indices of a list's items whose key an earlier item already has: the [key, index] pairs
# sorted, each compared with its neighbour (n log n; comparing every pair is quadratic).
later_duplicates(keyed) := {[pair[0], pair[1]] |
	ordered := sort(keyed)
	some k, pair in ordered
	k > 0
	ordered[k - 1][0] == pair[0]
}

# listType map keyed by manager: no two patches with the same manager.
violation contains core.error("FieldValueDuplicate", sprintf("spec.runtimePatches[%d]", [dup[1]]), {"manager": dup[0]}, "") if {
	some dup in later_duplicates([[m, i] | some i, p in patches; m := p.manager; is_string(m)])
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

violation contains too_many(pair[0], 100) if {
	some pair in jobs
	count(pair[1]) > 100
}

violation contains core.error("FieldValueDuplicate", sprintf("%v[%d]", [pair[0], dup[1]]), {"name": dup[0]}, "") if {
	some pair in jobs
	some dup in later_duplicates([[name, k] | some k, j in pair[1]; name := j.name; is_string(name)])
}

# Pod spec fields of each patched job, with their limits.
pod_specs contains [sprintf("%v[%d].template.spec.template.spec", [pair[0], k]), ps] if {
	some pair in jobs
	some k, j in pair[1]
	ps := j.template.spec.template.spec
	is_object(ps)
}

list_limits := {"volumes": 128, "initContainers": 64, "containers": 64, "imagePullSecrets": 64, "tolerations": 128, "schedulingGates": 16}

violation contains too_many(sprintf("%v.%v", [pair[0], name]), limit) if {
	some pair in pod_specs
	some name, limit in list_limits
	list := pair[1][name]
	is_array(list)
	count(list) > limit
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

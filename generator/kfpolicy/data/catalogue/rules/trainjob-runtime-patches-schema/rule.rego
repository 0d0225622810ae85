package lib.kubeflow.rules.trainjob_runtime_patches_schema

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

_patches := core.spec.runtimePatches if is_array(core.spec.runtimePatches)

_too_many(field, limit) := core.error("FieldValueTooMany", field, null, sprintf("must have at most %d items", [limit]))

# The lists are checked in the body and the head's function is defined for every argument: the
# embedded engine drops or fails the whole rule when a head's function call is undefined in one
# iteration (OPA skips just that iteration).
violation contains _too_many("spec.runtimePatches", 16) if {
	count(_patches) > 16
}

# The indices of a list's items whose key an earlier item already has: the [key, index] pairs
# sorted, each compared with its neighbour (n log n; comparing every pair is quadratic). The
# pairs stay arrays for the sort (ordered by key, then index); each duplicate is a named object.
_later_duplicates(keyed) := {{"key": key, "index": index} |
	ordered := sort(keyed)
	some k, pair in ordered
	[key, index] := pair
	k > 0
	[previous_key, _] := ordered[k - 1]
	previous_key == key
}

# listType map keyed by manager: no two patches with the same manager.
violation contains core.error(
	"FieldValueDuplicate",
	sprintf("spec.runtimePatches[%d]", [dup.index]),
	{"manager": dup.key},
	""
) if {
	some dup in _later_duplicates([[m, i] | some i, p in _patches; m := p.manager; is_string(m)])
}

violation contains core.error(
	"FieldValueTooLong",
	sprintf("spec.runtimePatches[%d].manager", [i]),
	null,
	"may not be more than 253 bytes"
) if {
	some i, p in _patches
	is_string(p.manager)
	core.length(p.manager) > 253
}

violation contains core.invalid(
	sprintf("spec.runtimePatches[%d].manager", [i]),
	"",
	"should be at least 1 chars long"
) if {
	some i, p in _patches
	p.manager == ""
}

_jobs contains {"path": path, "jobs": js} if {
	some i, p in _patches
	js := p.trainingRuntimeSpec.template.spec.replicatedJobs
	is_array(js)
	path := sprintf("spec.runtimePatches[%d].trainingRuntimeSpec.template.spec.replicatedJobs", [i])
}

violation contains _too_many(patch_jobs.path, 100) if {
	some patch_jobs in _jobs
	count(patch_jobs.jobs) > 100
}

violation contains core.error(
	"FieldValueDuplicate",
	sprintf("%v[%d]", [patch_jobs.path, dup.index]),
	{"name": dup.key},
	""
) if {
	some patch_jobs in _jobs
	some dup in _later_duplicates([[name, k] | some k, j in patch_jobs.jobs; name := j.name; is_string(name)])
}

# Pod spec fields of each patched job, with their limits.
_pod_specs contains {"path": sprintf("%v[%d].template.spec.template.spec", [patch_jobs.path, k]), "spec": ps} if {
	some patch_jobs in _jobs
	some k, j in patch_jobs.jobs
	ps := j.template.spec.template.spec
	is_object(ps)
}

_list_limits := {
	"volumes": 128,
	"initContainers": 64,
	"containers": 64,
	"imagePullSecrets": 64,
	"tolerations": 128,
	"schedulingGates": 16,
}

violation contains _too_many(sprintf("%v.%v", [pod.path, name]), limit) if {
	some pod in _pod_specs
	some name, limit in _list_limits
	items := pod.spec[name]
	is_array(items)
	count(items) > limit
}

violation contains core.invalid(
	sprintf("%v.terminationGracePeriodSeconds", [pod.path]),
	v,
	"should be greater than or equal to 0"
) if {
	some pod in _pod_specs
	v := pod.spec.terminationGracePeriodSeconds
	is_number(v)
	v < 0
}

violation contains core.error(
	"FieldValueTooLong",
	sprintf("%v.serviceAccountName", [pod.path]),
	null,
	"may not be more than 253 bytes"
) if {
	some pod in _pod_specs
	is_string(pod.spec.serviceAccountName)
	core.length(pod.spec.serviceAccountName) > 253
}

# METADATA
# title: Kubeflow Trainer v2 helpers
# description: >-
#   The runtime a TrainJob refers to (read from data.inventory in Gatekeeper's shape), the
#   runtime's JobSet template with the TrainJob's runtimePatches merged in by name, the TrainJob's
#   trainer and initializer sections, and runtime (TrainingRuntime / ClusterTrainingRuntime)
#   helpers. Every helper is total: malformed input or a missing runtime leaves it undefined.
package lib.kubeflow.trainer

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

group := "trainer.kubeflow.org"

ancestor_label := "trainer.kubeflow.org/trainjob-ancestor-step"

support_label := "trainer.kubeflow.org/support"

validation_label := "trainer.kubeflow.org/webhook-validation"

deprecation_policy := "See runtime deprecation policy: https://trainer.kubeflow.org/en/latest/operator-guides/runtime.html#runtime-deprecation-policy"

# --- runtimes under review (TrainingRuntime / ClusterTrainingRuntime) ------------------------

is_runtime if core.kind_id in {"trainingruntime", "clustertrainingruntime"}

# Objects labelled trainer.kubeflow.org/webhook-validation=disabled are skipped by the upstream
# runtime webhooks (objectSelector NotIn [disabled]).
validation_disabled if core.labels[validation_label] == "disabled"

# TrainingRuntime: validated on CREATE only; ClusterTrainingRuntime: on CREATE and UPDATE.
runtime_webhook_applies if {
	is_runtime
	not validation_disabled
	core.operation == "CREATE"
}

runtime_webhook_applies if {
	core.kind_id == "clustertrainingruntime"
	not validation_disabled
	core.operation == "UPDATE"
}

# The replicated jobs of a runtime spec's JobSet template, as [index, job] pairs.
spec_jobs(spec) := jobs if {
	is_object(spec)
	is_object(spec.template)
	is_object(spec.template.spec)
	jobs := spec.template.spec.replicatedJobs
	is_array(jobs)
}

# The pod spec of a replicated job: job.template.spec.template.spec.
job_pod_spec(job) := ps if {
	is_object(job)
	is_object(job.template)
	is_object(job.template.spec)
	is_object(job.template.spec.template)
	ps := job.template.spec.template.spec
	is_object(ps)
}

job_ancestor(job) := a if {
	is_object(job.template.metadata.labels)
	a := job.template.metadata.labels[ancestor_label]
	is_string(a)
}

# Containers (list_name "containers" or "initContainers") of a pod spec, objects only.
pod_list(ps, list_name) := [c | some c in ps[list_name]; is_object(c)] if {
	is_array(ps[list_name])
} else := []

pod_container_names(ps, list_name) := {c.name | some c in pod_list(ps, list_name); is_string(c.name)}

# --- the TrainJob's reference to its runtime -------------------------------------------------

is_trainjob if core.kind_id == "trainjob"

ref := core.spec.runtimeRef if {
	is_trainjob
	is_object(core.spec.runtimeRef)
}

ref_name := ref.name if {
	is_string(ref.name)
	ref.name != ""
}

# CRD defaults: apiGroup trainer.kubeflow.org, kind ClusterTrainingRuntime.
ref_group := ref.apiGroup if {
	is_string(ref.apiGroup)
	ref.apiGroup != ""
} else := group

ref_kind := ref.kind if {
	is_string(ref.kind)
	ref.kind != ""
} else := "ClusterTrainingRuntime"

ref_supported if {
	ref_group == group
	ref_kind in {"TrainingRuntime", "ClusterTrainingRuntime"}
}

job_namespace := ns if {
	ns := core.metadata.namespace
	is_string(ns)
	ns != ""
}

# Where a runtime of the referenced kind lives in data.inventory: the cluster branch for
# ClusterTrainingRuntime, the TrainJob's namespace for TrainingRuntime. A TrainJob without a
# namespace (a manifest in CI) finds a TrainingRuntime manifest without a namespace, which
# kfpolicy eval files under the cluster branch: both go to the same namespace when applied.
runtime_branch := core.inventory.cluster if {
	ref_kind == "ClusterTrainingRuntime"
} else := core.inventory.namespace[job_namespace] if {
	ref_kind == "TrainingRuntime"
	is_object(core.inventory.namespace[job_namespace]) # a value that is undefined must not end the chain
} else := core.inventory.cluster if {
	ref_kind == "TrainingRuntime"
	not job_namespace
}

# Inventory versions of the group that hold the runtime, first one wins (no conflicts).
runtime_versions := sort([gv |
	is_object(runtime_branch)
	some gv, kinds in runtime_branch
	is_string(gv)
	startswith(gv, concat("", [group, "/"]))
	is_object(kinds)
	is_object(kinds[ref_kind])
	is_object(kinds[ref_kind][ref_name])
])

runtime := runtime_branch[runtime_versions[0]][ref_kind][ref_name] if {
	ref_supported
	ref_name
	count(runtime_versions) > 0
}

runtime_found if is_object(runtime)

runtime_spec := runtime.spec if {
	is_object(runtime.spec)
} else := {} if {
	runtime_found
}

runtime_labels := runtime.metadata.labels if {
	is_object(runtime.metadata)
	is_object(runtime.metadata.labels)
} else := {} if {
	runtime_found
}

ml_policy := runtime_spec.mlPolicy if is_object(runtime_spec.mlPolicy)

# A policy section is "set" when it is present (even `{}`), as a non-nil pointer is upstream.
policy_set(name) if {
	is_object(ml_policy)
	is_object(ml_policy[name])
}

volcano_set if is_object(runtime_spec.podGroupPolicy.volcano)

# Runtime replicated jobs as given (no patches): [index, job].
runtime_jobs := spec_jobs(runtime_spec) if runtime_found

runtime_job_names := {j.name | some j in runtime_jobs; is_object(j); is_string(j.name)}

# The first runtime job of that name (duplicates never make a conflict).
runtime_job(name) := js[0] if {
	js := [j | some j in runtime_jobs; is_object(j); j.name == name]
	count(js) > 0
}

# --- runtimePatches --------------------------------------------------------------------------

patches := [p | some p in core.spec.runtimePatches; is_object(p)] if {
	is_trainjob
	is_array(core.spec.runtimePatches)
} else := []

patch_jobs(p) := spec_jobs(p.trainingRuntimeSpec) if {
	is_object(p.trainingRuntimeSpec)
} else := []

# Every patched replicated job, as {"patch": patch index, "index": job index, "job": job}.
patched_jobs contains {"patch": pi, "index": ji, "job": j} if {
	is_array(core.spec.runtimePatches) # the embedded engine fails on `some .. in` a non-collection
	some pi, p in core.spec.runtimePatches
	is_object(p)
	some ji, j in patch_jobs(p)
	is_object(j)
	is_string(j.name)
}

# Strategic merge by name (patchMergeKey name) of two lists of objects: items of `patch` with a
# name already in `base` are merged into it (object.union, patch wins), new names are appended.
merge_by_name(base, patch) := array.concat(
	[merged |
		some b in base
		merged := merge_named_item(b, patch)
	],
	[p | some p in patch; is_object(p); not name_in(p.name, base)],
)

name_in(name, items) if {
	some i in items
	is_object(i)
	i.name == name
}

merge_named_item(b, patch) := object.union(b, last_named(b.name, patch)) if {
	is_object(b)
	name_in(b.name, patch)
} else := b

last_named(name, items) := items[i] if {
	idx := [k | some k, it in items; is_object(it); it.name == name]
	i := idx[count(idx) - 1]
}

# A pod spec with a patch's pod spec merged in: containers and initContainers by name, the
# other fields replaced.
merge_pod_spec(base, patch) := object.union(object.union(base, patch), {
	"containers": merge_by_name(pod_list(base, "containers"), pod_list(patch, "containers")),
	"initContainers": merge_by_name(pod_list(base, "initContainers"), pod_list(patch, "initContainers")),
})

pod_spec_or_empty(job) := ps if {
	ps := job_pod_spec(job)
	is_object(ps) # a check after every assignment from a call that may be undefined (see core.rego)
} else := {}

merge_job(base, patch) := out if {
	is_object(base)
	is_object(patch)
	bt := obj_field(base, "template")
	pt := obj_field(patch, "template")
	meta := object.union(obj_field(bt, "metadata"), obj_field(pt, "metadata"))
	bspec := obj_field(bt, "spec")
	ps := merge_pod_spec(pod_spec_or_empty(base), pod_spec_or_empty(patch))
	pod_template := object.union(obj_field(bspec, "template"), {"spec": ps})
	job_spec := object.union(bspec, {"template": pod_template})
	out := object.union(base, {"template": object.union(bt, {"metadata": meta, "spec": job_spec})})
}

# o[k] when it is an object, else {} (never undefined for an object o, whatever o[k] is).
obj_field(o, k) := o[k] if {
	is_object(o)
	is_object(o[k])
} else := {}

# The runtime's replicated jobs with every patch applied in order (only the fields the plugins
# read: names, labels, containers, initContainers and the pod spec). Jobs keep the runtime's
# order; patched jobs the runtime does not have are left out (JS-11 reports them).
merged_jobs := [merged_job(j) | some j in runtime_jobs] if runtime_found

merged_job(j) := apply_patches(j) if {
	is_string(j.name)
	job_patched(j.name)
} else := j

job_patched(name) if {
	some t in patched_jobs
	t.job.name == name
}

apply_patches(j) := out if {
	parts := [pj | some pi, p in patches; some pj in patch_jobs(p); is_object(pj); pj.name == j.name]
	out := fold_jobs(j, parts)
}

# Rego has no fold; patches per job are few, so apply up to four explicitly.
fold_jobs(j, parts) := j if count(parts) == 0

fold_jobs(j, parts) := merge_job(j, parts[0]) if count(parts) == 1

fold_jobs(j, parts) := merge_job(merge_job(j, parts[0]), parts[1]) if count(parts) == 2

fold_jobs(j, parts) := merge_job(merge_job(merge_job(j, parts[0]), parts[1]), parts[2]) if count(parts) == 3

fold_jobs(j, parts) := merge_job(
	merge_job(merge_job(merge_job(j, parts[0]), parts[1]), parts[2]),
	parts[3]
) if count(parts) >= 4

merged_job_named(name) := js[0] if {
	js := [j | some j in merged_jobs; is_object(j); j.name == name]
	count(js) > 0
}

# Names of containers + initContainers of a merged job.
job_all_container_names(j) := pod_container_names(ps, "containers") | pod_container_names(ps, "initContainers") if {
	ps := job_pod_spec(j)
	is_object(ps)
} else := {n | some n in []}

# JobSet template metadata annotations: runtime's, then every patch's (patch wins).
merged_annotations := object.union(runtime_annotations, patch_annotations) if runtime_found

runtime_annotations := runtime_spec.template.metadata.annotations if {
	is_object(runtime_spec.template.metadata.annotations)
} else := {}

patch_annotations := {k: v |
	some p in patches
	anns := p.trainingRuntimeSpec.template.metadata.annotations
	is_object(anns)
	some k, v in anns
}

# --- the TrainJob's trainer section -----------------------------------------------------------

trainer := core.spec.trainer if {
	is_trainjob
	is_object(core.spec.trainer)
}

# numNodes, with the upstream default 1 when unset.
num_nodes := trainer.numNodes if {
	is_number(trainer.numNodes)
} else := 1

env_list := [e | some e in trainer.env; is_object(e)] if {
	is_array(trainer.env)
} else := []

# Env entries of the trainer as {"index": index, "name": name}.
trainer_envs contains {"index": i, "name": e.name} if {
	is_array(trainer.env)
	some i, e in trainer.env
	is_object(e)
	is_string(e.name)
}

trainer_args := [a | some a in trainer.args; is_string(a)] if {
	is_array(trainer.args)
} else := []

# Reserved env names found in the trainer, sorted, rendered like Go's %v of a []string.
reserved_env_detail(reserved) := concat("", [
	"must not have reserved envs, invalid envs configured: [",
	concat(" ", sort({n | some t in trainer_envs; n := t.name; n in reserved})),
	"]",
])

has_reserved_env(reserved) if {
	some t in trainer_envs
	t.name in reserved
}

# --- UPDATE helpers ---------------------------------------------------------------------------

old_spec := core.old_obj.spec if {
	is_object(core.old_obj.spec)
} else := {}

suspended(spec) if spec.suspend == true

patch_list(spec) := spec.runtimePatches if {
	is_array(spec.runtimePatches)
} else := []

# runtimePatches differ between the old and the new object (Semantic.DeepEqual: time included,
# a missing list equals an empty one).
patches_changed if {
	core.operation == "UPDATE"
	is_object(core.old_obj)
	patch_list(old_spec) != patch_list(core.spec)
}

# --- TorchTune (torch runtime, trainer command ["tune", "run"]) --------------------------------

is_torchtune if {
	policy_set("torch")
	trainer.command == ["tune", "run"]
}

# The pretrained model a TorchTune runtime name encodes: "<x>-<model>-<size>" → "<model with _>/<SIZE>".
torchtune_model := model if {
	ascii(ref_name)
	parts := split(ref_name, "-")
	count(parts) == 3
	model := concat("/", [replace(parts[1], ".", "_"), upper(parts[2])])
} else := ""

torchtune_immutable_configs := {"output_dir", "tokenizer.path", "checkpointer.checkpoint_dir", "tokenizer.merges_file"}

# upper/lower only on ASCII text (engines differ beyond it).
ascii(s) if {
	is_string(s)
	regex.match(`^[\x20-\x7e]*$`, s)
}

# --- status (audit of existing objects) ----------------------------------------------------------

# Status-stage rules read `status`. A validating webhook never sees the status of a new object (the
# API server drops it on CREATE for CRDs with a status subresource), so these rules run on CREATE
# only, which is what Gatekeeper audit (empty operation) and `kfpolicy eval` on a manifest are,
# and never on UPDATE, where an old status would block unrelated changes.
status := core.obj.status if {
	core.operation == "CREATE"
	is_object(core.obj.status)
}

# Status conditions as {"index": index, "condition": condition}.
conditions contains {"index": i, "condition": c} if {
	is_array(status.conditions)
	some i, c in status.conditions
	is_object(c)
}

# METADATA
# title: The pod templates of an object
# description: >-
#   Every pod template an object carries, for every kind, each with its own field path: the replica
#   specs of the v1 jobs and MPIJob v2beta1, the replicated jobs of a TrainingRuntime or
#   ClusterTrainingRuntime JobSet template, and the pod specs of a TrainJob's runtimePatches. Then
#   every container and init container of them. Malformed levels are skipped.
package lib.kubeflow.pods

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

# Every pod template as {"spec": its pod spec (an object), "template": the pod template (an object),
# "patch": true for TrainJob runtimePatches, and where it is: "rtype", its replica type, for a replica
# spec's template, "path", its field path, for the others}. Its path is built only for a finding
# (template_path): every job pays for this walk, and most templates are reported on by no rule.
# (A kind has replica specs, or runtime or patch templates, never both: the jobs with replica specs
# skip looking for the others.)
templates := replica_templates if {
	core.replica_specs_field
} else := array.concat(runtime_templates, patch_templates)

# (Written out, without a function call per replica spec.)
replica_templates := [t |
	some rtype, replica in core.replica_specs
	is_object(replica)
	pod_template := replica.template
	is_object(pod_template)
	is_object(pod_template.spec)
	t := {"rtype": rtype, "spec": pod_template.spec, "template": pod_template, "patch": false}
]

runtime_templates := [t |
	core.kind_id in {"trainingruntime", "clustertrainingruntime"}
	some t in jobset_templates("spec", core.spec, false)
]

patch_templates := [t |
	core.kind_id == "trainjob"
	patches := core.spec.runtimePatches
	is_array(patches)
	some i, patch in patches
	is_object(patch)
	spec := patch.trainingRuntimeSpec
	is_object(spec)
	base := sprintf("spec.runtimePatches[%d].trainingRuntimeSpec", [i])
	some t in jobset_templates(base, spec, true)
]

# The pod templates of a runtime spec's JobSet template: template.spec.replicatedJobs[].template
# .spec.template.
jobset_templates(base, spec, patch) := [t |
	is_object(spec.template)
	is_object(spec.template.spec)
	jobs := spec.template.spec.replicatedJobs
	is_array(jobs)
	some i, job in jobs
	is_object(job)
	is_object(job.template)
	is_object(job.template.spec)
	pod_template := job.template.spec.template
	is_object(pod_template)
	is_object(pod_template.spec)
	path := sprintf("%v.template.spec.replicatedJobs[%d].template.spec.template", [base, i])
	t := template(path, pod_template, patch)
]

template(path, pod_template, patch) := {
	"path": path,
	"spec": pod_template.spec,
	"template": pod_template,
	"patch": patch,
}

# The field path of a record of templates.
template_path(t) := concat("", [_replica_specs_path, "[", t.rtype, "].template"]) if is_string(t.rtype)

template_path(t) := t.path if is_string(t.path)

# (A rule of this module, not core.replica_specs_path in template_path: the embedded engine's
# interpreter resolves an import alias in a function called from a comprehension of another module's
# function (resources.paths_of) against that caller's imports, and came out empty.)
_replica_specs_path := core.replica_specs_path

# The metadata of a pod template (a record's "template"): {} when absent or malformed.
metadata_of(pod_template) := pod_template.metadata if {
	is_object(pod_template.metadata)
} else := {}

# Every container and init container of every pod template that is an object, as
# {"template": its pod template (a record of templates), "list": "initContainers" or "containers",
# "index": its index in that list, "container": the container}. Its path is built only for a finding
# (container_path): most containers are reported on by no rule.
containers := [{"template": t, "list": list_name, "index": i, "container": container} |
	some t in templates
	some list_name in ["initContainers", "containers"]
	cs := t.spec[list_name]
	is_array(cs)
	some i, container in cs
	is_object(container)
]

# The field path of a record of containers.
container_path(c) := sprintf("%v.spec.%v[%d]", [template_path(c.template), c.list, c.index])

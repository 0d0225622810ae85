package lib.kubeflow.rules.trainer_field_types

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.quantity

# Shown like field-types: the bad value by its JSON type name, with the wanted type.
violation contains core.invalid(path, type_name(value), detail[want]) if {
	some m in mismatches
	path := m.path
	value := m.value
	want := m.want
}

detail := {
	"object": "must be an object",
	"list": "must be a list",
	"integer": "must be an integer",
	"string": "must be a string",
	"boolean": "must be a boolean",
	"quantity": "must be an integer or a string",
}

json_type := {"object": "object", "list": "array", "integer": "number", "string": "string", "boolean": "boolean"}

# A set field (null counts as unset) of the wrong type.
wrong(value, want) if {
	want != "quantity"
	value != null
	type_name(value) != json_type[want]
}

wrong(value, "integer") if {
	is_number(value)
	not core.is_integer(value)
}

wrong(value, "quantity") if {
	value != null
	not is_string(value)
	not is_number(value)
}

wrong(value, "quantity") if {
	is_number(value)
	not core.is_integer(value)
}

# --- the typed fields of each kind, by the path of the object that holds them (CRD schemas) ---

trainjob_fields := {
	"spec": {
		"runtimeRef": "object", "trainer": "object", "initializer": "object", "suspend": "boolean",
		"managedBy": "string", "activeDeadlineSeconds": "integer", "runtimePatches": "list",
	},
	"spec.runtimeRef": {"name": "string", "apiGroup": "string", "kind": "string"},
	"spec.trainer": {
		"image": "string", "command": "list", "args": "list", "env": "list", "numNodes": "integer",
		"numProcPerNode": "integer", "resourcesPerNode": "object",
	},
	"spec.trainer.resourcesPerNode": {"limits": "object", "requests": "object"},
	"spec.initializer": {"dataset": "object", "model": "object"},
	"spec.initializer.dataset": {"storageUri": "string", "env": "list", "secretRef": "object"},
	"spec.initializer.model": {"storageUri": "string", "env": "list", "secretRef": "object"},
}

runtime_fields := {
	"spec": {"mlPolicy": "object", "template": "object", "podGroupPolicy": "object"},
	"spec.mlPolicy": {"numNodes": "integer"},
	"spec.template": {"spec": "object"},
	"spec.template.spec": {"replicatedJobs": "list"},
}

job_fields := {"name": "string", "replicas": "integer", "template": "object"}

fields := trainjob_fields if core.obj.kind == "TrainJob"

fields := runtime_fields if core.obj.kind in {"TrainingRuntime", "ClusterTrainingRuntime"}

# --- the objects that hold them: [path, object] ---

spec := core.obj.spec

holders contains ["spec", spec] if is_object(spec)

holders contains [concat(".", ["spec", key]), value] if {
	some key in ["runtimeRef", "trainer", "initializer", "mlPolicy", "template"]
	value := spec[key]
	is_object(value)
}

holders contains ["spec.trainer.resourcesPerNode", value] if {
	value := spec.trainer.resourcesPerNode
	is_object(value)
}

holders contains [concat(".", ["spec.initializer", which]), value] if {
	some which in ["dataset", "model"]
	value := spec.initializer[which]
	is_object(value)
}

holders contains ["spec.template.spec", value] if {
	value := spec.template.spec
	is_object(value)
}

# --- [path, value, wanted type] for every mismatch ---

mismatches contains {"path": path, "value": value, "want": want} if {
	some holder in holders
	some key, want in fields[holder[0]]
	value := holder[1][key]
	wrong(value, want)
	path := concat(".", [holder[0], key])
}

# command and args items are strings; env items are objects with string name and value.
mismatches contains {"path": path, "value": item, "want": "string"} if {
	some list_path, items in string_lists
	some i, item in items
	wrong(item, "string")
	path := sprintf("%v[%d]", [list_path, i])
}

string_lists[path] := items if {
	some name in ["command", "args"]
	items := spec.trainer[name]
	is_array(items)
	path := concat(".", ["spec.trainer", name])
}

env_lists[path] := items if {
	items := spec.trainer.env
	is_array(items)
	path := "spec.trainer.env"
}

env_lists[path] := items if {
	some which in ["dataset", "model"]
	items := spec.initializer[which].env
	is_array(items)
	path := sprintf("spec.initializer.%v.env", [which])
}

mismatches contains {"path": path, "value": item, "want": "object"} if {
	some list_path, items in env_lists
	some i, item in items
	not is_object(item)
	path := sprintf("%v[%d]", [list_path, i])
}

mismatches contains {"path": path, "value": value, "want": "string"} if {
	some list_path, items in env_lists
	some i, item in items
	is_object(item)
	some key in ["name", "value"]
	value := item[key]
	wrong(value, "string")
	path := sprintf("%v[%d].%v", [list_path, i, key])
}

# A runtime's replicated jobs: objects with a string name, an integer count and an object template.
replicated_jobs := items if {
	items := spec.template.spec.replicatedJobs
	is_array(items)
}

mismatches contains {"path": path, "value": job, "want": "object"} if {
	some i, job in replicated_jobs
	not is_object(job)
	path := sprintf("spec.template.spec.replicatedJobs[%d]", [i])
}

mismatches contains {"path": path, "value": value, "want": want} if {
	some i, job in replicated_jobs
	is_object(job)
	some key, want in job_fields
	value := job[key]
	wrong(value, want)
	path := sprintf("spec.template.spec.replicatedJobs[%d].%v", [i, key])
}

# resourcesPerNode quantities: an integer or a string (x-kubernetes-int-or-string) ...
per_node_quantities contains [path, value] if {
	some which in ["limits", "requests"]
	values := spec.trainer.resourcesPerNode[which]
	is_object(values)
	some name, value in values
	path := sprintf("spec.trainer.resourcesPerNode.%v[%v]", [which, name])
}

mismatches contains {"path": path, "value": value, "want": "quantity"} if {
	some entry in per_node_quantities
	value := entry[1]
	wrong(value, "quantity")
	path := entry[0]
}

# ... and a string must match the quantity pattern.
syntax_detail := "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"

violation contains core.invalid(path, value, syntax_detail) if {
	some entry in per_node_quantities
	value := entry[1]
	is_string(value)
	not quantity.valid(value)
	path := entry[0]
}

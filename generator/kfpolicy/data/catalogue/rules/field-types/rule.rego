package lib.kubeflow.rules.field_types

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

# (Values are bound in rule bodies, never as refs in rule heads: regorus drops head refs such as
# `contains [p, x[key]]` whose key is a body variable.)
violation contains core.invalid(path, type_name(value), detail[want]) if {
	some m in mismatches
	path := m[0]
	value := m[1]
	want := m[2]
}

detail := {
	"object": "must be an object",
	"list": "must be a list",
	"integer": "must be an integer",
	"string": "must be a string",
	"boolean": "must be a boolean",
}

# The JSON type (type_name) each wanted type has.
json_type := {"object": "object", "list": "array", "integer": "number", "string": "string", "boolean": "boolean"}

# A set field (null counts as unset) of the wrong type.
wrong(value, want) if {
	value != null
	type_name(value) != json_type[want]
}

wrong(value, "integer") if {
	is_number(value)
	not core.is_integer(value)
}

# --- [path, value, wanted type] for every mismatch at the paths the policies read ---
# Each check tests the value first and builds the path only for a mismatch.

# The replica-spec map itself.
mismatches contains [core.replica_specs_path, value, "object"] if {
	value := core.spec[core.replica_specs_field]
	wrong(value, "object")
}

# Each replica spec, its replica count and its pod template.
mismatches contains [path, replica, "object"] if {
	some rtype, replica in specs
	wrong(replica, "object")
	path := core.replica_path(rtype)
}

mismatches contains [path, value, want] if {
	some rtype, replica in specs
	is_object(replica)
	some key, want in replica_fields
	value := replica[key]
	wrong(value, want)
	path := concat(".", [core.replica_path(rtype), key])
}

mismatches contains [path, value, "object"] if {
	some rtype, replica in specs
	is_object(replica)
	is_object(replica.template)
	value := replica.template.spec
	wrong(value, "object")
	path := pod_path(rtype)
}

# Pod-level fields (none is an integer: `wrong` written out, as for containers below).
mismatches contains [path, value, want] if {
	some rtype, pod in pods
	some key, want in pod_fields
	value := pod[key]
	value != null
	type_name(value) != json_type[want]
	path := concat(".", [pod_path(rtype), key])
}

# Every item of the container lists. A null item is not "unset": Kubernetes would decode it to
# an empty container.
mismatches contains [item_path(item), c, "object"] if {
	some item in container_items
	c := item[3]
	not is_object(c)
}

# Container fields. Every container is checked, so `wrong` is written out here (no field of a
# container is an integer): a function call per field costs more than the check itself, and the
# compiled mode has a fixed instruction budget per evaluation. Pod and container fields must stay
# free of integers (a test holds them to it).
mismatches contains [path, value, want] if {
	some item in container_items
	c := item[3]
	is_object(c)
	some key, want in container_fields
	value := c[key]
	value != null
	type_name(value) != json_type[want]
	path := concat(".", [item_path(item), key])
}

# Fields of the containers' resources and securityContext. Containers alike (replicas of one image,
# sidecars) mostly share these objects: each distinct one is checked once, and the containers holding
# a mismatch are then found again.
mismatches contains [path, value, bad.want] if {
	some bad in nested_mismatches
	some item in container_items
	c := item[3]
	is_object(c)
	c[bad.parent] == bad.holder
	value := bad.holder[bad.key]
	path := concat(".", [item_path(item), bad.parent, bad.key])
}

# Every distinct resources or securityContext object of the containers, as [field name, object].
nested_holders contains [parent, holder] if {
	some item in container_items
	c := item[3]
	is_object(c)
	some parent, _ in nested_container_fields
	holder := c[parent]
	is_object(holder)
}

nested_mismatches contains {"parent": entry[0], "holder": entry[1], "key": key, "want": want} if {
	some entry in nested_holders
	some key, want in nested_container_fields[entry[0]]
	value := entry[1][key]
	value != null
	type_name(value) != json_type[want]
}

# The fields checked at each level, with the type each must have.
replica_fields := {"replicas": "integer", "template": "object"}

pod_fields := {
	"containers": "list",
	"initContainers": "list",
	"securityContext": "object",
	"hostNetwork": "boolean",
	"hostPID": "boolean",
	"hostIPC": "boolean",
}

container_fields := {"name": "string", "image": "string", "resources": "object", "securityContext": "object"}

nested_container_fields := {
	"resources": {"requests": "object", "limits": "object"},
	"securityContext": {"privileged": "boolean", "allowPrivilegeEscalation": "boolean"},
}

# --- walking the job ---

specs := value if {
	value := core.spec[core.replica_specs_field]
	is_object(value)
}

pod_path(rtype) := concat(".", [core.replica_path(rtype), "template.spec"])

pods[rtype] := pod if {
	some rtype, replica in specs
	pod := core.pod_spec(replica)
}

# Every item of every container list as [replica type, list name, index, item].
container_items := [[rtype, list_name, i, c] |
	some rtype, pod in pods
	some list_name in ["containers", "initContainers"]
	items := pod[list_name]
	is_array(items)
	some i, c in items
]

item_path(item) := sprintf("%v.%v[%d]", [pod_path(item[0]), item[1], item[2]])

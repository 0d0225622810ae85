package lib.kubeflow.rules.field_types

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.pods

# (Values are bound in rule bodies, never as refs in rule heads: regorus drops head refs such as
# `contains [p, x[key]]` whose key is a body variable.)
violation contains core.invalid(path, type_name(value), detail[want]) if {
	not well_typed
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
mismatches contains {"path": core.replica_specs_path, "value": value, "want": "object"} if {
	value := core.spec[core.replica_specs_field]
	wrong(value, "object")
}

# Each replica spec, its replica count and its pod template.
mismatches contains {"path": path, "value": replica, "want": "object"} if {
	some rtype, replica in specs
	wrong(replica, "object")
	path := core.replica_path(rtype)
}

mismatches contains {"path": path, "value": value, "want": want} if {
	some rtype, replica in specs
	is_object(replica)
	some key, want in replica_fields
	value := replica[key]
	wrong(value, want)
	path := concat(".", [core.replica_path(rtype), key])
}

mismatches contains {"path": path, "value": value, "want": "object"} if {
	some rtype, replica in specs
	is_object(replica)
	is_object(replica.template)
	value := replica.template.spec
	wrong(value, "object")
	path := pod_path(rtype)
}

# Pod-level fields (none is an integer: `wrong` written out, as for containers below).
mismatches contains {"path": path, "value": value, "want": want} if {
	some rtype, pod in pod_specs
	some key, want in pod_fields
	value := pod[key]
	value != null
	type_name(value) != json_type[want]
	path := concat(".", [pod_path(rtype), key])
}

# Every item of the container lists. A null item is not "unset": Kubernetes would decode it to
# an empty container.
mismatches contains {"path": item_path(item), "value": c, "want": "object"} if {
	some item in container_items
	c := item[3]
	not is_object(c)
}

# Container fields, and those of a container's resources and securityContext (where those are
# objects). Every container is checked, and the compiled mode has a fixed instruction budget per
# evaluation: each container gives a signature, the JSON type of each field of container_fields in
# that order ("null" when unset, or under a parent that is not an object), with no call or loop per
# field. Containers mostly share a signature; only when a distinct one holds a wrong type are the
# containers walked field by field. (No container field is an integer, so the type name decides.)
container_signatures contains [
	type_name(object.get(c, ["name"], null)),
	type_name(object.get(c, ["image"], null)),
	type_name(object.get(c, ["resources"], null)),
	type_name(object.get(c, ["securityContext"], null)),
	type_name(object.get(c, ["resources", "requests"], null)),
	type_name(object.get(c, ["resources", "limits"], null)),
	type_name(object.get(c, ["securityContext", "privileged"], null)),
	type_name(object.get(c, ["securityContext", "allowPrivilegeEscalation"], null)),
] if {
	some item in container_items
	c := item[3]
	is_object(c)
}

# The fields a signature lists, in its order: the path from the container and the wanted type.
container_fields := [
	{"path": ["name"], "want": "string"},
	{"path": ["image"], "want": "string"},
	{"path": ["resources"], "want": "object"},
	{"path": ["securityContext"], "want": "object"},
	{"path": ["resources", "requests"], "want": "object"},
	{"path": ["resources", "limits"], "want": "object"},
	{"path": ["securityContext", "privileged"], "want": "boolean"},
	{"path": ["securityContext", "allowPrivilegeEscalation"], "want": "boolean"},
]

mismatches contains {"path": path, "value": value, "want": field.want} if {
	some signature in container_signatures
	some i, found in signature
	found != "null"
	field := container_fields[i]
	found != json_type[field.want]
	some item in container_items
	c := item[3]
	is_object(c)
	value := object.get(c, field.path, null)
	value != null
	type_name(value) != json_type[field.want]
	path := concat(".", array.concat([item_path(item)], field.path))
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


# --- the fast path ---
# A well-typed job, the usual case, is recognised in one pass without the checks above: each replica
# spec is an object with an object template and spec (the library's pod templates: for the kinds this
# rule checks, those are the replica specs' templates whose spec is an object, so one of each means
# every replica spec has one), each pod spec and each container has a shape, the JSON types of the
# fields the checks read, where an absent field counts as having the wanted type. Only when a shape
# differs from the well-typed one (an explicit null differs too), a replica count is not whole, a
# replica spec has no template, or an item or replica spec is not an object, do the checks above run
# and decide. (tests/test_field_types_fast_path.py holds the checks silent on every job recognised
# here.)
well_typed if {
	count(whole_counts) == count(specs)
	count(pods.templates) == count(specs)
	not _odd_pod_shape
	count(container_shapes) == sum(list_lengths)
	not _odd_container_shape
}

# The pod fields in pod_fields' order, for each pod template. (Read from the pod spec the library
# has found, one key each: the replica spec's levels above it are objects there.)
pod_shapes := [[
	type_name(object.get(t.spec, "containers", [])),
	type_name(object.get(t.spec, "initContainers", [])),
	type_name(object.get(t.spec, "securityContext", {})),
	type_name(object.get(t.spec, "hostNetwork", false)),
	type_name(object.get(t.spec, "hostPID", false)),
	type_name(object.get(t.spec, "hostIPC", false)),
] |
	some t in pods.templates
]

well_typed_pod := ["array", "array", "object", "boolean", "boolean", "boolean"]

_odd_pod_shape if {
	some shape in pod_shapes
	shape != well_typed_pod
}

# The replica count of each replica spec that is an object and whose count is unset (0 here) or a
# whole number (see core.is_integer).
whole_counts := [n |
	some replica in specs
	is_object(replica)
	n := object.get(replica, "replicas", 0)
	is_number(n)
	n < 9007199254740992
	n > -9007199254740992
	round(n) == n
]

# The fields of container_fields, in its order, for each container that is an object. (The pod
# templates and containers of the library: the resource rules walk them too. For the kinds this
# rule checks, those templates are the replica specs' pod templates whose spec is an object.)
container_shapes := [[
	type_name(object.get(c, "name", "")),
	type_name(object.get(c, "image", "")),
	type_name(object.get(c, "resources", {})),
	type_name(object.get(c, "securityContext", {})),
	type_name(object.get(c, ["resources", "requests"], {})),
	type_name(object.get(c, ["resources", "limits"], {})),
	type_name(object.get(c, ["securityContext", "privileged"], false)),
	type_name(object.get(c, ["securityContext", "allowPrivilegeEscalation"], false)),
] |
	some record in pods.containers
	c := record.container
]

# The length of every container list of those pod templates, items that are not objects included.
list_lengths := [count(items) |
	some t in pods.templates
	some list_name in ["initContainers", "containers"]
	items := t.spec[list_name]
	is_array(items)
]

well_typed_container := ["string", "string", "object", "object", "object", "object", "boolean", "boolean"]

_odd_container_shape if {
	some shape in container_shapes
	shape != well_typed_container
}

# --- walking the job ---

specs := core.replica_specs

pod_path(rtype) := concat(".", [core.replica_path(rtype), "template.spec"])

pod_specs[rtype] := pod if {
	some rtype, replica in specs
	pod := core.pod_spec(replica)
}

# Every item of every container list as [replica type, list name, index, item].
container_items := [[rtype, list_name, i, c] |
	some rtype, pod in pod_specs
	some list_name in ["containers", "initContainers"]
	items := pod[list_name]
	is_array(items)
	some i, c in items
]

item_path(item) := sprintf("%v.%v[%d]", [pod_path(item[0]), item[1], item[2]])

# METADATA
# title: Fields the policies read have the right JSON types
# description: >-
#   Reports a value of the wrong JSON type at a path the other rules read, so a malformed job is
#   denied with a clear message instead of being passed over. The bad value is shown by its JSON
#   type name, as the Kubernetes API server does for schema type errors.
package kubeflow.rules.field_types

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

has_type(value, "object") if is_object(value)

has_type(value, "list") if is_array(value)

has_type(value, "integer") if core.is_integer(value)

has_type(value, "string") if is_string(value)

has_type(value, "boolean") if is_boolean(value)

# [path, value, wanted type] for every set field (null counts as unset) of the wrong type.
mismatches contains [path, value, want] if {
	some e in expected
	path := e[0]
	value := e[1]
	want := e[2]
	value != null
	not has_type(value, want)
}

# A null list item is not "unset": Kubernetes would decode it to an empty container.
mismatches contains [path, null, "object"] if {
	some item in container_items
	item[1] == null
	path := item[0]
}

# --- the paths the policies read, with the type each must have ---

# The replica-spec map itself.
expected contains [core.replica_specs_path, value, "object"] if {
	value := core.spec[core.replica_specs_field]
}

# Each replica spec, its replica count and its pod template.
expected contains [path, replica, "object"] if {
	some rtype, replica in specs
	path := core.replica_path(rtype)
}

expected contains [path, value, want] if {
	some rtype, replica in specs
	is_object(replica)
	some key, want in {"replicas": "integer", "template": "object"}
	value := replica[key]
	path := concat(".", [core.replica_path(rtype), key])
}

expected contains [path, value, "object"] if {
	some rtype, replica in specs
	is_object(replica)
	is_object(replica.template)
	value := replica.template.spec
	path := pod_path(rtype)
}

# Pod-level fields.
expected contains [path, value, want] if {
	some rtype, pod in pods
	some key, want in {
		"containers": "list",
		"initContainers": "list",
		"securityContext": "object",
		"hostNetwork": "boolean",
		"hostPID": "boolean",
		"hostIPC": "boolean",
	}
	value := pod[key]
	path := concat(".", [pod_path(rtype), key])
}

# Every item of the container lists.
expected contains [item[0], item[1], "object"] if {
	some item in container_items
}

# Container fields.
expected contains [path, value, want] if {
	some item in container_items
	c := item[1]
	is_object(c)
	some key, want in {"name": "string", "image": "string", "resources": "object", "securityContext": "object"}
	value := c[key]
	path := concat(".", [item[0], key])
}

expected contains [path, value, "object"] if {
	some item in container_items
	c := item[1]
	is_object(c)
	is_object(c.resources)
	some key in ["requests", "limits"]
	value := c.resources[key]
	path := concat(".", [item[0], "resources", key])
}

expected contains [path, value, "boolean"] if {
	some item in container_items
	c := item[1]
	is_object(c)
	is_object(c.securityContext)
	some key in ["privileged", "allowPrivilegeEscalation"]
	value := c.securityContext[key]
	path := concat(".", [item[0], "securityContext", key])
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

container_items contains [path, c] if {
	some rtype, pod in pods
	some list_name in ["containers", "initContainers"]
	items := pod[list_name]
	is_array(items)
	some i, c in items
	path := sprintf("%v.%v[%d]", [pod_path(rtype), list_name, i])
}

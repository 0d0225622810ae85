# METADATA
# title: kfpolicy core library
# description: >-
#   Normalises the object under review (Gatekeeper, AdmissionReview or plain manifest), finds its
#   kind in the kind table, walks replica specs and containers, and renders Kubernetes
#   field.Error messages. Every helper is total: malformed input makes it undefined, never an error.
package lib.kubeflow.core

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.kinds.table as kind_table

# --- the object under review -------------------------------------------------------------------

obj := input.review.object if {
	is_object(input.review.object)
} else := input.request.object if {
	is_object(input.request.object)
} else := input if {
	is_object(input)
} else := {}

old_obj := input.review.oldObject if {
	is_object(input.review.oldObject)
} else := input.request.oldObject if {
	is_object(input.request.oldObject)
}

# Gatekeeper's audit and gator's plain objects send an empty operation: treated as CREATE.
operation := input.review.operation if {
	is_string(input.review.operation)
	input.review.operation != ""
} else := input.request.operation if {
	is_string(input.request.operation)
	input.request.operation != ""
} else := "CREATE"

# Objects of the same kind that the policy may look up (TrainJob runtimes, namespaces).
# Gatekeeper syncs them into data.inventory; kfpolicy eval --inventory fills the same shape.
inventory := data.inventory if {
	is_object(data.inventory)
} else := {}

spec := obj.spec if {
	is_object(obj.spec)
} else := {}

metadata := obj.metadata if {
	is_object(obj.metadata)
} else := {}

labels := metadata.labels if {
	is_object(metadata.labels)
} else := {}

# --- the kind table ----------------------------------------------------------------------------

kind_id := id if {
	some id, k in kind_table
	k.kind == obj.kind
	some version in k.versions
	obj.apiVersion == concat("/", [k.group, version])
}

kind_info := kind_table[kind_id]

# The framework's default container name (pytorch, tensorflow, ...).
default_container := kind_info.container if {
	kind_info.container != ""
}

replica_specs_field := kind_info.replica_specs if {
	kind_info.replica_specs != ""
}

replica_specs_path := concat(".", ["spec", replica_specs_field])

# The replica-spec map, when it is a map. Absent or malformed maps leave it undefined.
replica_specs := spec[replica_specs_field] if {
	is_object(spec[replica_specs_field])
}

replica_path(rtype) := sprintf("%v[%v]", [replica_specs_path, rtype])

# The pod spec of a replica spec, when every level is an object.
pod_spec(replica) := replica.template.spec if {
	is_object(replica)
	is_object(replica.template)
	is_object(replica.template.spec)
}

# A replica spec's containers, when they form a list.
containers_of(replica) := cs if {
	cs := pod_spec(replica).containers
	is_array(cs)
}

# Every container that is an object, as [replica type, index, container].
containers contains [rtype, i, c] if {
	some rtype, replica in replica_specs
	some i, c in containers_of(replica)
	is_object(c)
}

container_path(rtype, i) := sprintf("%v.template.spec.containers[%d]", [replica_path(rtype), i])

# Containers and init containers of every replica spec, as [path, container].
all_containers contains [path, c] if {
	some rtype, replica in replica_specs
	some list_name in ["containers", "initContainers"]
	cs := pod_spec(replica)[list_name]
	is_array(cs)
	some i, c in cs
	is_object(c)
	path := sprintf("%v.template.spec.%v[%d]", [replica_path(rtype), list_name, i])
}

# --- field.Error rendering ---------------------------------------------------------------------

type_text := {
	"FieldValueRequired": "Required value",
	"FieldValueInvalid": "Invalid value",
	"FieldValueForbidden": "Forbidden",
	"FieldValueNotSupported": "Unsupported value",
	"FieldValueDuplicate": "Duplicate value",
	"FieldValueTooLong": "Too long",
	"FieldValueTooMany": "Too many",
	"InternalError": "Internal error",
}

# Go prints the bad value of Invalid and NotSupported errors: strings quoted, numbers plainly.
shows_value := {"FieldValueInvalid", "FieldValueNotSupported", "FieldValueDuplicate"}

format_value(v) := concat("", ["\"", v, "\""]) if {
	is_string(v)
} else := number_text(v) if {
	is_number(v)
} else := "(a value holding characters or numbers that cannot be shown)" if {
	holds_odd(v)
} else := sprintf("%v", [v])

# A composite value the engines would print differently: OPA escapes non-printable characters
# (U+200B, U+202E, NUL as \u0000) the way Go quotes strings, the embedded engine prints them raw.
holds_odd(v) if {
	walk(v, [_, n])
	is_number(n)
	odd_number(n)
}

holds_odd(v) if {
	walk(v, [_, s])
	is_string(s)
	odd_text(s)
}

holds_odd(v) if {
	walk(v, [path, _])
	some k in path
	is_string(k)
	odd_text(k)
}

odd_text(s) if regex.match(`[^\pL\pM\pN\pP\pS \t\n\r]`, s)

odd_number(n) if abs(n) >= 9007199254740992

odd_number(n) if {
	n != 0
	abs(n) < 0.0001
}

# A number as text, the same on every engine. OPA prints a number's original JSON text ("1e+20",
# "-0.0" as "0") while the embedded engine prints its float64 ("100000000000000000000", "-0"),
# so zero, numbers of 2^53 and beyond and non-zero numbers below 0.0001 get fixed texts.
number_text(v) := "0" if {
	v == 0
} else := sprintf("%v", [v]) if {
	abs(v) < 9007199254740992
	abs(v) >= 0.0001
} else := "(a number too large to show)" if {
	abs(v) >= 9007199254740992
} else := "(a number too small to show)"

# A violation in the shape every entry point and Gatekeeper expect: {msg, details}.
error(error_type, field, value, detail) := {
	"msg": concat(": ", array.concat(array.concat([field, type_text[error_type]], value_part), detail_part)),
	"details": {"type": error_type, "field": field, "value": value},
} if {
	value_part := [format_value(value) | error_type in shows_value]
	detail_part := [detail | detail != ""]
}

required(field, detail) := error("FieldValueRequired", field, null, detail)

invalid(field, value, detail) := error("FieldValueInvalid", field, value, detail)

forbidden(field, detail) := error("FieldValueForbidden", field, null, detail)

not_supported(field, value, supported) := error(
	"FieldValueNotSupported", field, value,
	concat("", ["supported values: ", concat(", ", [q | some s in supported; q := format_value(s)])]),
)

# A message that is not a field error (warnings, plain webhook errors).
plain(error_type, field, msg) := {"msg": msg, "details": {"type": error_type, "field": field, "value": null}}

warning(msg) := plain("Warning", "", msg)

# --- small predicates --------------------------------------------------------------------------

# Integers up to 2^53 only: beyond that the engines disagree (OPA's round() goes through float64
# while its comparisons are exact; the embedded engine is float64 throughout), and no Kubernetes
# count or duration needs more.
is_integer(x) if {
	is_number(x)
	x < 9007199254740992
	x > -9007199254740992
	round(x) == x
}

# The number of characters (Unicode code points) in a string, as Kubernetes' maxLength and CEL's
# size() count them, the same on every engine: the embedded engine's count() counts a character
# outside the Basic Multilingual Plane (emoji, U+10000 and up) as two.
length(s) := count(s) if {
	is_string(s)
	not astral(s)
} else := count(regex.find_n(`(?s).`, s, -1)) if {
	is_string(s)
}

astral(s) if regex.match(`[\x{10000}-\x{10FFFF}]`, s)

# A field that is set to something other than null.
has_value(o, key) if {
	is_object(o)
	o[key] != null
}

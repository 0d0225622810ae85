# METADATA
# title: kfpolicy core library
# description: >-
#   Normalises the object under review (Gatekeeper, AdmissionReview or plain manifest), finds its
#   kind in the kind table, walks replica specs and containers, and renders Kubernetes
#   field.Error messages. Every helper is total: malformed input makes it undefined, never an error.
#   A rule for every module: after `x := f(...)` where f may be undefined, test x (is_object(x),
#   a comparison) before using it; the embedded engine's compiled mode binds x to an "undefined"
#   marker there instead of failing the body. Likewise an `else := <value>` whose value may be
#   undefined tests that value in its own body, or the compiled mode ends the chain there.
package lib.kubeflow.core

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.kinds.index as kind_index
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

kind_id := kind_index[obj.apiVersion][obj.kind] if {
	is_string(obj.apiVersion)
	is_string(obj.kind)
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

# (No rule of this package walks the containers: the interpreter evaluates every rule of a package
# the first time a module reads one of them through its import alias (`core.spec`), so a rule here
# would cost every evaluation a pass over all containers. lib.kubeflow.pods and lib.kubeflow.jobs
# walk them, for the rules that need it.)

# --- field.Error rendering ---------------------------------------------------------------------

# How each error type prints: data.lib.kubeflow.errors.text, generated from the catalogue's one table.
type_text := data.lib.kubeflow.errors.text

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
# The value is searched level by level (the embedded engine's compiler has no `walk`); a value
# nested deeper than the levels searched counts as odd, so it is never printed.
holds_odd(v) if {
	levels := nested_levels(v)
	odd_level(levels)
}

odd_level(levels) if {
	some level in levels
	some x in level
	is_number(x)
	odd_number(x)
}

odd_level(levels) if {
	some level in levels
	some x in level
	is_string(x)
	odd_text(x)
}

odd_level(levels) if {
	some level in levels
	some x in level
	is_object(x)
	some k, _ in x
	is_string(k)
	odd_text(k)
}

odd_level(levels) if count(children(levels[count(levels) - 1])) > 0

# v and the values inside it, one list per level: 1 + 32 levels.
nested_levels(v) := array.concat([[v]], array.concat(array.concat(a, b), array.concat(c, d))) if {
	a := eight_levels([v])
	b := eight_levels(a[7])
	c := eight_levels(b[7])
	d := eight_levels(c[7])
}

eight_levels(xs) := [l1, l2, l3, l4, l5, l6, l7, l8] if {
	l1 := children(xs)
	l2 := children(l1)
	l3 := children(l2)
	l4 := children(l3)
	l5 := children(l4)
	l6 := children(l5)
	l7 := children(l6)
	l8 := children(l7)
}

# The members of the lists, objects and sets among xs.
children(xs) := [c | some x in xs; is_composite(x); some c in x]

is_composite(x) if is_array(x)

is_composite(x) if is_object(x)

is_composite(x) if is_set(x)

odd_text(s) if regex.match(`[^\pL\pM\pN\pP\pS \t\n\r]`, s)

# Characters assigned in Unicode 15.1 and 16.0: OPA's Go tables (15.0) count them as unassigned,
# the embedded engine's as letters or symbols, so the line above would judge them differently.
odd_text(s) if regex.match(
	`[\x{0897}\x{1B4E}\x{1B4F}\x{1B7F}\x{1C89}\x{1C8A}\x{2427}-\x{2429}\x{2FFC}-\x{2FFF}\x{31E4}\x{31E5}\x{31EF}\x{A7CB}-\x{A7CD}\x{A7DA}-\x{A7DC}\x{105C0}-\x{105FF}\x{10D40}-\x{10D8F}\x{10EC2}-\x{10EC4}\x{10EFC}\x{11380}-\x{113FF}\x{116D0}-\x{116FF}\x{11BC0}-\x{11BFF}\x{11F5A}\x{13460}-\x{143FF}\x{16100}-\x{1613F}\x{16D40}-\x{16D7F}\x{1CC00}-\x{1CEBF}\x{1E5D0}-\x{1E5FF}\x{1F8B2}-\x{1F8BB}\x{18CFF}\x{1F8C0}\x{1F8C1}\x{1FBCB}-\x{1FBEF}\x{1FA89}\x{1FA8F}\x{1FABE}\x{1FAC6}\x{1FADC}\x{1FADF}\x{1FAE9}\x{2EBF0}-\x{2EE5D}]`,
	s
)

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

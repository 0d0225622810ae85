# METADATA
# title: Kubernetes resource quantities
# description: >-
#   Validates quantity strings with the Kubernetes grammar before any builtin sees them, and parses
#   valid ones for comparison only (never printed: messages show the original strings).
package lib.kubeflow.quantity

import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

# Kubernetes canonical quantity grammar: sign, digits, optional fraction, one suffix
# (binary SI, decimal SI, or a decimal exponent).
pattern := `^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$`

numeric_pattern := `^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)`

# A quantity as Kubernetes accepts it: a string in the grammar, or a plain number.
valid(q) if is_number(value(q))

# The numeric value of a valid quantity (undefined for invalid ones), checked and parsed in one call.
# Most quantities are a whole number with an optional suffix ("8", "500m", "32Gi"): recognised first
# without the regular expression (which costs microseconds per call on the embedded engine), and
# parsed as they are. Parsing follows the check in each body: the embedded engine's interpreter
# fails the whole query when units.parse fails.
value(q) := units.parse(q) if {
	is_string(q)
	count(q) <= 64
	suffix := trim_left(q, "0123456789")
	suffix != q
	suffix in simple_suffixes
} else := units.parse(normalised(q)) if {
	is_string(q)
	count(q) <= 64
	regex.match(pattern, q)
} else := q if {
	is_number(q)
}

# (A simple quantity: digits, at least one, then one of these suffixes or none.)
simple_suffixes := {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "m", "k", "M", "G", "T", "P", "E"}

# units.parse lacks the micro and nano suffixes and a bare trailing dot; rewrite them first.
suffix_rewrite := {"u": "e-6", "n": "e-9"}

# (Most quantities need no rewriting, and a regular expression costs microseconds on the
# embedded engine, so those are passed through first.)
normalised(q) := q if {
	not contains(q, ".")
	not endswith(q, "u")
	not endswith(q, "n")
} else := concat("", [trim_suffix(number, "."), rewritten]) if {
	number := regex.find_n(numeric_pattern, q, 1)[0]
	suffix := substring(q, count(number), count(q) - count(number))
	rewritten := object.get(suffix_rewrite, suffix, suffix)
}

negative(q) if value(q) < 0

# The text to print for a quantity: the original string, or the number as given.
text(q) := q if {
	is_string(q)
} else := core.number_text(q) if {
	is_number(q)
} else := sprintf("%v", [q])

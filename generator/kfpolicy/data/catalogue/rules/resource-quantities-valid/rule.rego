package lib.kubeflow.rules.resource_quantities_valid

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.quantity
import data.lib.kubeflow.resources

syntax_detail := "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"

# Each distinct quantity is checked once; only the entries holding a bad one are then visited.

# Not a quantity at all. Strings are shown as given; other JSON values by their type name.
violation contains core.invalid(field, shown, syntax_detail) if {
	some q in malformed
	some entry in resources.entries_with_quantity(q)
	shown := shown_invalid(q)
	field := resources.key_path(entry.path, entry.which, entry.name)
}

# (Each set is looked into only when the counts show it can hold something: usually every quantity
# parses, and none is negative.)
malformed := {q |
	count(resources.parsed) < count(resources.distinct_quantities)
	some q in resources.distinct_quantities
	q != null
	not q in resources.valid_quantities
}

# A valid but negative quantity.
violation contains core.invalid(field, quantity.text(q), "must be greater than or equal to 0") if {
	some q in negative
	some entry in resources.entries_with_quantity(q)
	field := resources.key_path(entry.path, entry.which, entry.name)
}

negative := {q |
	count(resources.usable_values) < count(resources.parsed)
	some q, v in resources.parsed
	v < 0
}

# Extended resources (nvidia.com/gpu, ...) are whole units. The quantities given for extended
# resources are collected once, and only the entries holding a fractional one are then visited.
violation contains core.invalid(field, quantity.text(q), "must be an integer") if {
	some q in fractional_extended
	some entry in resources.entries_with_quantity(q)
	entry.name in resources.extended_names
	field := resources.key_path(entry.path, entry.which, entry.name)
}

extended_quantities := {q |
	some name in resources.extended_names
	some m in resources.distinct_maps
	q := m[name]
}

fractional_extended := {q |
	some q in extended_quantities
	v := resources.usable_values[q]
	is_number(v)
	not core.is_integer(v)
}

shown_invalid(q) := q if {
	is_string(q)
} else := type_name(q)

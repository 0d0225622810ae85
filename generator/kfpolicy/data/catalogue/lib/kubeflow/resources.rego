# METADATA
# title: Container resources
# description: >-
#   Walks the requests and limits of every container and init container of every pod template
#   (and a TrainJob's resourcesPerNode), and
#   classifies resource names the way Kubernetes does (native, extended, hugepages, overcommit).
#   Malformed levels (resources or requests/limits that are not objects) are skipped: the
#   field-types rule reports them.
package lib.kubeflow.resources

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.pods
import data.lib.kubeflow.quantity

# Every resources object of the object's pod templates (pods.resource_holders) as [path of
# `resources`, resources object]: containers and init containers of every kind, and a TrainJob's
# trainer resourcesPerNode.
containers := pods.resource_holders

# The requests or limits map of a resources object: an object, or {} when absent or null.
# Undefined when it is set to something that is not an object.
map_of(r, which) := r[which] if {
	is_object(r[which])
} else := {} if {
	not core.has_value(r, which)
}

# The fact table the resource rules share, built in one pass over the holders: every requests or
# limits map that is an object (or absent: {}), as [path of `resources`, "requests"|"limits", map].
# Rules look the names they care about up in these maps instead of walking every quantity again.
maps := [[pair[0], which, m] |
	some pair in containers
	some which in ["requests", "limits"]
	m := map_of(pair[1], which)
]

# Every quantity as [path of `resources`, "requests"|"limits", resource name, value].
quantities := [[entry[0], entry[1], name, q] |
	some entry in maps
	some name, q in entry[2]
]

# `...resources.requests[cpu]`
key_path(path, which, name) := sprintf("%v.%v[%v]", [path, which, name])

# `...resources.requests`
map_path(path, which) := concat(".", [path, which])

# --- resource names (k8s.io/kubernetes pkg/apis/core/helper) ---

# Native: no domain, or a kubernetes.io/ domain (cpu, memory, ephemeral-storage, hugepages-2Mi, ...).
native(name) if not contains(name, "/")

native(name) if contains(name, "kubernetes.io/")

hugepages(name) if startswith(name, "hugepages-")

# Requests below limits are allowed (overcommit) only for native resources other than hugepages.
overcommit_allowed(name) if {
	native(name)
	not hugepages(name)
}

# Extended resources (nvidia.com/gpu, ...) are counted in whole units.
extended(name) if {
	not native(name)
	not startswith(name, "requests.")
}

# --- per-object memos ----------------------------------------------------------------------
# Several rules look at the same quantities and resource names. Each distinct one is classified
# once per evaluation here: a regular expression or a parse costs microseconds on the embedded
# engine, a set lookup far less, and the compiled mode has a fixed instruction budget.

# (Collected from the maps directly: the quantities list is only built when a rule reports.)
distinct_quantities := {q | some entry in maps; some q in entry[2]}

# Every well-formed quantity of the object, parsed (checked and parsed in one pass).
parsed := {q: v | some q in distinct_quantities; quantity.valid(q); v := quantity.parse(q)}

# The object's quantities that are well formed.
valid_quantities := {q | some q, _ in parsed}

distinct_names := {name | some entry in maps; some name, _ in entry[2]}

# The object's resource names that may be overcommitted, and its extended resource names.
overcommit_names := {name | some name in distinct_names; overcommit_allowed(name)}

extended_names := {name | some name in distinct_names; extended(name)}

# Every container's requests and limits when both are maps (or absent):
# [path of `resources`, requests, limits].
request_limit_maps := [[pair[0], requests, limits] |
	some pair in containers
	requests := map_of(pair[1], "requests")
	limits := map_of(pair[1], "limits")
]

# The object's usable quantities (valid and not negative) with their values: the comparing rules
# look a quantity up here once (invalid or negative ones are reported by resource-quantities-valid,
# and comparing them would only add noise).
usable_values := {q: v | some q, v in parsed; v >= 0}

# Every request with a limit for the same resource where both are usable and their values differ,
# built in one pass for requests-within-limits and extended-resources-limits (equal values break
# neither rule): {path of `resources`, resource name, the two quantities, request above limit}.
# The compiled mode has a fixed instruction budget per evaluation; the values are looked up once
# per pair here instead of once per rule.
unequal_pairs := [pair |
	some holder in request_limit_maps
	some name, request in holder[1]
	limit := holder[2][name]
	request_value := usable_values[request]
	limit_value := usable_values[limit]
	request_value != limit_value
	pair := {
		"path": holder[0], "name": name, "request": request, "limit": limit,
		"above": request_value > limit_value,
	}
]

# The numeric value of one of the object's quantities.
value(q) := parsed[q]

# A quantity of the object the comparing rules may use.
usable(q) if is_number(usable_values[q])

# Each holder's limits map, by path of `resources` (resources-required looks a limit up there).
limits_by_path[entry[0]] := entry[2] if {
	some entry in maps
	entry[1] == "limits"
}

# The same for a quantity that is not in the object (a parameter such as a cap).
usable_parameter(q) if {
	quantity.valid(q)
	not quantity.negative(q)
}

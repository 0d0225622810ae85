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

# The resources objects the resource rules check, one row per distinct object: {"resources": the
# object, "requests" and "limits": its maps ({} when absent, null or set to something that is not an
# object: field-types reports those, and `malformed` tells them apart)}. Containers alike in their
# resources (the replicas of one image, sidecars) share a row, so the rules look into each distinct
# object once; the holders of a row are found again only for a finding (paths_of).
#
# A container without `resources` (or with `resources: null`) has an empty one, so required-value
# rules see it too; a TrainJob patch container (whose CRD has no resources: it is merged into the
# runtime's container by name) only when it sets some. A TrainJob's `spec.trainer.resourcesPerNode`
# replaces the resources of the runtime's node container, so it is checked when set. Resources that
# are not objects are left to the field-type rules.
# (map_or_empty is total: called in the head, it needs no guard in the compiled mode.)
rows := [{"resources": r, "requests": map_or_empty(r, "requests"), "limits": map_or_empty(r, "limits")} |
	some r in container_resources | trainer_resources
]

# (resources_of written out, without a function call per container: every container pays for it.)
container_resources := {r | some c in pods.containers; r := c.container.resources; is_object(r)} | {{} |
	some c in pods.containers
	object.get(c.container, "resources", null) == null
	c.template.patch == false
}

resources_of(c, patch) := c.resources if {
	is_object(c.resources)
} else := {} if {
	not core.has_value(c, "resources")
	patch == false
}

trainer_resources := {r |
	core.kind_id == "trainjob"
	is_object(core.spec.trainer)
	r := core.spec.trainer.resourcesPerNode
	is_object(r)
}

# Every container of the object, for paths_of. (A rule of this module: the embedded engine's
# interpreter resolves an import alias in a comprehension of a function body against the calling
# module's imports, and the rules that call paths_of import no pods. A full data.lib reference there
# would be missed by Gatekeeper's rewriting of lib paths.)
_containers := pods.containers

# The paths of `resources` of every holder of a row's resources object.
paths_of(row) := array.concat(
	[concat(".", [pods.container_path(c), "resources"]) |
		some c in _containers
		resources_of(c.container, c.template.patch) == row.resources
	],
	["spec.trainer.resourcesPerNode" | row.resources in trainer_resources],
)

map_or_empty(r, which) := r[which] if {
	is_object(r[which])
} else := {}

# The requests or limits map of a resources object: an object, or {} when absent or null.
# Undefined when it is set to something that is not an object.
map_of(r, which) := r[which] if {
	is_object(r[which])
} else := {} if {
	not malformed(r, which)
}

# A resources object's requests or limits is set to something that is not an object.
malformed(r, which) if {
	core.has_value(r, which)
	not is_object(r[which])
}

# The entries of the object's requests and limits maps that hold the quantity q, or the resource
# name `name`, as {"path": path of `resources`, "which": "requests" or "limits", "name": resource
# name}: only a rule's finding calls them. (Functions, not rules: the interpreter evaluates every
# rule of this package the first time a rule module reads one through its import alias, and a rule
# listing every entry's paths costs a pass over all containers, several times the rest of the
# package on a large job.)
entries_with_quantity(q) := [{"path": path, "which": which, "name": name} |
	some row in rows
	some which in ["requests", "limits"]
	some name, held in row[which]
	held == q
	some path in paths_of(row)
]

entries_with_name(name) := [{"path": path, "which": which, "name": name} |
	some row in rows
	some which in ["requests", "limits"]
	some key, _ in row[which]
	key == name
	some path in paths_of(row)
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

# Every distinct requests or limits map of the object: containers alike in their resources (replicas
# of one image, sidecars) are looked into once.
distinct_maps := {row.requests | some row in rows} | {row.limits | some row in rows}

distinct_quantities := {q | some m in distinct_maps; some q in m}

# Every well-formed quantity of the object, parsed (checked and parsed in one pass).
parsed := {q: v | some q in distinct_quantities; v := quantity.value(q)}

# The object's quantities that are well formed.
valid_quantities := {q | some q, _ in parsed}

distinct_names := {name | some m in distinct_maps; some name, _ in m}

# The object's native resource names (see native), those that may be overcommitted, and its
# extended resource names: each name classified once, with no function call per name. (The names
# with a domain other than kubernetes.io are found in one pass; the native ones are the others, and
# only the former can be extended.)
native_names := distinct_names - _foreign_names

_foreign_names := {name | some name in distinct_names; contains(name, "/"); not contains(name, "kubernetes.io/")}

overcommit_names := {name | some name in native_names; not startswith(name, "hugepages-")}

extended_names := {name | some name in _foreign_names; not startswith(name, "requests.")}

# The object's usable quantities (valid and not negative) with their values: the comparing rules
# look a quantity up here once (invalid or negative ones are reported by resource-quantities-valid,
# and comparing them would only add noise).
usable_values := {q: v | some q, v in parsed; v >= 0}

# Every request with a limit for the same resource where both are usable and their values differ,
# built in one pass for requests-within-limits and extended-resources-limits (equal values break
# neither rule): {"row", "name": the resource name, "above": request above limit}. The compiled mode
# has a fixed instruction budget per evaluation; the values are looked up once per pair here
# instead of once per rule. (The two quantities are read from the row for a finding: pair_request(pair)
# and pair_limit(pair).)
unequal_pairs := [pair |
	some row in rows
	some name, limit in row.limits
	request_value := usable_values[row.requests[name]]
	limit_value := usable_values[limit]
	request_value != limit_value
	pair := {"row": row, "name": name, "above": request_value > limit_value}
]

pair_request(pair) := pair.row.requests[pair.name]

pair_limit(pair) := pair.row.limits[pair.name]

# The numeric value of one of the object's quantities.
value(q) := parsed[q]

# A quantity of the object the comparing rules may use.
usable(q) if is_number(usable_values[q])

# The same for a quantity that is not in the object (a parameter such as a cap).
usable_parameter(q) if {
	quantity.valid(q)
	not quantity.negative(q)
}

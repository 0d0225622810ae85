package lib.kubeflow.rules.resource_limit_caps

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.parameters
import data.lib.kubeflow.quantity
import data.lib.kubeflow.resources
import data.lib.kubeflow.trainer

# This rule's effective parameters: its profile's (or its constraint's, in Gatekeeper).
params := parameters.of("resource-limit-caps")

caps[name] := cap if {
	is_object(params.max_limits)
	some name, cap in params.max_limits
	resources.usable_parameter(cap)
}

# Each cap's value, parsed once.
cap_values[name] := quantity.value(cap) if {
	some name, cap in caps
}

# For each capped resource, only the limits maps are looked up (not every quantity walked).
violation contains core.invalid(field, quantity.text(limit), detail) if {
	some name, cap_value in cap_values
	some row in resources.rows
	limit := row.limits[name]
	limit_value := resources.usable_values[limit]
	is_number(limit_value)
	limit_value > cap_value
	some path in resources.paths_of(row)
	field := resources.key_path(path, "limits", name)
	detail := sprintf("must be less than or equal to %v", [quantity.text(caps[name])])
}

# --- a TrainJob's total over its nodes ---------------------------------------------------------

totals[name] := cap if {
	is_object(params.max_trainjob_totals)
	some name, cap in params.max_trainjob_totals
	resources.usable_parameter(cap)
}

# The TrainJob's node count: trainer.numNodes, else its runtime's mlPolicy.numNodes, else 1 (the
# upstream defaults). A count that is not a positive integer is left to trainer-field-types.
num_nodes := trainer.trainer.numNodes if {
	is_object(trainer.trainer)
	core.has_value(trainer.trainer, "numNodes")
} else := trainer.ml_policy.numNodes if {
	is_object(trainer.ml_policy)
	core.has_value(trainer.ml_policy, "numNodes")
} else := 1

# Each per-node amount of a capped resource: its limit, else its request.
per_node[[which, name]] := q if {
	is_object(trainer.trainer.resourcesPerNode)
	some name, _ in totals
	some which in ["limits", "requests"]
	q := resources.map_of(trainer.trainer.resourcesPerNode, which)[name]
	not limit_given(which, name)
}

limit_given(which, name) if {
	which == "requests"
	is_object(trainer.trainer.resourcesPerNode)
	limits := resources.map_of(trainer.trainer.resourcesPerNode, "limits")
	core.has_value(limits, name)
}

violation contains core.invalid(field, quantity.text(q), detail) if {
	trainer.is_trainjob
	core.is_integer(num_nodes)
	num_nodes >= 1
	some key, q in per_node
	cap := totals[key[1]]
	resources.usable(q)
	resources.value(q) * num_nodes > quantity.value(cap)
	field := resources.key_path("spec.trainer.resourcesPerNode", key[0], key[1])
	detail := sprintf("times %v nodes must be less than or equal to the TrainJob total of %v", [
		core.number_text(num_nodes), quantity.text(cap),
	])
}

package lib.kubeflow.rules.runtime_spec_not_empty

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

violation contains core.invalid(field, "object", "should have at least 1 properties") if {
	some pair in [["spec", object.get(core.obj, "spec", null)], ["spec.template", object.get(core.spec, "template", null)]]
	[field, value] := pair
	is_object(value)
	count(value) == 0
}

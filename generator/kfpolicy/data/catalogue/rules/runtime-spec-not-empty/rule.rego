package lib.kubeflow.rules.runtime_spec_not_empty

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

violation contains core.invalid(field, "object", "should have at least 1 properties") if {
	some pair in [
		{"field": "spec", "value": object.get(core.obj, "spec", null)},
		{"field": "spec.template", "value": object.get(core.spec, "template", null)},
	]
	field := pair.field
	value := pair.value
	is_object(value)
	count(value) == 0
}

package lib.kubeflow.rules.trainjob_runtime_ref_required

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

_spec_given if is_object(core.obj.spec)

_ref_given if core.has_value(core.spec, "runtimeRef")

violation contains core.required("spec.runtimeRef", "") if {
	_spec_given
	not _ref_given
}

violation contains core.required("spec.runtimeRef.name", "") if {
	is_object(core.spec.runtimeRef)
	not core.has_value(core.spec.runtimeRef, "name")
}

violation contains core.invalid("spec.runtimeRef.name", "", "should be at least 1 chars long") if {
	core.spec.runtimeRef.name == ""
}

violation contains core.error("FieldValueTooLong", "spec.runtimeRef.name", null, "may not be more than 253 bytes") if {
	name := core.spec.runtimeRef.name
	is_string(name)
	core.length(name) > 253
}

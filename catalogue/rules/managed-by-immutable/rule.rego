# METADATA
# title: runPolicy.managedBy cannot change
# description: On UPDATE, a managedBy that differs from the old object's is FieldValueInvalid.
package kubeflow.rules.managed_by_immutable

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

managed_by(o) := v if {
	v := o.spec.runPolicy.managedBy
} else := null

# Go prints a nil pointer as the string "null".
shown(v) := "null" if {
	v == null
} else := v

violation contains core.invalid("spec.runPolicy.managedBy", shown(new), "field is immutable") if {
	is_object(core.old_obj)
	new := managed_by(core.obj)
	old := managed_by(core.old_obj)
	new != old
}

package lib.kubeflow.rules.managed_by_immutable

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.parameters

params := parameters.of("managed-by-immutable")

# PT-2: upstream's PyTorchJob webhook compares the new object with itself, so it never rejects.
_checked if not _pytorchjob_skipped

_pytorchjob_skipped if {
	params.skip_pytorchjob == true
	core.obj.kind == "PyTorchJob"
}

# (Separate definitions, not `else := null`: the embedded engine turns a null from an else
# branch into undefined when it is assigned to a variable.)
_managed_by(o) := o.spec.runPolicy.managedBy if {
	o.spec.runPolicy.managedBy != null
}

_managed_by(o) := null if {
	not _has_managed_by(o)
}

_has_managed_by(o) if o.spec.runPolicy.managedBy != null

_field := "spec.runPolicy.managedBy"

violation contains core.invalid(_field, current, "field is immutable") if {
	_checked
	is_object(core.old_obj)
	current := _managed_by(core.obj)
	current != _managed_by(core.old_obj)
	current != null
}

# Removed: Go prints the nil pointer as the string "null"; details.value stays null.
violation contains {"msg": shown.msg, "details": object.union(shown.details, {"value": null})} if {
	_checked
	is_object(core.old_obj)
	_managed_by(core.obj) == null
	_managed_by(core.old_obj) != null
	shown := core.invalid(_field, "null", "field is immutable")
}

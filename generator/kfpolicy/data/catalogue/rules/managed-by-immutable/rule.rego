package lib.kubeflow.rules.managed_by_immutable

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.parameters

params := parameters.of("managed-by-immutable")

# PT-2: upstream's PyTorchJob webhook compares the new object with itself, so it never rejects.
checked if not pytorchjob_skipped

pytorchjob_skipped if {
	params.skip_pytorchjob == true
	core.obj.kind == "PyTorchJob"
}

# (Separate definitions, not `else := null`: the embedded engine turns a null from an else
# branch into undefined when it is assigned to a variable.)
managed_by(o) := o.spec.runPolicy.managedBy if {
	o.spec.runPolicy.managedBy != null
}

managed_by(o) := null if {
	not has_managed_by(o)
}

has_managed_by(o) if o.spec.runPolicy.managedBy != null

field := "spec.runPolicy.managedBy"

violation contains core.invalid(field, current, "field is immutable") if {
	checked
	is_object(core.old_obj)
	current := managed_by(core.obj)
	current != managed_by(core.old_obj)
	current != null
}

# Removed: Go prints the nil pointer as the string "null"; details.value stays null.
violation contains {"msg": shown.msg, "details": object.union(shown.details, {"value": null})} if {
	checked
	is_object(core.old_obj)
	managed_by(core.obj) == null
	managed_by(core.old_obj) != null
	shown := core.invalid(field, "null", "field is immutable")
}

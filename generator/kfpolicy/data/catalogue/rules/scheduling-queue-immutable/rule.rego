package lib.kubeflow.rules.scheduling_queue_immutable

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

_field := "spec.runPolicy.schedulingPolicy.queue"

# A CEL transition rule runs only when the field has a value in both objects. The API server
# shows the schema type, not the value.
violation contains core.invalid(_field, "string", concat("", [_field, " is immutable"])) if {
	current := core.obj.spec.runPolicy.schedulingPolicy.queue
	previous := core.old_obj.spec.runPolicy.schedulingPolicy.queue
	is_string(current)
	is_string(previous)
	current != previous
}

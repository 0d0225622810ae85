package lib.kubeflow.rules.managed_by_supported

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

# The controllers each operator accepts (the Training Operator's, mpi-operator's, and Kueue's
# MultiKueue), in the order of the message.
_controllers := {"mpijob-v2beta1": ["kubeflow.org/mpi-operator", "kueue.x-k8s.io/multikueue"]}

_supported := _controllers[core.kind_id] if {
	_controllers[core.kind_id]
} else := ["kubeflow.org/training-operator", "kueue.x-k8s.io/multikueue"]

violation contains core.not_supported("spec.runPolicy.managedBy", managed_by, _supported) if {
	managed_by := object.get(core.spec, ["runPolicy", "managedBy"], null)
	is_string(managed_by)
	not managed_by in _supported
}

package lib.kubeflow.rules.trainjob_managed_by_values

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

_allowed := {"trainer.kubeflow.org/trainjob-controller", "kueue.x-k8s.io/multikueue"}

violation contains core.invalid(
	"spec.managedBy",
	m,
	"ManagedBy must be trainer.kubeflow.org/trainjob-controller or kueue.x-k8s.io/multikueue if set"
) if {
	m := core.spec.managedBy
	is_string(m)
	not m in _allowed
}

package lib.kubeflow.rules.mpijob_implementation_supported

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

_supported := ["Intel", "MPICH", "OpenMPI"]

violation contains core.not_supported("spec.mpiImplementation", implementation, _supported) if {
	implementation := jobs.member(core.spec, "mpiImplementation")
	is_string(implementation)
	not implementation in _supported
}

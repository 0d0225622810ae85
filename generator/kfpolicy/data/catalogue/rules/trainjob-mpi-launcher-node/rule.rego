package lib.kubeflow.rules.trainjob_mpi_launcher_node

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

violation contains core.invalid(
	"spec.trainer.numNodes",
	trainer.num_nodes,
	"must have 1 when MPI trainingRuntime with enabled runLauncherAsNode does not have either launcher and node"
) if {
	trainer.policy_set("mpi")
	trainer.ml_policy.mpi.runLauncherAsNode == true
	is_number(trainer.num_nodes)
	trainer.num_nodes > 1
	some needed in ["launcher", "node"]
	not trainer.merged_job_named(needed)
}

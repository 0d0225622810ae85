package lib.kubeflow.rules.trainjob_mpi_reserved_env

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

_reserved := {
	"OMPI_MCA_orte_default_hostfile",
	"OMPI_MCA_plm_rsh_args",
	"OMPI_MCA_orte_keep_fqdn_hostnames",
	"OMPI_MCA_orte_set_default_slots",
}

violation contains core.invalid("spec.trainer.env", trainer.trainer.env, trainer.reserved_env_detail(_reserved)) if {
	trainer.policy_set("mpi")
	trainer.has_reserved_env(_reserved)
}

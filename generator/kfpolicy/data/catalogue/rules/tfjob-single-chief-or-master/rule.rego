package lib.kubeflow.rules.tfjob_single_chief_or_master

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

violation contains core.forbidden(core.replica_specs_path, "must not have more than 1 Chief or Master role") if {
	count({rtype | some rtype in jobs.replica_types; rtype in {"Chief", "Master"}}) > 1
}

package lib.kubeflow.rules.trainjob_runtime_patches_jobset_active

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

violation contains core.forbidden("spec.runtimePatches", detail) if {
	trainer.is_trainjob
	trainer.patches_changed
	some s in [trainer.old_spec, core.spec]
	trainer.suspended(s)
	some rj in _jobset.status.replicatedJobsStatus
	is_object(rj)
	is_number(rj.active)
	rj.active > 0
	detail := sprintf("RuntimePatches cannot be modified when the JobSet's ReplicatedJob %v is still active", [rj.name])
}

# The TrainJob's JobSet (same name and namespace), when it is synced into data.inventory.
_jobset := js if {
	ns := trainer.job_namespace
	name := core.metadata.name
	is_string(name)
	branch := core.inventory.namespace[ns]
	is_object(branch)
	versions := sort([gv |
		some gv, kinds in branch
		is_string(gv)
		startswith(gv, "jobset.x-k8s.io/")
		is_object(kinds.JobSet[name])
	])
	count(versions) > 0
	js := branch[versions[0]].JobSet[name]
	is_object(js.status)
	is_array(js.status.replicatedJobsStatus)
}

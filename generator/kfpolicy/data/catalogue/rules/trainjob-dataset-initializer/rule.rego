package lib.kubeflow.rules.trainjob_dataset_initializer

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

_name := "dataset-initializer"

violation contains core.invalid("spec.runtimeRef", trainer.ref, _problem) if {
	core.has_value(object.get(core.spec, "initializer", {}), "dataset")
	trainer.runtime_found
}

_problem := "must have dataset-initializer job when trainJob is configured with input datasetConfig" if {
	not trainer.merged_job_named(_name)
} else := "must have container with name - dataset-initializer in the dataset-initializer job" if {
	job := trainer.merged_job_named(_name)
	not _name in trainer.job_all_container_names(job)
} else := "must have volumeMount with name - initializer in container dataset-initializer of the dataset-initializer job" if {
	job := trainer.merged_job_named(_name)
	some c in trainer.pod_list(trainer.pod_spec_or_empty(job), "containers")
	c.name == _name
	not _mounts_initializer(c)
	not _labelled(job)
}

# A job the controller supplies the initializer volume to.
_labelled(job) if trainer.job_ancestor(job) == _name

_mounts_initializer(c) if {
	is_array(c.volumeMounts)
	some m in c.volumeMounts
	is_object(m)
	m.name == "initializer"
}

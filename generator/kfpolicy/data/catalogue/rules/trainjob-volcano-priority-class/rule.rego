package lib.kubeflow.rules.trainjob_volcano_priority_class

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.parameters
import data.lib.kubeflow.trainer

# This rule's effective parameters: its profile's (or its constraint's, in Gatekeeper).
params := parameters.of("trainjob-volcano-priority-class")

_system_classes := {"system-cluster-critical", "system-node-critical"}

violation contains core.invalid("spec.templateSpec.priorityClassName", pc, detail) if {
	trainer.volcano_set
	not _skipped
	some i, pc in _classes
	i < _first_system
	not pc in _system_classes
	not _known(pc)
	detail := sprintf(
		"PriorityClass %v doesn't exist: priorityclasses.scheduling.k8s.io %v not found",
		[core.format_value(pc), core.format_value(pc)]
	)
}

# priorityClassName of each merged replicated job, by job index.
_classes[i] := pc if {
	some i, job in trainer.merged_jobs
	pc := trainer.pod_spec_or_empty(job).priorityClassName
	is_string(pc)
	pc != ""
}

# Upstream stops at the first job that uses a system class.
_first_system := min(_system_indices) if {
	count(_system_indices) > 0
} else := count(trainer.merged_jobs)

_system_indices := [j | some j, name in _classes; name in _system_classes]

_known(pc) if {
	some gv, kinds in core.inventory.cluster
	is_string(gv)
	startswith(gv, "scheduling.k8s.io/")
	is_object(kinds)
	is_object(kinds.PriorityClass)
	is_object(kinds.PriorityClass[pc])
}

_synced if {
	some gv, kinds in core.inventory.cluster
	is_string(gv)
	startswith(gv, "scheduling.k8s.io/")
	is_object(kinds)
	is_object(kinds.PriorityClass)
}

_skipped if {
	params.skip_when_not_synced == true
	not _synced
}

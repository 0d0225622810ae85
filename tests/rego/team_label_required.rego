# A small but complete user rule (the tests' user catalogue): every job must carry a `team` label.
package lib.kubeflow.rules.team_label_required

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

violation contains core.required("metadata.labels[team]", "every job must name its team") if {
	not core.labels.team
}

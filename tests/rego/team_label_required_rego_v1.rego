# The tests' user rule with import rego.v1 in place of the future.keywords imports, which kfpolicy refuses
# (Gatekeeper rejects it). With both kinds of import the parser already refuses the module.
package lib.kubeflow.rules.team_label_required

import rego.v1

import data.lib.kubeflow.core

violation contains core.required("metadata.labels[team]", "every job must name its team") if {
	not core.labels.team
}

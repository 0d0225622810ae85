# METADATA
# description: >-
#   A rule's effective parameters, read through one call so that each rule file stands alone:
#   the selected profile's settings with data.kubeflow.parameters[<rule id>] merged over them.
#   (Gatekeeper templates carry their own module of this package, reading input.parameters.)
package lib.kubeflow.parameters

import future.keywords.if

of(rule_id) := data.kubeflow.config.rule_parameters(rule_id)

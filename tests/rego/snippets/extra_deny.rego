# A module only real OPA is given, so that the engines disagree on purpose.
package kubeflow

import future.keywords.contains
import future.keywords.if

deny contains "extra" if true

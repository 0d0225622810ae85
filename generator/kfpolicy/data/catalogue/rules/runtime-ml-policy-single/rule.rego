package lib.kubeflow.rules.runtime_ml_policy_single

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

violation contains core.invalid("spec.mlPolicy", "object", "Only one of the policy can be configured") if {
	policy := core.spec.mlPolicy
	is_object(policy)
	count([name | some name in ["torch", "mpi", "jax", "xgboost", "flux"]; core.has_value(policy, name)]) > 1
}

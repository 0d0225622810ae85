package lib.kubeflow.rules.runtime_jobset_template

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

_base := "spec.template.spec"

_js := core.spec.template.spec if is_object(core.spec.template.spec)

_jobs := _js.replicatedJobs if is_array(_js.replicatedJobs)

# StartupPolicy InOrder and dependsOn exclude each other.
violation contains core.invalid(_base, "object", "StartupPolicy and DependsOn APIs are mutually exclusive") if {
	_js.startupPolicy.startupPolicyOrder == "InOrder"
	some j in _jobs
	core.has_value(j, "dependsOn")
}

violation contains core.required(sprintf("%v.replicatedJobs[%d].%v", [_base, i, key]), "") if {
	some i, j in _jobs
	is_object(j)
	some key in ["name", "template"]
	not core.has_value(j, key)
}

violation contains core.error(
	"FieldValueTooMany",
	sprintf("%v.replicatedJobs[%d].dependsOn", [_base, i]),
	null,
	"must have at most 5 items"
) if {
	some i, j in _jobs
	is_array(j.dependsOn)
	count(j.dependsOn) > 5
}

violation contains core.not_supported(
	sprintf("%v.replicatedJobs[%d].dependsOn[%d].status", [_base, i, k]),
	d.status,
	["Ready", "Complete"]
) if {
	some i, j in _jobs
	is_array(j.dependsOn)
	some k, d in j.dependsOn
	is_string(d.status)
	not d.status in {"Ready", "Complete"}
}

# Policy, field, allowed values. Read by indexing, which is undefined on a policy that is not an
# object (object.get raises there: the run would fail on OPA and the interpreter).
_enums := [
	{
		"policy": "failurePolicy",
		"field": "restartStrategy",
		"allowed": ["Recreate", "BlockingRecreate", "InPlaceRestart"],
	},
	{"policy": "startupPolicy", "field": "startupPolicyOrder", "allowed": ["AnyOrder", "InOrder"]},
	{"policy": "successPolicy", "field": "operator", "allowed": ["All", "Any"]},
]

violation contains core.not_supported(sprintf("%v.%v.%v", [_base, e.policy, e.field]), value, e.allowed) if {
	some e in _enums
	value := _js[e.policy][e.field]
	is_string(value)
	not value in e.allowed
}

_actions := [
	"FailJobSet",
	"RestartJobSet",
	"RestartJobSetAndIgnoreMaxRestarts",
	"RestartJob",
	"RestartJobAndIgnoreMaxRestarts",
]

violation contains core.not_supported(sprintf("%v.failurePolicy.rules[%d].action", [_base, i]), r.action, _actions) if {
	is_array(_js.failurePolicy.rules)
	some i, r in _js.failurePolicy.rules
	is_string(r.action)
	not r.action in _actions
}

violation contains core.invalid(
	sprintf("%v.ttlSecondsAfterFinished", [_base]),
	v,
	"should be greater than or equal to 0"
) if {
	v := _js.ttlSecondsAfterFinished
	is_number(v)
	v < 0
}

_claims := _js.volumeClaimPolicies if is_array(_js.volumeClaimPolicies)

violation contains core.error(
	"FieldValueTooMany",
	sprintf("%v.volumeClaimPolicies", [_base]),
	null,
	"must have at most 50 items"
) if {
	count(_claims) > 50
}

violation contains core.invalid(
	sprintf("%v.volumeClaimPolicies[%d]", [_base, i]),
	"object",
	"namespace cannot be set for VolumeClaimPolicies templates"
) if {
	some i, p in _claims
	is_array(p.templates)
	some t in p.templates
	ns := t.metadata.namespace
	is_string(ns)
	ns != ""
}

violation contains core.not_supported(
	sprintf("%v.volumeClaimPolicies[%d].retentionPolicy.whenDeleted", [_base, i]),
	v,
	["Delete", "Retain"]
) if {
	some i, p in _claims
	v := p.retentionPolicy.whenDeleted
	is_string(v)
	not v in {"Delete", "Retain"}
}

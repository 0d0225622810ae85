package lib.kubeflow.rules.runtime_jobset_template

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

base := "spec.template.spec"

js := core.spec.template.spec if is_object(core.spec.template.spec)

jobs := js.replicatedJobs if is_array(js.replicatedJobs)

# StartupPolicy InOrder and dependsOn exclude each other.
violation contains core.invalid(base, "object", "StartupPolicy and DependsOn APIs are mutually exclusive") if {
	js.startupPolicy.startupPolicyOrder == "InOrder"
	some j in jobs
	core.has_value(j, "dependsOn")
}

violation contains core.required(sprintf("%v.replicatedJobs[%d].%v", [base, i, key]), "") if {
	some i, j in jobs
	is_object(j)
	some key in ["name", "template"]
	not core.has_value(j, key)
}

violation contains core.error("FieldValueTooMany", sprintf("%v.replicatedJobs[%d].dependsOn", [base, i]), null, "must have at most 5 items") if {
	some i, j in jobs
	is_array(j.dependsOn)
	count(j.dependsOn) > 5
}

violation contains core.not_supported(sprintf("%v.replicatedJobs[%d].dependsOn[%d].status", [base, i, k]), d.status, ["Ready", "Complete"]) if {
	some i, j in jobs
	is_array(j.dependsOn)
	some k, d in j.dependsOn
	is_string(d.status)
	not d.status in {"Ready", "Complete"}
}

# [policy, field, allowed values]. Read by indexing, which is undefined on a policy that is not an
# object (object.get raises there: the run would fail on OPA and the interpreter).
enums := [
	["failurePolicy", "restartStrategy", ["Recreate", "BlockingRecreate", "InPlaceRestart"]],
	["startupPolicy", "startupPolicyOrder", ["AnyOrder", "InOrder"]],
	["successPolicy", "operator", ["All", "Any"]],
]

violation contains core.not_supported(sprintf("%v.%v.%v", [base, e[0], e[1]]), value, e[2]) if {
	some e in enums
	value := js[e[0]][e[1]]
	is_string(value)
	not value in e[2]
}

actions := ["FailJobSet", "RestartJobSet", "RestartJobSetAndIgnoreMaxRestarts", "RestartJob", "RestartJobAndIgnoreMaxRestarts"]

violation contains core.not_supported(sprintf("%v.failurePolicy.rules[%d].action", [base, i]), r.action, actions) if {
	is_array(js.failurePolicy.rules)
	some i, r in js.failurePolicy.rules
	is_string(r.action)
	not r.action in actions
}

violation contains core.invalid(sprintf("%v.ttlSecondsAfterFinished", [base]), v, "should be greater than or equal to 0") if {
	v := js.ttlSecondsAfterFinished
	is_number(v)
	v < 0
}

claims := js.volumeClaimPolicies if is_array(js.volumeClaimPolicies)

violation contains core.error("FieldValueTooMany", sprintf("%v.volumeClaimPolicies", [base]), null, "must have at most 50 items") if {
	count(claims) > 50
}

violation contains core.invalid(sprintf("%v.volumeClaimPolicies[%d]", [base, i]), "object", "namespace cannot be set for VolumeClaimPolicies templates") if {
	some i, p in claims
	is_array(p.templates)
	some t in p.templates
	ns := t.metadata.namespace
	is_string(ns)
	ns != ""
}

violation contains core.not_supported(sprintf("%v.volumeClaimPolicies[%d].retentionPolicy.whenDeleted", [base, i]), v, ["Delete", "Retain"]) if {
	some i, p in claims
	v := p.retentionPolicy.whenDeleted
	is_string(v)
	not v in {"Delete", "Retain"}
}

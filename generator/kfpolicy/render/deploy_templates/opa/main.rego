# The decision OPA answers an admission webhook with (its default decision, data.system.main):
# the whole AdmissionReview, its response from the public entry point data.kubeflow.admission.response.
# Runtimes come from kube-mgmt's replication (data.kubernetes.<plural>), reshaped into the
# data.inventory layout the TrainJob rules read (Gatekeeper's: cluster[gv][kind][name] and
# namespace[ns][gv][kind][name]).
package system

import future.keywords.if
import future.keywords.in

runtime_group_version := "trainer.kubeflow.org/v1alpha1"

replicated(plural) := data.kubernetes[plural] if {
	is_object(data.kubernetes[plural])
} else := {}

inventory := {
	"cluster": {runtime_group_version: {"ClusterTrainingRuntime": replicated("clustertrainingruntimes")}},
	"namespace": {ns: {runtime_group_version: {"TrainingRuntime": runtimes}} |
		some ns, runtimes in replicated("trainingruntimes")
	},
}

main := {
	"apiVersion": "admission.k8s.io/v1",
	"kind": "AdmissionReview",
	"response": response,
}

response := r if {
	r := data.kubeflow.admission.response with data.inventory as inventory
}

package lib.kubeflow.rules.resource_names_valid

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.resources

# The standard resource names without a domain, besides hugepages-<size> (tested by its prefix).
standard := {"cpu", "memory", "ephemeral-storage"}

# `requests.<name>` must be a qualified name: a DNS-1123 subdomain prefix, one slash, and a name of
# at most 63 characters (k8s.io/apimachinery IsQualifiedName).
qualified_pattern := `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`

extended_name(name) if {
	not startswith(name, "requests.")
	quota_name := concat("", ["requests.", name])
	parts := split(quota_name, "/")
	count(parts) == 2
	count(parts[0]) <= 253
	count(parts[1]) <= 63
	regex.match(qualified_pattern, quota_name)
}

# Each distinct name of the object is classified once; every entry with it is then reported.
unknown_native_names := {name |
	some name in resources.distinct_names
	not contains(name, "/")
	not name in standard
	not startswith(name, "hugepages-")
}

malformed_extended_names := {name |
	some name in resources.distinct_names
	not name in resources.native_names
	not name in well_known_extended_names
	not extended_name(name)
}

# Extended resource names seen on most clusters, known to be well formed (tests/test_resource_names.py
# holds each to extended_name): a lookup instead of a regular expression, which costs microseconds
# per call on the embedded engine.
well_known_extended_names := {
	"nvidia.com/gpu", "amd.com/gpu", "intel.com/gpu", "gpu.intel.com/i915", "habana.ai/gaudi",
	"aws.amazon.com/neuron", "aws.amazon.com/neuroncore", "google.com/tpu", "nvidia.com/mig-1g.5gb",
	"rdma/hca_shared_devices_a", "xilinx.com/fpga",
}

violation contains core.invalid(field, name, "must be a standard resource for containers") if {
	some name in unknown_native_names
	some entry in resources.entries_with_name(name)
	field := resources.key_path(entry.path, entry.which, name)
}

violation contains core.invalid(field, name, "doesn't follow extended resource name standard") if {
	some name in malformed_extended_names
	some entry in resources.entries_with_name(name)
	field := resources.key_path(entry.path, entry.which, name)
}

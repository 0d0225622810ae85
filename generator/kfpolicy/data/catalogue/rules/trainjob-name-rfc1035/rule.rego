package lib.kubeflow.rules.trainjob_name_rfc1035

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

_name := core.metadata.name if is_string(core.metadata.name)

violation contains core.invalid("<root>", "object", "metadata.name must match RFC 1035 DNS label format") if {
	is_string(_name)
	not _dns_label
}

# A helper rule: `not regex.match(..., <undefined>)` is true on regorus and false on OPA.
_dns_label if regex.match(`^[a-z]([-a-z0-9]*[a-z0-9])?$`, _name)

violation contains core.invalid("<root>", "object", "metadata.name must be no more than 63 characters") if {
	core.length(_name) > 63
}

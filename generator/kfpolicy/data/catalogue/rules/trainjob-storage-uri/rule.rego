package lib.kubeflow.rules.trainjob_storage_uri

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

_uris contains {"field": field, "uri": uri} if {
	some which in ["dataset", "model"]
	uri := core.spec.initializer[which].storageUri
	is_string(uri)
	field := sprintf("spec.initializer.%v.storageUri", [which])
}

violation contains core.invalid(field, uri, "storageUri may be empty, or it must be a valid URI (scheme://...)") if {
	some t in _uris
	field := t.field
	uri := t.uri
	uri != ""
	not regex.match(`^[A-Za-z][A-Za-z0-9+.-]*://.+$`, uri)
}

violation contains core.error("FieldValueTooLong", field, null, "may not be more than 2048 bytes") if {
	some t in _uris
	field := t.field
	uri := t.uri
	core.length(uri) > 2048
}

package lib.kubeflow.rules.trainjob_runtime_patch_manager

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

_field := "spec.runtimePatches.manager"

_dns1123_subdomain := `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`

_subdomain_msg := `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`

_path_pattern := `^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$`

_path_msg := `Invalid path (regex used for validation is '[A-Za-z0-9/\-._~%!$&'()*+,;=:]+')`

_managers contains m if {
	some p in trainer.patches
	m := p.manager
	is_string(m)
}

violation contains core.required(_field, "") if {
	some m in _managers
	m == ""
}

violation contains core.invalid(_field, m, `must be a domain-prefixed path (such as "acme.io/foo")`) if {
	some m in _managers
	m != ""
	not _split_ok(m)
}

violation contains core.invalid(_field, host, "must be no more than 253 characters") if {
	some m in _managers
	_split_ok(m)
	host := _split_host(m)
	core.length(host) > 253
}

violation contains core.invalid(_field, host, _subdomain_msg) if {
	some m in _managers
	_split_ok(m)
	host := _split_host(m)
	not regex.match(_dns1123_subdomain, host)
}

violation contains core.invalid(_field, path, _path_msg) if {
	some m in _managers
	_split_ok(m)
	path := _split_path(m)
	not regex.match(_path_pattern, path)
}

_split_ok(m) if {
	i := indexof(m, "/")
	i > 0
	i < count(m) - 1
}

_split_host(m) := substring(m, 0, indexof(m, "/"))

_split_path(m) := substring(m, i + 1, (count(m) - i) - 1) if {
	i := indexof(m, "/")
}

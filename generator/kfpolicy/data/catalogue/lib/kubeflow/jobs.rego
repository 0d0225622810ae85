# METADATA
# title: kfpolicy job structure as the upstream Go code sees it
# description: >-
#   Helpers for the upstream parity rules: a field that is absent or null is Go's zero value
#   (nil map, nil pointer, empty list), so `replicas: null` reads like no replicas and a null
#   replica spec like one without containers. Malformed levels (a string where an object belongs)
#   leave the helpers undefined, so rules stay silent there and the field-types rule reports.
package lib.kubeflow.jobs

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core

# A member of an object; null when absent. Undefined when o is not an object.
# (One definition and one builtin call: no `else := null`, which the embedded engine turns into
# undefined when it is assigned to a variable.)
member(o, key) := object.get(o, key, null) if is_object(o)

# The field is set: present with a value other than null.
given(o, key) if member(o, key) != null

# The replica-spec map is absent or null (Go: a nil map).
replica_specs_given if member(core.spec, core.replica_specs_field) != null

replica_specs_missing if {
	core.replica_specs_field
	not replica_specs_given
}

# The replica-spec map's keys, when it is a map (replica specs may be null).
replica_types contains rtype if {
	some rtype, _ in core.replica_specs
}

# Containers of a replica spec as Go reads them: a null spec, template, template.spec or
# containers list all mean "no containers". Undefined where a level has the wrong type.
# One level at a time: each helper has one definition for null and one for its own type.
pod_containers(replica) := [] if replica == null

pod_containers(replica) := cs if {
	is_object(replica)
	cs := template_containers(object.get(replica, "template", null))
}

template_containers(template) := [] if template == null

template_containers(template) := cs if {
	is_object(template)
	cs := spec_containers(object.get(template, "spec", null))
}

spec_containers(pod_spec) := [] if pod_spec == null

spec_containers(pod_spec) := cs if {
	is_object(pod_spec)
	cs := object.get(pod_spec, "containers", null)
	is_array(cs)
}

spec_containers(pod_spec) := [] if {
	is_object(pod_spec)
	object.get(pod_spec, "containers", null) == null
}

# Each replica spec's containers (see pod_containers), worked out once per evaluation for the
# rules that all need them. Replica types whose containers are undefined are absent.
# (The usual shape, a list of containers at every level, is read directly; the others go through
# pod_containers. The two definitions never both hold for one replica type.)
replica_containers[rtype] := containers if {
	some rtype, replica in core.replica_specs
	containers := replica.template.spec.containers
	is_array(containers)
}

replica_containers[rtype] := containers if {
	some rtype, replica in core.replica_specs
	not listed_containers(replica)
	containers := pod_containers(replica)
}

listed_containers(replica) if is_array(replica.template.spec.containers)

# A container's string field, "" when absent or null; undefined for other types. (Read directly
# first: every container is checked, and the compiled mode has a fixed instruction budget.)
container_string(c, key) := v if {
	is_object(c)
	v := c[key]
	is_string(v)
} else := "" if {
	member(c, key) == null
}

containers_path(rtype) := concat(".", [core.replica_path(rtype), "template.spec.containers"])

package lib.kubeflow.rules.pod_security_baseline

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.parameters
import data.lib.kubeflow.pods

# This rule's effective parameters: its profile's (or its constraint's, in Gatekeeper).
params := parameters.of("pod-security-baseline")

restricted if params.level == "restricted"

allowed_capabilities := {c | some c in params.allowed_capabilities; is_string(c)} if {
	is_array(params.allowed_capabilities)
} else := set()

allowed_host_paths := [p | some p in params.allowed_host_paths; is_string(p); p != ""] if {
	is_array(params.allowed_host_paths)
} else := []

# --- baseline level (Pod Security Standards, as the Pod Security admission controller checks) ---

host_namespaces := {
	"hostNetwork": "sharing the host's network namespace is not allowed",
	"hostPID": "sharing the host's process ID namespace is not allowed",
	"hostIPC": "sharing the host's IPC namespace is not allowed",
}

# Only a literal `true` (or a wrongly typed value where a string belongs) is reported; other types
# are left to the field-type rules.
violation contains core.forbidden(field, detail) if {
	some t in pods.templates
	some key, detail in host_namespaces
	t.spec[key] == true
	field := sprintf("%v.spec.%v", [pods.template_path(t), key])
}

violation contains core.forbidden(field, "privileged containers are not allowed") if {
	some c in pods.containers
	c.container.securityContext.privileged == true
	field := concat(".", [pods.container_path(c), "securityContext.privileged"])
}

# kfpolicy keeps privilege escalation denied at both levels (the restricted level also demands an
# explicit false, below).
violation contains core.forbidden(field, "privilege escalation is not allowed") if {
	some c in pods.containers
	c.container.securityContext.allowPrivilegeEscalation == true
	field := concat(".", [pods.container_path(c), "securityContext.allowPrivilegeEscalation"])
}

baseline_capabilities := {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
	"SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

# The capabilities a container may add: the level's, plus the allowed_capabilities parameter.
addable := allowed_capabilities | {"NET_BIND_SERVICE"} if {
	restricted
} else := allowed_capabilities | baseline_capabilities

violation contains core.invalid(field, cap, "adding this capability is not allowed") if {
	some c in pods.containers
	added := c.container.securityContext.capabilities.add
	is_array(added)
	some i, cap in added
	is_string(cap)
	not cap in addable
	field := sprintf("%v.securityContext.capabilities.add[%d]", [pods.container_path(c), i])
}

violation contains core.forbidden(field, "hostPath volumes are not allowed") if {
	some t in pods.templates
	volumes := t.spec.volumes
	is_array(volumes)
	some i, volume in volumes
	is_object(volume.hostPath)
	not host_path_allowed(volume.hostPath)
	field := sprintf("%v.spec.volumes[%d].hostPath", [pods.template_path(t), i])
}

# A hostPath under one of the allowed_host_paths prefixes (the path itself or below it).
host_path_allowed(host_path) if {
	path := host_path.path
	is_string(path)
	some prefix in allowed_host_paths
	under(path, prefix)
}

under(path, prefix) if path == prefix

under(path, prefix) if startswith(path, concat("", [trim_suffix(prefix, "/"), "/"]))

violation contains core.forbidden(field, "host ports are not allowed") if {
	some c in pods.containers
	ports := c.container.ports
	is_array(ports)
	some i, port in ports
	is_number(port.hostPort)
	port.hostPort != 0
	field := sprintf("%v.ports[%d].hostPort", [pods.container_path(c), i])
}

# Security contexts of pods and containers, as {"path": path of securityContext, "context":
# securityContext, "pod": pod spec, "container": container path ("" for the pod level)}: the controls
# below read the same fields at both levels.
contexts := array.concat(pod_contexts, container_contexts)

pod_contexts := [{
	"path": concat(".", [pods.template_path(t), "spec.securityContext"]),
	"context": t.spec.securityContext,
	"pod": t.spec,
	"container": "",
} |
	some t in pods.templates
	is_object(t.spec.securityContext)
]

container_contexts := [{
	"path": path,
	"context": c.container.securityContext,
	"pod": c.template.spec,
	"container": container_path,
} |
	some c in pods.containers
	is_object(c.container.securityContext)
	container_path := pods.container_path(c)
	path := concat(".", [container_path, "securityContext"])
]

profile_types := ["Localhost", "RuntimeDefault"]

violation contains core.not_supported(field, kind, profile_types) if {
	some ctx in contexts
	some key in ["appArmorProfile", "seccompProfile"]
	kind := ctx.context[key].type
	is_string(kind)
	not kind in profile_types
	field := sprintf("%v.%v.type", [ctx.path, key])
}

apparmor_prefix := "container.apparmor.security.beta.kubernetes.io/"

violation contains core.invalid(field, value, "must be runtime/default or localhost/<profile>") if {
	some t in pods.templates
	annotations := pods.metadata_of(t.template).annotations
	is_object(annotations)
	some key, value in annotations
	startswith(key, apparmor_prefix)
	is_string(value)
	not apparmor_annotation_allowed(value)
	field := sprintf("%v.metadata.annotations[%v]", [pods.template_path(t), key])
}

apparmor_annotation_allowed(value) if value in {"", "runtime/default"}

apparmor_annotation_allowed(value) if startswith(value, "localhost/")

selinux_types := ["", "container_engine_t", "container_init_t", "container_kvm_t", "container_t"]

violation contains core.not_supported(field, kind, selinux_types) if {
	some ctx in contexts
	kind := ctx.context.seLinuxOptions.type
	is_string(kind)
	not kind in selinux_types
	field := concat(".", [ctx.path, "seLinuxOptions.type"])
}

violation contains core.forbidden(field, "custom SELinux users and roles are not allowed") if {
	some ctx in contexts
	some key in ["user", "role"]
	value := ctx.context.seLinuxOptions[key]
	is_string(value)
	value != ""
	field := sprintf("%v.seLinuxOptions.%v", [ctx.path, key])
}

# procMount: the baseline level allows any value in a user namespace (hostUsers: false).
violation contains core.not_supported(field, mount, ["Default"]) if {
	some c in pods.containers
	mount := c.container.securityContext.procMount
	is_string(mount)
	mount != "Default"
	proc_mount_checked(c.template.spec)
	field := concat(".", [pods.container_path(c), "securityContext.procMount"])
}

proc_mount_checked(_) if restricted

proc_mount_checked(pod) if host_users(pod)

violation contains core.invalid(field, name, "unsafe sysctls are not allowed") if {
	some t in pods.templates
	sysctls := t.spec.securityContext.sysctls
	is_array(sysctls)
	some i, sysctl in sysctls
	name := sysctl.name
	is_string(name)
	not name in safe_sysctls
	field := sprintf("%v.spec.securityContext.sysctls[%d].name", [pods.template_path(t), i])
}

safe_sysctls := {
	"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_local_reserved_ports",
	"net.ipv4.ip_unprivileged_port_start", "net.ipv4.ping_group_range", "net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_keepalive_time",
	"net.ipv4.tcp_notsent_lowat", "net.ipv4.tcp_rmem", "net.ipv4.tcp_slow_start_after_idle",
	"net.ipv4.tcp_syncookies", "net.ipv4.tcp_wmem",
}

violation contains core.forbidden(field, "Windows host processes are not allowed") if {
	some ctx in contexts
	ctx.context.windowsOptions.hostProcess == true
	field := concat(".", [ctx.path, "windowsOptions.hostProcess"])
}

violation contains core.forbidden(field, "probes and lifecycle handlers must not name a host") if {
	some c in pods.containers
	some handler in ["livenessProbe", "readinessProbe", "startupProbe"]
	some action in ["httpGet", "tcpSocket"]
	host := c.container[handler][action].host
	is_string(host)
	host != ""
	field := sprintf("%v.%v.%v.host", [pods.container_path(c), handler, action])
}

violation contains core.forbidden(field, "probes and lifecycle handlers must not name a host") if {
	some c in pods.containers
	some hook in ["postStart", "preStop"]
	some action in ["httpGet", "tcpSocket"]
	host := c.container.lifecycle[hook][action].host
	is_string(host)
	host != ""
	field := sprintf("%v.lifecycle.%v.%v.host", [pods.container_path(c), hook, action])
}

# --- restricted level (level: restricted) ----------------------------------------------------

# Volume types the restricted level allows; hostPath is the baseline control above (with its
# allow-list), so it is not reported twice.
restricted_volume_types := {
	"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim",
	"projected", "secret", "hostPath",
}

violation contains core.forbidden(field, detail) if {
	restricted
	some t in pods.templates
	volumes := t.spec.volumes
	is_array(volumes)
	some i, volume in volumes
	is_object(volume)
	some kind, source in volume
	kind != "name"
	source != null
	not kind in restricted_volume_types
	field := sprintf("%v.spec.volumes[%d].%v", [pods.template_path(t), i, kind])
	detail := volume_detail
}

volume_detail := concat(" ", [
	"only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected",
	"and secret volumes are allowed",
])

# Windows pods are exempt from the Linux-only restricted controls.
linux(pod) if not windows(pod)

windows(pod) if pod.os.name == "windows"

violation contains core.required(field, "must be set to false") if {
	restricted
	some c in pods.containers
	linux(c.template.spec)
	not escalation_set(c.container)
	field := concat(".", [pods.container_path(c), "securityContext.allowPrivilegeEscalation"])
}

escalation_set(container) if is_boolean(container.securityContext.allowPrivilegeEscalation)

# In a user namespace (hostUsers: false) root in the container is not root on the node.
host_users(pod) if not user_namespace(pod)

user_namespace(pod) if pod.hostUsers == false

violation contains core.invalid(field, false, "must be true") if {
	restricted
	some ctx in contexts
	host_users(ctx.pod)
	ctx.context.runAsNonRoot == false
	field := concat(".", [ctx.path, "runAsNonRoot"])
}

violation contains core.required(field, "must be true, here or in the pod's securityContext") if {
	restricted
	some c in pods.containers
	host_users(c.template.spec)
	not core.has_value(object.get(c.container, "securityContext", {}), "runAsNonRoot")
	not core.has_value(object.get(c.template.spec, "securityContext", {}), "runAsNonRoot")
	field := concat(".", [pods.container_path(c), "securityContext.runAsNonRoot"])
}

violation contains core.invalid(field, 0, "must not be 0 (root)") if {
	restricted
	some ctx in contexts
	host_users(ctx.pod)
	ctx.context.runAsUser == 0
	field := concat(".", [ctx.path, "runAsUser"])
}

seccomp_detail := "must be RuntimeDefault or Localhost, here or in the pod's securityContext"

violation contains core.required(field, seccomp_detail) if {
	restricted
	some c in pods.containers
	linux(c.template.spec)
	not core.has_value(object.get(c.container, "securityContext", {}), "seccompProfile")
	not core.has_value(object.get(c.template.spec, "securityContext", {}), "seccompProfile")
	field := concat(".", [pods.container_path(c), "securityContext.seccompProfile.type"])
}

violation contains core.required(field, "must include \"ALL\"") if {
	restricted
	some c in pods.containers
	linux(c.template.spec)
	not drops_all(c.container)
	field := concat(".", [pods.container_path(c), "securityContext.capabilities.drop"])
}

drops_all(container) if {
	drop := container.securityContext.capabilities.drop
	is_array(drop)
	"ALL" in drop
}

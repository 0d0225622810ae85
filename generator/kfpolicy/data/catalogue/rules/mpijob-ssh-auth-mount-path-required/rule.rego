package lib.kubeflow.rules.mpijob_ssh_auth_mount_path_required

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.jobs

violation contains core.required("spec.sshAuthMountPath", "must have a mount path for SSH credentials") if {
	jobs.member(core.spec, "sshAuthMountPath") == ""
}

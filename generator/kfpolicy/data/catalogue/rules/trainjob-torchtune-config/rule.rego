package lib.kubeflow.rules.trainjob_torchtune_config

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

_supported_models := {"llama3_2/1B", "llama3_2/3B", "llama3_3/70B", "qwen2_5/1.5B"}

_model := trainer.torchtune_model

_nodes := trainer.num_nodes

# TO-3
violation contains core.invalid(
	"spec.runtimeRef.name",
	trainer.ref_name,
	sprintf("must have a supported pretrained model, invalid model configured: %v", [_model])
) if {
	trainer.is_torchtune
	not _model in _supported_models
}

# TO-4
violation contains core.invalid("spec.trainer.numNodes", _nodes, sprintf("must be 1 for %v model", [_model])) if {
	trainer.is_torchtune
	_multi_node
	_model != "llama3_3/70B"
}

# TO-5
violation contains core.invalid(
	"spec.runtimeRef.name",
	trainer.ref_name,
	sprintf("QLoRA is not supported for %v model", [_model])
) if {
	trainer.is_torchtune
	contains(_config_suffix, "_qlora")
	_model == "qwen2_5/1.5B"
}

# TO-6 (two errors)
violation contains core.invalid(
	"spec.trainer.numProcPerNode",
	_proc_value,
	sprintf("must be auto or 1 for %v model when using QLoRA", [_model])
) if {
	_qlora_multi_device_small_llama
}

violation contains core.invalid(
	"spec.trainer.resourcesPerNode",
	object.get(trainer.trainer, "resourcesPerNode", null),
	sprintf("must have gpu resource with value 1 for %v model when using QLoRA", [_model])
) if {
	_qlora_multi_device_small_llama
}

# TO-7
violation contains core.invalid(
	"spec.trainer.numNodes",
	_nodes,
	"LoRA fine-tuning is not supported for multi-node training in TorchTune"
) if {
	trainer.is_torchtune
	_multi_node
	_lora
}

_qlora_multi_device_small_llama if {
	trainer.is_torchtune
	contains(_config_suffix, "_qlora")
	not contains(_config_suffix, "_qlora_single_device")
	_model in {"llama3_2/1B", "llama3_2/3B"}
}

_multi_node if {
	is_number(_nodes)
	_nodes > 1
}

_single_node if _nodes == 1

_lora if {
	some a in trainer.trainer_args
	contains(a, "model.lora_attn_modules")
}

_dora if {
	some a in trainer.trainer_args
	contains(a, "model.use_dora")
}

_qlora if {
	some a in trainer.trainer_args
	contains(a, "model.quantize_base")
	not _dora
}

_proc_value := trainer.trainer.numProcPerNode if {
	is_number(trainer.trainer.numProcPerNode)
} else := "auto"

_single_device if {
	_single_node
	_proc_value == 1
}

_single_device if {
	_single_node
	_gpu_count_one
}

# Resources per node: the TrainJob's, else the first node container's of the runtime's trainer job.
# (No iteration in an else body: the embedded engine's compiled mode never leaves such a body for
# the next else.)
_resources := trainer.trainer.resourcesPerNode if {
	is_object(trainer.trainer.resourcesPerNode)
} else := _node_resources[0] if {
	count(_node_resources) > 0
} else := {}

_node_resources := [c.resources |
	some job in trainer.merged_jobs
	trainer.job_ancestor(job) == "trainer"
	some c in trainer.pod_list(trainer.pod_spec_or_empty(job), "containers")
	c.name == "node"
	is_object(c.resources)
]

_gpu_section := _resources.requests if {
	is_object(_resources.requests)
	_gpu_keys(_resources.requests)
} else := _resources.limits if {
	is_object(_resources.limits)
}

_gpu_keys(m) if {
	some k, _ in m
	trainer.ascii(k)
	contains(lower(k), "gpu")
}

_gpu_count_one if {
	some k, v in _gpu_section
	trainer.ascii(k)
	contains(lower(k), "gpu")
	v in {1, "1"}
}

_config_suffix := "_qlora_single_device" if {
	_single_device
	_qlora
} else := "_lora_single_device" if {
	_single_device
	_lora
} else := "_full_single_device" if {
	_single_device
} else := "_qlora" if {
	_single_node
	_qlora
} else := "_lora" if {
	_single_node
	_lora
} else := "_full_multinode" if {
	_multi_node
} else := "_full"

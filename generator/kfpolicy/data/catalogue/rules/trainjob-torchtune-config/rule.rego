package lib.kubeflow.rules.trainjob_torchtune_config

import future.keywords.contains
import future.keywords.if
import future.keywords.in

import data.lib.kubeflow.core
import data.lib.kubeflow.trainer

supported_models := {"llama3_2/1B", "llama3_2/3B", "llama3_3/70B", "qwen2_5/1.5B"}

model := trainer.torchtune_model

nodes := trainer.num_nodes

# TO-3
violation contains core.invalid(
	"spec.runtimeRef.name",
	trainer.ref_name,
	sprintf("must have a supported pretrained model, invalid model configured: %v", [model])
) if {
	trainer.is_torchtune
	not model in supported_models
}

# TO-4
violation contains core.invalid("spec.trainer.numNodes", nodes, sprintf("must be 1 for %v model", [model])) if {
	trainer.is_torchtune
	multi_node
	model != "llama3_3/70B"
}

# TO-5
violation contains core.invalid(
	"spec.runtimeRef.name",
	trainer.ref_name,
	sprintf("QLoRA is not supported for %v model", [model])
) if {
	trainer.is_torchtune
	contains(config_suffix, "_qlora")
	model == "qwen2_5/1.5B"
}

# TO-6 (two errors)
violation contains core.invalid(
	"spec.trainer.numProcPerNode",
	proc_value,
	sprintf("must be auto or 1 for %v model when using QLoRA", [model])
) if {
	qlora_multi_device_small_llama
}

violation contains core.invalid(
	"spec.trainer.resourcesPerNode",
	object.get(trainer.trainer, "resourcesPerNode", null),
	sprintf("must have gpu resource with value 1 for %v model when using QLoRA", [model])
) if {
	qlora_multi_device_small_llama
}

# TO-7
violation contains core.invalid(
	"spec.trainer.numNodes",
	nodes,
	"LoRA fine-tuning is not supported for multi-node training in TorchTune"
) if {
	trainer.is_torchtune
	multi_node
	lora
}

qlora_multi_device_small_llama if {
	trainer.is_torchtune
	contains(config_suffix, "_qlora")
	not contains(config_suffix, "_qlora_single_device")
	model in {"llama3_2/1B", "llama3_2/3B"}
}

multi_node if {
	is_number(nodes)
	nodes > 1
}

single_node if nodes == 1

lora if {
	some a in trainer.trainer_args
	contains(a, "model.lora_attn_modules")
}

dora if {
	some a in trainer.trainer_args
	contains(a, "model.use_dora")
}

qlora if {
	some a in trainer.trainer_args
	contains(a, "model.quantize_base")
	not dora
}

proc_value := trainer.trainer.numProcPerNode if {
	is_number(trainer.trainer.numProcPerNode)
} else := "auto"

single_device if {
	single_node
	proc_value == 1
}

single_device if {
	single_node
	gpu_count_one
}

# Resources per node: the TrainJob's, else the first node container's of the runtime's trainer job.
# (No iteration in an else body: the embedded engine's compiled mode never leaves such a body for
# the next else.)
resources := trainer.trainer.resourcesPerNode if {
	is_object(trainer.trainer.resourcesPerNode)
} else := node_resources[0] if {
	count(node_resources) > 0
} else := {}

node_resources := [c.resources |
	some job in trainer.merged_jobs
	trainer.job_ancestor(job) == "trainer"
	some c in trainer.pod_list(trainer.pod_spec_or_empty(job), "containers")
	c.name == "node"
	is_object(c.resources)
]

gpu_section := resources.requests if {
	is_object(resources.requests)
	gpu_keys(resources.requests)
} else := resources.limits if {
	is_object(resources.limits)
}

gpu_keys(m) if {
	some k, _ in m
	trainer.ascii(k)
	contains(lower(k), "gpu")
}

gpu_count_one if {
	some k, v in gpu_section
	trainer.ascii(k)
	contains(lower(k), "gpu")
	v in {1, "1"}
}

config_suffix := "_qlora_single_device" if {
	single_device
	qlora
} else := "_lora_single_device" if {
	single_device
	lora
} else := "_full_single_device" if {
	single_device
} else := "_qlora" if {
	single_node
	qlora
} else := "_lora" if {
	single_node
	lora
} else := "_full_multinode" if {
	multi_node
} else := "_full"

"""The GPU path, on paper: the seed article's configuration, Mistral 7B's shapes, LoRA's share and QLoRA's memory
budget on Mistral 7B, the FSDP launch, and a few QLoRA steps on a CUDA machine."""

from __future__ import annotations

import shutil
import time
from typing import Any

import pandas as pd

from .adapters import finetune_dir
from .training import LORA_TARGETS, _import_peft, lora_config, lora_parameters, set_seed

# The seed article's `setup_lora_training()` configuration, as data.
SEED_CONFIG: dict[str, Any] = {
    "model_name": "mistralai/Mistral-7B-Instruct-v0.3",
    "lora_r": 16,
    "lora_alpha": 32,
    "lora_dropout": 0.05,
    "target_modules": list(LORA_TARGETS),
    "batch_size": 4,
    "learning_rate": 2e-4,
    "num_epochs": 3,
}

# Mistral 7B's attention projections: (in_features, out_features) per layer; 32 layers, hidden 4096,
# 8 KV heads x 128 = 1024 for k and v (grouped-query attention).
MISTRAL_7B_LAYERS = 32
MISTRAL_7B_ATTENTION = {"q_proj": (4096, 4096), "k_proj": (4096, 1024), "v_proj": (4096, 1024), "o_proj": (4096, 4096)}


# --- the GPU path, on paper ------------------------------------------------------------------------

def mistral_7b_lora_share(r: int = 16) -> dict[str, Any]:
    """LoRA on Mistral 7B's q/k/v/o at rank `r`, from its shapes: trainable parameters and share of the total."""
    from ..family import count_parameters, get_model

    total = count_parameters(get_model("Mistral 7B")).total
    lora = lora_parameters(MISTRAL_7B_ATTENTION, r, MISTRAL_7B_LAYERS)
    return {"model": "Mistral 7B", "r": r, "trainable": lora, "total": total + lora,
            "trainable %": round(100 * lora / (total + lora), 3)}


def gpu_qlora_settings() -> dict[str, Any]:
    """The seed's configuration as the settings a Mistral 7B QLoRA run on one GPU would use."""
    return {
        "model": SEED_CONFIG["model_name"],
        "quantization": "4-bit NF4, double quantization, BF16 compute (BitsAndBytesConfig)",
        "LoRA": f"r {SEED_CONFIG['lora_r']}, alpha {SEED_CONFIG['lora_alpha']}, dropout {SEED_CONFIG['lora_dropout']}, "
                f"targets {', '.join(SEED_CONFIG['target_modules'])}",
        "per-device batch": SEED_CONFIG["batch_size"],
        "gradient accumulation": 4,
        "effective batch": SEED_CONFIG["batch_size"] * 4,
        "learning rate": SEED_CONFIG["learning_rate"],
        "epochs": SEED_CONFIG["num_epochs"],
        "sequence length": 1024,
        "optimizer": "paged_adamw_8bit",
        "precision": "bf16",
        "gradient checkpointing": True,
    }


def qlora_memory_gb(r: int = 16, batch: int = 4, seq_len: int = 1024) -> pd.DataFrame:
    """A rough memory budget for QLoRA on Mistral 7B (GB = 1e9 bytes), from its shapes.

    Weights: NF4 with double quantization for the linear layers, 16-bit embeddings and head
    (`quantize_hf.predicted_bytes`). Adapters: FP32 weights + gradients + two AdamW moments.
    Activations with gradient checkpointing: about one BF16 hidden state per layer and token,
    plus one layer's full activations (~16 x hidden per token) recomputed at a time.
    """
    from ..family import count_parameters, get_model
    from ..quantize_hf import nf4_bits, predicted_bytes

    n = count_parameters(get_model("Mistral 7B"))
    weights = predicted_bytes(n.total - n.embeddings, n.embeddings, nf4_bits(double_quant=True), 16)
    lora = lora_parameters(MISTRAL_7B_ATTENTION, r, MISTRAL_7B_LAYERS)
    adapters = lora * 4 * 4
    hidden = 4096
    tokens = batch * seq_len
    activations = tokens * hidden * 2 * MISTRAL_7B_LAYERS + tokens * hidden * 2 * 16
    logits = tokens * 32768 * 4 * 2  # FP32 logits and their gradient for the 32,768-token vocabulary
    rows = {"4-bit base weights": weights, "LoRA weights, grads, AdamW states (FP32)": adapters,
            "activations (checkpointed)": activations, "logits + their gradient": logits}
    frame = pd.DataFrame({"GB": {k: round(v / 1e9, 2) for k, v in rows.items()}})
    frame.loc["total (plus ~1 GB CUDA context)"] = round(sum(rows.values()) / 1e9 + 1.0, 2)
    return frame


ACCELERATE_FSDP_CONFIG = """\
compute_environment: LOCAL_MACHINE
distributed_type: FSDP
mixed_precision: bf16
num_machines: 1
num_processes: 4            # one process per GPU
fsdp_config:
  fsdp_version: 2
  fsdp_auto_wrap_policy: TRANSFORMER_BASED_WRAP
  fsdp_transformer_layer_cls_to_wrap: MistralDecoderLayer
  fsdp_state_dict_type: SHARDED_STATE_DICT
  fsdp_cpu_ram_efficient_loading: true
  fsdp_offload_params: false
  fsdp_reshard_after_forward: true
"""

ACCELERATE_LAUNCH = "accelerate launch --config_file fsdp.yaml train_qlora.py  # 4 GPUs, one process each"


def gpu_example_run(steps: int = 3) -> dict[str, Any]:
    """On a CUDA machine: a few QLoRA steps on a Mistral-architecture model built from a config.

    Mistral 7B's weights cannot be downloaded here, so the GPU path is checked with a small model of
    the same architecture; with the weights, replace `from_config` by
    `from_pretrained("mistralai/Mistral-7B-Instruct-v0.3", quantization_config=...)`. Returns what
    ran, or says why nothing did.
    """
    import torch

    if not torch.cuda.is_available():
        return {"ran": False, "why": "no CUDA GPU here: this is the code a GPU machine runs; the CPU path above is "
                                     "the same recipe on the stand-in"}
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig, MistralConfig

    peft = _import_peft()
    config = MistralConfig(hidden_size=1024, intermediate_size=3584, num_hidden_layers=8, num_attention_heads=16,
                           num_key_value_heads=4, vocab_size=32768)
    bnb = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                             bnb_4bit_compute_dtype=torch.bfloat16)
    set_seed(0)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16).cuda()
    folder = finetune_dir() / "gpu-check-model"
    model.save_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder, quantization_config=bnb, device_map="cuda")
    model = peft.prepare_model_for_kbit_training(model, use_gradient_checkpointing=True)
    model = peft.get_peft_model(model, lora_config())
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=SEED_CONFIG["learning_rate"])
    ids = torch.randint(5, 32768, (SEED_CONFIG["batch_size"], 256), device="cuda")
    losses = []
    started = time.perf_counter()
    for _ in range(steps):
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(round(float(loss), 3))
    torch.cuda.synchronize()
    shutil.rmtree(folder, ignore_errors=True)
    return {"ran": True, "device": torch.cuda.get_device_name(0), "steps": steps, "losses": losses,
            "seconds / step": round((time.perf_counter() - started) / steps, 3),
            "peak GPU memory GB": round(torch.cuda.max_memory_allocated() / 1e9, 2)}

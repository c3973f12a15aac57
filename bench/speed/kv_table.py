#!/usr/bin/env python3
"""Snapshot the inputs fit.py takes from the vramfit binary, so that fit.py is
deterministic and does not need the binary:

  gpus_catalog.json  `vramfit list gpus --format json`
  kv_table.json      per catalog model, the KV-cache layout as vramfit computes it
                     for llama.cpp (f16 K+V, flash attention on, one sequence):
                       kv_bytes_per_ctx_token      (kv(65536) - kv(32768)) / 32768:
                                                   full-attention layers only
                       kv_swa_const_bytes          kv(32768) - slope*32768: the sliding-window
                                                   cells, fixed once the window is full
                       kv_bytes_per_ctx_token_small (kv(512) - kv(256)) / 256: all layers while
                                                   the context is shorter than the window
                       recurrent_state_bytes       SSM / linear-attention state (fixed)
                     fit.py reads, per decoded token at context c:
                       min(small*c, slope*c + swa_const) + recurrent_state

    python3 bench/speed/kv_table.py [path/to/vramfit]   (default build/vramfit)

Re-run after the catalog changes; fit.py reads only the two JSON files.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# vramfit catalog ids whose KV layout fit.py needs (see MODELS in fit.py).
MODEL_IDS = [
    "llama-3.1-8b", "llama-3.3-70b", "llama-3.2-1b-instruct", "llama-3.2-3b-instruct",
    "mistral-7b-instruct-v0.3", "mistral-small-3.1-24b-instruct-2503",
    "qwen2.5-7b-instruct", "qwen3-4b", "qwen3-14b", "qwen3-32b",
    "qwen3-30b-a3b", "qwen3-235b-a22b-instruct-2507",
    "qwen3.6-27b", "qwen3.6-35b-a3b", "qwen3.5-122b-a10b",
    "gemma-3-4b-it", "gemma-3-12b", "gemma-3-27b", "gemma-2-27b-it",
    "gpt-oss-20b", "gpt-oss-120b", "glm-4.5-air", "llama-4-scout-17b-16e-instruct",
    "hunyuan-a13b", "minimax-m2.5",
]
GPU = "rtx-pro-6000-blackwell-ws"  # any GPU: the KV size does not depend on it


def run(vramfit, args):
    out = subprocess.run([vramfit] + args, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    vramfit = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "build", "vramfit")
    gpus = run(vramfit, ["list", "gpus", "--format", "json"])
    with open(os.path.join(HERE, "gpus_catalog.json"), "w") as f:
        json.dump(gpus, f, indent=1, sort_keys=True)
        f.write("\n")
    table = {"vramfit_version": gpus.get("vramfit_version"), "catalog": gpus.get("catalog"),
             "method": "vramfit -m ID -g %s -q Q8_0 -c 256,512,32768,65536 --format json; "
                       "memory.kv_cache_bytes and memory.recurrent_state_bytes" % GPU,
             "models": {}}
    for mid in MODEL_IDS:
        d = run(vramfit, ["-m", mid, "-g", GPU, "-q", "Q8_0", "-c", "256,512,32768,65536", "--no-ladder",
                          "--format", "json"])
        kv = {r["context_tokens"]: r["memory"]["kv_cache_bytes"] for r in d["results"]}
        rec = d["results"][0]["memory"]["recurrent_state_bytes"]
        slope = (kv[65536] - kv[32768]) / 32768.0
        table["models"][mid] = {
            "kv_bytes_per_ctx_token": slope,
            "kv_swa_const_bytes": kv[32768] - slope * 32768,
            "kv_bytes_per_ctx_token_small": (kv[512] - kv[256]) / 256.0,
            "recurrent_state_bytes": rec,
            "layers": d["model"]["layers"],
            "full_attention_layers": d["model"]["full_attention_layers"],
            "sliding_window_layers": d["model"]["sliding_window_layers"],
            "recurrent_layers": d["model"]["recurrent_layers"],
        }
    with open(os.path.join(HERE, "kv_table.json"), "w") as f:
        json.dump(table, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote gpus_catalog.json (%d GPUs) and kv_table.json (%d models)" % (len(gpus["gpus"]), len(table["models"])))


if __name__ == "__main__":
    main()

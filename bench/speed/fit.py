#!/usr/bin/env python3
"""Fit vramfit's decode and prompt-processing speed constants on published
llama-bench rows, and evaluate them on held-out sources.

    python3 bench/speed/fit.py          (from the repository root; stdlib only)

Inputs (all in the repository, nothing is fetched):
  bench/published/*.json        llama-bench rows, verbatim, one file per source
  bench/speed/gpus_catalog.json `vramfit list gpus --format json` snapshot
  bench/speed/kv_table.json     KV-cache bytes per context token, from vramfit
  (both snapshots are refreshed by bench/speed/kv_table.py)

Outputs (overwritten, byte-identical on every run):
  bench/speed/constants.json    fitted constants with data counts
  bench/speed/REPORT.md         before/after errors, constants, exclusions, tables
  bench/speed/predictions.csv   one line per usable row: inputs, prediction, error

Decode model (the form src/memory/estimate.cpp uses):
  seconds/token = bytes_read / (BW * eff[backend] * deq[family]) + n_layers * layer_s[backend]
  bytes_read    = file size * active fraction + KV bytes read at the row's context
Prefill model:
  tokens/s      = eff_pp[backend] * fac_pp[family] * (peak/100)^scale * peak*1e12
                  / (2 * active params [+ attention FLOPs per token])
  peak          = the GPU's dense FP16 tensor rate with FP16 accumulate (catalog
                  fp16_accumulate_tflops where it differs, else fp16_tflops);
                  scale < 0: larger GPUs reach a smaller share of their peak
"""
import csv
import glob
import hashlib
import io
import json
import math
import os
import re
import statistics
from collections import Counter, OrderedDict, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
PUBLISHED = os.path.join(HERE, "..", "published")

# --------------------------------------------------------------------------
# Settings

SPLIT_SALT = "vramfit-speed-split-v1"
HOLDOUT_SHARE = 0.35          # share of SOURCES (hash of the source URL) held out
MIN_ROWS_BACKEND = 10         # fit a backend's constants only with this many fit rows
MIN_ROWS_FAMILY = 20          # fit a type family's factor only with this many fit rows ...
MIN_DEVICES_FAMILY = 2        # ... on at least this many distinct GPUs
RIDGE = 0.01                  # weak pull of log-parameters toward the C++ constants,
                              # as a share of the total row weight (see REPORT)
KV_IGNORE_CTX = 512           # KV unknown: rows whose mean context <= this ignore KV
PEAK_REF_TFLOPS = 100.0       # prefill: the size exponent is relative to a 100 TFLOPS GPU
HUBER = 0.25                  # robust loss: log residuals beyond this get weight HUBER/|r|
                              # (iteratively reweighted); None = plain mean squared log error

BACKENDS = ["CUDA", "Metal", "ROCm", "Vulkan", "SYCL", "CPU"]
FAMILIES = ["K", "legacy", "IQ", "MXFP4", "float"]
FAMILY_NAMES = {"K": "K-quants (Q2_K..Q6_K; reference, fixed 1.0)",
                "legacy": "legacy (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0)",
                "IQ": "i-quants (IQ1..IQ4)", "MXFP4": "MXFP4",
                "float": "F16 / BF16 / F32"}

# Current constants in src/memory/estimate.cpp (speed_rule), the "before" baseline.
BEFORE = {
    "CUDA": (0.457, 82e-6), "Metal": (0.457, 82e-6), "ROCm": (0.457, 82e-6),
    "Vulkan": (0.457, 82e-6), "SYCL": (0.457, 82e-6), "CPU": (0.50, 10e-6),
}

# --------------------------------------------------------------------------
# Models: layers, active fraction and KV layout per (arch token, params range).
# "vramfit": catalog id in kv_table.json (layers and KV exact from vramfit's catalog,
# whose entries carry their own config.json sources). "kv_calc": bytes per context
# token computed as 2 (K,V) x layers x KV heads x head dim x 2 bytes (f16).
# "active": (active, total) parameters as the cited card states them.

MODELS = [
    # arch, min B, max B, name, layers, layers source, active, active source, kv key / bytes
    dict(arch="llama", lo=6.70, hi=6.78, name="LLaMA / Llama-2 7B", layers=32,
         src="Llama-2-7b config.json (32 layers, 32 KV heads x 128); values from memory, not re-fetched",
         kv_calc=2 * 32 * 32 * 128 * 2),
    dict(arch="llama", lo=7.20, hi=7.30, name="Mistral 7B (llama arch)", vramfit="mistral-7b-instruct-v0.3"),
    dict(arch="llama", lo=8.00, hi=8.10, name="Llama 3 / 3.1 8B", vramfit="llama-3.1-8b"),
    dict(arch="llama", lo=12.9, hi=13.1, name="Llama-2 13B", layers=40,
         src="Llama-2-13b config.json (40 layers, 40 KV heads x 128); values from memory, not re-fetched",
         kv_calc=2 * 40 * 40 * 128 * 2),
    dict(arch="llama", lo=23.5, hi=23.7, name="Mistral Small 3.1 24B (llama 13B label)",
         vramfit="mistral-small-3.1-24b-instruct-2503"),
    dict(arch="llama", lo=70.4, hi=70.7, name="Llama 3 / 3.3 70B", vramfit="llama-3.3-70b"),
    dict(arch="llama", lo=1.09, hi=1.11, name="TinyLlama 1.1B", layers=22,
         src="TinyLlama-1.1B config.json (22 layers, 4 KV heads x 64); values from memory, not re-fetched",
         kv_calc=2 * 22 * 4 * 64 * 2),
    dict(arch="llama", lo=1.20, hi=1.30, name="Llama 3.2 1B", vramfit="llama-3.2-1b-instruct"),
    dict(arch="llama", lo=3.20, hi=3.22, name="Llama 3.2 3B", vramfit="llama-3.2-3b-instruct"),
    dict(arch="qwen2", lo=7.60, hi=7.65, name="Qwen2 / Qwen2.5 7B", vramfit="qwen2.5-7b-instruct"),
    dict(arch="qwen2", lo=14.7, hi=14.8, name="Qwen2.5 14B", layers=48,
         src="Qwen2.5-14B config.json (48 layers, 8 KV heads x 128); values from memory, not re-fetched",
         kv_calc=2 * 48 * 8 * 128 * 2),
    dict(arch="qwen3", lo=4.00, hi=4.05, name="Qwen3 4B", vramfit="qwen3-4b"),
    dict(arch="qwen3", lo=14.7, hi=14.8, name="Qwen3 14B", vramfit="qwen3-14b"),
    dict(arch="qwen3", lo=32.7, hi=32.8, name="Qwen3 32B", vramfit="qwen3-32b"),
    dict(arch="qwen3moe", lo=30.5, hi=30.6, name="Qwen3-30B-A3B", vramfit="qwen3-30b-a3b",
         active=(3.3, 30.5), active_src="vramfit catalog qwen3-30b-a3b (HF model card: 30.5B total, 3.3B activated)"),
    dict(arch="qwen3moe", lo=234.0, hi=236.0, name="Qwen3-235B-A22B", vramfit="qwen3-235b-a22b-instruct-2507",
         active=(22.0, 235.0), active_src="vramfit catalog qwen3-235b-a22b (HF model card: 235B total, 22B activated)"),
    dict(arch="qwen35", lo=27.2, hi=27.4, name="Qwen3.6-27B (kyuz0 file name)", vramfit="qwen3.6-27b"),
    dict(arch="qwen35moe", lo=34.5, hi=35.6, name="Qwen3.6-35B-A3B (kyuz0 file names)", vramfit="qwen3.6-35b-a3b",
         active=(3.0, 35.0), active_src="vramfit catalog qwen3.6-35b-a3b (model card: 35B total, 3B active)"),
    dict(arch="qwen35moe", lo=122.0, hi=122.2, name="Qwen3.5-122B-A10B", vramfit="qwen3.5-122b-a10b",
         active=(10.0, 122.0), active_src="vramfit catalog qwen3.5-122b-a10b (122B total / 10B active)"),
    dict(arch="gemma3", lo=3.85, hi=3.90, name="Gemma 3 4B", vramfit="gemma-3-4b-it"),
    dict(arch="gemma3", lo=11.7, hi=11.8, name="Gemma 3 12B", vramfit="gemma-3-12b"),
    dict(arch="gemma3", lo=26.9, hi=27.1, name="Gemma 3 27B", vramfit="gemma-3-27b"),
    dict(arch="gemma2", lo=28.3, hi=28.5, name="Gemma 2 27B", vramfit="gemma-2-27b-it"),
    dict(arch="gemma3n", lo=6.8, hi=6.9, name="Gemma 3n E4B", layers=35,
         src="gemma-3n-E4B: 35 layers; value from memory, not re-fetched"),
    dict(arch="gemma4", lo=25.1, hi=25.3, name="Gemma 4 26B-A4B", layers=30,
         src="GGUF metadata gemma4.block_count 30 (ollama.com/library/gemma4:26b-a4b-it-q4_K_M blob 7121486771cb)",
         active=(3.8, 25.2),
         active_src="huggingface.co/OpenExplorer/gemma-4-26B-A4B-it (quoting google/gemma-4-26B-A4B-it: 25.2B total, 3.8B active)"),
    dict(arch="gemma4", lo=30.6, hi=30.8, name="Gemma 4 31B", layers=60,
         src="GGUF metadata gemma4.block_count 60 (ollama.com/huihui_ai/gemma-4-abliterated:31b-v2-q4_K, a derivative of google/gemma-4-31B-it with the same shapes)"),
    dict(arch="gpt-oss", lo=20.8, hi=21.0, name="gpt-oss-20b", vramfit="gpt-oss-20b",
         active=(3.6, 20.9), active_src="vramfit catalog gpt-oss-20b (OpenAI model card: 21B total, 3.6B active)"),
    dict(arch="gpt-oss", lo=116.0, hi=117.5, name="gpt-oss-120b", vramfit="gpt-oss-120b",
         active=(5.1, 117.0), active_src="vramfit catalog gpt-oss-120b (OpenAI model card: 117B total, 5.1B active)"),
    dict(arch="deepseek2", lo=29.8, hi=30.0, name="GLM-4.7-Flash (deepseek2 arch, kyuz0 file names)", layers=47,
         src="GGUF metadata deepseek2.block_count 47 (GLM-4.7-Flash-Q4_K_M metadata dump in the code index; zai-org/GLM-4.7-Flash config num_hidden_layers 47)",
         active=None, active_src="name 30B.A3B"),
    dict(arch="dots1", lo=142.6, hi=142.9, name="dots.llm1", layers=62,
         src="transformers Dots1Config num_hidden_layers=62 (huggingface.co/docs/transformers/model_doc/dots1)",
         active=(14.0, 142.0), active_src="huggingface.co/docs/transformers/model_doc/dots1 (14B activated of 142B)"),
    dict(arch="glm4moe", lo=110.3, hi=110.6, name="GLM-4.5-Air", vramfit="glm-4.5-air",
         active=(12.0, 106.0), active_src="vramfit catalog glm-4.5-air (106B total, 12B active)"),
    dict(arch="hunyuan-moe", lo=80.3, hi=80.5, name="Hunyuan-A13B", vramfit="hunyuan-a13b",
         active=(13.0, 80.0), active_src="vramfit catalog hunyuan-a13b (80B total / 13B active; marked not verified there)"),
    dict(arch="llama4", lo=107.7, hi=107.8, name="Llama 4 Scout 17B-16E", vramfit="llama-4-scout-17b-16e-instruct",
         active=(17.0, 109.0), active_src="vramfit catalog llama-4-scout (109B total / 17B active)"),
    dict(arch="minimax-m2", lo=228.6, hi=228.8, name="MiniMax-M2.7 (kyuz0 file name)", vramfit="minimax-m2.5",
         vramfit_note="KV/layers of MiniMax-M2.5, the same MiniMaxM2ForCausalLM architecture (docs.nvidia.com Megatron-Bridge minimax-m2 page; HF amd/MiniMax-M2.7-BF16 config: 62 layers, 8 KV heads x 128)",
         active=(10.0, 230.0), active_src="vercel.com/ai-gateway/models/minimax-m2 (230B total, 10B active) and llama.cpp label 230B.A10B"),
    dict(arch="mistral3", lo=13.4, hi=13.6, name="Ministral 3 14B (kyuz0 file name)"),
    dict(arch="nemotron_h_moe", lo=120.5, hi=120.8, name="Nemotron 3 Super 120B-A12B (kyuz0 file name)",
         active=(12.0, 120.0), active_src="huggingface.co/nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-NVFP4 model card (120B total, 12B active)"),
    dict(arch="phi2", lo=2.7, hi=2.8, name="Phi-2", layers=32,
         src="phi-2 config.json (32 layers); value from memory, not re-fetched"),
]

MOE_ARCHES = {"qwen3moe", "qwen35moe", "gpt-oss", "deepseek2", "glm4moe", "dots1", "hunyuan-moe",
              "llama4", "minimax-m2", "nemotron_h_moe", "mixtral", "qwen2moe", "deepseek", "gemma4moe"}

# n_layers when the model is not in MODELS with a layer count (by total params).
LAYER_FALLBACK = [(2.0, 22), (5.0, 32), (10.0, 32), (16.0, 40), (40.0, 64), (80.0, 80), (1e9, 90)]

# --------------------------------------------------------------------------
# Device names -> catalog GPUs. Names are normalised (see norm_device); a name
# that matches several catalog GPUs with different bandwidth is ambiguous and
# only resolved by the memory size in the name or by the explicit tables here.

DEVICE_EXTRA = {
    # normalised name: (catalog id, reason)
    "8060s": ("strix-halo-128gb", "the Radeon 8060S iGPU exists only in the Ryzen AI Max+ 395 (Strix Halo); "
                                  "the 64 GB and 128 GB catalog entries share bandwidth and FP16 rate"),
}
DEVICE_BY_SOURCE = [
    # (source URL prefix, device as printed, catalog id, reason)
    ("https://github.com/lhl/strix-halo-testing/", "AMD Radeon Graphics", "strix-halo-128gb",
     "ROCm gpu_info of a Strix Halo test repo; cpu_info in the same JSON records is "
     "'AMD RYZEN AI MAX+ 395 w/ Radeon 8060S' or its engineering sample"),
    ("https://github.com/XiongjieDai/GPU-Benchmarks-on-LLM-Inference/", "NVIDIA GeForce RTX 3080", "rtx3080-10gb",
     "repository README @aa72e0e lists the card as '3080 10GB'"),
    ("https://github.com/XiongjieDai/GPU-Benchmarks-on-LLM-Inference/", "Apple M3 Max", "m3-max-40c-64gb",
     "repository README @aa72e0e: 'M3 Max 40-Core GPU 64GB' (notebook M3max_64GB.ipynb)"),
    ("https://github.com/XiongjieDai/GPU-Benchmarks-on-LLM-Inference/", "Apple M1 Max", "m1-max-64gb",
     "repository README @aa72e0e: 'M1 Max 32-Core GPU 64GB'"),
    ("https://github.com/XiongjieDai/GPU-Benchmarks-on-LLM-Inference/", "Apple M1", "m1-8gb",
     "repository README @aa72e0e: 'M1 7-Core GPU 8GB'"),
    ("https://github.com/geerlingguy/ai-benchmarks/issues/25", "AMD Radeon Graphics (RADV GFX1201) (radv)", "rx9070xt",
     "issue title 'Benchmark AMD RX 9070 XT on Raspberry Pi 5'"),
]
INTEGRATED = {"strix-halo-64gb", "strix-halo-128gb", "gb10-dgx-spark"}  # plus every Metal GPU

DROP_WORDS = {"nvidia", "geforce", "amd", "apple", "intel", "radeon", "instinct", "graphics", "mac", "studio",
              "macbook", "air", "tm", "r"}


def norm_device(s):
    """-> (normalised name, memory GB stated in the name or None)."""
    s = s.lower()
    mem = None
    m = re.search(r"(\d+)\s*gb\b", s)
    if m:
        mem = int(m.group(1))
        s = s[:m.start()] + " " + s[m.end():]
    s = s.replace("(r)", " ").replace("(tm)", " ")
    s = re.sub(r"\([^)]*\)", " ", s)
    words = [w for w in re.split(r"[^a-z0-9]+", s) if w and w not in DROP_WORDS]
    return " ".join(words), mem


class Catalog:
    def __init__(self, doc):
        self.version = doc.get("catalog", {}).get("version")
        self.gpus = {g["id"]: g for g in doc["gpus"]}
        self.by_key = defaultdict(list)
        for g in doc["gpus"]:
            for name in [g["name"]] + list(g.get("aliases") or []):
                key, _ = norm_device(name)
                if key and g["id"] not in self.by_key[key]:
                    self.by_key[key].append(g["id"])

    def match(self, row):
        """-> (gpu id or None, how / why not)."""
        dev = row.get("device") or ""
        for prefix, printed, gid, why in DEVICE_BY_SOURCE:
            if row["source"].startswith(prefix) and dev == printed:
                return gid, "source-stated: " + why
        key, mem = norm_device(dev)
        if key in DEVICE_EXTRA:
            return DEVICE_EXTRA[key][0], "table: " + DEVICE_EXTRA[key][1]
        ids = self.by_key.get(key, [])
        if not key:
            return None, "generic name (nothing left after normalisation)"
        if not ids:
            return None, "no catalog GPU named '%s'" % key
        if mem is not None:
            sized = [i for i in ids if abs(self.gpus[i]["memory_bytes"] / 2**30 - mem) <= 0.1 * mem]
            if sized:
                ids = sized
        bws = {(self.gpus[i]["bandwidth_gbps"], self.gpus[i].get("fp16_tflops")) for i in ids}
        if len(bws) > 1:
            return None, "ambiguous: %s" % ", ".join(sorted(ids))
        # Same bandwidth and FP16 rate: take the largest memory size (only the
        # memory-fit rule looks at the size).
        return sorted(ids, key=lambda i: (-self.gpus[i]["memory_bytes"], i))[0], "name/alias"


# --------------------------------------------------------------------------
# Row parsing

def parse_float(v):
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    m = re.match(r"^\s*([0-9.]+)", str(v))
    return float(m.group(1)) if m else None


def parse_size(v):
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)  # JSONL model_size, bytes
    m = re.match(r"^\s*([0-9.]+)\s*(GiB|MiB|KiB)\s*$", str(v))
    if not m:
        return None
    return float(m.group(1)) * {"GiB": 2**30, "MiB": 2**20, "KiB": 2**10}[m.group(2)]


def parse_params(v):
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)  # JSONL model_n_params, count
    m = re.match(r"^\s*([0-9.]+)\s*([BMK])\s*$", str(v))
    if not m:
        return None
    return float(m.group(1)) * {"B": 1e9, "M": 1e6, "K": 1e3}[m.group(2)]


def parse_test(t):
    """-> (kind 'pp'/'tg'/'pg'/None, n, depth)."""
    s = str(t or "").strip()
    if "+" in s:
        return "pg", None, None
    m = re.match(r"^(pp|tg)\s*(\d+)(?:\s*@\s*d\s*(\d+))?$", s)
    if not m:
        return None, None, None
    return m.group(1), int(m.group(2)), int(m.group(3) or 0)


def parse_quant(model):
    """-> (quant label, family) from the model string, or (None, None)."""
    s = model or ""
    m = re.search(r"\b(IQ[1-4]_[A-Z0-9]+)", s)
    if m:
        return m.group(1), "IQ"
    m = re.search(r"\bQ([2-8])_K(?:_([SML])| - (Small|Medium|Large))?", s)
    if m:
        size = m.group(2) or (m.group(3) or "")[:1]
        return "Q%s_K%s" % (m.group(1), "_" + size if size else ""), "K"
    m = re.search(r"\bQ([4-8])_([01])\b", s)
    if m:
        return "Q%s_%s" % (m.group(1), m.group(2)), "legacy"
    if "MXFP4" in s:
        return "MXFP4", "MXFP4"
    m = re.search(r"\b(BF16|F16|F32)\b", s)
    if m:
        if s.startswith("gpt-oss"):
            # gpt-oss experts stay MXFP4 in every file type (vramfit catalog note):
            # the bulk of the bytes read is MXFP4.
            return m.group(1) + " (experts MXFP4)", "MXFP4"
        return m.group(1), "float"
    return None, None


def backend_family(row, gpu):
    b = (row.get("backend") or "").lower()
    if not b:
        return None
    if "cuda" in b:
        # A HIP build of the CUDA backend prints CUDA on AMD GPUs (issue #8186).
        return "ROCm" if gpu is not None and gpu["backend"] == "ROCm" else "CUDA"
    if "mtl" in b or "metal" in b:
        return "Metal"
    if "vulkan" in b:
        return "Vulkan"
    if "rocm" in b or "hip" in b:
        return "ROCm"
    if "sycl" in b:
        return "SYCL"
    if b.startswith("cpu"):
        return "CPU"
    return None  # OpenCL, HTP: not modelled


def find_model(arch, params_b):
    for m in MODELS:
        if m["arch"] == arch and m["lo"] <= params_b <= m["hi"]:
            return m
    return None


def split_of(source):
    h = int(hashlib.sha256((SPLIT_SALT + ":" + source).encode()).hexdigest()[:8], 16) / 2.0**32
    return "holdout" if h < HOLDOUT_SHARE else "fit"


def group_of(source):
    m = re.match(r"https://github\.com/([^/]+/[^/]+)/(blob|issues|pull)/([^/]+)", source)
    if m.group(2) == "blob":
        return m.group(1)
    return "%s#%s" % (m.group(1), m.group(3))


# --------------------------------------------------------------------------
# Building the data sets

def load_rows():
    rows = []
    for path in sorted(glob.glob(os.path.join(PUBLISHED, "*.json"))):
        with open(path, encoding="utf-8") as f:
            rows.extend(json.load(f))
    # canonical order, independent of the file layout
    rows.sort(key=lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False))
    return rows


def build(rows, cat, kvt):
    """-> decode rows, prefill rows, exclusion counters, device resolutions."""
    dec, pre = [], []
    ex_common = Counter()
    ex_dec = Counter()
    ex_pre = Counter()
    unmatched = Counter()
    resolved = Counter()
    model_use = Counter()
    device_backend = {}
    for r in rows:
        kind, n, depth = parse_test(r.get("test"))
        if r.get("format") == "compare-llama-bench":
            ex_common["compare-llama-bench table (no size/params/backend printed; mostly tiny n_ubatch)"] += 1
            continue
        if kind == "pg":
            ex_common["pp+tg combined test (-pg): neither prefill nor decode"] += 1
            continue
        if kind is None:
            ex_common["test label not pp/tg"] += 1
            continue
        gid, how = cat.match(r)
        gpu = cat.gpus.get(gid) if gid else None
        be = backend_family(r, gpu)
        if be is None:
            ex_common["backend not modelled (%s)" % r.get("backend")] += 1
            continue
        device_backend[r.get("device")] = be
        if gpu is None:
            ex_common["device not matched to the catalog"] += 1
            unmatched[(r.get("device"), how)] += 1
            continue
        resolved[(r.get("device"), gid, how)] += 1
        dc = r.get("device_count")
        if dc is None:
            if not (gid in INTEGRATED or gpu["backend"] == "Metal"):
                ex_common["device count not printed (discrete GPU)"] += 1
                continue
        elif int(dc) != 1:
            ex_common["multi-GPU (device_count %s)" % dc] += 1
            continue
        quant, fam = parse_quant(r.get("model"))
        if fam is None:
            ex_common["no quant type in the model string"] += 1
            continue
        params = parse_params(r.get("params"))
        size = parse_size(r.get("size"))
        if params is None:
            ex_common["params not printed"] += 1
            continue
        arch = (r.get("model") or "").split()[0].lower()
        m = find_model(arch, params / 1e9)
        kv = None
        if m is not None and m.get("vramfit"):
            kvm = kvt["models"][m["vramfit"]]
            layers, layer_src = kvm["layers"], "vramfit catalog " + m["vramfit"]
            kv = kvm
        elif m is not None and m.get("layers"):
            layers, layer_src = m["layers"], m["src"]
            if m.get("kv_calc"):
                kv = {"kv_bytes_per_ctx_token": m["kv_calc"], "kv_bytes_per_ctx_token_small": m["kv_calc"],
                      "kv_swa_const_bytes": 0.0, "recurrent_state_bytes": 0.0}
        else:
            layers = next(l for top, l in LAYER_FALLBACK if params / 1e9 <= top)
            layer_src = "size-class fallback (LAYER_FALLBACK)"
        ngl = r.get("ngl")
        if ngl is not None and int(ngl) < layers:
            ex_common["not full offload (ngl %s < %d layers)" % (ngl, layers)] += 1
            continue
        is_moe = arch in MOE_ARCHES or bool(re.search(r"\d+B\.A\d+B|\bA\d+B\b|MoE|x\d+E\b", r.get("model") or ""))
        active, active_src = 1.0, "dense"
        if is_moe:
            if m is not None and m.get("active"):
                active, active_src = m["active"][0] / m["active"][1], m["active_src"]
            else:
                nm = re.search(r"(\d+(?:\.\d+)?)B\.A(\d+(?:\.\d+)?)B", r.get("model") or "")
                if nm:
                    active = float(nm.group(2)) / float(nm.group(1))
                    active_src = "name %sB.A%sB" % (nm.group(1), nm.group(2))
                else:
                    ex_common["MoE with unknown active fraction"] += 1
                    continue
        def kv_at(c):
            if kv is None:
                return 0.0
            return min(kv["kv_bytes_per_ctx_token_small"] * c,
                       kv["kv_bytes_per_ctx_token"] * c + kv["kv_swa_const_bytes"]) + kv["recurrent_state_bytes"]

        if size is not None and size + kv_at(depth + n) > gpu["usable_bytes"]:
            ex_common["weights + KV exceed the GPU's usable memory (catalog usable_bytes): not an in-GPU run"] += 1
            continue
        t_s = parse_float(r.get("t_s"))
        if not t_s or t_s <= 0:
            ex_common["t/s not a positive number"] += 1
            continue
        model_use[(m["name"] if m else "(not in MODELS) " + r.get("model"), layers, layer_src,
                   "%.4f" % active, active_src)] += 1
        rec = dict(source=r["source"], group=group_of(r["source"]), split=split_of(r["source"]),
                   device=r.get("device"), gpu=gid, backend=be, model=r.get("model"), quant=quant, family=fam,
                   test=r.get("test"), kind=kind, n=n, depth=depth, t_s=t_s, size=size, params=params,
                   active=active, layers=layers, bw=gpu["bandwidth_gbps"] * 1e9, tflops=gpu.get("fp16_accumulate_tflops") or gpu.get("fp16_tflops"),
                   fa=r.get("fa"), n_ubatch=r.get("n_ubatch"))
        if kind == "tg":
            if size is None:
                ex_dec["size not printed"] += 1
                continue
            ctx = depth + n / 2.0  # mean context over the generated tokens
            if kv is None:
                if ctx > KV_IGNORE_CTX:
                    ex_dec["KV layout unknown and mean context > %d" % KV_IGNORE_CTX] += 1
                    continue
                kv_bytes = 0.0
            else:
                kv_bytes = kv_at(ctx)
            rec["kv_bytes"] = kv_bytes
            rec["bytes"] = size * active + kv_bytes
            dec.append(rec)
        else:
            if not rec["tflops"]:
                ex_pre["GPU has no fp16_tflops in the catalog"] += 1
                continue
            rec["flops_tok"] = 2.0 * params * active
            # Attention FLOPs per prompt token, for the variant with an attention term:
            # 4 * mean context * full-attention layers * hidden size, the hidden size
            # estimated as sqrt(active params / (12 * layers)).
            l_attn = kv["full_attention_layers"] if kv is not None and "full_attention_layers" in kv else layers
            d_est = math.sqrt(params * active / (12.0 * layers))
            rec["attn_flops_tok"] = 4.0 * (depth + n / 2.0) * l_attn * d_est
            rec["l_attn"] = l_attn
            pre.append(rec)
    return dec, pre, ex_common, ex_dec, ex_pre, unmatched, resolved, model_use, device_backend


# --------------------------------------------------------------------------
# Fitting: weighted least squares on log(t/s), Levenberg-Marquardt, stdlib.

def solve(a, b):
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda i: abs(m[i][c]))
        m[c], m[p] = m[p], m[c]
        piv = m[c][c]
        if abs(piv) < 1e-300:
            raise ZeroDivisionError
        for i in range(c + 1, n):
            f = m[i][c] / piv
            if f:
                for j in range(c, n + 1):
                    m[i][j] -= f * m[c][j]
    x = [0.0] * n
    for i in range(n - 1, -1, -1):
        x[i] = (m[i][n] - sum(m[i][j] * x[j] for j in range(i + 1, n))) / m[i][i]
    return x


def lm(theta0, prior, lam, data, resid_jac, iters=200):
    """Minimise sum w r^2 + sum_k lam[k] (theta_k - prior_k)^2 (Levenberg-Marquardt).
    resid_jac(theta, d) -> (r, {key: dr/dkey})."""
    keys = sorted(theta0)
    idx = {k: i for i, k in enumerate(keys)}
    th = dict(theta0)

    def cost(t):
        s = 0.0
        for d in data:
            r, _ = resid_jac(t, d)
            s += d["w"] * r * r
        return s + sum(lam.get(k, 0.0) * (t[k] - prior[k]) ** 2 for k in keys)

    c = cost(th)
    mu = 1e-3
    for _ in range(iters):
        n = len(keys)
        A = [[0.0] * n for _ in range(n)]
        g = [0.0] * n
        for d in data:
            r, jac = resid_jac(th, d)
            items = [(idx[k], v) for k, v in jac.items()]
            for i, vi in items:
                g[i] += d["w"] * vi * r
                for j, vj in items:
                    A[i][j] += d["w"] * vi * vj
        for k in keys:
            i = idx[k]
            A[i][i] += lam.get(k, 0.0)
            g[i] += lam.get(k, 0.0) * (th[k] - prior[k])
        improved, rel = False, 0.0
        while mu < 1e12:
            M = [row[:] for row in A]
            for i in range(n):
                M[i][i] += mu * (A[i][i] + 1e-12)
            step = solve(M, [-x for x in g])
            t2 = {k: th[k] + step[idx[k]] for k in keys}
            c2 = cost(t2)
            if c2 < c:
                rel = (c - c2) / max(c, 1e-300)
                th, c, mu, improved = t2, c2, max(mu / 10, 1e-12), True
                break
            mu *= 10
        if not improved or rel < 1e-12:
            break
    return th, c


def robust_lm(theta0, prior, lam, data, resid_jac, huber):
    """lm() with Huber weights by iterative reweighting (fixed number of rounds: deterministic)."""
    for d in data:
        d["w0"] = d["w"]
    th, c = lm(theta0, prior, lam, data, resid_jac)
    if huber:
        for _ in range(8):
            for d in data:
                r, _ = resid_jac(th, d)
                d["w"] = d["w0"] * (1.0 if abs(r) <= huber else huber / abs(r))
            th, c = lm(th, prior, lam, data, resid_jac)
    return th, c


def set_weights(data):
    cnt = Counter((d["gpu"], d["backend"]) for d in data)
    for d in data:
        d["w"] = 1.0 / math.sqrt(cnt[(d["gpu"], d["backend"])])


def fitted_sets(data):
    nb = Counter(d["backend"] for d in data)
    bes = sorted(b for b in nb if nb[b] >= MIN_ROWS_BACKEND)
    fams = []
    for f in FAMILIES:
        if f == "K":
            continue
        rows_f = [d for d in data if d["family"] == f and d["backend"] in bes]
        if len(rows_f) >= MIN_ROWS_FAMILY and len({d["gpu"] for d in rows_f}) >= MIN_DEVICES_FAMILY:
            fams.append(f)
    return bes, fams


def fit_decode(data, huber=HUBER):
    bes, fams = fitted_sets(data)
    use = [dict(d) for d in data if d["backend"] in bes]
    set_weights(use)
    th0 = {}
    for b in bes:
        th0["e:" + b] = math.log(BEFORE[b][0])
        th0["l:" + b] = math.log(BEFORE[b][1])
    for f in fams:
        th0["d:" + f] = 0.0
    prior = dict(th0)

    def rj(t, d):
        kd = "d:" + d["family"]
        a = math.exp(-t["e:" + d["backend"]] - t.get(kd, 0.0))
        x = d["bytes"] / d["bw"]
        ls = math.exp(t["l:" + d["backend"]])
        tt = x * a + d["layers"] * ls
        r = math.log(d["t_s"]) + math.log(tt)
        jac = {"e:" + d["backend"]: -x * a / tt, "l:" + d["backend"]: d["layers"] * ls / tt}
        if kd in t:
            jac[kd] = -x * a / tt
        return r, jac

    total_w = sum(d["w"] for d in use)
    th, _ = robust_lm(th0, prior, {k: RIDGE * total_w for k in th0}, use, rj, huber)
    return {"backends": {b: (math.exp(th["e:" + b]), math.exp(th["l:" + b])) for b in bes},
            "families": dict([("K", 1.0)] + [(f, math.exp(th["d:" + f])) for f in fams])}


def fit_prefill(data, attention, huber=HUBER):
    """The size exponent is fitted on the CUDA rows alone (the one backend with GPUs across a
    wide range of peak rates, 40-760 TFLOPS), then held fixed while every backend is fitted:
    AMD and Intel cards are few and the catalog's FP16 figures for them follow mixed conventions
    (dual-issue or not), which would otherwise steer the shared exponent."""
    cuda = [d for d in data if d["backend"] == "CUDA"]
    scale = fit_prefill_with(cuda, attention, huber, None)["scale"] if len(cuda) >= MIN_ROWS_BACKEND else 0.0
    return fit_prefill_with(data, attention, huber, scale)


def fit_prefill_with(data, attention, huber, scale):
    """scale None: fit the size exponent too; else hold it at `scale`."""
    bes, fams = fitted_sets(data)
    use = [dict(d) for d in data if d["backend"] in bes]
    set_weights(use)
    th0 = {"p:" + b: math.log(0.3) for b in bes}
    th0.update({"q:" + f: 0.0 for f in fams})
    if scale is None:
        th0["s"] = 0.0  # size exponent
    th0["m"] = 0.0  # MoE factor (expert routing, small per-expert batches), shared by every backend
    lam = {}
    if attention:
        total_w = sum(d["w"] for d in use)
        for b in bes:
            th0["a:" + b] = 0.0
            lam["a:" + b] = RIDGE * total_w  # attention multiplier: weak pull toward 1
    prior = dict(th0)

    def rj(t, d):
        kq, ka = "q:" + d["family"], "a:" + d["backend"]
        att = math.exp(t[ka]) * d["attn_flops_tok"] if ka in t else 0.0
        denom = d["flops_tok"] + att
        lscale = math.log(d["tflops"] / PEAK_REF_TFLOPS)
        moe = 1.0 if d["active"] < 1.0 else 0.0
        sc = t["s"] if "s" in t else scale
        lp = (t["p:" + d["backend"]] + t.get(kq, 0.0) + sc * lscale + t["m"] * moe +
              math.log(d["tflops"] * 1e12 / denom))
        jac = {"p:" + d["backend"]: -1.0, "m": -moe}
        if "s" in t:
            jac["s"] = -lscale
        if kq in t:
            jac[kq] = -1.0
        if ka in t:
            jac[ka] = att / denom
        return math.log(d["t_s"]) - lp, jac

    th, _ = robust_lm(th0, prior, lam, use, rj, huber)
    return {"backends": {b: math.exp(th["p:" + b]) for b in bes},
            "families": dict([("K", 1.0)] + [(f, math.exp(th["q:" + f])) for f in fams]),
            "attention": {b: math.exp(th["a:" + b]) for b in bes} if attention else None,
            "scale": th["s"] if scale is None else scale, "moe": math.exp(th["m"])}


def predict_decode(d, const):
    """After: fitted constants; a backend without enough fit rows keeps the C++ constants."""
    eff, ls = const["backends"].get(d["backend"], BEFORE[d["backend"]])
    deq = const["families"].get(d["family"], 1.0)
    return 1.0 / (d["bytes"] / (d["bw"] * eff * deq) + d["layers"] * ls)


def predict_before(d):
    eff, ls = BEFORE[d["backend"]]
    return 1.0 / (d["bytes"] / (d["bw"] * eff) + d["layers"] * ls)


def predict_prefill(d, const):
    eff = const["backends"].get(d["backend"])
    if eff is None:
        return None
    att = const["attention"][d["backend"]] * d["attn_flops_tok"] if const.get("attention") else 0.0
    scale = (d["tflops"] / PEAK_REF_TFLOPS) ** const["scale"] * (const["moe"] if d["active"] < 1.0 else 1.0)
    return eff * const["families"].get(d["family"], 1.0) * scale * d["tflops"] * 1e12 / (d["flops_tok"] + att)


def predict_roofline(d):
    return d["tflops"] * 1e12 / d["flops_tok"]


# --------------------------------------------------------------------------
# Metrics and report

def metrics(pairs):
    """pairs: (pred, meas) -> (n, median |pred/meas - 1|, share within +-25%, median signed error)."""
    errs = [p / m - 1.0 for p, m in pairs if p is not None]
    if not errs:
        return (0, None, None, None)
    a = [abs(e) for e in errs]
    return (len(errs), statistics.median(a), sum(1 for e in a if e <= 0.25) / len(a), statistics.median(errs))


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def order_key(k):
    return (BACKENDS.index(k.split(" ")[0]) if k.split(" ")[0] in BACKENDS else 99, k)


def metric_table(label, rows, fns, names, keyf=lambda d: d["backend"], fallback_note=None):
    """One line per key (and 'all'): n, then per model median |err|, share within +-25%, bias."""
    header = [label, "n"]
    for nm in names:
        header += [nm + " med\\|err\\|", nm + " ±25%", nm + " bias"]
    keys = sorted({keyf(d) for d in rows}, key=order_key)
    out = []
    for k in keys + ["all"]:
        sub = [d for d in rows if k == "all" or keyf(d) == k]
        name = "**all**" if k == "all" else k
        if fallback_note and k != "all" and fallback_note(k):
            name += " " + fallback_note(k)
        line = [name, len(sub)]
        for f in fns:
            n, med, share, bias = metrics([(f(d), d["t_s"]) for d in sub])
            if not n:
                line += ["–", "–", "–"]
                continue
            line += ["%.1f%%%s" % (100 * med, "" if n == len(sub) else " (n=%d)" % n), "%.0f%%" % (100 * share),
                     "%+.1f%%" % (100 * bias)]
        out.append(line)
    return table(header, out)


def logo(data, fit_fn, pred_fn):
    """Leave one repository / issue thread out: every row predicted by a fit without its group."""
    preds = {}
    for g in sorted({d["group"] for d in data}):
        c = fit_fn([d for d in data if d["group"] != g])
        for d in data:
            if d["group"] == g:
                preds[id(d)] = pred_fn(d, c)
    return preds


def r4(x):
    return float("%.4g" % x)


def main():
    rows = load_rows()
    with open(os.path.join(HERE, "gpus_catalog.json")) as f:
        cat = Catalog(json.load(f))
    with open(os.path.join(HERE, "kv_table.json")) as f:
        kvt = json.load(f)
    dec, pre, ex_common, ex_dec, ex_pre, unmatched, resolved, model_use, device_backend = build(rows, cat, kvt)

    pre0 = [d for d in pre if d["depth"] == 0]
    preD = [d for d in pre if d["depth"] > 0]
    F = lambda data: [d for d in data if d["split"] == "fit"]
    H = lambda data: [d for d in data if d["split"] == "holdout"]
    dec_fit, dec_hold = F(dec), H(dec)

    cdec = fit_decode(dec_fit)
    cpre = fit_prefill(F(pre0), attention=False)          # the brief's form, depth-0 rows
    cpra = fit_prefill(F(pre), attention=True)            # with an attention term, all depths
    cdec_msle = fit_decode(dec_fit, huber=None)
    cpre_msle = fit_prefill(F(pre0), attention=False, huber=None)
    cdec_all = fit_decode(dec)
    cpre_all = fit_prefill(pre0, attention=False)
    cpra_all = fit_prefill(pre, attention=True)
    logo_dec = logo(dec, fit_decode, predict_decode)
    logo_pre = logo(pre0, lambda x: fit_prefill(x, False), predict_prefill)
    logo_pra = logo(pre, lambda x: fit_prefill(x, True), predict_prefill)

    after_d = lambda d: predict_decode(d, cdec)
    after_p = lambda d: predict_prefill(d, cpre)
    after_a = lambda d: predict_prefill(d, cpra)
    not_fit_d = lambda b: "(not fitted: C++ constants kept)" if b not in cdec["backends"] else ""

    sources = sorted({r["source"] for r in rows})
    split_sources = Counter(split_of(s) for s in sources)
    nrows = lambda data, key, val: sum(1 for d in data if d[key] == val)
    ngpus = lambda data, b: len({d["gpu"] for d in data if d["backend"] == b})

    # ---------------- constants.json
    consts = OrderedDict()
    consts["description"] = ("Fitted by bench/speed/fit.py on the fit part of bench/published (whole sources, chosen "
                             "by sha256 of the source URL). Holdout errors: bench/speed/REPORT.md.")
    consts["decode"] = OrderedDict([
        ("formula", "seconds_per_token = bytes_read / (bandwidth_GBps*1e9 * efficiency[backend] * dequant[family]) "
                    "+ n_layers * layer_seconds[backend]; bytes_read = file_bytes * active_fraction + kv_bytes_read"),
        ("backends", OrderedDict((b, OrderedDict([
            ("efficiency", r4(cdec["backends"][b][0])), ("layer_seconds", r4(cdec["backends"][b][1])),
            ("fit_rows", nrows(dec_fit, "backend", b)), ("fit_gpus", ngpus(dec_fit, b)),
            ("holdout_rows", nrows(dec_hold, "backend", b))])) for b in BACKENDS if b in cdec["backends"])),
        ("not_fitted", OrderedDict((b, OrderedDict([
            ("kept_cpp_constants", list(BEFORE[b])), ("fit_rows", nrows(dec_fit, "backend", b)),
            ("reason", "fewer than %d fit rows" % MIN_ROWS_BACKEND)])) for b in BACKENDS if b not in cdec["backends"])),
        ("dequant_factor", OrderedDict((f, OrderedDict([
            ("factor", r4(cdec["families"][f])), ("fit_rows", nrows(dec_fit, "family", f))]))
            for f in FAMILIES if f in cdec["families"])),
        ("dequant_not_fitted", [f for f in FAMILIES if f not in cdec["families"]]),
    ])

    def pre_block(c, fit_rows, hold_rows, formula):
        blk = OrderedDict([("formula", formula)])
        blk["backends"] = OrderedDict()
        for b in BACKENDS:
            if b in c["backends"]:
                e = OrderedDict([("efficiency", r4(c["backends"][b]))])
                if c.get("attention"):
                    e["attention_multiplier"] = r4(c["attention"][b])
                e.update([("fit_rows", nrows(fit_rows, "backend", b)), ("fit_gpus", ngpus(fit_rows, b)),
                          ("holdout_rows", nrows(hold_rows, "backend", b))])
                ratios = sorted(d["t_s"] / predict_prefill(d, c) for d in hold_rows if d["backend"] == b)
                if ratios:
                    q = lambda f: ratios[min(len(ratios) - 1, int(f * len(ratios)))]
                    e["holdout_measured_over_predicted_p10_p90"] = [r4(q(0.1)), r4(q(0.9))]
                blk["backends"][b] = e
        blk["family_factor"] = OrderedDict((f, OrderedDict([("factor", r4(c["families"][f])),
                                                             ("fit_rows", nrows(fit_rows, "family", f))]))
                                           for f in FAMILIES if f in c["families"])
        blk["moe_factor"] = OrderedDict([("factor", r4(c["moe"])),
                                         ("fit_rows", sum(1 for d in fit_rows if d["active"] < 1.0))])
        blk["size_exponent"] = OrderedDict([("exponent", r4(c["scale"])), ("reference_tflops", PEAK_REF_TFLOPS),
                                            ("fitted_on", "CUDA rows only, then held fixed"),
                                            ("fit_gpus", ngpus(fit_rows, "CUDA"))])
        blk["not_fitted_backends"] = [b for b in BACKENDS if b not in c["backends"]]
        return blk

    consts["prefill"] = pre_block(cpre, F(pre0), H(pre0),
                                  "tokens_per_second = efficiency[backend] * factor[family] * (peak/100)^exponent "
                                  "* peak*1e12 / (2 * active_params); peak = fp16_accumulate_tflops if the catalog "
                                  "has it, else fp16_tflops; fitted on depth-0 rows")
    consts["prefill_with_attention"] = pre_block(
        cpra, F(pre), H(pre),
        "tokens_per_second = efficiency[backend] * factor[family] * (peak/100)^exponent * peak*1e12 / "
        "(2 * active_params + "
        "attention_multiplier[backend] * 4 * c * L_attn * d); c = depth + n_prompt/2, L_attn = full-attention "
        "layers, d = sqrt(active_params / (12 * layers)); fitted on rows at every depth")
    consts["reference_fit_on_all_rows"] = OrderedDict([
        ("note", "same fits on fit + holdout rows; not evaluated on held-out data"),
        ("decode", OrderedDict((b, [r4(v[0]), r4(v[1])]) for b, v in sorted(cdec_all["backends"].items()))),
        ("decode_dequant", OrderedDict((f, r4(v)) for f, v in cdec_all["families"].items())),
        ("prefill", OrderedDict((b, r4(v)) for b, v in sorted(cpre_all["backends"].items()))),
        ("prefill_family", OrderedDict((f, r4(v)) for f, v in cpre_all["families"].items())),
        ("prefill_with_attention", OrderedDict((b, [r4(v), r4(cpra_all["attention"][b])])
                                               for b, v in sorted(cpra_all["backends"].items()))),
    ])
    consts["data"] = OrderedDict([
        ("rows_total", len(rows)), ("sources_total", len(sources)),
        ("sources_fit", split_sources["fit"]), ("sources_holdout", split_sources["holdout"]),
        ("decode_rows_fit", len(dec_fit)), ("decode_rows_holdout", len(dec_hold)),
        ("prefill_depth0_rows_fit", len(F(pre0))), ("prefill_depth0_rows_holdout", len(H(pre0))),
        ("prefill_depth_gt0_rows_fit", len(F(preD))), ("prefill_depth_gt0_rows_holdout", len(H(preD))),
        ("decode_rows_by_backend", dict(sorted(Counter(d["backend"] for d in dec).items()))),
        ("prefill_rows_by_backend", dict(sorted(Counter(d["backend"] for d in pre).items()))),
        ("excluded_all_rows", dict(sorted(ex_common.items()))),
        ("excluded_tg_rows", dict(sorted(ex_dec.items()))),
        ("excluded_pp_rows", dict(sorted(ex_pre.items()))),
    ])
    consts["inputs"] = OrderedDict([
        ("gpu_catalog_version", cat.version), ("kv_table_vramfit_version", kvt.get("vramfit_version")),
        ("split", "holdout if int(sha256('%s:' + source)[:8], 16) / 2^32 < %.2f" % (SPLIT_SALT, HOLDOUT_SHARE)),
        ("objective", "weighted least squares on log(t/s), Huber loss delta %.2f (IRLS, 8 rounds)" % HUBER),
        ("weights", "1/sqrt(rows of the same GPU and backend in the fitted set)"),
        ("ridge", "%.2f x total weight, log-parameters toward the C++ constants (decode) / attention multiplier 1"
         % RIDGE),
    ])
    with open(os.path.join(HERE, "constants.json"), "w") as f:
        json.dump(consts, f, indent=1)
        f.write("\n")

    # ---------------- predictions.csv
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["what", "split", "backend", "gpu", "device", "model", "quant", "family", "test", "measured_tps",
                "before_tps", "after_tps", "after_attention_tps", "leave_one_repo_out_tps", "after_err",
                "bytes_read", "kv_bytes", "layers", "active_fraction", "source"])
    f2 = lambda x: "%.2f" % x if x else ""
    for d in sorted(dec, key=lambda d: (d["backend"], d["gpu"], d["model"], d["test"], d["t_s"], d["source"])):
        a = after_d(d)
        w.writerow(["decode", d["split"], d["backend"], d["gpu"], d["device"], d["model"], d["quant"], d["family"],
                    d["test"], f2(d["t_s"]), f2(predict_before(d)), f2(a), "", f2(logo_dec.get(id(d))),
                    "%.3f" % (a / d["t_s"] - 1), "%.0f" % d["bytes"], "%.0f" % d["kv_bytes"], d["layers"],
                    "%.4f" % d["active"], d["source"]])
    for d in sorted(pre, key=lambda d: (d["backend"], d["gpu"], d["model"], d["test"], d["t_s"], d["source"])):
        a = after_p(d) if d["depth"] == 0 else None
        lg = logo_pre.get(id(d)) if d["depth"] == 0 else logo_pra.get(id(d))
        w.writerow(["prefill", d["split"], d["backend"], d["gpu"], d["device"], d["model"], d["quant"], d["family"],
                    d["test"], f2(d["t_s"]), "", f2(a), f2(after_a(d)), f2(lg),
                    "%.3f" % (a / d["t_s"] - 1) if a else "", "", "", d["layers"], "%.4f" % d["active"], d["source"]])
    with open(os.path.join(HERE, "predictions.csv"), "w") as f:
        f.write(buf.getvalue())

    # ---------------- REPORT.md
    R = []
    P = R.append
    P("# Decode and prompt-processing speed: fit on published llama-bench rows\n")
    P("Generated by `python3 bench/speed/fit.py` (stdlib only, deterministic, a few seconds). Do not edit by hand; "
      "`constants.json` and `predictions.csv` (every usable row with its predictions) come from the same run.\n")
    P("Data: `bench/published/` — %d llama-bench rows from %d sources, verbatim (see its README). GPU specs: "
      "`gpus_catalog.json` (vramfit catalog %s). KV bytes: `kv_table.json` (vramfit %s). Both snapshots are "
      "refreshed by `bench/speed/kv_table.py`." % (len(rows), len(sources), cat.version, kvt.get("vramfit_version")))
    P("\nError = predicted t/s ÷ measured t/s − 1. Per model: median |error|, share of rows within ±25 %, and the "
      "median signed error (bias; + = predicted too fast). Rows are unweighted in these tables.\n")

    def summ(data, fn):
        n, med, share, bias = metrics([(fn(d), d["t_s"]) for d in data])
        if not n:
            return "no prediction (backend not fitted; %d rows)" % len(data)
        return "median |error| %.1f %%, %.0f %% within ±25 %% (n = %d)" % (100 * med, 100 * share, n)

    P("## Summary\n")
    P("- **Decode, held-out sources:** before %s → after %s." % (summ(dec_hold, predict_before), summ(dec_hold, after_d)))
    P("- **Decode, leave one repository out** (no machine seen in the fit): before %s → after %s." % (
        summ(dec, predict_before), summ(dec, lambda d: logo_dec.get(id(d)))))
    P("- **Prefill, held-out sources, depth 0:** %s without the attention term; with it (the form vramfit uses) "
      "%s. By backend, with the attention term: %s. ROCm and Vulkan are one Strix Halo whose prompt speed differs "
      "up to 4× between builds of the same model (§6).\n" % (
          summ(H(pre0), after_p), summ(H(pre0), after_a),
          "; ".join("%s %s" % (b, summ([d for d in H(pre0) if d["backend"] == b], after_a))
                    for b in BACKENDS if any(d["backend"] == b for d in H(pre0)))))

    P("## 1. Decode (tg)\n")
    P("Before = the constants in `src/memory/estimate.cpp` today (eff 0.457 and 82 µs per layer on every GPU "
      "backend, 0.50 / 10 µs on CPU, no dequant factor), applied to the same bytes as the fit (file size × active "
      "fraction + KV read). After = constants fitted on the fit part only.\n")
    P("### 1a. Held-out sources\n")
    P(metric_table("backend", dec_hold, [predict_before, after_d], ["before", "after"], fallback_note=not_fit_d))
    P("\nThe same constants fitted with a plain (non-robust) mean squared log error instead of the Huber loss "
      "(§5), for comparison:\n")
    P(metric_table("backend", dec_hold, [lambda d: predict_decode(d, cdec_msle)], ["after, plain MSLE"]))
    P("\n### 1b. Fit part (in-sample)\n")
    P(metric_table("backend", dec_fit, [predict_before, after_d], ["before", "after"], fallback_note=not_fit_d))
    P("\n### 1c. Held-out rows by GPU\n")
    P(metric_table("backend / GPU", dec_hold, [predict_before, after_d], ["before", "after"],
                   keyf=lambda d: "%s %s" % (d["backend"], d["gpu"])))
    P("\n### 1d. Held-out rows by type family and by context\n")
    P(metric_table("family", dec_hold, [predict_before, after_d], ["before", "after"], keyf=lambda d: d["family"]))
    P("")
    P(metric_table("mean context", dec_hold, [predict_before, after_d], ["before", "after"],
                   keyf=lambda d: "0–512" if d["depth"] + d["n"] / 2 <= 512 else
                   ("513–8192" if d["depth"] + d["n"] / 2 <= 8192 else "8193+")))
    P("\n### 1e. Stricter check: leave one repository / issue thread out\n")
    P("Every usable row (fit and holdout) predicted by constants fitted without any row of its repository or thread "
      "(%d refits). This removes the same-machine leak of the source split (see §4).\n" % len({d["group"] for d in dec}))
    P(metric_table("backend", dec, [predict_before, lambda d: logo_dec.get(id(d))], ["before", "leave-one-repo-out"]))

    P("\n## 2. Prompt processing (pp)\n")
    P("There was no prefill estimate before. Roofline = the GPU's peak (catalog `fp16_accumulate_tflops` where it "
      "has one — GeForce cards, whose `fp16_tflops` is the half-rate FP32-accumulate figure — else `fp16_tflops`) "
      "at efficiency 1.0, for scale. After = eff[backend] × factor[family] × (peak / 100 TFLOPS)^exponent × peak / "
      "(2 × active params), fitted on depth-0 rows; the exponent (fitted on the CUDA rows, whose GPUs span 40–760 "
      "TFLOPS, then shared) lets larger GPUs reach a smaller share of their peak at llama-bench's batch sizes. After+attn = the same plus a simple attention term "
      "(§3), fitted on rows at every depth; this is the form `src/memory/estimate.cpp` uses.\n")
    P("### 2a. Held-out sources, depth 0\n")
    P(metric_table("backend", H(pre0), [predict_roofline, after_p, after_a], ["roofline", "after", "after+attn"]))
    P("\nThe depth-0 form fitted with a plain (non-robust) mean squared log error, for comparison:\n")
    P(metric_table("backend", H(pre0), [lambda d: predict_prefill(d, cpre_msle)], ["after, plain MSLE"]))
    P("\n### 2b. Held-out sources, depth > 0 (`pp2048 @ d32768` etc.)\n")
    P(metric_table("backend", H(preD), [after_p, after_a], ["after (no attention)", "after+attn"]))
    P("\n### 2c. Fit part (in-sample)\n")
    P(metric_table("backend", F(pre0), [after_p, after_a], ["after, depth 0", "after+attn, depth 0"]))
    P("")
    P(metric_table("backend", F(preD), [after_a], ["after+attn, depth > 0"]))
    P("\n### 2d. Held-out depth-0 rows by GPU and by prompt length\n")
    P(metric_table("backend / GPU", H(pre0), [predict_roofline, after_p, after_a], ["roofline", "after", "after+attn"],
                   keyf=lambda d: "%s %s" % (d["backend"], d["gpu"])))
    P("")
    P(metric_table("prompt", H(pre0), [after_p, after_a], ["after", "after+attn"],
                   keyf=lambda d: "pp%5d" % d["n"]))
    P("\n### 2e. Measured ÷ roofline per GPU (all depth-0 rows; the spread one efficiency must cover)\n")
    spread = []
    for key in sorted({(d["backend"], d["gpu"]) for d in pre0}, key=lambda k: order_key(k[0] + " " + k[1])):
        v = sorted(d["t_s"] / predict_roofline(d) for d in pre0 if (d["backend"], d["gpu"]) == key)
        g = cat.gpus[key[1]]
        spread.append([key[0], key[1], g.get("fp16_accumulate_tflops") or g.get("fp16_tflops"), len(v), "%.3f" % v[0],
                       "%.3f" % statistics.median(v), "%.3f" % v[-1]])
    P(table(["backend", "GPU", "peak TFLOPS", "rows", "min", "median", "max"], spread))
    P("\n### 2f. Leave one repository / issue thread out\n")
    P("A backend left with fewer than %d rows is not fitted, so its rows get no prediction (n shown): nearly all "
      "CUDA prefill rows come from one repository (XiongjieDai), so CUDA has no leave-one-repo-out estimate.\n"
      % MIN_ROWS_BACKEND)
    P(metric_table("backend", pre0, [lambda d: logo_pre.get(id(d)), lambda d: logo_pra.get(id(d))],
                   ["after, depth 0", "after+attn, depth 0"]))
    P("")
    P(metric_table("backend", preD, [lambda d: logo_pra.get(id(d))], ["after+attn, depth > 0"]))

    P("\n## 3. Constants (fitted on the fit part; `constants.json`)\n")
    P("### Decode\n")
    lines = []
    for b in BACKENDS:
        bef = BEFORE[b]
        if b in cdec["backends"]:
            e, l = cdec["backends"][b]
            lines.append([b, "%.3f" % bef[0], "%.0f µs" % (bef[1] * 1e6), "**%.3f**" % e, "**%.1f µs**" % (l * 1e6),
                          nrows(dec_fit, "backend", b), ngpus(dec_fit, b), nrows(dec_hold, "backend", b)])
        else:
            lines.append([b, "%.3f" % bef[0], "%.0f µs" % (bef[1] * 1e6), "not fitted (kept)", "not fitted (kept)",
                          nrows(dec_fit, "backend", b), ngpus(dec_fit, b), nrows(dec_hold, "backend", b)])
    P(table(["backend", "eff before", "layer before", "eff after", "layer after", "fit rows", "fit GPUs",
             "holdout rows"], lines))
    P("\nDequant factor per type family (multiplies the efficiency; K-quants = 1 by definition):\n")
    P(table(["family", "factor", "fit rows", "fit GPUs"],
            [[FAMILY_NAMES[f], ("**%.3f**" % cdec["families"][f]) if f in cdec["families"] else
              "not fitted (fewer than %d rows on %d GPUs)" % (MIN_ROWS_FAMILY, MIN_DEVICES_FAMILY),
              nrows(dec_fit, "family", f), len({d["gpu"] for d in dec_fit if d["family"] == f})] for f in FAMILIES]))
    P("\n### Prefill\n")
    P(table(["backend", "eff (depth-0 fit)", "eff (+attn fit)", "attention multiplier", "fit rows depth 0",
             "fit rows all depths", "fit GPUs"],
            [[b, "**%.3f**" % cpre["backends"][b] if b in cpre["backends"] else "not fitted",
              "%.3f" % cpra["backends"][b] if b in cpra["backends"] else "not fitted",
              "%.2f" % cpra["attention"][b] if b in cpra["backends"] else "–",
              nrows(F(pre0), "backend", b), nrows(F(pre), "backend", b), ngpus(F(pre), b)] for b in BACKENDS]))
    P("\nPrefill factor per type family (K-quants = 1):\n")
    P(table(["family", "factor (depth-0 fit)", "factor (+attn fit)", "fit rows depth 0"],
            [[FAMILY_NAMES[f], "%.3f" % cpre["families"][f] if f in cpre["families"] else "not fitted",
              "%.3f" % cpra["families"][f] if f in cpra["families"] else "not fitted",
              nrows(F(pre0), "family", f)] for f in FAMILIES]))
    P("\nThe attention term: extra FLOPs per prompt token = multiplier × 4 × c × L_attn × d, with c = depth + "
      "n_prompt/2 (mean context), L_attn = full-attention layers (sliding-window layers ignored), d = √(active "
      "params / (12 × layers)) — a hidden-size estimate (8B → 4.6k, 70B → 8.6k; true 4096 / 8192).\n")
    P("### Reference: the same fits on all usable rows (fit + holdout; not evaluated on held-out data)\n")
    P(table(["backend", "decode eff", "decode layer", "prefill eff", "prefill eff (+attn)", "attention multiplier"],
            [[b, "%.3f" % cdec_all["backends"][b][0] if b in cdec_all["backends"] else "–",
              "%.1f µs" % (cdec_all["backends"][b][1] * 1e6) if b in cdec_all["backends"] else "–",
              "%.3f" % cpre_all["backends"][b] if b in cpre_all["backends"] else "–",
              "%.3f" % cpra_all["backends"][b] if b in cpra_all["backends"] else "–",
              "%.2f" % cpra_all["attention"][b] if b in cpra_all["backends"] else "–"] for b in BACKENDS]))
    P("\nDequant factors (all rows): " + ", ".join("%s %.3f" % (f, v) for f, v in cdec_all["families"].items()) +
      ". Prefill family factors (all rows, depth 0): " +
      ", ".join("%s %.3f" % (f, v) for f, v in cpre_all["families"].items()) + ".\n")

    P("## 4. Data, split and exclusions\n")
    P("Split: a source (one repository file, or one issue/PR thread) is held out when "
      "`int(sha256(\"%s:\" + source URL)[:8], 16) / 2^32 < %.2f`: %d of %d sources. Whole sources go to one side, "
      "but files of the same repository land on both sides (e.g. kyuz0's 269 per-model logs, all from one Strix "
      "Halo), so the same machine is often in both; §1e and §2f (leave one repository out) do not have that leak.\n"
      % (SPLIT_SALT, HOLDOUT_SHARE, split_sources["holdout"], len(sources)))
    P(table(["", "fit", "holdout"], [
        ["decode rows", len(dec_fit), len(dec_hold)],
        ["prefill rows, depth 0", len(F(pre0)), len(H(pre0))],
        ["prefill rows, depth > 0", len(F(preD)), len(H(preD))],
        ["decode GPUs", len({d["gpu"] for d in dec_fit}), len({d["gpu"] for d in dec_hold})],
        ["prefill GPUs", len({d["gpu"] for d in F(pre)}), len({d["gpu"] for d in H(pre)})],
    ]))
    P("\nUsable rows by backend:\n")
    P(table(["backend", "decode fit", "decode holdout", "pp depth 0 fit", "pp depth 0 holdout", "pp depth>0 fit",
             "pp depth>0 holdout"],
            [[b, nrows(dec_fit, "backend", b), nrows(dec_hold, "backend", b), nrows(F(pre0), "backend", b),
              nrows(H(pre0), "backend", b), nrows(F(preD), "backend", b), nrows(H(preD), "backend", b)]
             for b in BACKENDS]))
    P("\nExclusions (each row counted once, at the first rule it fails, in this order):\n")
    exrows = [["all rows", k, v] for k, v in sorted(ex_common.items(), key=lambda kv: (-kv[1], kv[0]))]
    exrows += [["tg rows", k, v] for k, v in sorted(ex_dec.items(), key=lambda kv: (-kv[1], kv[0]))]
    exrows += [["pp rows", k, v] for k, v in sorted(ex_pre.items(), key=lambda kv: (-kv[1], kv[0]))]
    P(table(["stage", "reason", "rows"], exrows))
    P("\nUsable: %d decode + %d prefill = %d of %d rows. `device_count` must be 1 (or not printed on an integrated "
      "GPU — Apple, Strix Halo, GB10 — where a machine has one GPU). `ngl` must be ≥ the model's layer count (a "
      "missing ngl column is taken as llama-bench's default, 99). Weights + KV at the row's largest context must fit "
      "the catalog's `usable_bytes` (this drops XiongjieDai's M1 8 GB `pp 8192` / `tg 8192` rows — printed as 1849 "
      "and 1133 t/s — which his README reports as OOM). MoE rows need an active fraction; decode rows need the printed file "
      "size, and the model's KV layout when the mean context exceeds %d tokens; prefill rows need the GPU's "
      "`fp16_tflops`.\n" % (len(dec), len(pre), len(dec) + len(pre), len(rows), KV_IGNORE_CTX))
    # Coverage: of the rows run on a GPU backend (CPU-only runs name a CPU, not a GPU), how many name
    # a device the catalog resolves.
    gpu_un = sum(n for (dev, _), n in unmatched.items() if device_backend.get(dev) != "CPU")
    gpu_ok = sum(n for (dev, _, _), n in resolved.items() if device_backend.get(dev) != "CPU")
    names_un = {dev for (dev, _) in unmatched if device_backend.get(dev) != "CPU"}
    names_ok = {dev for (dev, _, _) in resolved if device_backend.get(dev) != "CPU"}
    P("**GPU coverage.** Of the %d rows run on a GPU backend, %d (%.1f %%) name a device the catalog resolves; "
      "of the %d distinct device names printed, %d (%.1f %%). The GPU-backend names left are generic (the driver "
      "printed no model: 'AMD Radeon Graphics', 'Intel(R) Graphics (BMG G21)', an unnamed Mac Studio) or two "
      "devices at once; the rest of the table below are CPU-only runs.\n" % (
          gpu_ok + gpu_un, gpu_ok, 100.0 * gpu_ok / max(1, gpu_ok + gpu_un), len(names_ok | names_un), len(names_ok),
          100.0 * len(names_ok) / max(1, len(names_ok | names_un))))
    P("Devices not matched to the catalog (not guessed):\n")
    P(table(["device as printed", "why", "rows"],
            [[dev, why, n] for (dev, why), n in sorted(unmatched.items(), key=lambda kv: (-kv[1], str(kv[0])))]))
    P("\nDevices matched (rows before the device-count / offload / memory rules):\n")
    P(table(["device as printed", "catalog GPU", "how", "rows"],
            [[dev, gid, how, n] for (dev, gid, how), n in sorted(resolved.items(), key=lambda kv: (-kv[1], str(kv[0])))]))

    P("\n## 5. Tables used\n")
    P("### Models\n")
    P("Identified by the model string's architecture token and the printed parameter count. `vramfit catalog ID`: "
      "layers and KV layout from vramfit's model catalog (entries carry their own config.json sources) through "
      "`kv_table.json`. Entries marked \"from memory, not re-fetched\" are standard config values typed from "
      "memory; they affect few rows (counts below).\n")
    P(table(["model", "layers", "layers source", "active fraction", "active source", "usable rows"],
            [[name, layers, src, act, asrc, n] for (name, layers, src, act, asrc), n in
             sorted(model_use.items(), key=lambda kv: (-kv[1], kv[0][0]))]))
    P("\n### KV bytes read per decoded token\n")
    P("At mean context c (depth + n_gen/2): min(small × c, slope × c + swa_const) + recurrent state; f16 K and V.\n")
    kvrows = []
    for m in MODELS:
        if m.get("vramfit"):
            k = kvt["models"][m["vramfit"]]
            kvrows.append([m["name"], "vramfit " + m["vramfit"] + (" — " + m["vramfit_note"] if m.get("vramfit_note") else ""),
                           "%.0f" % k["kv_bytes_per_ctx_token"], "%.0f" % k["kv_bytes_per_ctx_token_small"],
                           "%.0f" % k["kv_swa_const_bytes"], "%.0f" % k["recurrent_state_bytes"]])
        elif m.get("kv_calc"):
            kvrows.append([m["name"], "computed 2 × layers × KV heads × head dim × 2 B", m["kv_calc"], m["kv_calc"], 0, 0])
        else:
            kvrows.append([m["name"], "unknown: its depth rows and tg rows with mean context > %d are excluded"
                           % KV_IGNORE_CTX, "–", "–", "–", "–"])
    P(table(["model", "source", "slope B/token", "small-context B/token", "swa const B", "recurrent B"], kvrows))
    P("\n### Layer-count fallback (no sourced layer count; marked `size-class fallback` above)\n")
    prev, fb = 0, []
    for top, l in LAYER_FALLBACK:
        fb.append(["%g – %s B" % (prev, "%g" % top if top < 1e8 else "∞"), l])
        prev = top
    P(table(["total params", "layers"], fb))
    P("\n### Device resolution beyond the catalog's names and aliases\n")
    P(table(["source prefix", "device as printed", "catalog GPU", "reason"],
            [[p, d, g, why] for p, d, g, why in DEVICE_BY_SOURCE] +
            [["(any)", "normalised '%s'" % k, v[0], v[1]] for k, v in DEVICE_EXTRA.items()]))
    P("\nName normalisation: lower case; a stated memory size (\"16GB\") is taken out and used to choose among the "
      "catalog's sizes; parenthesised parts ((RADV …), (radv), (NVIDIA), (AMD open-source driver) …) removed; the "
      "words " + ", ".join(sorted(DROP_WORDS)) + " dropped. A name matching catalog GPUs of different bandwidth or "
      "FP16 rate is ambiguous and not used; among same-speed sizes the largest is taken (only the memory rule "
      "reads the size).\n")
    P("Backend families: CUDA (a CUDA label on an AMD GPU = HIP build → ROCm); MTL/Metal → Metal; every Vulkan label "
      "(`Vulkan,RPC`, `Vulkan (PR)` …) → Vulkan; ROCm/HIP → ROCm; SYCL; CPU labels → CPU; OpenCL and HTP are not "
      "modelled. Type family from the model string: Qn_K (`Q4_K - Medium` …) → K; Q4_0/Q4_1/Q5_0/Q5_1/Q8_0 → legacy; "
      "IQn_* → IQ; MXFP4 → MXFP4, and gpt-oss `F16`/`BF16` files too (their experts stay MXFP4); F16/BF16/F32 → float. "
      "Unsloth `UD-Q4_K_XL` / `UD-Q8_K_XL` files print as `Q4_K - Medium` / `Q8_0` and are classed by that.\n")
    P("Fit: weighted least squares on log(t/s) with a Huber loss (log residuals beyond %.2f, i.e. about ±28 %%, "
      "count linearly; 8 reweighting rounds), Levenberg–Marquardt in log-parameters. The robust loss keeps a few "
      "atypical setups (a second 7900 XTX running at 40 %% of the first, BF16 on Vulkan) from pulling a whole "
      "backend; §1a/§2a also show the plain mean-squared-log-error fit. Row weight 1/√(rows of "
      "the same GPU and backend in the fitted set), so the ~1,000 Strix Halo rows do not drown the other GPUs. " % HUBER +
      "Decode log-parameters get a weak ridge (%.2f × total weight) toward the C++ constants, so a backend whose rows "
      "cannot separate bandwidth from per-layer cost stays near the old values; the prefill attention multiplier "
      "gets the same pull toward 1. A backend is fitted with ≥ %d fit rows; a family factor with ≥ %d fit rows on "
      "≥ %d GPUs.\n" % (RIDGE, MIN_ROWS_BACKEND, MIN_ROWS_FAMILY, MIN_DEVICES_FAMILY))

    P("## 6. Caveats\n")
    strix_dec = sum(1 for d in dec if d["gpu"].startswith("strix-halo"))
    P("- **Few machines per backend.** ROCm is essentially one machine type (Strix Halo, %d of %d ROCm decode rows); "
      "Vulkan is Strix Halo plus a handful of discrete cards (7900 XTX rows are one box whose second card ran at "
      "~40%% of the first); Metal holdout is %d rows (the Apple rows landed in the fit part); SYCL has %d usable "
      "rows and CPU none (no CPU device is in the GPU catalog), so both keep the C++ constants."
      % (sum(1 for d in dec if d["backend"] == "ROCm" and d["gpu"].startswith("strix-halo")),
         nrows(dec, "backend", "ROCm"), nrows(dec_hold, "backend", "Metal"),
         nrows(dec, "backend", "SYCL")))
    P("- **Same machine on both sides.** The source split keeps threads and files whole, but one repository's files "
      "share a machine (%d of %d usable decode rows are Strix Halo). Leave-one-repository-out (§1e, §2f) is the "
      "honest number for a GPU/setup the fit has not seen." % (strix_dec, len(dec)))
    P("- **Layer overhead is per backend, not per GPU.** Small models on fast GPUs (e.g. a 1B model on an RTX 4090 "
      "under Vulkan) are limited by the per-layer term, which really depends on the GPU and driver.")
    P("- **Prefill on CUDA needs the FP16-accumulate peak and a size exponent.** Against the catalog's "
      "`fp16_tflops` alone, measured ÷ roofline was 0.15–0.45 on datacenter and workstation cards but 0.5–1.2 on "
      "GeForce cards, whose `fp16_tflops` is the half-rate FP32-accumulate figure while llama.cpp's CUDA matrix "
      "kernels (cuBLAS FP16 compute, int8 MMQ) run at the FP16-accumulate rate. With the catalog's "
      "`fp16_accumulate_tflops` and the fitted size exponent the CUDA held-out error fell from 55 % to the figure "
      "in the summary. What remains: the largest cards (H100, RTX PRO 6000) reach the smallest share, and n_ubatch "
      "/ flash attention settings differ between rows.")
    P("- **Prefill on ROCm and Vulkan is one machine and many builds.** On the Strix Halo the same model's prompt "
      "speed differs up to 4× between builds (ROCm version, rocWMMA, hipBLASLt, Vulkan driver); no hardware figure "
      "can tell them apart, so vramfit's range for these backends is wide (±60 %). The Arc B580 (SYCL, 3 rows) "
      "measures 1.1–1.3× its catalog `fp16_tflops` of 27.34, which looks like the non-XMX vector FP16 rate "
      "(2 × FP32) rather than the XMX matrix rate — worth checking in the catalog.")
    P("- **Active fraction = parameter ratio.** MoE bytes read per token are taken as file size × active/total "
      "parameters, although experts, attention and embeddings are often quantized differently.")
    P("- **Rows are not independent.** Many sources repeat the same test (build variants, repeated runs); the "
      "tables count rows, the fit weights by GPU.")
    P("- **Values typed from memory** (Llama-2 7B/13B, TinyLlama, Qwen2.5-14B, Gemma 3n, Phi-2 layer/KV "
      "counts) and size-class fallbacks (Ministral 3 14B, Nemotron 3 Super) are marked in §5.")
    with open(os.path.join(HERE, "REPORT.md"), "w") as f:
        f.write("\n".join(R).rstrip() + "\n")

    # ---------------- console summary
    print("rows %d, usable decode %d (fit %d / holdout %d), prefill depth0 %d (fit %d / holdout %d), depth>0 %d" % (
        len(rows), len(dec), len(dec_fit), len(dec_hold), len(pre0), len(F(pre0)), len(H(pre0)), len(preD)))
    for b in BACKENDS + ["all"]:
        sub = [d for d in dec_hold if b == "all" or d["backend"] == b]
        if sub:
            mb, ma = metrics([(predict_before(d), d["t_s"]) for d in sub]), metrics([(after_d(d), d["t_s"]) for d in sub])
            print("decode  holdout %-7s n=%-4d before med %5.1f%% in25 %3.0f%%   after med %5.1f%% in25 %3.0f%%" % (
                b, mb[0], 100 * mb[1], 100 * mb[2], 100 * ma[1], 100 * ma[2]))
    for b in BACKENDS + ["all"]:
        sub = [d for d in H(pre0) if b == "all" or d["backend"] == b]
        ma, mt = metrics([(after_p(d), d["t_s"]) for d in sub]), metrics([(after_a(d), d["t_s"]) for d in sub])
        if ma[0]:
            print("prefill holdout %-7s n=%-4d after med %5.1f%% in25 %3.0f%%   +attn med %5.1f%% in25 %3.0f%%" % (
                b, ma[0], 100 * ma[1], 100 * ma[2], 100 * mt[1], 100 * mt[2]))
    print("wrote constants.json, REPORT.md, predictions.csv")


if __name__ == "__main__":
    main()

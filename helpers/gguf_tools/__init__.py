"""GGUF in practice: convert a Hugging Face model, read a GGUF file, quantize it, and measure each level.

* conversion runs llama.cpp's own `convert_hf_to_gguf.py` (prepared by `helpers.llama_sources`)
  with this environment's Python;
* reading uses the `gguf` package's `GGUFReader`: all metadata for `gguf_metadata`, and the tensor
  list alone (`helpers.model_files.gguf_tensor_index`, cached) everywhere else;
* quantization calls `llama_cpp.llama_model_quantize`, the C function behind `llama-quantize`;
* measurements (load time, prompt and generation speed, perplexity) use llama.cpp through
  llama-cpp-python, one thread by default.

Converted and quantized files are cached under `<cache>/gguf/`, keyed by their source's hash, so a
second run reuses them; a fresh machine produces them. Nothing is loaded at import.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .embedded import sha256_of
from .model_files import cache_subdir, gguf_tensor_index, seed_quantization_data, seed_rows
from .paths import data_dir

MIB = 1 << 20

# llama.cpp's quantization levels used here -> llama_ftype ids (llama.h: LLAMA_FTYPE_MOSTLY_*).
LEVELS: dict[str, int] = {"F16": 1, "Q8_0": 7, "Q5_K_M": 17, "Q4_K_M": 15, "Q3_K_M": 12, "Q2_K": 10}
LADDER = ("Q8_0", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K")
CONVERTER_OUTTYPES = ("f32", "f16", "bf16", "q8_0")

# ---------------------------------------------------------------------------------------------- files
def sha256_file(path: Path) -> str:
    """Hex sha256 of a file."""
    return sha256_of(Path(path))


def gguf_cache() -> Path:
    """The ignored folder converted and quantized files are kept in (`<cache>/gguf`)."""
    return cache_subdir("gguf")


def file_mib(path: Path) -> float:
    """File size in MiB (2**20 bytes)."""
    return Path(path).stat().st_size / MIB


def bits_per_weight(file_bytes: float, n_params: float) -> float:
    """Average bits stored per parameter: file size in bits divided by the parameter count."""
    if n_params <= 0:
        raise ValueError("n_params must be positive: count the model's weights (e.g. sum of tensor sizes).")
    return file_bytes * 8 / n_params


# ----------------------------------------------------------------------------------------- conversion
def _hf_source_key(model_dir: Path) -> str:
    digest = hashlib.sha256()
    for p in sorted(model_dir.iterdir()):
        if p.is_file() and not p.name.startswith("."):
            digest.update(p.name.encode())
            digest.update(sha256_file(p).encode())
    return digest.hexdigest()


def convert_hf_to_gguf(model_dir: Path, outtype: str = "f16", *, force: bool = False) -> Path:
    """Convert a Hugging Face model folder to GGUF with llama.cpp's `convert_hf_to_gguf.py` (cached).

    Runs the converter prepared by `python -m helpers.llama_sources` with this Python; the output
    is keyed by the folder's file hashes and the converter version.
    """
    from .llama_sources import converter_script, source_info

    if outtype not in CONVERTER_OUTTYPES:
        raise ValueError(f"outtype {outtype!r} is not one the converter writes; use one of {CONVERTER_OUTTYPES}. "
                         "K-quants (Q4_K_M, ...) come from quantize() on the f16 file.")
    model_dir = Path(model_dir)
    script = converter_script()
    key = hashlib.sha256((_hf_source_key(model_dir) + source_info().get("sha256", "")).encode()).hexdigest()[:12]
    out = gguf_cache() / f"{model_dir.name}-{key}" / f"{model_dir.name}-{outtype}.gguf"
    if out.exists() and not force:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    cmd = [sys.executable, str(script), str(model_dir), "--outtype", outtype, "--outfile", str(partial)]
    run = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=script.parent)
    if run.returncode != 0 or not partial.exists():
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"convert_hf_to_gguf.py failed (exit {run.returncode}) on {model_dir}:\n"
                           f"{run.stderr.strip()[-1500:]}\nCheck that the folder holds config.json, the weights "
                           "and tokenizer.model; `--force` on `python -m helpers.llama_sources` refetches the converter.")
    partial.replace(out)
    (out.parent / f"{out.stem}.log").write_text(run.stderr)
    return out


# -------------------------------------------------------------------------------------------- reading
def _reader(path: Path):
    from gguf import GGUFReader

    return GGUFReader(str(path))


def _field(reader, name: str, default: Any = None) -> Any:
    field = reader.fields.get(name)
    return default if field is None else field.contents()


def gguf_metadata(path: Path) -> dict[str, Any]:
    """The GGUF header's key facts: architecture, context length, sizes, head counts, tokenizer."""
    r = _reader(path)
    arch = _field(r, "general.architecture")
    tokens = _field(r, "tokenizer.ggml.tokens") or []
    return {
        "architecture": arch,
        "name": _field(r, "general.name"),
        "file type": _field(r, "general.file_type"),
        "context length": _field(r, f"{arch}.context_length"),
        "embedding length": _field(r, f"{arch}.embedding_length"),
        "feed-forward length": _field(r, f"{arch}.feed_forward_length"),
        "layers (block count)": _field(r, f"{arch}.block_count"),
        "attention heads": _field(r, f"{arch}.attention.head_count"),
        "KV heads": _field(r, f"{arch}.attention.head_count_kv"),
        "rope theta": _field(r, f"{arch}.rope.freq_base"),
        "tokenizer model": _field(r, "tokenizer.ggml.model"),
        "vocabulary size": len(tokens),
        "BOS / EOS ids": (_field(r, "tokenizer.ggml.bos_token_id"), _field(r, "tokenizer.ggml.eos_token_id")),
        "metadata keys": len(r.fields),
        "tensors": len(r.tensors),
    }


def gguf_tensors(path: Path) -> pd.DataFrame:
    """One row per tensor: name, shape (as llama.cpp lists it, fastest axis first), type, elements, MiB, bits/weight."""
    return pd.DataFrame([{"name": t.name, "shape": t.shape, "type": t.type_name, "elements": t.n_elements,
                          "MiB": t.nbytes / MIB, "bits/weight": t.nbytes * 8 / t.n_elements}
                         for t in gguf_tensor_index(path)])


def tensor_index(path: Path) -> pd.DataFrame:
    """The tensor index alone (name, shape, type, elements, MiB): `gguf_tensors` without bits/weight."""
    return gguf_tensors(path).drop(columns="bits/weight")


def parameter_count(path: Path) -> int:
    """Number of weights in a GGUF file (sum of its tensors' elements)."""
    return int(tensor_index(path)["elements"].sum())


def type_mix(path: Path) -> pd.DataFrame:
    """How many tensors, weights and MiB each tensor type holds in a GGUF file."""
    df = tensor_index(path)
    mix = df.groupby("type").agg(tensors=("name", "size"), weights=("elements", "sum"), MiB=("MiB", "sum"))
    mix["share of MiB"] = (mix["MiB"] / mix["MiB"].sum()).round(3)
    return mix.sort_values("MiB", ascending=False)


def tensor_spans(path: Path) -> dict[str, tuple[str, int, int]]:
    """Tensor name -> (type, absolute byte offset, byte length), from the header alone (no vocabulary parsing)."""
    return {t.name: (t.type_name, t.offset, t.nbytes) for t in gguf_tensor_index(path)}


def compare_tensor_bytes(a: Path, b: Path) -> pd.DataFrame:
    """For each tensor of `a` also in `b`: same type? same bytes? (hashes the stored data, reads no vocabulary)."""
    spans_a, spans_b = tensor_spans(a), tensor_spans(b)
    rows = []
    with Path(a).open("rb") as fa, Path(b).open("rb") as fb:
        for name, (type_a, off_a, len_a) in spans_a.items():
            if name not in spans_b:
                continue
            type_b, off_b, len_b = spans_b[name]
            same = False
            if type_a == type_b and len_a == len_b:
                fa.seek(off_a)
                fb.seek(off_b)
                same = hashlib.sha256(fa.read(len_a)).digest() == hashlib.sha256(fb.read(len_b)).digest()
            rows.append({"name": name, "type": type_a, "same type": type_a == type_b, "same bytes": same,
                         "MiB": len_a / MIB})
    return pd.DataFrame(rows)


def type_mix_by_level(files: dict[str, Path]) -> pd.DataFrame:
    """MiB per tensor type (columns) for each quantized file (rows)."""
    table = pd.DataFrame({level: type_mix(p)["MiB"] for level, p in files.items()}).T.fillna(0.0)
    return table[table.sum().sort_values(ascending=False).index].round(1)


# ------------------------------------------------------------------------------------------- tokens
def gguf_tokens(path: Path, text: str, add_bos: bool = True) -> list[int]:
    """Token ids llama.cpp produces for `text` with the tokenizer stored in a GGUF file (vocabulary only)."""
    from llama_cpp import Llama

    with quiet_llama():
        llm = Llama(str(path), vocab_only=True, verbose=False)
        try:
            return list(llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=False))
        finally:
            llm.close()


def mistral_common_tokens(text: str, version: str = "v3", bos: bool = True) -> list[int]:
    """Token ids Mistral's own tokenizer (mistral-common) gives for plain `text`."""
    from .tokens import mistral_tokenizer

    return list(mistral_tokenizer(version).instruct_tokenizer.tokenizer.encode(text, bos=bos, eos=False))


def compare_logits(hf_dir: Path, gguf_path: Path, tokens: Sequence[int]) -> dict[str, float]:
    """Run the same tokens through transformers (the HF folder) and llama.cpp (the GGUF); compare next-token logits."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(hf_dir), dtype=torch.float32).eval()
    with torch.no_grad():
        ref: np.ndarray = model(torch.tensor([list(tokens)])).logits[0].numpy()
    with llama_model(gguf_path, n_ctx=max(64, len(tokens) + 8)) as llm:
        got = _decode_all(llm, list(tokens))[0]
    assert got is not None, "without on_chunk, _decode_all returns the logits"
    return {
        "max |difference|": float(np.abs(ref - got).max()),
        "spread of the logits (std)": float(ref.std()),
        "correlation": float(np.corrcoef(ref.ravel(), got.ravel())[0, 1]),
        "same top token": float((ref.argmax(-1) == got.argmax(-1)).mean()),
    }


# ------------------------------------------------------------------------------------ llama.cpp logs
@contextlib.contextmanager
def quiet_llama(on_line: Callable[[str], None] | None = None) -> Iterator[list[str]]:
    """Route llama.cpp's log lines to a list (and `on_line`) instead of stderr, then restore its logger."""
    import llama_cpp
    from llama_cpp import _logger

    lines: list[str] = []
    buffer = [""]

    @llama_cpp.llama_log_callback
    def callback(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        buffer[0] += text.decode("utf-8", errors="replace")
        while "\n" in buffer[0]:
            line, buffer[0] = buffer[0].split("\n", 1)
            lines.append(line)
            if on_line is not None:
                on_line(line)

    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
    try:
        yield lines
    finally:
        llama_cpp.llama_log_set(_logger.llama_log_callback, ctypes.c_void_p(0))


# -------------------------------------------------------------------------------------- quantization
_TENSOR_LINE = re.compile(r"^\[\s*(\d+)/\s*(\d+)\]\s+(\S+)")
_FALLBACK = re.compile(r"(\d+) of (\d+) tensor\(s\) required fallback quantization")


@dataclass
class QuantizeReport:
    """What one llama_model_quantize run did."""

    level: str
    path: Path
    seconds: float
    tensors: int
    fallback_tensors: int
    cached: bool = False


def quantize(source: Path, dest: Path, level: str, *, allow_requantize: bool = False, nthread: int = 0,
             bar: Any = None) -> QuantizeReport:
    """Quantize a GGUF file to `level` with llama.cpp (`llama_model_quantize`, what `llama-quantize` runs).

    A failed run leaves a partial file behind in llama.cpp; this deletes it and raises with the fix.
    `bar` (a tqdm bar) advances once per tensor written.
    """
    import llama_cpp

    if level not in LEVELS:
        raise ValueError(f"Unknown level {level!r}; choose one of {', '.join(LEVELS)}.")
    source, dest = Path(source), Path(dest)
    if not source.exists():
        raise FileNotFoundError(f"{source} does not exist; prepare it first (`make models`).")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = LEVELS[level]
    params.nthread = nthread
    params.allow_requantize = allow_requantize
    seen: dict[str, int] = {"done": 0, "total": 0, "fallback": 0}

    def on_line(line: str) -> None:
        if m := _TENSOR_LINE.match(line):
            seen["done"], seen["total"] = int(m.group(1)), int(m.group(2))
            if bar is not None:
                if bar.total != seen["total"]:
                    bar.reset(total=seen["total"])
                bar.n = seen["done"]
                bar.refresh()
        elif m := _FALLBACK.search(line):
            seen["fallback"] = int(m.group(1))

    started = time.perf_counter()
    with quiet_llama(on_line) as lines:
        rc = llama_cpp.llama_model_quantize(str(source).encode(), str(dest).encode(), ctypes.byref(params))
    if rc != 0:
        dest.unlink(missing_ok=True)
        why = next((ln.strip() for ln in reversed(lines) if "error" in ln.lower() or "disabled" in ln.lower()),
                   lines[-1].strip() if lines else "no log")
        why = why.split("failed to quantize:", 1)[-1].strip().rstrip(".")
        hint = (" The source is already quantized: requantizing compounds the rounding error, so llama.cpp refuses "
                "unless you pass allow_requantize=True (better: start from the F16/BF16 original)."
                if "requantiz" in why.lower() else "")
        raise RuntimeError(f"llama_model_quantize({source.name} -> {level}) failed (code {rc}): {why}.{hint} "
                           f"The partial output {dest.name} was deleted.")
    return QuantizeReport(level, dest, time.perf_counter() - started, seen["total"], seen["fallback"])


def quantize_ladder(source: Path, levels: Sequence[str] = LADDER, *, progress: bool = True,
                    nthread: int = 0) -> dict[str, QuantizeReport]:
    """F16 from `source` (requantized if it is quantized), then each level from that F16; cached by source sha.

    Outputs live in `<cache>/gguf/<source stem>-<sha12>/<LEVEL>.gguf`; existing ones are reused.
    """
    from tqdm.auto import tqdm

    source = Path(source)
    folder = gguf_cache() / f"{source.stem}-{sha256_file(source)[:12]}"
    folder.mkdir(parents=True, exist_ok=True)
    plan = ["F16", *[lv for lv in levels if lv != "F16"]]
    reports: dict[str, QuantizeReport] = {}
    overall = tqdm(plan, desc="quantizing", unit="level", disable=not progress)
    for level in overall:
        target = folder / f"{level}.gguf"
        overall.set_postfix_str(level)
        if target.exists():
            saved = folder / f"{level}.json"
            recorded = json.loads(saved.read_text()) if saved.exists() else {}
            reports[level] = QuantizeReport(level, target, float(recorded.get("seconds", 0.0)),
                                            int(recorded.get("tensors", 0)), int(recorded.get("fallback_tensors", 0)),
                                            cached=True)
            continue
        src = source if level == "F16" else reports["F16"].path
        partial = target.with_suffix(".partial")
        with tqdm(total=1, desc=f"{level} tensors", unit="tensor", leave=False, disable=not progress) as bar:
            report = quantize(src, partial, level, allow_requantize=(level == "F16"), nthread=nthread, bar=bar)
        partial.replace(target)
        report.path = target
        reports[level] = report
        (folder / f"{level}.json").write_text(json.dumps({k: str(v) if isinstance(v, Path) else v
                                                          for k, v in asdict(report).items()}, indent=2))
    return reports


def ladder_files(reports: dict[str, QuantizeReport]) -> dict[str, Path]:
    """Level -> file path, in the order they were made."""
    return {level: r.path for level, r in reports.items()}


# ------------------------------------------------------------------------------------- measurements
@contextlib.contextmanager
def llama_model(path: Path, *, n_ctx: int = 2048, n_batch: int = 128, n_threads: int = 1) -> Iterator[Any]:
    """A llama-cpp-python `Llama` on `path` with quiet logs, closed on exit."""
    from llama_cpp import Llama

    with quiet_llama():
        llm = Llama(str(path), n_ctx=n_ctx, n_batch=n_batch, n_ubatch=n_batch, n_threads=n_threads,
                    n_threads_batch=n_threads, verbose=False)
        try:
            yield llm
        finally:
            llm.close()


class _Batch:
    def __init__(self, size: int):
        import llama_cpp

        self._lib = llama_cpp
        self.size = size
        self.batch = llama_cpp.llama_batch_init(size, 0, 1)

    def fill(self, tokens: Sequence[int], start: int, all_logits: bool) -> None:
        b = self.batch
        b.n_tokens = len(tokens)
        for i, tok in enumerate(tokens):
            b.token[i] = tok
            b.pos[i] = start + i
            b.n_seq_id[i] = 1
            b.seq_id[i][0] = 0
            b.logits[i] = 1 if all_logits or i == len(tokens) - 1 else 0

    def close(self) -> None:
        self._lib.llama_batch_free(self.batch)


def _decode(llm: Any, batch: _Batch) -> None:
    import llama_cpp

    rc = llama_cpp.llama_decode(llm.ctx, batch.batch)
    if rc != 0:
        raise RuntimeError(f"llama_decode returned {rc}; the context is too small for these tokens (raise n_ctx).")


def _clear(llm: Any) -> None:
    import llama_cpp

    llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(llm.ctx), True)


def _decode_all(llm: Any, tokens: list[int], n_batch: int = 128,
                on_chunk: Callable[[np.ndarray, int], None] | None = None) -> tuple[np.ndarray | None, float]:
    """Decode `tokens` in chunks with logits for every position; returns (logits or None, seconds in decode)."""
    import llama_cpp

    _clear(llm)
    n_vocab = llm.n_vocab()
    batch = _Batch(n_batch)
    kept: list[np.ndarray] = []
    spent = 0.0
    try:
        for start in range(0, len(tokens), n_batch):
            chunk = tokens[start:start + n_batch]
            batch.fill(chunk, start, all_logits=True)
            t0 = time.perf_counter()
            _decode(llm, batch)
            spent += time.perf_counter() - t0
            logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits(llm.ctx), shape=(len(chunk), n_vocab))
            if on_chunk is None:
                kept.append(logits.copy())
            else:
                on_chunk(logits, start)
    finally:
        batch.close()
    return (np.concatenate(kept) if kept else None), spent


def perplexity(llm: Any, tokens: Sequence[int], n_batch: int = 128) -> tuple[float, float]:
    """Perplexity of `tokens` in one window (each token predicted from all before it); returns (ppl, decode s)."""
    tokens = list(tokens)
    if len(tokens) < 2:
        raise ValueError("perplexity needs at least two tokens.")
    total = [0.0, 0]

    def score(logits: np.ndarray, start: int) -> None:
        targets = tokens[start + 1:start + 1 + len(logits)]
        m = len(targets)
        if m == 0:
            return
        rows = logits[:m]
        top = rows.max(axis=1)
        lse = np.log(np.exp(rows - top[:, None]).sum(axis=1)) + top
        total[0] += float((lse - rows[np.arange(m), targets]).sum())
        total[1] += m

    _, spent = _decode_all(llm, tokens, n_batch, on_chunk=score)
    return float(np.exp(total[0] / total[1])), spent


def greedy_generate(llm: Any, prompt: str, max_tokens: int = 48) -> tuple[str, int, float]:
    """Greedy continuation of `prompt` (argmax each step, EOS not special-cased); returns (text, tokens, gen s)."""
    import llama_cpp

    tokens = list(llm.tokenize(prompt.encode("utf-8"), add_bos=True))
    _clear(llm)
    size = int(llm.n_batch)
    batch = _Batch(size)
    out: list[int] = []
    spent = 0.0
    try:
        for start in range(0, len(tokens), size):
            batch.fill(tokens[start:start + size], start, all_logits=False)
            _decode(llm, batch)
        pos = len(tokens)
        for _ in range(max_tokens):
            logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm.ctx, -1), shape=(llm.n_vocab(),))
            nxt = int(logits.argmax())
            out.append(nxt)
            batch.fill([nxt], pos, all_logits=True)
            t0 = time.perf_counter()
            _decode(llm, batch)
            spent += time.perf_counter() - t0
            pos += 1
    finally:
        batch.close()
    text = llm.detokenize(out).decode("utf-8", errors="replace")
    return text, len(out), spent


@dataclass
class LevelMeasurement:
    """One quantization level, measured."""

    level: str
    size_mib: float
    params: int
    bits_per_weight: float
    load_s: float
    prompt_tok_s: float
    gen_tok_s: float
    perplexity: float
    text: str


def measure_level(level: str, path: Path, eval_tokens: Sequence[int], prompt: str, *, gen_tokens: int = 40,
                  n_threads: int = 1, n_batch: int = 128, gen_repeats: int = 3) -> LevelMeasurement:
    """Size, bits per weight, load time, prompt and generation tokens/s, perplexity and a greedy sample for one file.

    Generation speed is the best of `gen_repeats` runs (the least disturbed by other work on the machine).
    """
    params = parameter_count(path)
    t0 = time.perf_counter()
    with llama_model(path, n_ctx=len(eval_tokens) + gen_tokens + 64, n_batch=n_batch, n_threads=n_threads) as llm:
        load_s = time.perf_counter() - t0
        ppl, prompt_s = perplexity(llm, eval_tokens, n_batch)
        text, n_gen, gen_s = greedy_generate(llm, prompt, gen_tokens)
        for _ in range(gen_repeats - 1):
            gen_s = min(gen_s, greedy_generate(llm, prompt, gen_tokens)[2])
    size = Path(path).stat().st_size
    return LevelMeasurement(level, size / MIB, params, bits_per_weight(size, params), load_s,
                            len(eval_tokens) / prompt_s, n_gen / gen_s, ppl, text)


def eval_tokens_for(path: Path, text: str, n_tokens: int) -> list[int]:
    """The first `n_tokens` tokens of `text` under a GGUF file's tokenizer (BOS first); raises if the text is short."""
    tokens = gguf_tokens(path, text)
    if len(tokens) < n_tokens:
        raise ValueError(f"The text has {len(tokens)} tokens, fewer than the {n_tokens} asked for; "
                         "use a longer text or ask for fewer tokens.")
    return tokens[:n_tokens]


def measure_ladder(files: dict[str, Path], text: str, n_tokens: int, prompt: str, *, gen_tokens: int = 40,
                   n_threads: int = 1, progress: bool = True) -> pd.DataFrame:
    """Measure every file (same tokens, same prompt); one row per level, indexed by level."""
    from tqdm.auto import tqdm

    first = next(iter(files.values()))
    tokens = eval_tokens_for(first, text, n_tokens)
    rows = []
    bar = tqdm(files.items(), total=len(files), desc="measuring", unit="level", disable=not progress)
    for level, path in bar:
        bar.set_postfix_str(level)
        rows.append(asdict(measure_level(level, path, tokens, prompt, gen_tokens=gen_tokens, n_threads=n_threads)))
    return pd.DataFrame(rows).set_index("level")


def results_table(measured: pd.DataFrame, reference: str = "F16") -> pd.DataFrame:
    """The measured table for reading: sizes, bits, speeds and perplexity, with ratios to `reference`."""
    ref = measured.loc[reference]
    out = pd.DataFrame({
        "size MiB": measured["size_mib"].round(1),
        "bits/weight": measured["bits_per_weight"].round(2),
        "size vs F16": (measured["size_mib"] / ref["size_mib"]).round(2),
        "load s": measured["load_s"].round(2),
        "prompt tok/s": measured["prompt_tok_s"].round(0),
        "gen tok/s": measured["gen_tok_s"].round(1),
        "gen speed vs F16": (measured["gen_tok_s"] / ref["gen_tok_s"]).round(2),
        "perplexity": measured["perplexity"].round(2),
        "perplexity vs F16": (measured["perplexity"] / ref["perplexity"] - 1).map(lambda x: f"{x:+.1%}"),
    })
    out.index.name = "level"
    return out


def best_under_budget(measured: pd.DataFrame, budget_mib: float) -> str:
    """The level with the lowest perplexity among those whose file fits in `budget_mib`."""
    fits = measured[measured["size_mib"] <= budget_mib]
    if fits.empty:
        raise ValueError(f"No level fits in {budget_mib} MiB; the smallest is {measured['size_mib'].min():.1f} MiB.")
    return str(fits["perplexity"].idxmin())


def size_falls_with_bits(measured: pd.DataFrame, order: Sequence[str] = ("F16", *LADDER)) -> bool:
    """True when each level in `order` (more bits first) makes a strictly smaller file than the one before."""
    sizes = [measured.loc[lv, "size_mib"] for lv in order if lv in measured.index]
    return all(a > b for a, b in pairwise(sizes))


# ------------------------------------------------------------------------------------ seed's table
def heldout_text(name: str = "apache-2.0.txt") -> str:
    """The held-out evaluation text from `data/heldout/` (see its README for source and licence)."""
    path = data_dir() / "heldout" / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; restore data/heldout/ from the repository.")
    return path.read_text(encoding="utf-8")


def seed_table() -> pd.DataFrame:
    """The seed article's static quantization table for Mistral 7B, as data (`data/seed_quantization_table.json`)."""
    return seed_rows()


def seed_recipe() -> pd.DataFrame:
    """The seed's manual llama.cpp commands, what each is today, and the Python call used here."""
    raw = seed_quantization_data()["manual_recipe"]["steps"]
    return pd.DataFrame(raw).rename(columns={"seed": "seed (2023-era llama.cpp)", "today": "today",
                                             "here": "Python API used here"})


def seed_vs_measured(measured: pd.DataFrame, n_params_7b: float = 7.25e9) -> pd.DataFrame:
    """The seed's 7B claims beside llama.cpp's published bits per weight and this machine's measurements.

    Sizes are compared as ratios to FP16 so a 7B and a 270M model can share a table; the 7B size
    from llama.cpp's table is `n_params_7b` x bits per weight (from `data/quant_formats.json`).
    """
    from .sizing import precisions

    seed, known = seed_table(), precisions()
    ref = measured.loc["F16"]
    rows = []
    for method, level, key in (("FP16", "F16", "fp16"), ("GGUF Q4_K_M", "Q4_K_M", "gguf-q4_k_m"),
                               ("GGUF Q2_K", "Q2_K", "gguf-q2_k")):
        s, m, bits = seed.loc[method], measured.loc[level], known[key]["bits_linear"]
        rows.append({
            "level": level,
            "seed: 7B size": f"~{s['size_gb']:g} GB",
            "seed: implied bits/weight": round(s["size_gb"] * 1e9 * 8 / n_params_7b, 2),
            "llama.cpp table: bits/weight": bits,
            "llama.cpp table: 7B size": f"{n_params_7b * bits / 8 / 1e9:.2f} GB",
            "measured here: bits/weight (270M)": round(m["bits_per_weight"], 2),
            "seed: size vs FP16": round(s["size_gb"] / seed.loc["FP16", "size_gb"], 2),
            "measured here: size vs F16": round(m["size_mib"] / ref["size_mib"], 2),
            "seed: speed vs FP16": f"{s['speed_x']}x",
            "measured here: generation vs F16 (CPU)": f"{m['gen_tok_s'] / ref['gen_tok_s']:.2f}x",
            "seed: quality": f"{s['quality_pct']:g} %",
            "measured here: perplexity vs F16": f"{m['perplexity'] / ref['perplexity'] - 1:+.1%}",
        })
    return pd.DataFrame(rows).set_index("level").T


# ------------------------------------------------------------------------------------------- plots
def _level_colours(levels: Sequence[str]) -> dict[str, Any]:
    import matplotlib.pyplot as plt

    cmap = plt.get_cmap("viridis")
    return {lv: cmap(i / max(len(levels) - 1, 1)) for i, lv in enumerate(levels)}


def plot_size_vs_perplexity(measured: pd.DataFrame, ax: Any = None):
    """Perplexity (lower is better) against file size, one coloured point per level."""
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(6, 4))[1]
    colours = _level_colours(list(measured.index))
    for level, row in measured.iterrows():
        ax.scatter(row["size_mib"], row["perplexity"], color=colours[level], s=60, label=level, zorder=3)
    ax.set_xlabel("file size (MiB)")
    ax.set_ylabel("perplexity (lower is better)")
    ax.set_title("Size vs quality")
    ax.grid(alpha=0.3)
    ax.legend(title="level")
    return ax


def plot_speed_vs_size(measured: pd.DataFrame, ax: Any = None):
    """Generation and prompt speed relative to F16 against file size, one colour per level."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    ax = ax or plt.subplots(figsize=(6, 4))[1]
    colours = _level_colours(list(measured.index))
    ref = measured.loc["F16"] if "F16" in measured.index else measured.iloc[0]
    for level, row in measured.iterrows():
        ax.scatter(row["size_mib"], row["gen_tok_s"] / ref["gen_tok_s"], color=colours[level], marker="o", s=60,
                   zorder=3)
        ax.scatter(row["size_mib"], row["prompt_tok_s"] / ref["prompt_tok_s"], color=colours[level], marker="s",
                   s=40, alpha=0.6, zorder=3)
    ax.axhline(1.0, color="grey", lw=1, ls="--")
    ax.set_ylim(0, max(2.0, float((measured["gen_tok_s"] / ref["gen_tok_s"]).max()) * 1.15))
    ax.set_xlabel("file size (MiB)")
    ax.set_ylabel("tokens/s relative to F16 (1 thread)")
    ax.set_title("Speed vs size")
    ax.grid(alpha=0.3)
    ax.legend(handles=[Line2D([], [], marker="o", ls="", color="grey", label="generation"),
                       Line2D([], [], marker="s", ls="", color="grey", alpha=0.6, label="prompt")], loc="lower right")
    return ax


def side_by_side(measured: pd.DataFrame, levels: Sequence[str] = ("Q8_0", "Q2_K"), width: int = 60) -> str:
    """The greedy continuations of two (or more) levels, wrapped in columns for reading."""
    import textwrap

    cols = [textwrap.wrap(" ".join(measured.loc[lv, "text"].split()), width) for lv in levels]
    height = max(len(c) for c in cols)
    lines = ["   ".join(f"{lv:<{width}}" for lv in levels), "   ".join("-" * width for _ in levels)]
    for i in range(height):
        lines.append("   ".join(f"{(c[i] if i < len(c) else ''):<{width}}" for c in cols))
    return "\n".join(line.rstrip() for line in lines)


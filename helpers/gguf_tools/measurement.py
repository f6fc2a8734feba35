"""Benchmarks per level: perplexity, greedy generation, load and token speeds, and the tables read from them."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .files import MIB, bits_per_weight
from .llama_runtime import _Batch, _clear, _decode, _decode_all, llama_model
from .logits import gguf_tokens
from .quantization import LADDER
from .reading import parameter_count


# ------------------------------------------------------------------------------------- measurements
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

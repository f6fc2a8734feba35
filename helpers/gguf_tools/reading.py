"""Reading a GGUF file: header metadata (gguf's `GGUFReader`) and the tensor index (`model_files`)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd

from ..model_files import gguf_tensor_index
from .files import MIB


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

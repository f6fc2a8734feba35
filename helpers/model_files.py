"""Model files on disk, shared by the notebooks' helpers: the model cache's subfolders, GGUF tensor indexes,
and the seed article's quantization table (`data/seed_quantization_table.json`).

The tensor index is read with the `gguf` package's `GGUFReader`. Plain `GGUFReader` walks every
metadata array one value at a time: 11-19 s for the Gemma stand-in's 262,144-token vocabulary on
2 cores. `_TensorIndexReader` reads an array of numbers as one view and steps over an array of
strings: 0.05 s on the same file. Indexes are kept per path, size and modification time.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .paths import cache_dir, data_dir

if TYPE_CHECKING:
    import numpy.typing as npt
    from gguf import GGUFReader


# ------------------------------------------------------------------------------------------ the cache
def cache_subdir(name: str) -> Path:
    """`<cache>/<name>`, the ignored folder one helper keeps its files in, created if missing."""
    path = cache_dir() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


# --------------------------------------------------------------------------------------- GGUF files
@dataclass(frozen=True)
class GGUFTensor:
    """One tensor listed in a GGUF file's header; `offset` is where its data starts in the file."""

    name: str
    shape: tuple[int, ...]  # as llama.cpp lists it, fastest axis first
    type_name: str  # llama.cpp's type (ggml_type), e.g. "Q4_K"
    n_elements: int
    offset: int
    nbytes: int

    @property
    def bits_per_weight(self) -> float:
        """The type's bits per weight: one block's bytes x 8 / its weights (gguf's `GGML_QUANT_SIZES`)."""
        return ggml_bits_per_weight(self.type_name)


def ggml_bits_per_weight(type_name: str) -> float:
    """Bits per weight of a llama.cpp tensor type, from the `gguf` package's block sizes."""
    from gguf import GGML_QUANT_SIZES, GGMLQuantizationType

    block, size = GGML_QUANT_SIZES[GGMLQuantizationType[type_name]]
    return size * 8 / block


@cache
def _tensor_index_reader() -> type[GGUFReader]:
    """`GGUFReader`, but reading a metadata array in one step: numbers as one view, strings stepped over.

    Only `_get_field_parts` changes; the header, alignment and tensor list are `GGUFReader`'s own. An
    array of strings keeps no contents (`ReaderField.contents()` gives `[]`): use plain `GGUFReader`
    to read the vocabulary itself.
    """
    from gguf import GGUFEndian, GGUFReader, GGUFValueType

    class _TensorIndexReader(GGUFReader):
        def _get_field_parts(self, orig_offs: int,
                             raw_type: int) -> tuple[int, list[npt.NDArray[Any]], list[int], list[GGUFValueType]]:
            if raw_type != GGUFValueType.ARRAY:
                return super()._get_field_parts(orig_offs, raw_type)
            item_type, count = self._get(orig_offs, np.uint32), self._get(orig_offs + 4, np.uint64)
            offs, n, item = orig_offs + 12, int(count[0]), GGUFValueType(item_type[0])
            scalar = self.gguf_scalar_to_np.get(item)
            if scalar is not None:
                values = self._get(offs, scalar, n)
                return 12 + int(values.nbytes), [item_type, count, values], [2], [GGUFValueType.ARRAY, item]
            if item == GGUFValueType.STRING:
                length, buffer = struct.Struct("<Q" if self.endianess == GGUFEndian.LITTLE else ">Q"), self.data.data
                for _ in range(n):
                    offs += 8 + length.unpack_from(buffer, offs)[0]
                return offs - orig_offs, [item_type, count], [], [GGUFValueType.ARRAY, item]
            return super()._get_field_parts(orig_offs, raw_type)  # arrays of arrays: value by value

    return _TensorIndexReader


def gguf_tensor_index(path: str | Path) -> tuple[GGUFTensor, ...]:
    """Every tensor in a GGUF file's header (name, shape, type, elements, data offset, bytes), weights not loaded."""
    path = Path(path)
    with path.open("rb") as f:
        if f.read(4) != b"GGUF":
            raise ValueError(f"{path} is not a GGUF file (no GGUF magic); point this at a .gguf model file.")
    stat = path.stat()
    return _read_index(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=64)
def _read_index(path: str, size: int, mtime_ns: int) -> tuple[GGUFTensor, ...]:
    try:
        reader = _tensor_index_reader()(path)
    except ValueError as exc:  # e.g. a truncated file: its last tensors' data is missing
        raise ValueError(f"{path}: the gguf package cannot read this GGUF file ({exc}); if a download or "
                         "conversion stopped part-way, delete the file and make it again.") from exc
    return tuple(GGUFTensor(t.name, tuple(int(d) for d in t.shape), t.tensor_type.name, int(t.n_elements),
                            int(t.data_offset), int(t.n_bytes)) for t in reader.tensors)


# ------------------------------------------------------------------------------- the seed's table
def seed_quantization_data() -> dict[str, Any]:
    """`data/seed_quantization_table.json`: the seed article's table (`rows`) and its manual recipe."""
    return dict(json.loads((data_dir() / "seed_quantization_table.json").read_text()))


def seed_rows() -> pd.DataFrame:
    """The seed article's static quantization table for Mistral 7B, one row per method, every column."""
    return pd.DataFrame(seed_quantization_data()["rows"]).set_index("method")

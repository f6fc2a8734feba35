"""Files: hashes, sizes, the `<cache>/gguf` folder, and bits per weight."""

from __future__ import annotations

from pathlib import Path

from ..engine.embedded import sha256_of
from ..model_files import cache_subdir

MIB = 1 << 20


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

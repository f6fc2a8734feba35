"""What machine the workbook runs on: CPU, memory, GPU, installed package versions."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from dataclasses import dataclass, field
from importlib import metadata

# Packages shown in notebook 00's environment table (distribution names).
KEY_PACKAGES = (
    "mistralai",
    "openai",
    "ollama",
    "llama-cpp-python",
    "mistral-common",
    "transformers",
    "torch",
    "peft",
    "bitsandbytes",
    "sentence-transformers",
    "jupyterlab",
    "ipywidgets",
    "nbval",
)


@dataclass
class GPU:
    name: str
    memory_gib: float


@dataclass
class Hardware:
    """A snapshot of the machine."""

    cpu: str
    cores: int
    ram_gib: float
    os: str
    python: str
    gpus: list[GPU] = field(default_factory=list)

    @property
    def apple_silicon(self) -> bool:
        return platform.system() == "Darwin" and platform.machine() == "arm64"

    @property
    def profile(self) -> str:
        """The hardware profile this machine matches (one of settings.HARDWARE_PROFILES)."""
        if self.gpus:
            return "server-gpu" if max(g.memory_gib for g in self.gpus) >= 40 else "consumer-gpu"
        return "apple-silicon" if self.apple_silicon else "cpu"

    @property
    def accelerator_memory_gib(self) -> float:
        """Memory a model can use: the largest GPU's, else RAM (CPU and unified-memory machines)."""
        return max((g.memory_gib for g in self.gpus), default=self.ram_gib)


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    if platform.system() == "Darwin":
        try:
            return subprocess.run(
                ["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True, timeout=5
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return platform.processor() or platform.machine()


def _gpus() -> list[GPU]:
    """NVIDIA GPUs via nvidia-smi (no torch import needed)."""
    exe = shutil.which("nvidia-smi")
    if not exe:
        return []
    try:
        out = subprocess.run(
            [exe, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    gpus = []
    for line in out.strip().splitlines():
        name, _, mem = line.rpartition(",")
        try:
            gpus.append(GPU(name=name.strip(), memory_gib=round(float(mem) / 1024, 1)))
        except ValueError:
            continue
    return gpus


def usable_cores() -> int:
    """CPU cores this process may run on (container limits included where the OS reports them)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        return os.cpu_count() or 1


def detect_hardware() -> Hardware:
    """Detect CPU, cores usable by this process, RAM and GPUs."""
    import psutil

    return Hardware(
        cpu=_cpu_name(),
        cores=usable_cores(),
        ram_gib=round(psutil.virtual_memory().total / 2**30, 1),
        os=f"{platform.system()} {platform.release()}",
        python=platform.python_version(),
        gpus=_gpus(),
    )


def package_versions(names: tuple[str, ...] = KEY_PACKAGES) -> dict[str, str]:
    """Installed version of each distribution, or 'not installed'."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions

"""The code checker: a program run against its unit tests in a separate, limited `python -I` process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .items import extract_code

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]


# ------------------------------------------------------------------------------- code execution
@dataclass
class ExecResult:
    """The outcome of running a program against its unit tests."""

    status: str  # "pass", "fail", "timeout" or "error"
    reason: str
    seconds: float

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def __str__(self) -> str:
        return f"{self.status}: {self.reason}" if self.reason else self.status


# Runs first in the child: no socket can be created from Python, whatever module asks. The socket classes
# stay classes (ssl and http.client subclass them at import) but refuse to be instantiated.
_PRELUDE = '''
import socket as _socket_module, _socket

def _no_network(*args, **kwargs):
    raise PermissionError("network access is blocked in the code checker")

class _BlockedSocket(_socket_module.socket):
    def __init__(self, *args, **kwargs):
        _no_network()

class _BlockedRawSocket(_socket.socket):
    def __init__(self, *args, **kwargs):
        _no_network()

_socket_module.socket = _socket_module.SocketType = _BlockedSocket
_socket.socket = _socket.SocketType = _BlockedRawSocket
for _mod in (_socket_module, _socket):
    for _name in ("socketpair", "create_connection", "create_server", "fromfd", "getaddrinfo", "gethostbyname",
                  "gethostbyname_ex", "gethostbyaddr"):
        if hasattr(_mod, _name):
            setattr(_mod, _name, _no_network)
del _mod, _name
'''

_RUNNER = _PRELUDE + '''
import sys, traceback

def main(entry):
    namespace = {"__name__": "solution"}
    try:
        program = compile(open("solution.py", encoding="utf-8").read(), "solution.py", "exec")
    except SyntaxError as exc:
        print(f"SyntaxError: {exc.msg} (solution.py line {exc.lineno})", file=sys.stderr)
        return 3
    try:
        exec(program, namespace)
        exec(compile(open("test.py", encoding="utf-8").read(), "test.py", "exec"), namespace)
        if entry not in namespace:
            print(f"NameError: the program defines no function {entry!r}", file=sys.stderr)
            return 2
        namespace["check"](namespace[entry])
    except AssertionError as exc:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        print(f"AssertionError: {frame.line} ({frame.filename} line {frame.lineno})", file=sys.stderr)
        return 1
    except BaseException as exc:
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    return 0

sys.exit(main(sys.argv[1]))
'''


def _limits(memory_mb: int, cpu_s: int) -> Callable[[], None] | None:
    """The child's resource limits, applied between fork and exec (None where `resource` is missing)."""
    if resource is None:  # Windows: only the timeout applies
        return None
    limits = [(resource.RLIMIT_CPU, cpu_s), (resource.RLIMIT_FSIZE, 10 * 2**20), (resource.RLIMIT_CORE, 0),
              (resource.RLIMIT_AS, memory_mb * 2**20)]

    def apply() -> None:  # runs in the forked child: no imports, no locks, only system calls
        for which, value in limits:
            try:
                resource.setrlimit(which, (value, value))
            except (ValueError, OSError):  # e.g. macOS refuses RLIMIT_AS; the other limits still hold
                pass

    return apply


def run_code_tests(program: str, test: str, entry_point: str, *, timeout: float = 5.0,
                   memory_mb: int = 512) -> ExecResult:
    """Run `check(entry_point)` from `test` against `program` in a separate, limited process.

    The child is `python -I` (no environment variables, no user site-packages, no current folder on
    the path) in a fresh temporary folder, with an address-space limit of `memory_mb`, a CPU-time
    limit, no core files, Python sockets replaced by a function that raises, and the whole process
    group killed after `timeout` seconds. This keeps honest mistakes (endless loops, runaway memory,
    a stray download) contained; it is not a security sandbox for hostile code.
    """
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="workbook-code-") as tmp:
        folder = Path(tmp)
        (folder / "solution.py").write_text(program, encoding="utf-8")
        (folder / "test.py").write_text(test, encoding="utf-8")
        (folder / "runner.py").write_text(_RUNNER, encoding="utf-8")
        child = subprocess.Popen(
            [sys.executable, "-I", "runner.py", entry_point], cwd=folder, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
            preexec_fn=_limits(memory_mb, max(1, int(timeout) + 1)), start_new_session=True,
        )
        try:
            _, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            return ExecResult("timeout", f"killed after {timeout:g} s", time.perf_counter() - started)
    seconds = time.perf_counter() - started
    last = (err.strip().splitlines() or [""])[-1]
    code = child.returncode
    if code == 0:
        return ExecResult("pass", "", seconds)
    if code == 1:
        return ExecResult("fail", last, seconds)
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return ExecResult("timeout", f"CPU time limit ({signal.Signals(-code).name})", seconds)
    return ExecResult("error", last or f"exit status {code}", seconds)


def check_completion(task: dict[str, Any], reply: str, *, timeout: float = 5.0) -> ExecResult:
    """Extract the program from a model's reply to a code task and run the task's tests on it."""
    program = extract_code(reply, task["prompt"], task["entry_point"])
    return run_code_tests(program, task["test"], task["entry_point"], timeout=timeout)

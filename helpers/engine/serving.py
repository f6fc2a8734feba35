"""Start and stop local servers (the embedded endpoint, and later Ollama-API and vLLM servers).

A server is a child process on 127.0.0.1. `ManagedServer` waits until it answers, replaces a busy
port with a free one, stops the whole process group on `stop()`, on leaving a `with` block and at
interpreter exit, and asks Linux to end the child if the parent dies first: no orphans.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
_RUNNING: weakref.WeakSet[ManagedServer] = weakref.WeakSet()


class ServerStartError(RuntimeError):
    """A server did not come up; the message carries the end of its log."""


def port_is_free(port: int, host: str = HOST) -> bool:
    """True when nothing listens on host:port (and we may bind it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is no obstacle
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = HOST) -> int:
    """A port the OS says is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def choose_port(preferred: int, host: str = HOST, say: Callable[[str], None] = print) -> int:
    """`preferred` if free, otherwise a free port (and say so)."""
    if port_is_free(preferred, host):
        return preferred
    port = free_port(host)
    say(f"Port {preferred} is busy (another server is using it); using port {port} instead.")
    return port


def _die_with_parent() -> None:  # runs in the child before exec
    os.setsid()
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class ManagedServer:
    """A server process on 127.0.0.1, ready when `ready_path` answers HTTP 200."""

    def __init__(
        self,
        name: str,
        command: Callable[[int], list[str]],
        *,
        port: int,
        ready_path: str = "/v1/models",
        ready_timeout: float = 180.0,
        env: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        say: Callable[[str], None] = print,
    ):
        self.name = name
        self._command = command
        self.preferred_port = port
        self.port = port
        self.ready_path = ready_path
        self.ready_timeout = ready_timeout
        self.env = env or {}
        self.headers = headers or {}
        self.say = say
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None
        self.start_seconds: float | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 25) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def start(self) -> ManagedServer:
        if self.running:
            return self
        self.port = choose_port(self.preferred_port, say=self.say)
        fd, log = tempfile.mkstemp(prefix=f"{self.name}-", suffix=".log")
        self.log_path = Path(log)
        started = time.perf_counter()
        self.process = subprocess.Popen(
            self._command(self.port),
            stdout=fd,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **self.env},
            preexec_fn=_die_with_parent,
        )
        os.close(fd)
        _RUNNING.add(self)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.perf_counter() - started
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        url = self.base_url + self.ready_path
        process = self.process
        assert process is not None, "start() sets the process before waiting for it"
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ServerStartError(
                    f"{self.name} exited with code {process.returncode} while starting. Its log:\n{self.log_tail()}"
                )
            try:
                # the answer counts only from our own child: another server may have taken the port meanwhile
                if httpx.get(url, timeout=2.0, headers=self.headers).status_code == 200 and self._listens(process.pid):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise ServerStartError(
            f"{self.name} did not answer {url} within {self.ready_timeout:.0f} s. Its log:\n{self.log_tail()}"
        )

    def _listens(self, pid: int) -> bool:
        """Whether the process `pid` (or one of its children) listens on this server's port. A port taken by
        another server between `choose_port` and our child's bind would otherwise pass for ours."""
        import psutil

        try:
            processes = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
            return any(c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == self.port
                       for proc in processes for c in proc.net_connections(kind="inet"))
        except psutil.AccessDenied:  # a platform that hides sockets: trust the answer
            return True
        except psutil.Error:  # the child is gone: not ours, and the next poll() reports why
            return False

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the server and everything it started (SIGTERM to its group, then SIGKILL)."""
        process, self.process = self.process, None
        _RUNNING.discard(self)
        if self.log_path is not None:
            self.log_path.unlink(missing_ok=True)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)

    def __enter__(self) -> ManagedServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"running at {self.base_url}" if self.running else "stopped"
        return f"<{self.name}: {state}>"


@atexit.register
def stop_all() -> None:
    """Stop every server this interpreter started (also registered to run at exit)."""
    for server in list(_RUNNING):
        server.stop()


class LocalEndpoint(ManagedServer):
    """The embedded endpoint (`helpers.engine.endpoint`) as a managed child process."""

    def __init__(
        self,
        port: int | None = None,
        *,
        n_ctx: int | None = None,
        threads: int | None = None,
        api_key: str | None = None,
        extra_models: Mapping[str, str | Path] | None = None,
        chat_formats: Mapping[str, str] | None = None,
        aliases: Mapping[str, str] | None = None,
        say: Callable[[str], None] = print,
    ):
        """`extra_models` maps an alias to a chat GGUF file served beside the defaults; `chat_formats`
        gives an alias its prompt format (`workbook-gemma` by default, `workbook-mistral-v3` for models
        fine-tuned on Mistral's instruct format); `aliases` answers further names with served models (La
        Plateforme's names, for a rehearsal). See `helpers.engine.endpoint`."""
        env = {}
        extra: list[str] = []
        for alias, path in (extra_models or {}).items():
            if not Path(path).is_file():
                raise FileNotFoundError(f"Chat model file for {alias!r} not found: {path}. Pass the path of a .gguf file.")
            extra += ["--chat-model", f"{alias}={Path(path).resolve()}"]
        for alias, fmt in (chat_formats or {}).items():
            extra += ["--chat-format", f"{alias}={fmt}"]
        for name, target in (aliases or {}).items():
            extra += ["--alias", f"{name}={target}"]
        self.extra_models = dict(extra_models or {})
        if api_key:
            env["WORKBOOK_ENDPOINT_KEY"] = api_key
            extra += ["--api-key-env", "WORKBOOK_ENDPOINT_KEY"]
        if n_ctx:
            extra += ["--n-ctx", str(n_ctx)]
        if threads:
            extra += ["--threads", str(threads)]
        super().__init__(
            "embedded-endpoint",
            lambda p: [sys.executable, "-m", "helpers.engine.endpoint", "--port", str(p), *extra],
            port=port or int(os.environ.get("WORKBOOK_PORT", DEFAULT_PORT)),
            env=env,
            headers={"Authorization": f"Bearer {api_key}"} if api_key else {},
            say=say,
        )

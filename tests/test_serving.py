"""Server lifecycle: readiness, busy ports, stopping, and no process left behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import psutil
import pytest
from openai import OpenAI

from helpers.engine.serving import LocalEndpoint, ManagedServer, choose_port, free_port, port_is_free


def _gone(pid: int, wait: float = 20.0) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.2)
    return False


def test_choose_port_moves_off_a_busy_port():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        said = []
        chosen = choose_port(taken, say=said.append)
        assert chosen != taken and port_is_free(chosen)
        assert str(taken) in said[0] and str(chosen) in said[0]


def test_a_server_that_dies_at_start_reports_its_log():
    server = ManagedServer("broken", lambda p: [sys.executable, "-c", "print('no model here'); raise SystemExit(3)"],
                           port=free_port(), ready_timeout=20)
    with pytest.raises(RuntimeError, match="exited with code 3(.|\n)*no model here"):
        server.start()
    assert not server.running


def test_another_server_answering_on_the_port_is_not_taken_for_ours(monkeypatch):
    """A server that grabs the port between choose_port and our child's bind answers the readiness probe; it must
    not pass for ours (connect would then talk to a server without the models it asked for)."""
    import http.server
    import threading

    from helpers.engine import serving

    class Answer(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    foreign = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=foreign.serve_forever, daemon=True).start()
    port = foreign.server_address[1]
    monkeypatch.setattr(serving, "choose_port", lambda preferred, say=print: port)  # the race, made certain
    ours = ManagedServer("never-binds", lambda p: [sys.executable, "-c", "import time; time.sleep(2)"], port=port,
                         ready_timeout=30, say=lambda *_: None)
    try:
        with pytest.raises(serving.ServerStartError, match="exited with code 0"):
            ours.start()
    finally:
        ours.stop()
        foreign.shutdown()


@pytest.mark.slow
def test_endpoint_on_a_busy_port_starts_elsewhere_and_stops_cleanly():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        said = []
        with LocalEndpoint(port=taken, say=said.append) as server:
            assert server.port != taken
            pid = server.process.pid
            assert OpenAI(api_key="x", base_url=server.base_url + "/v1").models.list().data
            assert any(str(taken) in line for line in said)
        assert _gone(pid)
    assert port_is_free(server.port)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["atexit", "parent-killed"])
def test_no_orphan_when_the_parent_exits(how, tmp_path):
    """A kernel that forgets to stop the endpoint, or is killed outright, leaves no server behind."""
    script = textwrap.dedent(f"""
        import os, signal, sys, time
        from helpers.engine.serving import LocalEndpoint, free_port
        server = LocalEndpoint(port=free_port()).start()
        print(server.process.pid, flush=True)
        if {how!r} == "parent-killed":
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=240)
    pid = int(out.stdout.split()[0])
    assert _gone(pid), f"endpoint {pid} outlived its parent ({how})"


def test_stop_all_at_exit_leaves_no_children(endpoint):
    """Every child of this test process is a server the suite knows about."""
    children = psutil.Process(os.getpid()).children(recursive=False)
    assert [c.pid for c in children if "helpers.engine.endpoint" in " ".join(c.cmdline())] == [endpoint.process.pid]


@pytest.mark.slow
def test_make_serve_prints_url_and_models_and_stops_on_ctrl_c():
    """What `make serve` runs: foreground server, banner with base URL and model names, clean Ctrl-C."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "helpers.engine.endpoint", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        banner = []
        for line in process.stdout:
            banner.append(line)
            if "Stop with Ctrl-C" in line:
                break
        text = "".join(banner)
        assert f"http://127.0.0.1:{port}" in text
        assert "standin-gemma-3-270m" in text and "standin-minilm-l6-v2" in text and "not Mistral models" in text
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and port_is_free(port):
            time.sleep(0.2)
        assert OpenAI(api_key="x", base_url=f"http://127.0.0.1:{port}/v1").models.list().data
        process.send_signal(signal.SIGINT)
        rest = process.communicate(timeout=30)[0]
        assert process.returncode == 0 and "Embedded endpoint stopped." in rest
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

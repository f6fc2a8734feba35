"""Support for tests/test_browser.py: a headless JupyterLab server and a Chromium page driven by Playwright.

`LabServer` starts JupyterLab on a free 127.0.0.1 port, in a temporary root folder that holds *copies* of
the notebooks under test, with its own Jupyter config/data/runtime folders and Lab settings/workspaces
(so nothing from a reader's own Lab leaks in or out). Every process it starts (the server, its kernels and
whatever the kernels start, such as the embedded endpoint) carries a marker variable in its environment;
`stop()` shuts the server down, kills and describes the marked processes still alive, so a test can
assert that nothing was left running.

`LabPage` wraps a Playwright page with the few JupyterLab actions the test needs: open a notebook, wait
for the kernel to be idle, run all cells from the Run menu, wait for the run to finish, read errors,
save, find a widget by its visible label, take screenshots. `lab_session` puts both together.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil

from helpers.engine.serving import HOST, free_port
from helpers.paths import repo_root

ARTIFACTS = repo_root() / "build" / "test-artifacts" / "browser"
MARKER = "WORKBOOK_BROWSER_TEST_RUN"

# Debian's Chromium works here only with these flags (see the project's findings); Playwright adds its own
# headless and automation flags on top.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Lab user settings written into the fresh settings folder: every cell stays in the DOM (no windowing), and
# no news or update pop-ups cover the notebook.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


def find_chromium() -> str | None:
    """Path of the system Chromium (`WORKBOOK_CHROMIUM` overrides), or None when it is not installed."""
    for candidate in (os.environ.get("WORKBOOK_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def clear_outputs(source: Path, target: Path) -> None:
    """Copy a notebook without its outputs and execution counts, so everything the test sees comes from this run."""
    import nbformat

    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, target)


def marked_processes(run_id: str) -> list[psutil.Process]:
    """Live processes whose environment carries this run's marker (the server and everything below it)."""
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if proc.pid != os.getpid() and proc.environ().get(MARKER) == run_id and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def describe(procs: Iterable[psutil.Process]) -> str:
    out = []
    for p in procs:
        try:
            out.append(f"pid {p.pid}: {' '.join(p.cmdline())[:160]}")
        except psutil.Error:
            out.append(f"pid {p.pid}: (gone)")
    return "; ".join(out)


class LabServer:
    """JupyterLab on a free port in a temporary root folder holding copies of `notebooks`."""

    def __init__(self, workdir: Path, notebooks: Iterable[Path], env: dict[str, str] | None = None,
                 ready_timeout: float = 90.0):
        self.workdir = Path(workdir)
        self.root = self.workdir / "root"
        self.notebooks = [Path(n) for n in notebooks]
        self.extra_env = env or {}
        self.ready_timeout = ready_timeout
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.run_id = secrets.token_hex(8)
        self.log_path = self.workdir / "lab.log"
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}?token={self.token}"

    def copy_path(self, notebook: Path | str) -> Path:
        return self.root / Path(notebook).name

    def _prepare(self) -> dict[str, str]:
        self.root.mkdir(parents=True, exist_ok=True)
        for nb in self.notebooks:
            clear_outputs(nb, self.copy_path(nb))
        dirs = {name: self.workdir / "jupyter" / name for name in ("config", "data", "runtime", "settings", "workspaces")}
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True)
        for rel, values in LAB_SETTINGS.items():
            target = dirs["settings"] / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
        env.update({
            "JUPYTER_CONFIG_DIR": str(dirs["config"]),
            "JUPYTER_DATA_DIR": str(dirs["data"]),
            "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
            "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
            "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
            "JUPYTER_PLATFORM_DIRS": "1",
            "PYTHONUNBUFFERED": "1",
            MARKER: self.run_id,
        })
        env.update(self.extra_env)
        self._dirs = dirs
        return env

    def command(self) -> list[str]:
        cmd = [
            sys.executable, "-m", "jupyterlab",
            f"--ServerApp.ip={HOST}", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            "--ServerApp.open_browser=False", f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--LabApp.user_settings_dir={self._dirs['settings']}",
            f"--LabApp.workspaces_dir={self._dirs['workspaces']}",
            "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        return cmd

    def start(self) -> LabServer:
        env = self._prepare()
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(self.command(), cwd=self.root, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.process.returncode} while starting.\n"
                                   f"Last lines of its log ({self.log_path}):\n{self.log_tail()}")
            try:
                if httpx.get(self.url("api/status"), timeout=2.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer on {self.base_url} within {self.ready_timeout:.0f} s.\n"
                           f"Last lines of its log ({self.log_path}):\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 45.0) -> str:
        """Shut down the server and its kernels; describe the marked processes that outlived it ("" if none).

        Whatever survives is then killed, so the machine is clean either way; the caller decides whether
        survivors fail the test.
        """
        process = self.process
        if process is None:
            return ""
        self.process = None
        if process.poll() is None:
            try:  # the server's own shutdown stops every kernel first
                httpx.post(f"{self.base_url}/api/shutdown", headers={"Authorization": f"token {self.token}"},
                           timeout=10.0)
            except httpx.HTTPError:
                pass
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(10)
        # Kernels run in sessions of their own: give them a moment to follow the server out.
        return wait_gone(self.run_id, 20)

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def wait_for(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.5):
    """Poll `predicate` until it returns something truthy; raise TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    last_exc: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - the page may be mid-render; retry until the deadline
            last_exc = exc
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}" + (f" (last error: {last_exc})" if last_exc else ""))


# JavaScript run in the page. Prompts read "[ ]:" (not run), "[*]:" (queued or running) or "[N]:".
_PROMPTS_JS = """() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell'))
    .map(c => { const p = c.querySelector('.jp-InputPrompt'); return p ? p.textContent.trim() : ''; })"""
_STATUS_JS = "() => { const s = document.querySelector('#jp-main-statusbar'); return s ? s.innerText : ''; }"
# An error output is rendered as stderr text holding the traceback.
_ERRORS_JS = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
    .map(e => e.innerText).filter(t => /Traceback \\(most recent call last\\)|^\\w*(Error|Exception)\\b/m.test(t))"""


# Scroll the notebook to its top and return its full height.
_NOTEBOOK_TOP_JS = """() => { const n = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')
    || document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
    if (!n) return 0; n.scrollTop = 0; return n.scrollHeight; }"""


class LabPage:
    """A Playwright page on a LabServer, with the JupyterLab actions the browser test needs."""

    def __init__(self, page, server: LabServer, artifacts: Path, stem: str):
        self.page = page
        self.server = server
        self.artifacts = artifacts
        self.stem = stem
        self.screenshots: list[Path] = []
        self.notebook = ""

    def screenshot(self, name: str, full_page: bool = True) -> Path:
        """Save `<stem>-<name>.png`. Lab scrolls inside the notebook, not the page: for a full page the
        window is made as tall as the notebook (up to Chromium's 16,000-pixel limit) for the picture."""
        self.artifacts.mkdir(parents=True, exist_ok=True)
        path = self.artifacts / f"{self.stem}-{name}.png"
        size = self.page.viewport_size
        if full_page and size:
            height = self.page.evaluate(_NOTEBOOK_TOP_JS) or 0
            self.page.set_viewport_size({"width": size["width"], "height": int(min(max(height + 250, size["height"]), 16000))})
            self.page.wait_for_timeout(500)
        try:
            self.page.screenshot(path=str(path))
        finally:
            if full_page and size:
                self.page.set_viewport_size(size)
        self.screenshots.append(path)
        return path

    def status_bar(self) -> str:
        return self.page.evaluate(_STATUS_JS)

    def prompts(self) -> list[str]:
        return self.page.evaluate(_PROMPTS_JS)

    def kernel_idle(self) -> bool:
        return bool(re.search(r"\|\s*Idle\b", self.status_bar()))

    def open(self, notebook: str, code_cells: int, attempts: int = 3, timeout: float = 120.0) -> None:
        """Open a notebook in Lab and wait until all its code cells are shown and its kernel is idle.

        Lab's first load (bundles, extensions, kernel start) is the flakiest step under load: retry it.
        """
        self.notebook = notebook
        url = self.server.url(f"lab/tree/{notebook}")
        for attempt in range(1, attempts + 1):
            try:
                self.page.goto(url, timeout=timeout * 1000, wait_until="domcontentloaded")
                wait_for(lambda: len(self.prompts()) == code_cells, timeout,
                         f"{notebook}'s {code_cells} code cells to appear in Lab")
                wait_for(self.kernel_idle, timeout, f"the status bar to say the kernel is Idle "
                         f"(it says: {self.status_bar()!r})")
                return
            except Exception:  # noqa: BLE001 - retried, then re-raised
                if attempt == attempts:
                    raise
                try:
                    self.screenshot(f"open-attempt-{attempt}")
                except Exception:  # noqa: BLE001 - only a picture of the failed attempt
                    pass

    def run_all(self, started_within: float = 60.0) -> None:
        """Run > Run All Cells from the menu bar; fall back to the command palette if nothing starts."""
        def started() -> bool:
            return any(p != "[ ]:" for p in self.prompts())

        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        self.page.locator(".lm-Menu-item:not(.lm-mod-disabled)",
                          has=self.page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$"))).click()
        try:
            wait_for(started, started_within, "Run All Cells to start the first cell")
            return
        except TimeoutError:
            pass
        self.page.keyboard.press("Escape")
        self.page.keyboard.press("Control+Shift+C")
        self.page.keyboard.type("Run All Cells")
        self.page.keyboard.press("Enter")
        wait_for(started, started_within, "Run All Cells (menu, then command palette) to start the first cell")

    def wait_until_done(self, timeout: float) -> float:
        """Wait until every code cell has an execution count and the kernel is idle; return the seconds it took.

        A failing cell stops Run All: cells after it stay "[ ]:" while the kernel goes idle. That is
        reported at once (with the error text) instead of waiting for the timeout.
        """
        started = time.monotonic()
        deadline = started + timeout
        stalled = 0
        while time.monotonic() < deadline:
            prompts = self.prompts()
            idle = self.kernel_idle()
            if idle and prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts):
                return time.monotonic() - started
            stalled = stalled + 1 if idle and "[*]:" not in prompts else 0
            if stalled >= 6:  # idle for ~3 s with cells left unrun
                raise AssertionError(
                    f"Run All stopped early: prompts {prompts}; error outputs: {self.error_outputs() or 'none shown'}")
            time.sleep(0.5)
        raise TimeoutError(f"Run All did not finish within {timeout:.0f} s; prompts now: {self.prompts()}")

    def error_outputs(self) -> list[str]:
        return [text[-1500:] for text in self.page.evaluate(_ERRORS_JS)]

    def save_and_read(self, timeout: float = 60.0):
        """Save the notebook from Lab (File > Save) and read the saved copy back once it holds this run's counts."""
        import nbformat

        self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").first.click(position={"x": 5, "y": 5})
        self.page.keyboard.press("Escape")
        self.page.keyboard.press("Control+s")
        path = self.server.copy_path(self.notebook)

        def saved():
            nb = nbformat.read(path, as_version=4)
            code = [c for c in nb.cells if c.cell_type == "code"]
            return nb if code and all(c.execution_count for c in code) else None

        return wait_for(saved, timeout, f"Lab to save {path.name} with every cell's execution count")

    def widget_box(self, control_label: str):
        """The ipywidgets VBox that holds a control described as `control_label` (its visible label)."""
        label = self.page.locator(".widget-label", has_text=re.compile(rf"^{re.escape(control_label)}$"))
        return self.page.locator(".widget-vbox", has=label).last

    def control(self, box, kind: str, label: str):
        """A control (`dropdown`, `slider`, ...) inside `box`, found by its visible label."""
        return box.locator(f".widget-{kind}", has=self.page.locator(
            ".widget-label", has_text=re.compile(rf"^{re.escape(label)}$"))).first


@contextmanager
def lab_session(notebook: Path, workdir: Path, env: dict[str, str], artifacts: Path = ARTIFACTS) -> Iterator[LabPage]:
    """A fresh JupyterLab server on a copy of `notebook` and a headless Chromium page on it.

    On failure the error gains a screenshot path and the last lines of the Lab server log. On leaving,
    the browser and the server (with every kernel and whatever the kernels started) are stopped, and the
    block fails if any process of this session is still alive.
    """
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    server = LabServer(workdir, [notebook], env)
    stem = Path(notebook).stem.split("_")[0]
    log_copy = artifacts / f"{stem}-lab.log"
    previous_marker = os.environ.get(MARKER)
    os.environ[MARKER] = server.run_id  # Playwright's driver and Chromium inherit it: they are checked too
    failed = False
    try:
        server.start()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True,
                                         timeout=60_000)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(30_000)
                lab = LabPage(page, server, artifacts, stem)
                try:
                    yield lab
                except Exception as exc:
                    failed = True
                    try:
                        shot = lab.screenshot("failure")
                    except Exception as shot_exc:  # noqa: BLE001 - the report matters more than the picture
                        shot = f"(no screenshot: {shot_exc})"
                    raise AssertionError(
                        f"{exc}\n  screenshot: {shot}\n  Lab server log {server.log_path} (copy: {log_copy}), "
                        f"last lines:\n{server.log_tail()}") from exc
                # The leftover check below is only as good as the marker: prove it reaches every layer.
                running = describe(marked_processes(server.run_id))
                for layer in ("jupyterlab", "ipykernel_launcher", "chromium"):
                    assert layer in running, f"no marked {layer} process found; marked processes: {running}"
            finally:
                try:
                    browser.close()
                except Exception:  # noqa: BLE001 - a crashed browser must not hide the test's own error
                    pass
    finally:
        survivors = server.stop()
        # Chromium and Playwright's driver are gone once `sync_playwright` has exited; give them a moment.
        leftovers = wait_gone(server.run_id, 20)
        if previous_marker is None:
            os.environ.pop(MARKER, None)
        else:
            os.environ[MARKER] = previous_marker
        if server.log_path.exists():
            artifacts.mkdir(parents=True, exist_ok=True)
            shutil.copy(server.log_path, log_copy)
    if not failed and (survivors or leftovers):
        raise AssertionError(f"processes outlived the Lab session (now killed): {survivors} {leftovers}")


def wait_gone(run_id: str, timeout: float) -> str:
    """Wait for this run's marked processes to exit; kill those that do not and describe them ("" if none)."""
    deadline = time.monotonic() + timeout
    alive = marked_processes(run_id)
    while alive and time.monotonic() < deadline:
        time.sleep(0.5)
        alive = marked_processes(run_id)
    described = describe(alive)
    for proc in alive:
        try:
            proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=10)
    return described

"""The workshop agenda, from measured notebook run times.

`make test` writes a JUnit report (`build/test-results.xml`) in which nbval times every notebook cell.
This module sums those times per notebook, stores them in `data/notebook_times.json`, and renders the
agenda table of the facilitator guide (`docs/facilitator_guide.md`) from them, and the "Time to run" each
notebook states in its first cell, so neither quotes a guess.

    python -m helpers.workshop.agenda build/test-results.xml   # refresh the measurements, the guide's table, the headers
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..hardware import usable_cores
from ..paths import data_dir, repo_root

ROOT = repo_root() or Path.cwd()
TIMES_FILE = data_dir() / "notebook_times.json"
GUIDE = ROOT / "docs" / "facilitator_guide.md"
NOTEBOOKS = ROOT / "notebooks"
START, END = "<!-- agenda:start -->", "<!-- agenda:end -->"
_LEARN = re.compile(r"Time to learn:\*\*\s*about\s+(\d+)\s+minutes")
_RUN = re.compile(r"(\*\*Time to run:\*\* about )(.+?)( on a 2-core laptop in the last `make test`)")


@dataclass(frozen=True)
class Session:
    """One notebook on the agenda."""

    notebook: str
    title: str
    learn_minutes: int
    run_seconds: float
    gpu_expected: str


def notebook_seconds(junit_xml: Path) -> dict[str, float]:
    """Seconds nbval spent executing each notebook's cells, from a pytest JUnit report."""
    seconds: dict[str, float] = {}
    for case in ET.parse(junit_xml).getroot().iter("testcase"):
        classname = case.get("classname", "")
        if classname.startswith("notebooks.") and classname.endswith(".ipynb"):
            name = classname.removeprefix("notebooks.")
            seconds[name] = seconds.get(name, 0.0) + float(case.get("time", 0.0))
    if not seconds:
        raise ValueError(f"{junit_xml} holds no notebook cells: run `make test` (it executes notebooks with nbval).")
    return {name: round(value, 1) for name, value in sorted(seconds.items())}


def learn_minutes(notebook: Path) -> int:
    """The 'Time to learn: about N minutes' a notebook states in its first cell."""
    first = json.loads(notebook.read_text())["cells"][0]["source"]
    match = _LEARN.search("".join(first))
    if not match:
        raise ValueError(f"{notebook.name} does not state 'Time to learn: about N minutes' in its first cell.")
    return int(match.group(1))


def title(notebook: Path) -> str:
    """The notebook's heading without its number."""
    first = "".join(json.loads(notebook.read_text())["cells"][0]["source"]).splitlines()[0]
    return first.lstrip("# ").split("·", 1)[-1].strip()


def record(junit_xml: Path, path: Path = TIMES_FILE) -> dict:
    """Store the measured run times (with the machine they came from) in `data/notebook_times.json`."""
    previous = json.loads(path.read_text()) if path.exists() else {}
    data = {
        "_about": "Seconds nbval spent executing each notebook's cells under `make test` (embedded default), "
                  "summed from build/test-results.xml by `python -m helpers.workshop.agenda`. gpu_expected says what to expect "
                  "on a GPU machine with a real Mistral backend: an expectation, not a measurement.",
        "measured_on": f"{usable_cores()} cores, {platform.machine()}, CPU only",
        "date": date.today().isoformat(),
        "seconds": notebook_seconds(junit_xml),
        "gpu_expected": previous.get("gpu_expected", {}),
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return data


def sessions(times: Mapping | None = None) -> list[Session]:
    """Every notebook with its learning time and its measured (CPU) and expected (GPU) run time."""
    times = times or json.loads(TIMES_FILE.read_text())
    found = []
    for notebook in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        if notebook.name not in times["seconds"]:
            raise KeyError(f"no measured time for {notebook.name}: run `make test`, then `python -m helpers.workshop.agenda "
                           "build/test-results.xml`.")
        found.append(Session(notebook.name, title(notebook), learn_minutes(notebook), times["seconds"][notebook.name],
                             times.get("gpu_expected", {}).get(notebook.name, "not estimated")))
    return found


def _minutes(clock: str) -> int:
    hours, minutes = (int(part) for part in clock.split(":"))
    return hours * 60 + minutes


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def agenda_markdown(times: Mapping | None = None, start: str = "09:00", break_every: int = 100,
                    break_minutes: int = 15, lunch_from: str = "12:00", lunch_minutes: int = 45) -> str:
    """The agenda as a Markdown table: start time, notebook, learning time, measured and expected run times.

    A session lasts its learning time plus its CPU run time rounded up to whole minutes (participants run
    every cell once); a break is inserted whenever `break_every` minutes have passed since the last one, and
    the first break due after `lunch_from` is lunch.
    """
    times = times or json.loads(TIMES_FILE.read_text())
    now = since_break = _minutes(start)
    lunch_due, had_lunch = _minutes(lunch_from), False
    rows = ["| Start | Notebook | Learn (min) | Run all cells, 2-core CPU (measured) | Run, GPU + real Mistral (expected) |",
            "|---|---|---|---|---|"]
    for session in sessions(times):
        if now - since_break >= break_every:
            lunch = not had_lunch and now >= lunch_due
            had_lunch = had_lunch or lunch
            length = lunch_minutes if lunch else break_minutes
            rows.append(f"| {_clock(now)} | *{'lunch' if lunch else 'break'}* | {length} | | |")
            now += length
            since_break = now
        rows.append(f"| {_clock(now)} | {session.notebook[:2]} · {session.title} | {session.learn_minutes} | "
                    f"{session.run_seconds:.0f} s | {session.gpu_expected} |")
        now += session.learn_minutes + math.ceil(session.run_seconds / 60)
    rows.append(f"| {_clock(now)} | *end* | | | |")
    total_run = sum(s.run_seconds for s in sessions(times))
    return "\n".join(rows) + (f"\n\nMeasured on {times['measured_on']} ({times['date']}); all notebooks together run "
                              f"in {total_run / 60:.1f} minutes.")


def run_time_text(seconds: float) -> str:
    """A measured run time as a header states it: "11 s" under 100 s, else minutes to the half ("3½ minutes")."""
    if seconds < 100:
        return f"{round(seconds)} s"
    halves = max(4, round(seconds / 30))
    whole, half = divmod(halves, 2)
    return f"{whole}{'½' if half else ''} minutes"


def stated_run_time(notebook: Path) -> str | None:
    """The run time a notebook's first cell states ("Time to run: about ... in the last `make test`"), or None."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    match = _RUN.search("".join(nb["cells"][0]["source"]))
    return match.group(2) if match else None


def update_run_times(times: Mapping | None = None) -> list[str]:
    """Rewrite each notebook's stated run time from the measurements; returns the notebooks changed."""
    times = times or json.loads(TIMES_FILE.read_text())
    changed = []
    for name, seconds in times["seconds"].items():
        path = NOTEBOOKS / name
        nb = json.loads(path.read_text(encoding="utf-8"))
        text = "".join(nb["cells"][0]["source"])
        if not _RUN.search(text):
            raise ValueError(f"{name}'s first cell has no '**Time to run:** about ... on a 2-core laptop in the last "
                             "`make test`' sentence to update.")
        new = _RUN.sub(rf"\g<1>{run_time_text(seconds)}\g<3>", text, count=1)
        if new != text:
            nb["cells"][0]["source"] = new.splitlines(keepends=True)
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            changed.append(name)
    return changed


def update_guide(guide: Path = GUIDE, times: Mapping | None = None) -> str:
    """Rewrite the agenda between the guide's agenda markers; returns the new table."""
    text = guide.read_text()
    if START not in text or END not in text:
        raise ValueError(f"{guide} needs the markers {START} and {END} around its agenda table.")
    table = agenda_markdown(times)
    head, rest = text.split(START, 1)
    guide.write_text(f"{head}{START}\n{table}\n{END}{rest.split(END, 1)[1]}")
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("junit_xml", type=Path, help="the JUnit report `make test` writes (build/test-results.xml)")
    args = parser.parse_args(argv)
    record(args.junit_xml)
    print(update_guide())
    for name in update_run_times():
        print(f"{name}: stated run time updated")


if __name__ == "__main__":
    main()

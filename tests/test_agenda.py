"""The facilitator guide's agenda comes from measured notebook times."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat

from helpers.workshop import agenda


def test_notebook_seconds_sums_nbval_cell_times_from_a_real_junit_report(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import time\ntime.sleep(0.6)"), nbformat.v4.new_code_cell("print(2 + 2)")]
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbformat.write(nb, folder / "42_sleep.ipynb")
    report = tmp_path / "results.xml"
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
                          "notebooks", f"--junitxml={report}"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:]
    seconds = agenda.notebook_seconds(report)
    assert list(seconds) == ["42_sleep.ipynb"]
    assert 0.6 <= seconds["42_sleep.ipynb"] < 30


def test_a_report_without_notebooks_says_how_to_make_one(tmp_path):
    report = tmp_path / "r.xml"
    report.write_text('<testsuites><testsuite><testcase classname="tests.test_x" name="t" time="1"/></testsuite></testsuites>')
    try:
        agenda.notebook_seconds(report)
    except ValueError as exc:
        assert "make test" in str(exc)
    else:
        raise AssertionError("a report without notebooks must be refused")


def test_every_notebook_states_its_learning_time_and_has_a_measured_run_time():
    sessions = agenda.sessions()
    names = sorted(p.name for p in agenda.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    assert [s.notebook for s in sessions] == names
    assert all(10 <= s.learn_minutes <= 90 and s.run_seconds > 0 for s in sessions)


def test_agenda_schedules_every_notebook_in_order_with_breaks():
    table = agenda.agenda_markdown(start="09:00", break_every=100, break_minutes=15)
    rows = [r for r in table.splitlines() if r.startswith("| ") and r[2].isdigit()]
    starts = [r.split("|")[1].strip() for r in rows]
    assert starts == sorted(starts) and starts[0] == "09:00"
    assert table.count("*break*") >= 1 and table.count("*lunch*") == 1
    for session in agenda.sessions():
        assert f"{session.notebook[:2]} · {session.title}" in table


def test_the_committed_guide_shows_the_current_measurements():
    text = agenda.GUIDE.read_text()
    shown = text.split(agenda.START, 1)[1].split(agenda.END, 1)[0].strip()
    assert shown == agenda.agenda_markdown(), "run `python -m helpers.workshop.agenda build/test-results.xml` after `make test`"
    times = json.loads(agenda.TIMES_FILE.read_text())
    assert times["measured_on"] and times["date"]


def test_every_notebook_states_the_run_time_the_last_make_test_measured(tmp_path):
    times = json.loads(agenda.TIMES_FILE.read_text())["seconds"]
    for name, seconds in times.items():
        stated = agenda.stated_run_time(agenda.NOTEBOOKS / name)
        assert stated == agenda.run_time_text(seconds), (
            f"{name} states {stated!r}, the last `make test` measured {seconds} s: run `python -m helpers.workshop.agenda "
            "build/test-results.xml`")
    assert [agenda.run_time_text(s) for s in (10.8, 99.4, 108.9, 220.9, 317.4)] == [
        "11 s", "99 s", "2 minutes", "3½ minutes", "5½ minutes"]
    guessed = nbformat.v4.new_notebook()  # a figure typed by hand is not the sentence the check reads
    guessed.cells = [nbformat.v4.new_markdown_cell("**Time to run:** about 30 s on a 2-core laptop.")]
    nbformat.write(guessed, tmp_path / "guess.ipynb")
    assert agenda.stated_run_time(tmp_path / "guess.ipynb") is None

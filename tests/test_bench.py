"""Benchmarks: extractors, the code checker, the data files, and one real harness run."""

from __future__ import annotations

import re

import pytest

from helpers import bench
from helpers.exercises import nb09


# ------------------------------------------------------------------------------- extractors
@pytest.mark.parametrize("reply, expected", [
    ("B", "B"), ("(B)", "B"), ("Answer: B", "B"), ("b) Paris", "B"), ("The answer is (c).", "C"),
    ("  D. Heart", "D"), ("I think it is C.", "C"), ("ANSWER: a", "A"), ("no idea", None), ("", None),
    ("answer is a dog", None),
])
def test_extract_choice(reply, expected):
    assert bench.extract_choice(reply) == expected


def test_extract_choice_by_option_text():
    assert bench.extract_choice("Mercury, the closest", ["Venus", "Mercury", "Mars", "Earth"]) == "B"


@pytest.mark.parametrize("reply, expected", [
    ("#### 42", 42.0), ("3 * 4 = 12\n#### 1,495\n#### 7", 1495.0), ("The answer is 6.", 6.0), ("$6.00", 6.0),
    ("It costs 6 dollars.", 6.0), ("-3 degrees", -3.0), ("80 * 3.5 = 280 km", 280.0), ("Answer: 1,250", 1250.0),
    ("no number here", None),
])
def test_extract_number(reply, expected):
    assert bench.extract_number(reply) == expected


def test_extract_code_fenced_full_function_and_raw_body():
    prompt = 'def f(x: int) -> int:\n    """Double x."""\n'
    fenced = "Sure:\n```python\ndef f(x):\n    return 2 * x\n```\nDone."
    assert bench.extract_code(fenced, prompt, "f") == "def f(x):\n    return 2 * x\n"
    assert bench.extract_code("    return 2 * x\n", prompt, "f") == prompt + "    return 2 * x\n"
    unclosed = "```py\ndef f(x):\n    return x"
    assert bench.extract_code(unclosed, prompt, "f").startswith("def f(x):")


# ------------------------------------------------------------------------------- code checker
TEST = "def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(-1) == -2\n"


def test_checker_passes_right_and_fails_wrong():
    assert bench.run_code_tests("def f(x):\n    return 2 * x\n", TEST, "f").status == "pass"
    wrong = bench.run_code_tests("def f(x):\n    return x + 2\n", TEST, "f")
    assert wrong.status == "fail" and "candidate(-1) == -2" in wrong.reason


def test_checker_times_out_an_endless_loop():
    result = bench.run_code_tests("def f(x):\n    while True:\n        pass\n", TEST, "f", timeout=1.5)
    assert result.status == "timeout" and result.seconds < 5


def test_checker_blocks_sockets():
    program = "import socket\ndef f(x):\n    socket.create_connection(('127.0.0.1', 9))\n    return 2 * x\n"
    result = bench.run_code_tests(program, TEST, "f")
    assert result.status == "error" and "network access is blocked" in result.reason
    raw = "import _socket\n_socket.socket()\ndef f(x):\n    return 2 * x\n"
    assert "network access is blocked" in bench.run_code_tests(raw, TEST, "f").reason


def test_checker_reports_syntax_errors_missing_functions_and_memory():
    syntax = bench.run_code_tests("def f(x)\n    return 2 * x\n", TEST, "f")
    assert syntax.status == "error" and syntax.reason.startswith("SyntaxError")
    missing = bench.run_code_tests("def g(x):\n    return 2 * x\n", TEST, "f")
    assert missing.status == "error" and "defines no function 'f'" in missing.reason
    hog = bench.run_code_tests("blob = bytearray(2**31)\ndef f(x):\n    return 2 * x\n", TEST, "f")
    assert hog.status == "error" and "MemoryError" in hog.reason


def test_checker_runs_isolated_in_a_temporary_folder():
    probe = ("import os, sys\ndef f(x):\n    assert not os.environ.get('WORKBOOK_SETTINGS'), 'environment leaked'\n"
             "    assert sys.flags.isolated == 1, 'not isolated'\n    assert 'workbook-code-' in os.getcwd()\n"
             "    return 2 * x\n")
    assert bench.run_code_tests(probe, TEST, "f").status == "pass"


# ------------------------------------------------------------------------------- data files
@pytest.mark.parametrize("task, count", [("mcq", 20), ("arithmetic", 12), ("code", 8)])
def test_items_are_valid(task, count):
    items, shots = bench.load_items(task), bench.load_items(task, "fewshot")
    assert len(items) == count and shots
    assert bench.validate_items(task, items + shots) == []


def test_a_malformed_item_is_reported_not_raised():
    good = bench.load_items("mcq")[0]
    for answer in (None, "AB", "E"):  # a missing answer, two letters, a letter out of range
        problems = bench.validate_items("mcq", [{**good, "answer": answer}])
        assert len(problems) == 1 and "answer in A-D" in problems[0], (answer, problems)


def test_mcq_answers_are_balanced():
    letters = [i["answer"] for i in bench.load_items("mcq")]
    assert {letters.count(x) for x in "ABCD"} == {5}


def test_every_code_task_solution_passes_and_broken_variant_fails():
    for task in bench.load_items("code") + bench.load_items("code", "fewshot"):
        right = bench.run_code_tests(task["prompt"] + task["canonical_solution"], task["test"], task["entry_point"])
        wrong = bench.run_code_tests(task["prompt"] + task["broken_solution"], task["test"], task["entry_point"])
        assert right.status == "pass", (task["id"], right)
        assert wrong.status == "fail", (task["id"], wrong)


def test_published_scores_have_sources_and_the_seed_stays_marked():
    data = bench.load_published()
    table = bench.published_table(data)
    assert set(table["benchmark"]) == set(data["benchmarks"]) and table["url"].str.startswith("https://").all()
    primary = bench.published_table(data, primary_only=True)
    assert not primary.duplicated(["model", "benchmark"]).any()
    assert {"Mistral 7B", "Mixtral 8x7B", "Mistral Large", "Llama 3 8B"} <= set(primary["model"])
    got = primary.set_index(["model", "benchmark"])["score"]
    assert got["Mistral 7B", "MMLU"] == 60.1 and got["Mistral 7B", "GSM8K"] == 52.2
    assert got["Llama 3 8B", "MMLU"] == 66.6 and got["Mistral Large", "MMLU"] == 81.2
    compared = bench.seed_vs_sources(data).set_index(["model", "benchmark"])
    assert compared.loc[("Mistral Large", "HumanEval"), "seed"] == "73.0 (Estimated)"
    assert compared.loc[("Mistral 7B", "MMLU"), "difference"] == pytest.approx(4.1)


def test_prompts_are_few_shot_conversations():
    item, shots = bench.load_items("mcq")[0], bench.load_items("mcq", "fewshot")
    messages = bench.few_shot_messages("mcq", item, shots)
    assert [m["role"] for m in messages] == ["user", "assistant"] * len(shots) + ["user"]
    assert messages[1]["content"] == shots[0]["answer"] and item["question"] in messages[-1]["content"]


# ------------------------------------------------------------------------------- exercises
def test_exercise_solutions_pass_and_typical_mistakes_teach():
    assert nb09.q1.check(bench.extract_choice)
    loose = nb09.q1.check(lambda text: (m.group(1).upper() if (m := re.search(r"\b([abcd])\b", text, re.I)) else None))
    assert not loose and "a dog" in str(loose)  # the hint's old regex reads the article 'a' as choice A
    first_char = nb09.q1.check(lambda text: text[0])
    assert not first_char and "'(C)'" in first_char.message
    lower = nb09.q1.check(lambda text: text.strip("()").split(":")[-1].strip()[0].lower() if "sure" not in text else None)
    assert not lower and "upper case" in lower.message
    samples = nb09.SAMPLES
    assert nb09.q2.check((samples.status == "pass").groupby(samples.task).mean().mean())
    assert "share of all samples" in nb09.q2.check((samples.status == "pass").mean()).message
    assert "only 'pass' counts" in nb09.q2.check((samples.status != "fail").mean()).message
    assert "not a percentage" in nb09.q2.check(58.333333333333336).message
    published = bench.published_table()
    setting = published.query("model == 'Mistral 7B' and benchmark == 'GSM8K' and primary").setting.item()
    assert nb09.q3.check(setting)
    assert "MMLU setting" in nb09.q3.check("5-shot").message
    assert "Llama 3 8B" in nb09.q3.check("8-shot, chain of thought, maj@1 (instruct model)").message
    assert not nb09.q3.check(...)


# ------------------------------------------------------------------------------- real harness run
@pytest.mark.slow  # several seconds of generation on 2 cores
@pytest.mark.parametrize("task, n, max_tokens", [("mcq", 3, None), ("arithmetic", 2, 24), ("code", 2, 60)])
def test_harness_scores_the_backends_own_answers(endpoint, sdk, task, n, max_tokens):
    from helpers.engine.embedded import CHAT_ALIAS

    items = bench.load_items(task)[:n]
    table = bench.run_task(sdk, CHAT_ALIAS, task, items, max_tokens=max_tokens, progress=False)
    assert list(table.index) == [i["id"] for i in items]
    assert (table["model"] == CHAT_ALIAS).all() and (table["reply"].str.len() > 0).all()
    for item in items:  # every score is recomputed from the reply the backend sent
        row = table.loc[item["id"]]
        assert bench.score(task, item, row["reply"])["correct"] == row["correct"]
    summary = bench.accuracy_table({task: table})
    assert summary.loc[task, "items"] == n and summary.loc[task, "accuracy"] == table["correct"].mean()

"""Exercises for notebook 05 · Self-hosting with Ollama."""

from __future__ import annotations

from typing import Any

from .core import Exercise

# q1 -------------------------------------------------------------------------------------------------------

Q1_MODELFILE = '''FROM mistral
SYSTEM """You are a SOC triage assistant. Reply with one word: benign, suspicious or malicious."""
PARAMETER temperature 0.1
PARAMETER num_ctx 8192
PARAMETER num_predict 8
'''
Q1_NAME = "soc-triage"
Q1_EXPECTED = {
    "model": Q1_NAME,
    "from_": "mistral",
    "system": "You are a SOC triage assistant. Reply with one word: benign, suspicious or malicious.",
    "parameters": {"temperature": 0.1, "num_ctx": 8192, "num_predict": 8},
}


def _check_create_kwargs(answer: Any) -> str | None:
    if not isinstance(answer, dict):
        return "give a dict of the keyword arguments for client.create(**answer)."
    if "from" in answer:
        return "`from` is a Python keyword, so the client names that argument `from_`."
    for key in ("model", "from_", "system", "parameters"):
        if key not in answer:
            return f"the call needs `{key}` too (the Modelfile's {'name' if key == 'model' else key.rstrip('_').upper()})."
    if answer["model"] != Q1_NAME:
        return f"name the model {Q1_NAME!r}, as in `ollama create {Q1_NAME} -f Modelfile`."
    if answer["from_"] not in ("mistral", "mistral:latest"):
        return "FROM names the base model: `mistral`."
    if answer["system"].strip() != Q1_EXPECTED["system"]:
        return "copy the SYSTEM text exactly, without the triple quotes."
    params = answer["parameters"]
    if not isinstance(params, dict):
        return "parameters is a dict: {'temperature': ..., ...}."
    if any(isinstance(v, str) for v in params.values()):
        return "parameter values are numbers here (0.1, 8192, 8), not strings."
    if params != Q1_EXPECTED["parameters"]:
        missing = sorted(set(Q1_EXPECTED["parameters"]) - set(params))
        return (f"missing parameter(s): {', '.join(missing)}." if missing else
                "one PARAMETER value differs from the Modelfile; each `PARAMETER key value` line is one dict entry.")
    return None


q1 = Exercise(
    "A Modelfile as a create call",
    _check_create_kwargs,
    hint="FROM -> from_, SYSTEM -> system, every PARAMETER line -> one entry of the parameters dict (numbers as numbers).",
    solution=f"answer = {Q1_EXPECTED!r}\n# client.create(**answer) is what `ollama create {Q1_NAME} -f Modelfile` does.",
    explanation="The Modelfile and the create call carry the same three things: a base, a system prompt, defaults.",
)

# q2 -------------------------------------------------------------------------------------------------------


def _fake_stream(pieces: list[str]):
    """ChatResponse chunks as the client yields them: text chunks, then a done chunk with no text."""
    from ollama import ChatResponse, Message

    for piece in pieces:
        yield ChatResponse(model="m", done=False, message=Message(role="assistant", content=piece))
    yield ChatResponse(model="m", done=True, done_reason="stop", eval_count=len(pieces),
                       message=Message(role="assistant", content=""))


def _check_collect(answer: Any) -> str | None:
    if not callable(answer):
        return "give a function: collect(stream) -> (text, chunks)."
    cases = [["Mis", "tral", " 7B"], ["One"], ["A", "", "B"]]  # an empty piece carries no text
    for pieces in cases:
        got = answer(_fake_stream(pieces))
        want = ("".join(pieces), sum(1 for p in pieces if p))
        if not isinstance(got, tuple) or len(got) != 2:
            return "return a pair: (text, number_of_chunks)."
        if got[0] != want[0]:
            return f"for pieces {pieces} the text should be {want[0]!r}, got {got[0]!r}: join each chunk's message.content."
        if got[1] != want[1]:
            return (f"for pieces {pieces} count {want[1]} chunk(s), got {got[1]}: count only chunks that carry text "
                    "(the last, done=True chunk carries the statistics, not text).")
    return None


q2 = Exercise(
    "Fold a stream back into one answer",
    _check_collect,
    hint="Loop over the stream; for each chunk read chunk.message.content; keep the non-empty pieces; join them.",
    solution='''def collect(stream):
    pieces = [chunk.message.content for chunk in stream if chunk.message.content]
    return "".join(pieces), len(pieces)
answer = collect''',
    explanation="helpers.ollama_backend.collect_stream does the same, and also keeps the final chunk's statistics.",
)

# q3 -------------------------------------------------------------------------------------------------------

Q3_ERROR = 'ResponseError: model "codestral" not found, try pulling it first (status code: 404)'


def _check_fix(answer: Any) -> str | None:
    if not isinstance(answer, str):
        return "give the shell command as a string."
    words = answer.strip().strip("`").replace("$ ", "").split()
    if words[:1] != ["ollama"]:
        return "the fix is an `ollama ...` command in a terminal."
    if len(words) < 3:
        return "name both the subcommand and the model."
    command, model = words[1], words[2].removesuffix(":latest")
    if model != "codestral":
        return "the error names the model that is missing: codestral."
    if command == "run":
        return ("`ollama run` would pull it too, but then opens an interactive chat; the direct fix for a script "
                "is the subcommand that only downloads.")
    if command != "pull":
        return f"`ollama {command}` does not download a model; which subcommand does?"
    return None


q3 = Exercise(
    "Fix 'model not found'",
    _check_fix,
    hint="The server only runs models that are on its disk. Which CLI subcommand downloads one?",
    solution='answer = "ollama pull codestral"   # or, from Python: client.pull("codestral")',
    explanation="Then check with `ollama list` (client.list()) that it is there, and run the cell again.",
)


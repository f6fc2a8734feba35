"""Exercises of notebook 00: backends and a first streamed answer."""

from __future__ import annotations

from collections.abc import Sequence

from ..backends import LABELS, Probe, pick_backend
from .core import Exercise

# The situation of exercise 1: no key, a running Ollama, and a vLLM server that answers.
Q1_PROBES = [
    Probe("mistral", "https://api.mistral.ai", False, "MISTRAL_API_KEY is not set"),
    Probe("ollama", "http://127.0.0.1:11434", True, "answers"),
    Probe("vllm", "http://127.0.0.1:8000", True, "answers"),
    Probe("embedded", "127.0.0.1 (started on demand)", True, "always available offline"),
]


def _backend_name(answer: str) -> str:
    text = answer.strip().lower()
    for key, label in LABELS.items():
        if text in (key, label.lower()):
            return key
    if "plateforme" in text:
        return "mistral"
    return text


def _check_auto_choice(answer) -> str | None:
    if not isinstance(answer, str):
        return 'give the backend\'s name as a string: "mistral", "ollama", "vllm" or "embedded".'
    name = _backend_name(answer)
    expected = pick_backend(Q1_PROBES)
    if name == expected:
        return None
    if name == "mistral":
        return "La Plateforme needs MISTRAL_API_KEY, and this reader has none set."
    if name == "vllm":
        return "vLLM answers, but `auto` tries the backends in a fixed order and another one comes first."
    if name == "embedded":
        return "the embedded default is the last resort: it is used only when nothing else answers."
    return f"{answer!r} is not a backend name; the four are: {', '.join(LABELS)}."


q1 = Exercise(
    "The backend `auto` picks",
    _check_auto_choice,
    hint="`auto` walks a fixed order and takes the first backend that is available: the table in section 2 "
         "gives the order.",
    solution='answer = "ollama"   # order: La Plateforme (needs a key), Ollama, vLLM, embedded',
    explanation="With no key, Ollama is the first available backend, so it wins over vLLM. "
                "To use vLLM anyway, choose it explicitly: helpers.connect(\"vllm\") or the settings panel.",
)

MAX_PIECES = 12


def _check_pieces(answer) -> str | None:
    if isinstance(answer, str):
        return "keep the pieces as a list (append each delta); joining them comes later."
    if hasattr(answer, "choices"):
        return "that is a whole response: use bk.client.chat.stream(...) and collect each event's delta."
    if not isinstance(answer, Sequence) or not all(isinstance(p, str) for p in answer):
        return "give a list of strings: the non-empty `event.data.choices[0].delta.content` values."
    if len(answer) < 2:
        return "a stream arrives in several pieces; did you call chat.stream and keep every non-empty delta?"
    if len(answer) > MAX_PIECES:
        return f"{len(answer)} pieces: cap the answer with max_tokens={MAX_PIECES} (one piece is about one token)."
    if not "".join(answer).strip():
        return "the pieces hold only whitespace: keep the deltas that carry text."
    return None


q2 = Exercise(
    "Stream a short answer",
    _check_pieces,
    hint="Loop over `bk.client.chat.stream(model=bk.chat_model, messages=..., max_tokens=12)` and append each "
         "`event.data.choices[0].delta.content` that is not empty.",
    solution="""
answer = []
for event in bk.client.chat.stream(model=bk.chat_model, max_tokens=12, temperature=0,
                                   messages=[{"role": "user", "content": "Name three colours."}]):
    if event.data.choices[0].delta.content:
        answer.append(event.data.choices[0].delta.content)""",
    explanation="Each event carries about one token; max_tokens bounds how many arrive.",
)

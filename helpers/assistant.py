"""The workbook's own assistant: SmolLM2-135M-Instruct with a LoRA adapter trained on `data/assistant/`.

* `render(record)` turns a training record into (prompt, answer) text with the endpoint's own
  `chat_format.prompt_text`, so the model is trained on exactly what it is served;
* `train_adapter()` trains the LoRA adapter on 2 CPU cores (seeded, with a progress bar) and writes
  it as a GGUF LoRA file with llama.cpp's own `convert_lora_to_gguf.py` (`make assistant`);
* `evaluate(client, model, records)` asks any backend the held-out requests through the SDK and
  scores every reply with the checks the record names (`check_reply`).

Run `python -m helpers.assistant train` or `python -m helpers.assistant evaluate --model NAME`.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine import chat_format
from .paths import data_dir

ADAPTER_FILE = "workbook-assistant-lora.gguf"
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
KINDS = ("fact", "json", "tool", "rag", "classify", "constraint", "multiturn", "arith", "code")
NOT_IN_SOURCES = "The sources do not say."
REPLY_TOKENS = {"code": 256, "arith": 160}  # evaluation caps per kind; every other kind gets 128


@dataclass(frozen=True)
class TrainSettings:
    """The adapter's training recipe (what `make assistant` runs)."""

    rank: int = 16
    alpha: int = 32
    dropout: float = 0.05
    epochs: float = 1.5
    learning_rate: float = 2e-3
    warmup_steps: int = 10
    tokens_per_batch: int = 2048  # padded tokens per step: short examples share a step, long ones get fewer rows
    max_tokens: int = 1024  # longer examples are skipped (none of the committed data is that long)
    bf16: bool = True  # bfloat16 autocast: 1.5x faster on a CPU with AVX512-BF16; the adapter itself stays FP32
    seed: int = 20261202


# ------------------------------------------------------------------------------------------ data
def assistant_dir() -> Path:
    return data_dir() / "assistant"


def load_records(split: str = "train") -> list[dict[str, Any]]:
    """`train` (every `train/*.jsonl`, sorted by file) or `heldout`."""
    files = sorted((assistant_dir() / "train").glob("*.jsonl")) if split == "train" else [assistant_dir() / "heldout.jsonl"]
    if split not in ("train", "heldout"):
        raise ValueError(f"Unknown split {split!r}; choose train or heldout.")
    records = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                records.append(json.loads(line))
    return records


def _choice(record: dict[str, Any]) -> Any:
    choice = record.get("tool_choice") or "auto"
    return "any" if choice == "required" else choice


def _schema_order(value: Any, schema: dict[str, Any] | None) -> Any:
    """A JSON value with object keys in the order llama.cpp's grammar writes them: required first, in schema order."""
    if not isinstance(schema, dict):
        return value
    if isinstance(value, dict) and isinstance(schema.get("properties"), dict):
        props = list(schema["properties"])
        required = [k for k in props if k in (schema.get("required") or [])]
        order = required + [k for k in props if k not in required]
        keys = [k for k in order if k in value] + [k for k in value if k not in order]
        return {k: _schema_order(value[k], schema["properties"].get(k)) for k in keys}
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [_schema_order(v, schema["items"]) for v in value]
    return value


def _response_schema(record: dict[str, Any]) -> dict[str, Any] | None:
    fmt = record.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema") or {}
        return spec.get("schema") or spec.get("schema_definition")
    return None


def target_text(record: dict[str, Any]) -> str:
    """The text the model should write for the record's final assistant message, as the endpoint serves it."""
    answer = record["messages"][-1]
    tools, choice = record.get("tools"), _choice(record)
    if answer.get("tool_calls"):
        by_name = {t["function"]["name"]: t["function"].get("parameters") for t in tools or []}
        calls = []
        for call in answer["tool_calls"]:
            name = call["function"]["name"]
            arguments = json.loads(call["function"].get("arguments") or "{}")
            calls.append({"name": name, "arguments": _schema_order(arguments, by_name.get(name))})
        return chat_format.call_json(calls)
    content = chat_format.text_of(answer.get("content"))
    if tools and choice != "none":
        return json.dumps({"answer": content}, ensure_ascii=False)
    schema = _response_schema(record)
    if schema is not None:
        return json.dumps(_schema_order(json.loads(content), schema), ensure_ascii=False)
    return content


def render(record: dict[str, Any]) -> tuple[str, str]:
    """(prompt, answer) text of a training record: the prompt exactly as the endpoint renders the request."""
    messages = record["messages"]
    if not messages or messages[-1].get("role") != "assistant":
        raise ValueError("A training record ends with the assistant's answer.")
    tools = record.get("tools")
    prompt = chat_format.prompt_text(chat_format.CHATML_HANDLER, messages[:-1], tools, _choice(record))
    return prompt, target_text(record) + chat_format.IM_END


@dataclass
class Encoded:
    """A tokenized record: ids and labels (-100 on the prompt), and its kind."""

    input_ids: list[int]
    labels: list[int]
    kind: str


def encode(vocab: Any, record: dict[str, Any]) -> Encoded:
    """Tokenize with llama.cpp's own tokenizer (`vocab`: a `Llama(..., vocab_only=True)`), as the server does.

    The prompt is tokenized alone (BOS as llama.cpp adds it) and the answer after it, exactly as the
    served model reads the prompt and then writes the answer token by token.
    """
    from .finetune import label_mask

    prompt, answer = render(record)
    prompt_ids = vocab.tokenize(prompt.encode(), add_bos=True, special=True)
    answer_ids = vocab.tokenize(answer.encode(), add_bos=False, special=True)
    ids = prompt_ids + answer_ids
    return Encoded(ids, label_mask(ids, len(prompt_ids)), record.get("kind", ""))


def token_batches(lengths: Sequence[int], tokens_per_batch: int, seed: int) -> list[list[int]]:
    """Indices grouped into batches of similar length (little padding), in a seeded random order."""
    import random

    rng = random.Random(seed)
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], rng.random()))
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        width = max([lengths[j] for j in current] + [lengths[i]])
        if current and width * (len(current) + 1) > tokens_per_batch:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    rng.shuffle(batches)
    return batches


# -------------------------------------------------------------------------------------- training
def smollm_hf_model(folder: Path | None = None) -> tuple[Any, Path]:
    """SmolLM2 loaded by transformers from the same GGUF llama.cpp serves (dequantized to FP32).

    Training on the dequantized Q4_1 weights means the adapter learns on exactly the weights it is
    later applied to. The config is also saved to `folder` for llama.cpp's LoRA converter.
    """
    import torch
    from transformers import AutoModelForCausalLM

    from .engine.embedded import prepare_smollm_model
    from .paths import cache_dir

    gguf = prepare_smollm_model(progress=False)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    folder = folder or cache_dir() / "assistant-base-config"
    folder.mkdir(parents=True, exist_ok=True)
    config = model.config.to_dict()
    config.pop("quantization_config", None)  # the weights are plain tensors once loaded
    config["architectures"] = [type(model).__name__]  # how llama.cpp's converter picks the architecture
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    return model, folder


def lr_at(step: int, total: int, settings: TrainSettings) -> float:
    """Linear warm-up, then cosine decay to a tenth of the peak."""
    if step < settings.warmup_steps:
        return settings.learning_rate * (step + 1) / settings.warmup_steps
    progress = (step - settings.warmup_steps) / max(1, total - settings.warmup_steps)
    return settings.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


@dataclass
class TrainReport:
    """What a training run did: steps, examples, tokens, seconds and the loss curve."""

    steps: int
    examples: int
    tokens: int
    answer_tokens: int
    seconds: float
    losses: list[float] = field(repr=False)
    settings: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        first, last = self.losses[: max(1, len(self.losses) // 10)], self.losses[-max(1, len(self.losses) // 10):]
        return {"steps": self.steps, "examples": self.examples, "tokens": self.tokens,
                "answer_tokens": self.answer_tokens, "seconds": round(self.seconds, 1),
                "loss_first_tenth": round(sum(first) / len(first), 4), "loss_last_tenth": round(sum(last) / len(last), 4),
                "settings": self.settings, "losses": [round(x, 4) for x in self.losses]}


def train_adapter(records: Sequence[dict[str, Any]], settings: TrainSettings = TrainSettings(), *,
                  out_dir: Path | None = None, progress: bool = True) -> tuple[Any, TrainReport, Path]:
    """Train the LoRA adapter; returns (peft model, report, folder of the HF base config)."""
    import dataclasses

    import torch
    from llama_cpp import Llama
    from peft import LoraConfig, get_peft_model
    from tqdm.auto import tqdm

    from .engine.embedded import prepare_smollm_model
    from .finetune import IGNORE_INDEX, TrainExample, answer_loss, collate, set_seed

    vocab = Llama(model_path=str(prepare_smollm_model(progress=False)), vocab_only=True, verbose=False)
    encoded = [e for e in (encode(vocab, r) for r in records) if len(e.input_ids) <= settings.max_tokens]
    set_seed(settings.seed)
    model, config_dir = smollm_hf_model(out_dir)
    config = LoraConfig(r=settings.rank, lora_alpha=settings.alpha, lora_dropout=settings.dropout,
                        target_modules=list(LORA_TARGETS), task_type="CAUSAL_LM")
    model = get_peft_model(model, config)
    lengths = [len(e.input_ids) for e in encoded]
    epochs = math.ceil(settings.epochs)
    plan: list[list[int]] = []
    for epoch in range(epochs):
        batches = token_batches(lengths, settings.tokens_per_batch, settings.seed + epoch)
        share = settings.epochs - epoch
        plan += batches[: round(len(batches) * min(1.0, share))]
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=settings.learning_rate, weight_decay=0.0)
    pad = vocab.token_eos()
    losses: list[float] = []
    tokens = answer_tokens = 0
    started = time.perf_counter()
    model.train()
    with tqdm(total=len(plan), desc="training the assistant's adapter", disable=not progress) as bar:
        for step, batch_ids in enumerate(plan):
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step, len(plan), settings)
            batch = collate([TrainExample(encoded[i].input_ids, encoded[i].labels, 0) for i in batch_ids], pad)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=settings.bf16):
                loss = answer_loss(model, batch)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(float(loss.detach()))
            tokens += sum(lengths[i] for i in batch_ids)
            answer_tokens += int((batch["labels"] != IGNORE_INDEX).sum())
            bar.update(1)
            bar.set_postfix(loss=f"{losses[-1]:.3f}")
    model.eval()
    report = TrainReport(len(plan), len(encoded), tokens, answer_tokens, time.perf_counter() - started, losses,
                         dataclasses.asdict(settings))
    return model, report, config_dir


def export_adapter(model: Any, config_dir: Path, target: Path) -> Path:
    """Save the peft adapter and convert it to a GGUF LoRA file with llama.cpp's own converter (F16)."""
    import tempfile

    from .engine.llama_sources import ensure_llama_cpp_sources

    sources = ensure_llama_cpp_sources()
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        command = [sys.executable, str(sources / "convert_lora_to_gguf.py"), tmp, "--base", str(config_dir),
                   "--outtype", "f16", "--outfile", str(target)]
        env = {"PYTHONPATH": str(sources / "gguf-py"), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"}
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise RuntimeError(f"convert_lora_to_gguf.py failed:\n{done.stderr[-2000:]}")
    return target


def record_adapter(path: Path) -> str:
    """Write the adapter's sha256 into `data/embedded_models.json` (setup checks it)."""
    from .engine.embedded import CHAT_ALIAS, embedded_model_info, sha256_of

    digest = sha256_of(path)
    facts_path = data_dir() / "embedded_models.json"
    facts = json.loads(facts_path.read_text())
    facts["models"][CHAT_ALIAS]["adapter_sha256"] = digest
    facts_path.write_text(json.dumps(facts, indent=2, ensure_ascii=False) + "\n")
    embedded_model_info.cache_clear()
    return digest


# ------------------------------------------------------------------------------------ evaluation
@dataclass
class Reply:
    """What a backend answered: text, or tool calls as (name, arguments dict)."""

    content: str
    tool_calls: list[tuple[str, Any]]


def ask(client: Any, model: str, record: dict[str, Any], *, max_tokens: int | None = None) -> Reply:
    """Send a held-out request through the mistralai SDK (temperature 0) and read the reply."""
    kwargs: dict[str, Any] = {"model": model, "messages": record["messages"], "temperature": 0}
    if max_tokens:
        kwargs["max_tokens"] = max_tokens
    if record.get("tools"):
        kwargs["tools"] = record["tools"]
        kwargs["tool_choice"] = record.get("tool_choice") or "auto"
    if record.get("response_format"):
        kwargs["response_format"] = record["response_format"]
    message = client.chat.complete(**kwargs).choices[0].message
    calls = []
    for call in message.tool_calls or []:
        arguments = call.function.arguments
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments)
            except json.JSONDecodeError:
                pass
        calls.append((call.function.name, arguments))
    return Reply(chat_format.text_of(message.content), calls)


def _norm(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().strip("\"'`").rstrip(".!").strip().lower()


def _same(got: Any, want: Any) -> bool:
    if want is None:
        return True
    if isinstance(want, bool) or isinstance(got, bool):
        return got == want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(float(got), float(want), rel_tol=1e-6, abs_tol=1e-9)
    if isinstance(want, str):
        return _norm(got) == _norm(want)
    if isinstance(want, list) and isinstance(got, list):
        return len(want) == len(got) and all(_same(g, w) for g, w in zip(got, want))
    if isinstance(want, dict) and isinstance(got, dict):
        return all(k in got and _same(got[k], v) for k, v in want.items())
    return got == want


def _json_object(text: str) -> Any:
    fenced = re.search(r"```(?:json)?\s*\n(.*?)```", text, re.S)
    try:
        return json.loads(fenced.group(1) if fenced else text, strict=False)
    except json.JSONDecodeError:
        return None


def check_one(spec: dict[str, Any], reply: Reply) -> tuple[bool, str]:
    """One check from a held-out record's `expect` list: (passed, why not)."""
    from .bench import extract_code, extract_number, run_code_tests

    (name, want), = spec.items()
    text = reply.content
    low = text.lower()
    if name == "tool_call":
        if len(reply.tool_calls) != 1:
            return False, f"{len(reply.tool_calls)} tool calls"
        called, arguments = reply.tool_calls[0]
        if called != want["name"]:
            return False, f"called {called}"
        if not isinstance(arguments, dict) or not _same(arguments, want.get("arguments") or {}):
            return False, f"arguments {arguments}"
        return True, ""
    if reply.tool_calls and name != "no_tool_call":
        return False, f"called {reply.tool_calls[0][0]} instead of answering"
    if name == "no_tool_call":
        return (not reply.tool_calls), "called a tool"
    if name == "contains":
        missing = [w for w in want if w.lower() not in low]
        return not missing, f"missing {missing}"
    if name == "contains_any":
        return any(w.lower() in low for w in want), f"none of {want}"
    if name == "excludes":
        found = [w for w in want if w.lower() in low]
        return not found, f"contains {found}"
    if name == "equals":
        return _norm(text) == _norm(want), f"{text[:40]!r}, expected {want!r}"
    if name == "number":
        got = extract_number(text)
        return got is not None and math.isclose(got, float(want), abs_tol=1e-6), f"number {got}"
    if name == "json":
        data = _json_object(text)
        if not isinstance(data, dict):
            return False, "not a JSON object"
        wrong = [k for k, v in want.items() if k not in data or not _same(data[k], v)]
        return not wrong, f"keys {wrong}"
    if name == "python":
        program = extract_code(text, "", want["entry_point"])
        test = "def check(candidate):\n" + textwrap.indent(want["tests"], "    ") + "\n"
        result = run_code_tests(program, test, want["entry_point"])
        return result.passed, str(result)
    if name == "max_words":
        return len(text.split()) <= want, f"{len(text.split())} words"
    if name == "lines":
        lines = [line for line in text.splitlines() if line.strip()]
        return len(lines) == want, f"{len(lines)} lines"
    raise ValueError(f"Unknown check {name!r}")


def check_reply(record: dict[str, Any], reply: Reply) -> tuple[bool, str]:
    """All of a record's checks: (passed, the first failure's reason)."""
    for spec in record["expect"]:
        ok, why = check_one(spec, reply)
        if not ok:
            return False, f"{next(iter(spec))}: {why}"
    return True, ""


def evaluate(client: Any, model: str, records: Sequence[dict[str, Any]] | None = None, *, progress: bool = True,
             max_tokens: int | None = None) -> Any:
    """Ask `model` every held-out request and score it; one row per record (a pandas DataFrame).

    Replies are capped at `max_tokens`, by default `REPLY_TOKENS` of the record's kind: enough for any
    right answer, and a model that never stops (a base model) cannot hold the run up.
    """
    import pandas as pd
    from tqdm.auto import tqdm

    rows = []
    for record in tqdm(records if records is not None else load_records("heldout"), desc=f"held-out set on {model}",
                       disable=not progress):
        started = time.perf_counter()
        try:
            reply = ask(client, model, record, max_tokens=max_tokens or REPLY_TOKENS.get(record["kind"], 128))
        except Exception as exc:  # an HTTP error is a failed item, not a failed evaluation
            reply, error = Reply("", []), f"error: {type(exc).__name__}: {str(exc)[:120]}"
        else:
            error = ""
        ok, why = (False, error) if error else check_reply(record, reply)
        shown = reply.content or ("; ".join(f"{n}({json.dumps(a, ensure_ascii=False)})" for n, a in reply.tool_calls))
        rows.append({"id": record["id"], "kind": record["kind"], "passed": ok, "why": why, "reply": shown,
                     "seconds": round(time.perf_counter() - started, 2)})
    return pd.DataFrame(rows)


def summary(results: dict[str, Any]) -> Any:
    """Per-kind pass rates (%) for each model's results, with an overall row."""
    import pandas as pd

    table = pd.DataFrame({name: df.groupby("kind")["passed"].mean() * 100 for name, df in results.items()})
    table = table.reindex([k for k in KINDS if k in table.index])
    table.loc["overall"] = [df["passed"].mean() * 100 for df in results.values()]
    counts = next(iter(results.values())).groupby("kind").size()
    table.insert(0, "items", [*(int(counts[k]) for k in table.index[:-1]), int(counts.sum())])
    return table.round(1)


def stratified(records: Sequence[dict[str, Any]], per_kind: int, seed: int = 0) -> list[dict[str, Any]]:
    """`per_kind` records of every kind, drawn with a fixed seed (a quick, balanced sample of the held-out set)."""
    import random

    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for kind in KINDS:
        pool = [r for r in records if r["kind"] == kind]
        out += rng.sample(pool, min(per_kind, len(pool)))
    return out


def comparison_targets(bk: Any) -> dict[str, tuple[Any, str]]:
    """What to compare, label -> (client, model): on the embedded default the three chat stand-ins (base Gemma,
    SmolLM2 as shipped, SmolLM2 + the workbook's adapter); elsewhere the backend's own chat model. With
    `MISTRAL_API_KEY` set, La Plateforme's model joins the comparison."""
    import os

    from .engine.embedded import CHAT_ALIAS, GEMMA_ALIAS, SMOLLM_ALIAS

    if bk.standin:
        targets = {f"{name}": (bk.client, name) for name in (GEMMA_ALIAS, SMOLLM_ALIAS, CHAT_ALIAS)}
    else:
        targets = {f"{bk.name}: {bk.chat_model}": (bk.client, bk.chat_model)}
    if os.environ.get("MISTRAL_API_KEY") and bk.name != "mistral":
        from .backends import connect

        cloud = connect("mistral", quiet=True)
        targets[f"mistral: {cloud.chat_model}"] = (cloud.client, cloud.chat_model)
    return targets


def plot_summary(table: Any, ax: Any = None) -> Any:
    """Grouped bars: pass rate per kind (and overall) for each model in a `summary` table."""
    import matplotlib.pyplot as plt

    models = [c for c in table.columns if c != "items"]
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 3.6))
    width = 0.8 / max(1, len(models))
    for i, model in enumerate(models):
        xs = [x + (i - (len(models) - 1) / 2) * width for x in range(len(table))]
        ax.bar(xs, table[model], width, label=model)
    ax.set_xticks(range(len(table)), [f"{k}\n({n})" for k, n in zip(table.index, table["items"])])
    ax.set_ylabel("passed (%)")
    ax.set_ylim(0, 105)
    ax.axhline(80, color="grey", linestyle=":", linewidth=1)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title("Held-out instruction set: share of requests whose reply passes its checks")
    return ax


def recorded_scores(path: Path | None = None) -> tuple[Any, dict[str, Any]]:
    """The full held-out table `make assistant-eval` recorded (a DataFrame) and its facts (date, machine, models)."""
    import pandas as pd

    data = json.loads((path or assistant_dir() / "heldout_scores.json").read_text())
    return pd.DataFrame(data["table"]).set_index("kind"), {k: v for k, v in data.items() if k != "table"}


# ----------------------------------------------------------------------------------- held-out test
def normalised_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _request_words(record: dict[str, Any]) -> list[str]:
    return normalised_words(" ".join(chat_format.text_of(m.get("content")) for m in record["messages"]))


def shared_spans(heldout: Sequence[dict[str, Any]], train: Sequence[dict[str, Any]], n: int = 6) -> list[tuple[str, str]]:
    """(held-out id, shared words) for each held-out request sharing a run of `n` normalised words with training."""
    grams: set[tuple[str, ...]] = set()
    for record in train:
        words = _request_words(record)
        grams.update(tuple(words[i:i + n]) for i in range(len(words) - n + 1))
    found = []
    for record in heldout:
        words = _request_words(record)
        for i in range(len(words) - n + 1):
            if tuple(words[i:i + n]) in grams:
                found.append((record["id"], " ".join(words[i:i + n])))
                break
    return found


def heldout_functions(heldout: Sequence[dict[str, Any]]) -> set[str]:
    """The function names the held-out code requests ask for."""
    return {spec["python"]["entry_point"] for r in heldout for spec in r["expect"] if "python" in spec}


def defined_functions(record: dict[str, Any]) -> set[str]:
    """Python functions a record defines or names (`def f(` or `` `f(`` in any message)."""
    text = " ".join(chat_format.text_of(m.get("content")) for m in record["messages"])
    return set(re.findall(r"def (\w+)\(", text)) | set(re.findall(r"`(\w+)\(", text))


def contaminated(record: dict[str, Any], heldout: Sequence[dict[str, Any]], n: int = 6) -> bool:
    """Whether a training record shares a run of `n` words or a function task with the held-out set."""
    return bool(shared_spans(heldout, [record], n) or defined_functions(record) & heldout_functions(heldout))


def main(argv: list[str] | None = None) -> None:
    from .engine.embedded import CHAT_ALIAS, GEMMA_ALIAS, SMOLLM_ALIAS

    parser = argparse.ArgumentParser(description="Train or evaluate the workbook's assistant (SmolLM2 + LoRA).")
    sub = parser.add_subparsers(dest="command", required=True)
    tr = sub.add_parser("train", help="train the adapter on data/assistant/train and write data/assistant/" + ADAPTER_FILE)
    tr.add_argument("--epochs", type=float, default=TrainSettings.epochs)
    tr.add_argument("--out", default=None, help="write the adapter here instead (nothing is recorded)")
    ev = sub.add_parser("evaluate", help="score a served model on the held-out set")
    ev.add_argument("--model", action="append", help="model name(s) on the embedded endpoint (default: SmolLM2 as "
                    f"shipped and with the adapter; add --model {GEMMA_ALIAS} for the base model, which is slow: it never stops)")
    ev.add_argument("--out", default=None, help="write the per-kind table as JSON here")
    args = parser.parse_args(argv)
    if args.command == "train":
        model, report, config_dir = train_adapter(load_records("train"), TrainSettings(epochs=args.epochs))
        if args.out:
            target = export_adapter(model, config_dir, Path(args.out))
            print(f"Adapter written to {target} ({report.steps} steps, {report.seconds:.0f} s); nothing recorded.")
            return
        target = export_adapter(model, config_dir, assistant_dir() / ADAPTER_FILE)
        digest = record_adapter(target)
        (assistant_dir() / "training.json").write_text(json.dumps(report.as_dict(), indent=1) + "\n")
        print(f"Adapter {target.name}: {target.stat().st_size / 1e6:.1f} MB, sha256 {digest[:12]}…; "
              f"{report.steps} steps over {report.examples} examples in {report.seconds / 60:.1f} min")
        return
    from mistralai.client import Mistral

    from .engine.serving import LocalEndpoint, free_port

    models = args.model or [SMOLLM_ALIAS, CHAT_ALIAS]
    started = time.perf_counter()
    with LocalEndpoint(port=free_port()) as endpoint:
        client = Mistral(api_key="local", server_url=endpoint.base_url)
        results = {m: evaluate(client, m) for m in models}
    table = summary(results)
    print(table.to_string())
    failures: dict[str, list[dict[str, Any]]] = {}
    for name, df in results.items():
        failed = df[~df["passed"]]
        failures[name] = failed[["id", "kind", "why", "reply"]].to_dict("records")
        for row in failures[name]:
            print(f"[{name}] {row['id']} {row['kind']}: {row['why']} | {row['reply'][:100]!r}")
    if args.out:
        import datetime
        import platform

        from .hardware import usable_cores

        record = {"measured": datetime.date.today().isoformat(), "command": "make assistant-eval",
                  "how": "every held-out request through the mistralai SDK, temperature 0, on the embedded endpoint",
                  "machine": f"{usable_cores()} cores, {platform.machine()}",
                  "minutes": round((time.perf_counter() - started) / 60, 1),
                  "table": table.reset_index(names="kind").to_dict("records"), "failures": failures}
        Path(args.out).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

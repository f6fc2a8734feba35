"""`python -m helpers.assistant train|evaluate`: the command line (`make assistant`, `make assistant-eval`).

Run `python -m helpers.assistant train` or `python -m helpers.assistant evaluate --model NAME`.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from .data import assistant_dir, load_records
from .evaluation import evaluate, summary
from .fim import FIM_ADAPTER_FILE, FIM_SETTINGS, as_record, evaluate_fim, fim_dir, load_cases
from .training import ADAPTER_FILE, TrainSettings, export_adapter, record_adapter, train_adapter


def main(argv: list[str] | None = None) -> None:
    from ..engine.embedded import CHAT_ALIAS, FIM_ALIAS, GEMMA_ALIAS, SMOLLM_ALIAS

    parser = argparse.ArgumentParser(prog="python -m helpers.assistant", description="Train or evaluate the workbook's assistant (SmolLM2 + LoRA).")
    sub = parser.add_subparsers(dest="command", required=True)
    tr = sub.add_parser("train", help="train the adapter on data/assistant/train and write data/assistant/" + ADAPTER_FILE)
    tr.add_argument("--epochs", type=float, default=None,
                    help="passes over every kind (default: each kind's own, TrainSettings.kind_epochs)")
    tr.add_argument("--out", default=None, help="write the adapter here instead, and its training report beside it "
                    "(nothing is recorded)")
    tf = sub.add_parser("train-fim", help="train the fill-in-the-middle adapter on data/fim/train.jsonl and write "
                        "data/fim/" + FIM_ADAPTER_FILE)
    tf.add_argument("--epochs", type=float, default=FIM_SETTINGS.epochs)
    tf.add_argument("--out", default=None, help="write the adapter here instead (nothing is recorded)")
    ef = sub.add_parser("evaluate-fim", help="fill the held-out middles of data/fim/heldout.jsonl through client.fim")
    ef.add_argument("--model", default=FIM_ALIAS)
    ef.add_argument("--out", default=None, help="write the pass rate and every case as JSON here")
    ev = sub.add_parser("evaluate", help="score a served model on the held-out set")
    ev.add_argument("--model", action="append", help="model name(s) on the embedded endpoint (default: SmolLM2 as "
                    f"shipped and with the adapter; add --model {GEMMA_ALIAS} for the base model, which is slow: it never stops)")
    ev.add_argument("--out", default=None, help="write the per-kind table as JSON here")
    args = parser.parse_args(argv)
    if args.command == "train-fim":
        train_fim(args.epochs, args.out)
        return
    if args.command == "evaluate-fim":
        evaluate_fim_command(args.model, args.out)
        return
    if args.command == "train":
        settings = TrainSettings() if args.epochs is None else TrainSettings(epochs=args.epochs, kind_epochs={})
        model, report, config_dir = train_adapter(load_records("train"), settings)
        if args.out:
            target = export_adapter(model, config_dir, Path(args.out))
            target.with_suffix(".json").write_text(json.dumps(report.as_dict(), indent=1) + "\n")
            print(f"Adapter written to {target} ({report.steps} steps, {report.seconds:.0f} s), its training report "
                  f"to {target.with_suffix('.json')}; nothing recorded.")
            return
        target = export_adapter(model, config_dir, assistant_dir() / ADAPTER_FILE)
        digest = record_adapter(target)
        (assistant_dir() / "training.json").write_text(json.dumps(report.as_dict(), indent=1) + "\n")
        print(f"Adapter {target.name}: {target.stat().st_size / 1e6:.1f} MB, sha256 {digest[:12]}…; "
              f"{report.steps} steps over {report.examples} examples in {report.seconds / 60:.1f} min")
        return
    from mistralai.client import Mistral

    from ..engine.serving import LocalEndpoint, free_port

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

        from ..hardware import usable_cores

        record = {"measured": datetime.date.today().isoformat(), "command": "make assistant-eval",
                  "how": "every held-out request through the mistralai SDK, temperature 0, on the embedded endpoint",
                  "machine": f"{usable_cores()} cores, {platform.machine()}",
                  "minutes": round((time.perf_counter() - started) / 60, 1),
                  "table": table.reset_index(names="kind").to_dict("records"), "failures": failures}
        Path(args.out).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")


def train_fim(epochs: float, out: str | None) -> None:
    """`make fim`: train the FIM adapter, write it to data/fim/ and record its sha256 (or only write it to `out`)."""
    import dataclasses

    from ..engine.embedded import FIM_ALIAS

    records = [as_record(case) for case in load_cases("train")]
    model, report, config_dir = train_adapter(records, dataclasses.replace(FIM_SETTINGS, epochs=epochs),
                                               desc="training the FIM adapter")
    target = export_adapter(model, config_dir, Path(out) if out else fim_dir() / FIM_ADAPTER_FILE)
    if out:
        print(f"Adapter written to {target} ({report.steps} steps, {report.seconds:.0f} s); nothing recorded.")
        return
    digest = record_adapter(target, FIM_ALIAS)
    (fim_dir() / "training.json").write_text(json.dumps(report.as_dict(), indent=1) + "\n")
    print(f"Adapter {target.name}: {target.stat().st_size / 1e6:.1f} MB, sha256 {digest[:12]}…; "
          f"{report.steps} steps over {report.examples} examples in {report.seconds / 60:.1f} min")


def evaluate_fim_command(model: str, out: str | None) -> None:
    """`make fim-eval`: every held-out middle through `client.fim.complete` on a fresh embedded endpoint."""
    import datetime
    import platform

    from mistralai.client import Mistral

    from ..engine.serving import LocalEndpoint, free_port
    from ..hardware import usable_cores

    started = time.perf_counter()
    from ..engine.embedded import SMOLLM_ALIAS

    with LocalEndpoint(port=free_port()) as endpoint:
        client = Mistral(api_key="local", server_url=endpoint.base_url)
        df = evaluate_fim(client, model)
        base = evaluate_fim(client, SMOLLM_ALIAS, via_chat=True)  # the same prompt, without the FIM adapter
    rate = float(df["passed"].mean())
    print(f"{SMOLLM_ALIAS} as shipped, same prompt through chat: {base['passed'].mean():.1%} pass")
    print(f"{model}: {df['passed'].sum()} of {len(df)} held-out middles pass their tests ({rate:.1%}); "
          f"{df['exact'].mean():.1%} match the original line exactly")
    for row in df[~df["passed"]].head(15).itertuples():
        print(f"  {row.id}: {row.why} | wrote {row.middle!r}, expected {row.expected!r}")
    if out:
        record = {"measured": datetime.date.today().isoformat(), "command": "make fim-eval", "model": model,
                  "how": "every held-out case through client.fim.complete, temperature 0, on the embedded endpoint; "
                         "the filled program runs the function's tests in a separate, limited process",
                  "machine": f"{usable_cores()} cores, {platform.machine()}",
                  "minutes": round((time.perf_counter() - started) / 60, 1), "cases": len(df),
                  "functions": int(df["function"].nunique()), "pass_rate": round(rate, 4),
                  "exact_rate": round(float(df["exact"].mean()), 4),
                  "by_function_pass_rate": round(float(df.groupby("function")["passed"].mean().mean()), 4),
                  "baseline": {"model": SMOLLM_ALIAS, "how": "the same messages through chat.complete, no FIM adapter",
                               "pass_rate": round(float(base["passed"].mean()), 4),
                               "exact_rate": round(float(base["exact"].mean()), 4)},
                  "results": df[["id", "passed", "exact", "why", "middle"]].to_dict("records")}
        Path(out).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

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
from .training import ADAPTER_FILE, TrainSettings, export_adapter, record_adapter, train_adapter


def main(argv: list[str] | None = None) -> None:
    from ..engine.embedded import CHAT_ALIAS, GEMMA_ALIAS, SMOLLM_ALIAS

    parser = argparse.ArgumentParser(prog="python -m helpers.assistant", description="Train or evaluate the workbook's assistant (SmolLM2 + LoRA).")
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


if __name__ == "__main__":
    main()

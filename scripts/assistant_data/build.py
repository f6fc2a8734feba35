"""Rebuild the assistant's training data, then decontaminate it against the held-out set.

    .venv/bin/python scripts/assistant_data/build.py      (or: make assistant-data)

Runs the three builders (knowledge.py, structured.py, reasoning.py), each of which writes one
`data/assistant/train/*.jsonl`, then drops every training record that shares a run of six
normalised words with a held-out request, or that writes a function the held-out set asks for
(`helpers.assistant.contaminated`). The held-out set itself is never changed by this script.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from helpers.assistant import assistant_dir, contaminated, load_records  # noqa: E402

BUILDERS = ("knowledge.py", "structured.py", "reasoning.py")


def main() -> None:
    for builder in BUILDERS:
        subprocess.run([sys.executable, str(HERE / builder)], check=True, stdout=subprocess.DEVNULL)
    heldout = load_records("heldout")
    for path in sorted((assistant_dir() / "train").glob("*.jsonl")):
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        kept = [r for r in records if not contaminated(r, heldout)]
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept), encoding="utf-8")
        print(f"{path.name}: kept {len(kept)} of {len(records)} (dropped {len(records) - len(kept)} that overlap the held-out set)")


if __name__ == "__main__":
    main()

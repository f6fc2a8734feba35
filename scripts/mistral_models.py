"""Regenerate the workbook's Mistral model facts from Mistral's own docs repository.

Mistral publishes one TypeScript file per model in github.com/mistralai/platform-docs-public
(`src/schema/models/models/*.ts`): name, release date, lifecycle status, open weights (licence,
parameters, active parameters, context, Hugging Face repo), API names, list prices and, for
legacy models, deprecation and retirement dates with the suggested replacement. This script reads
those files from a local clone with git (no network) and writes, deterministically:

* `data/mistral_models.json`: every model file's facts, each with the file path and commit;
* `data/retired_models.json`: the API ids that no longer answer on the as-of date;
* `data/prices.json`: the list prices of the current chat and embedding models.

A file may be newer in the public index than in the local clone; `NEWER` holds the facts of such
versions, transcribed with their commit, and they replace the clone's version of that file.

    .venv/bin/python scripts/mistral_models.py                      # rewrite the three files
    .venv/bin/python scripts/mistral_models.py --check              # exit 1 if they would change
    .venv/bin/python scripts/mistral_models.py --mirror PATH --as-of 2026-12-02
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MIRROR = "/work/.mirror/mistralai+platform-docs-public/repo"
REPO_URL = "https://github.com/mistralai/platform-docs-public"
MODELS_DIR = "src/schema/models/models"
AS_OF = "2026-12-02"

# Versions of model files that are newer than the local clone (its HEAD is 2026-08-21), read from
# the public index of the repository at the commit given. Only the fields this script uses.
NEWER: dict[str, dict] = {
    f"{MODELS_DIR}/mistral-large-4-0.ts": {
        "commit": "c971dd85b9a2ac1c0f0a4a0cd81857ecc61ff810",
        "fields": {
            "name": "Mistral Large 4", "slug": "mistral-large-4-0", "releaseDate": "2026-10-06",
            "type": "Open", "status": "PublicPreview", "contextLength": "1M", "legacy": False,
            "weights": [{"name": "Coming soon", "license": "", "url": None, "parameters": "1.05T",
                         "active": "52", "contextSize": "1M"}],
            "apiNames": ["mistral-large-4", "mistral-large-4-0"],
            "capabilities_input": ["text", "image"],
            "pricing": {"input": [{"price": 0.68, "denominator": "/M Tokens", "label": "Input"},
                                  {"price": 0.07, "denominator": "/M Tokens", "label": "Cached input"}],
                        "output": [{"price": 2.09, "denominator": "/M Tokens", "label": "Output"}],
                        "note": "introductory price; the file's originalPrice is 1.36 input, 4.18 output"},
            "metadata": {},
        },
    },
    f"{MODELS_DIR}/ocr-4-1.ts": {
        "commit": "637d5043b2dce260d888b935045014bd67514ff5",
        "fields": {
            "name": "OCR 4.1", "slug": "ocr-4-1", "releaseDate": "2026-07-16", "type": "Premier", "status": "GA",
            "contextLength": None, "legacy": False, "weights": [],
            "apiNames": ["mistral-ocr-4-1", "mistral-ocr-4", "mistral-ocr-latest"],
            "capabilities_input": ["image", "document"],
            "pricing": {"input": [{"price": 4.0, "denominator": "/1000 Pages", "label": ""},
                                  {"price": 5.0, "denominator": "/1000 Annotated Pages", "label": ""}],
                        "output": []},
            "metadata": {},
        },
    },
}

# The models whose list prices data/prices.json carries (what helpers.chat can price), by API name.
PRICED = ["mistral-small-latest", "mistral-medium-latest", "mistral-large-latest", "mistral-large-4",
          "codestral-latest", "ministral-3b-2512", "ministral-8b-2512", "ministral-14b-2512",
          "mistral-embed", "codestral-embed"]


def git(mirror: str, *args: str) -> str:
    return subprocess.run(["git", "-C", mirror, *args], check=True, capture_output=True, text=True).stdout


def _str(text: str, key: str) -> str | None:
    m = re.search(rf"^\s*{key}:\s*'([^']*)'", text, re.M)
    return m.group(1) if m else None


def _date(value: str | None) -> str | None:
    """ISO date of '2026-07-31' or 'July 31, 2026'; None when empty."""
    if not value:
        return None
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%B %d, %Y"):
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            pass
    raise ValueError(f"unparsed date {value!r}")


def _list(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text)


def _prices(block: str) -> list[dict]:
    rows = []
    for m in re.finditer(r"\{([^{}]*\bprice:[^{}]*)\}", block):
        body = m.group(1)
        price = re.search(r"\bprice:\s*([0-9.]+)", body)
        denom = re.search(r"denominator:\s*'([^']*)'", body)
        label = re.search(r"label:\s*'([^']*)'", body)
        rows.append({"price": float(price.group(1)), "denominator": denom.group(1) if denom else "",
                     "label": label.group(1) if label else ""})
    return rows


def parse_model_file(text: str) -> dict:
    """The fields this script uses from one model file."""
    weights = []
    wblock = re.search(r"weights:\s*\[(.*?)\n  \],", text, re.S)
    if wblock:
        for w in re.split(r"\}\s*,\s*\{", wblock.group(1)):
            if "parameters" not in w:
                continue
            weights.append({k: _str(w, k) for k in ("name", "license", "url", "parameters", "active", "contextSize")})
    pricing: dict = {"input": [], "output": []}
    pblock = re.search(r"pricing:\s*\{(.*?)\n  \},", text, re.S)
    if pblock:
        body = pblock.group(1)
        if re.search(r"type:\s*'flat'", body.split("\n")[1] if "\n" in body else body) and "input:" not in body:
            pricing["input"] = _prices("{" + body + "}")
        else:
            parts = re.split(r"\n\s*output:", body)
            pricing["input"] = _prices(parts[0])
            pricing["output"] = _prices(parts[1]) if len(parts) > 1 else []
    api = re.search(r"apiNames:\s*\[([^\]]*)\]", text)
    meta = re.search(r"metadata:\s*\{([^}]*)\}", text)
    metadata = {}
    if meta:
        for key in ("deprecationDate", "retirementDate", "replacement"):
            m = re.search(rf"{key}:\s*'([^']*)'", meta.group(1))
            if m and m.group(1):
                metadata[key] = m.group(1)
    caps = re.search(r"capabilities:\s*\{\s*input:\s*\[([^\]]*)\]", text)
    context = re.search(r"^\s*contextLength:\s*('([^']*)'|null)", text, re.M)
    return {"name": _str(text, "name"), "slug": _str(text, "slug"), "releaseDate": _str(text, "releaseDate"),
            "type": _str(text, "type"), "status": _str(text, "status"),
            "contextLength": context.group(2) if context and context.group(2) else None,
            "legacy": bool(re.search(r"^\s*legacy:\s*true", text, re.M)), "weights": weights,
            "apiNames": _list(api.group(1)) if api else [],
            "capabilities_input": _list(caps.group(1)) if caps else [], "pricing": pricing, "metadata": metadata}


def _number(value: str | None) -> float | None:
    """'119' -> 119e9, '1.05T' -> 1.05e12, '6.5' -> 6.5e9 (the docs give billions unless marked T)."""
    if not value:
        return None
    v = value.strip()
    return float(v[:-1]) * 1e12 if v.upper().endswith("T") else float(v) * 1e9


def _tokens(value: str | None) -> int | None:
    """'256k' -> 262144, '1M' -> 1048576 (the docs' k and M are binary, as 128k = 131,072 tokens)."""
    if not value or not re.match(r"^[0-9.]+[kKmM]$", value.strip()):
        return None
    v = value.strip()
    return int(float(v[:-1]) * (1024 if v[-1] in "kK" else 1024 * 1024))


def per_million(rows: list[dict]) -> float | None:
    """The first plain per-million-token price in a list (not cached input)."""
    for r in rows:
        if r["denominator"] == "/M Tokens" and r["label"] in ("", "Input", "Output"):
            return r["price"]
    return None


def load_models(mirror: str, rev: str) -> tuple[str, str, list[dict]]:
    head = git(mirror, "rev-parse", rev).strip()
    head_date = git(mirror, "show", "-s", "--format=%cs", head).strip()
    paths = [p for p in git(mirror, "ls-tree", "--name-only", f"{head}:{MODELS_DIR}").split()
             if p.endswith(".ts") and p != "index.ts"]
    models = []
    for name in sorted(set(paths) | {Path(p).name for p in NEWER}):
        path = f"{MODELS_DIR}/{name}"
        if path in NEWER:
            fields, commit, where = NEWER[path]["fields"], NEWER[path]["commit"], "public index"
        else:
            fields = parse_model_file(git(mirror, "show", f"{head}:{path}"))
            commit = git(mirror, "log", "-1", "--format=%H", head, "--", path).strip()
            where = "local clone"
        w = fields["weights"][0] if fields["weights"] else None
        meta = fields["metadata"]
        models.append({
            "name": fields["name"], "slug": fields["slug"], "released": _date(fields["releaseDate"]),
            "status": fields["status"], "type": fields["type"], "legacy": fields["legacy"],
            "api_names": fields["apiNames"], "input": fields["capabilities_input"],
            "context_tokens": _tokens(fields["contextLength"]), "context": fields["contextLength"],
            "open_weights": bool(w and w["url"]),
            "weights": None if not w else {
                "licence": w["license"] or None, "hf_repo": (w["url"] or "").replace("https://huggingface.co/", "") or None,
                "parameters": _number(w["parameters"]), "active": _number(w["active"]),
                "context_tokens": _tokens(w["contextSize"])},
            "price_per_million": {"input": per_million(fields["pricing"]["input"]),
                                  "output": per_million(fields["pricing"]["output"]),
                                  **({"note": fields["pricing"]["note"]} if "note" in fields["pricing"] else {})},
            "deprecated": _date(meta.get("deprecationDate")), "retired": _date(meta.get("retirementDate")),
            "replacement": meta.get("replacement"),
            "source": {"path": path, "commit": commit, "from": where},
        })
    return head, head_date, models


def is_retired(model: dict, as_of: str) -> bool:
    return model["status"] == "Retired" or bool(model["retired"] and model["retired"] <= as_of)


def replacement_ids(name: str, models: list[dict], as_of: str) -> list[str]:
    """API names of the current model called `name` (newest release first)."""
    live = [m for m in models if m["name"] == name and not is_retired(m, as_of) and m["api_names"]]
    live.sort(key=lambda m: m["released"] or "", reverse=True)
    return live[0]["api_names"] if live else []


def build(mirror: str, rev: str, as_of: str) -> dict[str, dict]:
    head, head_date, models = load_models(mirror, rev)
    source = {"repository": REPO_URL, "directory": MODELS_DIR, "clone_head": head, "clone_head_date": head_date,
              "newer_files": {p: v["commit"] for p, v in sorted(NEWER.items())}}
    live_ids = {i for m in models if not is_retired(m, as_of) for i in m["api_names"]}
    retired = {}
    for m in sorted(models, key=lambda m: (m["retired"] or "", m["slug"])):
        if not is_retired(m, as_of):
            continue
        ids = replacement_ids(m["replacement"], models, as_of) if m["replacement"] else []
        alias = next((i for i in ids if i.endswith("-latest")), ids[0] if ids else None)
        for api_id in m["api_names"]:
            if api_id in live_ids or api_id in retired:
                continue
            retired[api_id] = {"id": api_id, "model": m["name"], "status_in_docs": m["status"],
                               "deprecated": m["deprecated"], "retired": m["retired"],
                               "replacement": alias or "", "replacement_name": m["replacement"] or "",
                               "replacement_ids": ids, "source": f"{m['source']['path']}@{m['source']['commit'][:12]}"}
    retired_doc = {
        "_about": ("Mistral API model ids that no longer answer on La Plateforme on the as-of date: the model file "
                   "says Retired, or its retirementDate has passed (the lifecycle page: a deprecated model is "
                   "'still accessible until the retirement date'). An id that a current model also lists (a "
                   "-latest alias that moved on) is not retired. tests/test_stale_api.py fails when code would "
                   "send one. Generated by scripts/mistral_models.py; do not edit by hand."),
        "source": f"{REPO_URL}/tree/{head}/{MODELS_DIR}",
        "source_detail": source,
        "lifecycle_page": f"{REPO_URL}/blob/{head}/src/content/en/docs/inference/model-lifecycle/page.mdx",
        "as_of": as_of,
        "models": [retired[k] for k in sorted(retired, key=lambda k: (retired[k]["retired"] or "", k))],
    }
    by_id = {i: m for m in models if not is_retired(m, as_of) for i in m["api_names"]}
    price_rows = []
    for api_id in PRICED:
        m = by_id[api_id]
        p = m["price_per_million"]
        kind = "embeddings" if "embed" in api_id else "chat"
        row = {"model": api_id, "points_to": f"{m['name']} ({', '.join(m['api_names'])})", "kind": kind,
               "input": p["input"], "output": p["output"] or 0.0, "status": m["status"],
               "source": f"{m['source']['path']}@{m['source']['commit'][:12]}"}
        if "note" in p:
            row["note"] = p["note"]
        price_rows.append(row)
    prices_doc = {
        "_about": ("La Plateforme (Mistral's API) list prices in US dollars per million tokens, standard tier, as "
                   "Mistral's docs repository states them in each model file's `pricing` (the figures behind "
                   "docs.mistral.ai's model pages). Used by helpers.chat to estimate what a request would cost. "
                   "Generated by scripts/mistral_models.py; prices change: re-run it on a fresh clone before you budget."),
        "source": f"{REPO_URL}/tree/{head}/{MODELS_DIR}",
        "source_detail": source,
        "models_page": "https://docs.mistral.ai/getting-started/models/",
        "as_of": as_of,
        "how_checked": ("Each row's `source` is the model file and commit its figures were read from. The local clone's "
                        f"head is {head[:12]} ({head_date}); rows from a newer commit name it."),
        "currency": "USD",
        "unit": "per 1,000,000 tokens",
        "notes": [
            "The Batch API costs 50 % of these prices.",
            "A -latest name moves to newer models over time, and its price moves with it.",
            "Embedding models are billed on input tokens only.",
            "Reasoning (reasoning_effort on mistral-small-latest or mistral-medium-latest) is billed as output tokens.",
        ],
        # "running large workloads at a 50% discount" (public/studio-api/batch-processing.md, first paragraph)
        "batch_discount": {"fraction": 0.5, "source": f"{REPO_URL}/blob/{head}/public/studio-api/batch-processing.md"},
        "models": price_rows,
    }
    models_doc = {
        "_about": ("Every model file of Mistral's docs repository, as read on the as-of date: status, API names, open "
                   "weights (licence, parameters, active parameters, context, Hugging Face repo), list price per million "
                   "tokens, deprecation and retirement dates. `retired_on_as_of` applies the lifecycle rule. Generated "
                   "by scripts/mistral_models.py; do not edit by hand."),
        "source": source,
        "as_of": as_of,
        "models": [{**m, "retired_on_as_of": is_retired(m, as_of)} for m in sorted(models, key=lambda m: m["slug"])],
    }
    return {"mistral_models.json": models_doc, "retired_models.json": retired_doc, "prices.json": prices_doc}


def render(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mirror", default=DEFAULT_MIRROR, help="a clone (bare or not) of mistralai/platform-docs-public")
    ap.add_argument("--rev", default="HEAD")
    ap.add_argument("--as-of", default=AS_OF, help="the date retirements are judged on (YYYY-MM-DD)")
    ap.add_argument("--out", default=str(ROOT / "data"))
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file would change")
    args = ap.parse_args(argv)
    changed = []
    for name, doc in build(args.mirror, args.rev, args.as_of).items():
        path = Path(args.out) / name
        text = render(doc)
        if not path.exists() or path.read_text() != text:
            changed.append(name)
            if not args.check:
                path.write_text(text)
    print(("would change: " if args.check else "wrote: ") + (", ".join(changed) or "nothing"))
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())

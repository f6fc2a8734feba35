"""The threat database behind notebook 03's `search_database` tool: SQLite, parameterised SQL only.

`data/threat_indicators.sql` is the source of truth (45 synthetic indicators: documentation-range
IPv4 addresses, reserved example domains, made-up hashes; see `data/threat_indicators.md`).
`data/threat_indicators.sqlite` is built from it by `build_database()`; rebuild the committed file
with `python -m helpers.threatdb`. Nothing is opened at import time.

    db = ThreatDB.open()                 # read-only connection to the committed database
    db.search_database("203.0.113.42")   # the tool: JSON text with the stored verdict
"""

from __future__ import annotations

import ipaddress
import json
import re
import sqlite3
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import AfterValidator, Field

from .paths import data_dir

SQL_FILE = "threat_indicators.sql"
DB_FILE = "threat_indicators.sqlite"
COLUMNS = ("type", "value", "verdict", "first_seen", "source", "tags")
MAX_INDICATOR_LENGTH = 64  # a SHA-256 in hex, the longest indicator stored
ALLOWED_CHARACTERS = rf"^[A-Za-z0-9.-]{{1,{MAX_INDICATOR_LENGTH}}}$"
LOOKUP_SQL = "SELECT type, value, verdict, first_seen, source, tags FROM indicators WHERE value = ?"

_MD5 = re.compile(r"^[0-9a-f]{32}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def indicator_kind(value: str) -> str:
    """'ipv4', 'md5', 'sha256' or 'domain' for a well-formed indicator; ValueError (saying why) otherwise."""
    text = value.strip().lower()
    try:
        if isinstance(ipaddress.ip_address(text), ipaddress.IPv4Address):
            return "ipv4"
    except ValueError:
        pass
    if _MD5.match(text):
        return "md5"
    if _SHA256.match(text):
        return "sha256"
    if _DOMAIN.match(text) and not text.replace(".", "").isdigit():
        return "domain"
    raise ValueError(
        f"{value!r} is not a well-formed indicator: expected an IPv4 address (203.0.113.42), "
        "an MD5 (32 hex digits) or SHA-256 (64 hex digits) file hash, or a domain name (login-update.example)"
    )


def _check_shape(value: str) -> str:
    indicator_kind(value)
    return value


Indicator = Annotated[
    str,
    Field(max_length=MAX_INDICATOR_LENGTH, pattern=ALLOWED_CHARACTERS),
    AfterValidator(_check_shape),
]
"""The tool's argument type: the JSON schema states length and characters; the validator checks shape."""


def sql_path() -> Path:
    """The SQL script the database is built from."""
    return data_dir() / SQL_FILE


def db_path() -> Path:
    """The committed SQLite database."""
    return data_dir() / DB_FILE


def build_database(sql: Path | None = None, out: Path | None = None) -> Path:
    """Build the SQLite file from the SQL script, from scratch, the same bytes every time for one SQLite version."""
    sql = sql or sql_path()
    out = out or db_path()
    if not sql.exists():
        raise FileNotFoundError(f"{sql} is missing; it is the source of the threat database (restore it from git).")
    out.unlink(missing_ok=True)
    connection = sqlite3.connect(out)
    try:
        connection.executescript(sql.read_text(encoding="utf-8"))
        connection.commit()
        connection.execute("VACUUM")
    finally:
        connection.close()
    return out


def dump(path: Path) -> list[str]:
    """Every statement needed to recreate the database at `path` (to compare two builds by content)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


class ThreatDB:
    """A read-only connection to the threat database that records every SQL statement it runs."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path or db_path())
        if not self.path.exists():
            raise FileNotFoundError(f"{self.path} is missing; build it with `python -m helpers.threatdb`.")
        # mode=ro: even a statement that slipped through could not change the data.
        self.connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        self.statements: list[str] = []
        self.connection.set_trace_callback(self.statements.append)

    @classmethod
    def open(cls, path: Path | None = None) -> Self:
        """Open the committed database (or the one at `path`) read-only."""
        return cls(path)

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def count(self) -> int:
        """How many indicators the database holds."""
        return self.connection.execute("SELECT COUNT(*) FROM indicators").fetchone()[0]

    def lookup(self, value: str) -> list[dict[str, Any]]:
        """Rows whose value equals `value`, by a parameterised query: the value is bound as data, never read as SQL."""
        rows = self.connection.execute(LOOKUP_SQL, (value.strip().lower(),)).fetchall()
        return [dict(zip(COLUMNS, row), tags=row[5].split(",") if row[5] else []) for row in rows]

    def search_database(self, indicator: Indicator) -> str:
        """Search the threat database for an indicator and return its verdict.

        Args:
            indicator: The IPv4 address, file hash (MD5 or SHA-256) or domain name to look up.
        """
        rows = self.lookup(indicator)
        if not rows:
            return json.dumps({"indicator": indicator, "found": False, "verdict": "unknown"})
        return json.dumps({"indicator": indicator, "found": True, **rows[0]})

    def table(self):
        """The whole database as a pandas DataFrame (45 rows)."""
        import pandas as pd

        return pd.read_sql_query("SELECT * FROM indicators ORDER BY id", self.connection)


def string_formatted_query(value: str) -> str:
    """The query that string formatting WOULD build from `value`: text to look at, never executed."""
    return f"SELECT * FROM indicators WHERE value = '{value}'"


def main() -> None:
    """Rebuild data/threat_indicators.sqlite from data/threat_indicators.sql."""
    out = build_database()
    with ThreatDB.open(out) as db:
        print(f"Built {out} ({db.count()} indicators) from {sql_path()}")


if __name__ == "__main__":
    main()

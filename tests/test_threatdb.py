"""The threat database: built from its SQL, synthetic as documented, queried with bound parameters only."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import sqlite3

import pytest

from helpers import threatdb
from helpers.threatdb import ThreatDB, build_database, dump, indicator_kind

DOC_NETWORKS = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".example.com", ".example.net", ".example.org")


@pytest.fixture()
def db():
    with ThreatDB.open() as database:
        yield database


def test_committed_database_is_the_sql_built(tmp_path):
    built = build_database(out=tmp_path / "built.sqlite")
    assert dump(built) == dump(threatdb.db_path()), "data/threat_indicators.sqlite is stale: run python -m helpers.threatdb"


def test_build_is_byte_for_byte_repeatable(tmp_path):
    first = build_database(out=tmp_path / "a.sqlite").read_bytes()
    second = build_database(out=tmp_path / "b.sqlite").read_bytes()
    assert first == second and len(first) > 4096


def test_build_without_sql_says_how_to_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="restore it from git"):
        build_database(sql=tmp_path / "missing.sql", out=tmp_path / "x.sqlite")
    with pytest.raises(FileNotFoundError, match="python -m helpers.threatdb"):
        ThreatDB.open(tmp_path / "absent.sqlite")


def test_every_row_is_synthetic_as_documented(db):
    table = db.table()
    assert len(table) == db.count() == 45
    assert set(table["type"]) == {"ipv4", "domain", "md5", "sha256"}
    assert set(table["verdict"]) == {"malicious", "suspicious", "benign"}
    samples = [f"mistral-workbook synthetic sample {i:02d}".encode() for i in range(1, 19)]
    hashes = iter(samples)
    for row in table.itertuples():
        assert indicator_kind(row.value) == row.type and row.value == row.value.lower()
        if row.type == "ipv4":
            assert any(ipaddress.ip_address(row.value) in net for net in DOC_NETWORKS), row.value
        elif row.type == "domain":
            assert row.value.endswith(RESERVED_SUFFIXES) or row.value in ("example.com", "example.net"), row.value
        else:
            assert row.value == hashlib.new(row.type, next(hashes)).hexdigest(), row.value
    assert "192.168.1.1" not in set(table["value"])  # the seed's private address is not a threat-feed entry


def test_search_returns_the_stored_row_for_every_indicator(db):
    for row in db.table().itertuples():
        result = json.loads(db.search_database(row.value.upper() if row.type == "domain" else row.value))
        assert result["found"] and result["verdict"] == row.verdict and result["first_seen"] == row.first_seen
        assert result["tags"] == row.tags.split(",")
    missing = json.loads(db.search_database("192.0.2.1"))
    assert missing == {"indicator": "192.0.2.1", "found": False, "verdict": "unknown"}


@pytest.mark.parametrize("attack", ["' OR 1=1 --", "x' OR '1'='1", "203.0.113.42' --", "'; DROP TABLE indicators; --"])
def test_injection_strings_are_bound_as_values_and_match_nothing(db, attack):
    assert db.lookup(attack) == []
    assert db.statements[-1].startswith(threatdb.LOOKUP_SQL.split("?")[0])  # the one parameterised statement
    assert db.count() == 45
    assert "OR 1=1" in threatdb.string_formatted_query("' OR 1=1 --")  # what formatting would have built


def test_connection_is_read_only(db):
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.connection.execute("DELETE FROM indicators")
    assert db.count() == 45


@pytest.mark.parametrize("value, kind", [
    ("203.0.113.42", "ipv4"), ("login-update.example", "domain"), ("BEACON.C2.TEST", "domain"),
    ("d41d8cd98f00b204e9800998ecf8427e", "md5"), ("a" * 64, "sha256"),
])
def test_indicator_kind_accepts_the_four_shapes(value, kind):
    assert indicator_kind(value) == kind


@pytest.mark.parametrize("value", ["999.0.113.42", "1.2.3", "' OR 1=1 --", "a" * 40, "localhost", "2001:db8::1", ""])
def test_indicator_kind_refuses_everything_else(value):
    with pytest.raises(ValueError, match="not a well-formed indicator"):
        indicator_kind(value)

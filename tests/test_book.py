"""`make book` renders every executed notebook into a navigable HTML build."""

from __future__ import annotations

import shutil

import pytest

from helpers.book import build_book
from helpers.paths import repo_root


@pytest.mark.slow
def test_book_executes_notebooks_and_links_them(tmp_path):
    source = tmp_path / "notebooks"
    source.mkdir()
    shutil.copy(repo_root() / "notebooks" / "00_setup_and_hardware_check.ipynb", source)
    index = build_book(tmp_path / "book", source)
    page = tmp_path / "book" / "00_setup_and_hardware_check.html"
    assert 'href="00_setup_and_hardware_check.html"' in index.read_text()
    text = page.read_text()
    assert "00 · Setup and hardware check" in text and "Answered by" in text and "endpoint running: False" in text

"""`make book`: every committed notebook rendered into a navigable HTML book (Jupyter Book, no execution)."""

from __future__ import annotations

import re
import shutil
import time
from html.parser import HTMLParser

import nbformat
import pytest

from helpers.paths import repo_root
from helpers.workshop.book import build_book, chapters, write_source

ROOT = repo_root()
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (class, href)
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append((a.get("class") or "", a["href"]))
        if tag == "img" and a.get("src"):
            self.images.append(a["src"])


def _parse(path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text())
    return parser


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    out = tmp_path_factory.mktemp("book") / "html"
    started = time.perf_counter()
    index = build_book(out)
    print(f"book of {len(NOTEBOOKS)} notebooks built in {time.perf_counter() - started:.0f} s")
    return index


def test_toc_lists_whatever_notebooks_exist(tmp_path):
    source_nbs = tmp_path / "notebooks"
    source_nbs.mkdir()
    shutil.copy(NOTEBOOKS[0], source_nbs)
    extra = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 12 · A chapter written later")])
    nbformat.write(extra, source_nbs / "12_later.ipynb")
    (source_nbs / "scratch.ipynb").write_text(nbformat.writes(extra))  # not NN_*: not a chapter
    found = write_source(tmp_path / "src", source_nbs, ROOT / "README.md")
    assert [c.source.name for c in found] == [NOTEBOOKS[0].name, "12_later.ipynb"]
    toc = (tmp_path / "src" / "_toc.yml").read_text()
    assert "root: \"intro\"" in toc and f'file: "{NOTEBOOKS[0].stem}"' in toc and 'file: "12_later"' in toc
    assert "scratch" not in toc
    config = (tmp_path / "src" / "_config.yml").read_text()
    assert 'execute_notebooks: "off"' in config
    intro = (tmp_path / "src" / "intro.md").read_text()
    assert intro.startswith("# Mistral Workbook") and "[12 · A chapter written later](12_later.ipynb)" in intro


@pytest.mark.slow
def test_every_notebook_has_a_page_linked_from_the_index(book):
    out = book.parent
    assert 'url=intro.html' in book.read_text()  # index.html opens the intro page
    intro = out / "intro.html"
    assert "A hands-on, Jupyter-based course" in intro.read_text()  # the intro page is the README
    index_links = {href.split("#")[0] for _, href in _parse(intro).links}
    for chapter in chapters(ROOT / "notebooks"):
        page = out / chapter.page
        assert page.exists(), f"no page for {chapter.source.name}"
        assert chapter.page in index_links, f"the index does not link {chapter.page}"
        assert chapter.title in page.read_text()
    guide = out / "facilitator_guide.html"  # the facilitator guide follows the notebooks
    assert guide.exists() and "facilitator_guide.html" in index_links and "Common failures" in guide.read_text()


@pytest.mark.slow
def test_pages_link_to_previous_and_next(book):
    out = book.parent
    pages = [c.page for c in chapters(ROOT / "notebooks")]
    for i, page in enumerate(pages):
        links = _parse(out / page).links
        prev_ = [h for cls, h in links if "left-prev" in cls]
        next_ = [h for cls, h in links if "right-next" in cls]
        assert prev_ == ["intro.html" if i == 0 else pages[i - 1]], (page, prev_)
        if i + 1 < len(pages):
            assert next_ == [pages[i + 1]], (page, next_)
        sidebar = {h.split("#")[0] for _, h in links}
        assert set(pages) - {page} <= sidebar, f"{page}'s sidebar misses chapters"


@pytest.mark.slow
def test_outputs_appear_plots_text_and_widgets(book):
    out = book.parent
    pages = {c.source.name[:2]: out / c.page for c in chapters(ROOT / "notebooks")}
    images = [src for page in pages.values() for src in _parse(page).images if src.endswith(".png")]
    assert images, "no plot image in the book"
    assert all((out / src).exists() for src in images), "an image a page shows is missing"
    setup = pages["00"].read_text()
    assert "Answered by" in setup and "STAND-IN" in setup and "endpoint running: False" in setup  # text outputs
    widget_pages = [p for p in pages.values() if "application/vnd.jupyter.widget-view+json" in p.read_text()]
    assert widget_pages, "no widget view in the book"
    assert re.search(r'"state":\s*\{', (out / widget_pages[0].name).read_text()), "the widget state is missing"

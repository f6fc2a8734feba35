"""`make book`: every notebook, with its committed outputs, as a navigable HTML book (Jupyter Book).

    python -m helpers.workshop.book build/book        # then open build/book/index.html

Nothing is executed: the committed notebooks already hold the outputs of the embedded default
(nbval checks they reproduce), so the book builds in a minute or two, offline. The intro page is
the README; the table of contents lists whatever `notebooks/NN_*.ipynb` exist, so a new
notebook appears without editing anything. The Jupyter Book project (`_config.yml`, `_toc.yml`,
`intro.md` and the notebooks) is generated into `<out>/_source`; Sphinx keeps its cache there,
so a rebuild only re-renders what changed. The HTML goes to `<out>` itself.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..paths import repo_root

NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
TITLE = "Mistral Workbook"

# Jupyter Book's settings. Sphinx warnings (a lexer that cannot highlight a cell, a README link to a
# file outside the book) are reported but never fatal.
CONFIG = {
    "title": TITLE,
    "author": "The Mistral Workbook authors",
    "copyright": "",
    "only_build_toc_files": True,
    "exclude_patterns": ["_build", "**.ipynb_checkpoints"],
    "execute": {"execute_notebooks": "off"},
    "html": {
        "use_issues_button": False,
        "use_repository_button": False,
        "use_edit_page_button": False,
        "use_download_button": True,  # each page offers its .ipynb
        "home_page_in_navbar": True,
        "extra_footer": "Committed outputs of the embedded default: stand-in models, said so in every notebook.",
    },
    "launch_buttons": {"notebook_interface": "classic", "binderhub_url": "", "thebe": False},
    "sphinx": {
        "config": {
            "html_show_copyright": False,
            "nb_merge_streams": True,  # a streamed answer arrives as dozens of outputs: show it as one
            "suppress_warnings": ["misc.highlighting_failure", "myst.header", "myst.xref_missing", "mystnb.unknown_mime_type"],
        },
    },
}


@dataclass(frozen=True)
class Chapter:
    """One notebook in the book."""

    source: Path
    title: str

    @property
    def page(self) -> str:
        return self.source.stem + ".html"


def notebook_title(nb: Any) -> str:
    """The first Markdown heading of a notebook."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "Untitled"


def chapters(notebooks_dir: Path) -> list[Chapter]:
    """The book's chapters: every `NN_*.ipynb` in order, with its title."""
    import nbformat

    paths = sorted(notebooks_dir.glob(NOTEBOOK_GLOB))
    if not paths:
        raise FileNotFoundError(f"no notebooks named NN_*.ipynb in {notebooks_dir}")
    return [Chapter(p, notebook_title(nbformat.read(p, as_version=4))) for p in paths]


def _yaml(value: Any, indent: int = 0) -> str:
    """A small YAML writer for the config (JSON scalars are valid YAML), so no YAML library is needed."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        lines = []
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{pad}{k}:\n{_yaml(v, indent + 2)}")
            else:
                lines.append(f"{pad}{k}: {_yaml(v)}")
        return "\n".join(lines)
    if isinstance(value, list):
        if not value:
            return "[]"
        return "\n".join(f"{pad}- {_yaml(v, indent + 2).lstrip()}" for v in value)
    return json.dumps(value, ensure_ascii=False)


def intro_markdown(readme: Path | None, chapter_list: list[Chapter]) -> str:
    """The book's first page: the README, and a list of the chapters linking to their pages."""
    text = readme.read_text() if readme and readme.exists() else f"# {TITLE}\n"
    links = "\n".join(f"{i + 1}. [{c.title}]({c.source.name})" for i, c in enumerate(chapter_list))
    return (f"{text.rstrip()}\n\n## The notebooks in this book\n\nEach page shows a notebook with the outputs it "
            f"produced on the embedded default (stand-in models on a 2-core CPU).\n\n{links}\n")


def _write_if_changed(path: Path, data: bytes) -> None:
    if not path.exists() or path.read_bytes() != data:  # unchanged files keep their mtime: Sphinx skips them
        path.write_bytes(data)


def write_source(source: Path, notebooks_dir: Path, readme: Path | None,
                 pages: tuple[Path, ...] = ()) -> list[Chapter]:
    """Generate the Jupyter Book project (config, toc, intro, notebooks, then any Markdown `pages`) in `source`."""
    source.mkdir(parents=True, exist_ok=True)
    chapter_list = chapters(notebooks_dir)
    for stale in source.glob(NOTEBOOK_GLOB):
        if not (notebooks_dir / stale.name).exists():
            stale.unlink()
    for c in chapter_list:
        _write_if_changed(source / c.source.name, c.source.read_bytes())
    for page in pages:
        _write_if_changed(source / page.name, page.read_bytes())
    toc = {"format": "jb-book", "root": "intro",
           "chapters": [{"file": c.source.stem} for c in chapter_list] + [{"file": p.stem} for p in pages]}
    _write_if_changed(source / "_config.yml", (_yaml(CONFIG) + "\n").encode())
    _write_if_changed(source / "_toc.yml", (_yaml(toc) + "\n").encode())
    _write_if_changed(source / "intro.md", intro_markdown(readme, chapter_list).encode())
    return chapter_list


def build_book(out_dir: Path, notebooks_dir: Path | None = None, readme: Path | None = None,
               say: Callable[[str], None] = print) -> Path:
    """Render every notebook into an HTML book in `out_dir`; returns its `index.html`."""
    root = repo_root() or Path.cwd()
    notebooks_dir = notebooks_dir or root / "notebooks"
    readme = readme if readme is not None else root / "README.md"
    out_dir.mkdir(parents=True, exist_ok=True)
    source = out_dir / "_source"
    guide = root / "docs" / "facilitator_guide.md"
    chapter_list = write_source(source, notebooks_dir, readme, pages=(guide,) if guide.exists() else ())
    say(f"building the book from {len(chapter_list)} notebooks (Jupyter Book, committed outputs, no execution) ...")
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build",
                          str(source), "--builder", "html", "--keep-going"],
                         capture_output=True, text=True, check=False)
    html = source / "_build" / "html"
    if run.returncode != 0 or not (html / "index.html").exists():
        raise RuntimeError(f"Jupyter Book failed (exit {run.returncode}):\n{(run.stdout + run.stderr)[-4000:]}")
    for item in html.iterdir():
        target = out_dir / item.name
        if item.is_dir():
            shutil.copytree(item, target, dirs_exist_ok=True)
        else:
            shutil.copy2(item, target)
    warnings = sum("WARNING" in line for line in (run.stdout + run.stderr).splitlines())
    say(f"built in {time.perf_counter() - started:.0f} s ({warnings} Sphinx warnings)")
    return out_dir / "index.html"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m helpers.workshop.book", description=__doc__.split("\n")[0])
    parser.add_argument("out", nargs="?", default="build/book", type=Path, help="output folder")
    parser.add_argument("--notebooks", type=Path, default=None, help="source notebooks (default: the checkout's)")
    args = parser.parse_args(argv)
    print(f"Book written to {build_book(args.out, args.notebooks)}")


if __name__ == "__main__":
    main()

"""`make book`: execute every notebook headless and write a browsable HTML build.

    python -m helpers.book build/book
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

from .paths import repo_root


def notebook_title(nb) -> str:
    """The first Markdown heading of a notebook."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "Untitled"


def build_book(out_dir: Path, notebooks_dir: Path | None = None, timeout: int = 1800) -> Path:
    """Execute each `notebooks/*.ipynb` in a fresh kernel, render it to HTML, and write an index."""
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter
    from tqdm.auto import tqdm

    notebooks_dir = notebooks_dir or (repo_root() or Path.cwd()) / "notebooks"
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter()
    entries = []
    paths = sorted(notebooks_dir.glob("[0-9][0-9]_*.ipynb"))
    for path in tqdm(paths, desc="executing notebooks", unit="notebook"):
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(notebooks_dir)}}).execute()
        body, _ = exporter.from_notebook_node(nb)
        page = path.with_suffix(".html").name
        (out_dir / page).write_text(body)
        entries.append((page, notebook_title(nb)))
    items = "\n".join(f'<li><a href="{p}">{html.escape(t)}</a></li>' for p, t in entries)
    index = out_dir / "index.html"
    index.write_text(
        "<!doctype html><meta charset='utf-8'><title>Mistral Workbook</title>"
        "<h1>Mistral Workbook</h1><p>Every notebook, executed with the backend this build ran on.</p>"
        f"<ol>{items}</ol>\n"
    )
    return index


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "build/book")
    print(f"Book written to {build_book(target)}")

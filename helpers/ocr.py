"""OCR, measured: test documents of known text, and how much of that text comes back.

Notebook 11 sends documents through `client.ocr.process` and scores what it reads. The documents are
made here, so their text is known exactly: `sample_documents()` renders a few pages in three fonts
(Pillow's bundled Aileron, DejaVu Serif, DejaVu Sans Mono: DejaVu comes with matplotlib, so no system
font is needed) and `pdf_bytes` binds pages into a PDF. `character_accuracy` is 1 minus the Levenshtein
distance between the expected and the returned text over the expected length, after collapsing
whitespace; `measure` runs every document through a client and tabulates pages, seconds and accuracy.
"""

from __future__ import annotations

import base64
import io
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

PAGE_DPI = 150  # the resolution the pages are drawn for (the endpoint renders PDF pages at 150 dpi too)
PAGE_WIDTH = 1000  # pixels
MARGIN = 50
FONT_FILES = {"serif": "DejaVuSerif.ttf", "mono": "DejaVuSansMono.ttf", "sans": "DejaVuSans.ttf"}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def font_file(name: str) -> Path | None:
    """The DejaVu file for `name` ("serif", "mono", "sans"): matplotlib's copy, else the system's, else None."""
    filename = FONT_FILES[name]
    places = []
    try:
        import matplotlib

        places.append(Path(matplotlib.get_data_path()) / "fonts" / "ttf")
    except ImportError:
        pass
    places.append(Path("/usr/share/fonts/truetype/dejavu"))
    return next((place / filename for place in places if (place / filename).is_file()), None)


def load_font(name: str, size: int) -> Font:
    """A font at `size` pixels: "default" is Pillow's bundled Aileron; DejaVu faces fall back to it when absent."""
    path = font_file(name) if name != "default" else None
    if path is not None:
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


@dataclass
class Paragraph:
    """A run of text in one font; `heading` marks it as the page's `#` title."""

    text: str
    font: str = "default"
    size: int = 22
    heading: bool = False


@dataclass
class SampleDocument:
    """A document of known text: its pages as images and, per page, the markdown a perfect reader returns."""

    name: str
    pages: list[Image.Image]
    expected: list[str]
    as_pdf: bool = False

    def payload(self) -> dict[str, Any]:
        """The `document` argument of `client.ocr.process`: a PDF data URL, or a PNG data URL for one image."""
        if self.as_pdf:
            return {"type": "document_url", "document_url": data_url(pdf_bytes(self.pages), "application/pdf")}
        return {"type": "image_url", "image_url": data_url(png_bytes(self.pages[0]), "image/png")}


def wrap(text: str, font: Font, width: int) -> list[str]:
    """`text` broken into lines no wider than `width` pixels in `font`."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(lines[-1] + " " + word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def render_page(paragraphs: list[Paragraph], width: int = PAGE_WIDTH) -> tuple[Image.Image, str]:
    """(page image, expected markdown): black text on white, paragraphs separated by a blank line's height."""
    laid_out = []
    y = MARGIN
    for paragraph in paragraphs:
        font = load_font(paragraph.font, paragraph.size)
        lines = wrap(paragraph.text, font, width - 2 * MARGIN)
        step = int(paragraph.size * 1.35)
        laid_out.append((font, lines, y, step))
        y += step * len(lines) + paragraph.size
    image = Image.new("RGB", (width, y + MARGIN), "white")
    draw = ImageDraw.Draw(image)
    for font, lines, top, step in laid_out:
        for i, line in enumerate(lines):
            draw.text((MARGIN, top + i * step), line, fill="black", font=font)
    expected = "\n\n".join(("# " if p.heading else "") + "\n".join(lines)
                           for p, (_, lines, _, _) in zip(paragraphs, laid_out))
    return image, expected


def sample_documents() -> list[SampleDocument]:
    """Three documents: a memo (Aileron, an image), a two-page report (DejaVu Serif, a PDF), a receipt (DejaVu Sans Mono)."""
    memo = [
        Paragraph("Quarterly update", size=40, heading=True),
        Paragraph("The warehouse in Lyon shipped 4,812 orders in March, up from 3,977 in February. "
                  "Returns fell to 2.1 percent after the new packaging arrived."),
        Paragraph("Next steps: hire two drivers, renew the lease before 30 June, and move the "
                  "spare parts to the north hall."),
    ]
    report_1 = [
        Paragraph("Field notes on river sampling", font="serif", size=36, heading=True),
        Paragraph("We collected water at seven stations between the dam and the estuary. Each sample "
                  "was filtered on site and kept cold until it reached the laboratory.", font="serif", size=22),
        Paragraph("Nitrate levels were highest below the farms, at 11.4 milligrams per litre, and lowest "
                  "in the forest stretch upstream.", font="serif", size=22),
    ]
    report_2 = [
        Paragraph("Station 5 could not be reached after the storm, so its autumn sample is missing. "
                  "The remaining stations agree with last year within ten percent.", font="serif", size=22),
        Paragraph("We recommend monthly sampling at the two stations below the farms.", font="serif", size=22),
    ]
    receipt = [
        Paragraph("CORNER BAKERY  12 Rue des Lilas", font="mono", size=22),
        Paragraph("2 baguettes 2.40 EUR; 1 croissant 1.30 EUR; 1 coffee 2.10 EUR", font="mono", size=22),
        Paragraph("TOTAL 5.80 EUR paid by card on 14/03/2025", font="mono", size=22),
    ]
    documents = []
    for name, pages, as_pdf in (("memo (Aileron, PNG)", [memo], False),
                                ("report (DejaVu Serif, 2-page PDF)", [report_1, report_2], True),
                                ("receipt (DejaVu Sans Mono, PNG)", [receipt], False)):
        rendered = [render_page(page) for page in pages]
        documents.append(SampleDocument(name, [img for img, _ in rendered], [text for _, text in rendered], as_pdf))
    return documents


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(PAGE_DPI, PAGE_DPI))
    return buffer.getvalue()


def pdf_bytes(pages: list[Image.Image], dpi: int = PAGE_DPI) -> bytes:
    """A PDF with one page per image, each page sized so that `dpi` renders it at its pixel size (Pillow's writer)."""
    buffer = io.BytesIO()
    first, *rest = [page.convert("RGB") for page in pages]
    first.save(buffer, "PDF", resolution=float(dpi), save_all=True, append_images=rest)
    return buffer.getvalue()


def data_url(data: bytes, media_type: str) -> str:
    """`data:<media_type>;base64,...`: how a document travels to `client.ocr.process` without a web address."""
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


def normalise(text: str) -> str:
    """Whitespace collapsed to single spaces, ends trimmed."""
    return re.sub(r"\s+", " ", text).strip()


def levenshtein(a: str, b: str) -> int:
    """Edits (insertions, deletions, substitutions of one character) that turn `a` into `b`."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def character_accuracy(expected: str, got: str) -> float:
    """1 - Levenshtein distance / expected length, on whitespace-normalised text; at least 0.0.

    1.0 is a perfect read; every missing, extra or wrong character costs 1/len(expected).
    """
    want, have = normalise(expected), normalise(got)
    if not want:
        return 1.0 if not have else 0.0
    return max(0.0, 1.0 - levenshtein(want, have) / len(want))


def measure(client: Any, documents: list[SampleDocument] | None = None, model: str = "standin-ocr-rapidocr") -> Any:
    """Each document through `client.ocr.process`: a DataFrame of document, pages, seconds and character accuracy."""
    import pandas as pd

    rows = []
    for doc in documents if documents is not None else sample_documents():
        start = time.perf_counter()
        response = client.ocr.process(model=model, document=doc.payload())
        seconds = time.perf_counter() - start
        got = "\n\n".join(page.markdown for page in response.pages)
        rows.append({"document": doc.name, "pages": len(response.pages), "seconds": round(seconds, 2),
                     "character accuracy": round(character_accuracy("\n\n".join(doc.expected), got), 3)})
    return pd.DataFrame(rows)

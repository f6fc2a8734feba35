"""`POST /v1/ocr`: La Plateforme's OCR API, answered offline by RapidOCR (`standin-ocr-rapidocr`).

The stand-in is PP-OCRv4 (text detection and recognition, ONNX models shipped inside the
`rapidocr-onnxruntime` wheel) run by onnxruntime on the CPU. It reads printed text; it does not see
tables, formulas, images or handwriting the way Mistral OCR does.

What a request may send, as the `mistralai` SDK sends it:

* `{"type": "image_url", "image_url": "data:image/png;base64,..."}` (or `{"url": ...}` in place of the string);
* `{"type": "document_url", "document_url": "data:application/pdf;base64,..."}`;
* `{"type": "file", "file_id": ...}` for a file uploaded with the Files API (`helpers.engine.file_store`).

A web address is refused (4xx): the endpoint never fetches anything; send the bytes as a base64 data
URL or upload the file. PDF pages are rendered at `RENDER_DPI` with pypdfium2; at most `MAX_PAGES`
pages are read per request (`pages` selects them: `[0, 2]` or `"0,2-4"`, counting from 0).

How a page becomes markdown: RapidOCR returns one box per run of text, with its four corners, its text
and a confidence. The recogniser often drops the spaces between English words, so each box's spaces
are put back where the page itself shows a gap in the ink wider than a letter gap (`respace`). Boxes
are grouped into lines by vertical overlap, lines into paragraphs by the gaps between them, top to
bottom; a paragraph whose lines are much taller than the page's body text becomes a `#`/`##` heading.
Each paragraph is also one entry of the page's `blocks` (`text` or `title`, with its bounding box in
pixels of the page image). Confidence scores are the recogniser's per-box scores: at `block` and
`page` granularity their mean and minimum, at `word` granularity each word carries the score of the
box it was read from.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import io
import re
import statistics
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, HTTPException, Request

from .additions import EndpointContext

OCR_MODEL = "standin-ocr-rapidocr"
MAX_PAGES = 20  # pages read per request; a longer selection is refused with a 400
MAX_DOCUMENT_BYTES = 50 * 2**20  # a decoded document over this size is refused with a 413
MAX_IMAGE_PIXELS = 40_000_000  # an image over this many pixels is refused with a 400
RENDER_DPI = 150  # PDF pages are rendered at this resolution before they are read
IMAGE_DPI = 72  # stated for an image that records no resolution of its own
OCR_THREADS = 2  # onnxruntime intra-op threads: measured 0.63 s vs 0.82 s (1 thread) per small page on 2 cores
HEADING_RATIO = (1.4, 1.2)  # line height over the page's body line height for `#` and `##`
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp",
               "BMP": "image/bmp", "TIFF": "image/tiff"}

_engine: Any = None
_load_lock = threading.Lock()
_run_lock = threading.Lock()  # one page at a time through the engine: it keeps per-call state


def engine() -> Any:
    """The RapidOCR engine, loaded on first use (about 0.2 s) and kept for the life of the process."""
    global _engine
    with _load_lock:
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR

            _engine = RapidOCR(intra_op_num_threads=OCR_THREADS, inter_op_num_threads=1,
                               use_cls=False, print_verbose=False)
        return _engine


# ---------------------------------------------------------------- reading the request


@dataclass
class Document:
    """A decoded document: its bytes, what it is (`"pdf"` or `"image"`) and the size it was sent as."""

    data: bytes
    kind: str


def bad(message: str, status: int = 400) -> HTTPException:
    return HTTPException(status, detail=message)


def sniff(data: bytes) -> str | None:
    """`"pdf"`, `"image"` or None, from the bytes themselves."""
    if b"%PDF-" in data[:1024]:  # PDF readers accept the header anywhere in the first kilobyte
        return "pdf"
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            return "image" if img.format in IMAGE_TYPES else None
    except Exception:
        return None


def decode_data_url(url: str, field_name: str) -> tuple[str, bytes]:
    """(media type, bytes) of a `data:` URL; a 400 naming the problem otherwise."""
    head, comma, payload = url.partition(",")
    if not comma:
        raise bad(f"`{field_name}` is a data URL without a comma before its data: send "
                  "`data:<media type>;base64,<base64 bytes>`.")
    params = head[len("data:"):].split(";")
    media_type = params[0].strip().lower() or "text/plain"
    if "base64" not in [p.strip().lower() for p in params[1:]]:
        raise bad(f"`{field_name}` is a data URL that is not base64-encoded: send "
                  f"`data:{media_type};base64,<base64 bytes>`.")
    if len(payload) > MAX_DOCUMENT_BYTES * 4 // 3 + 4:
        raise bad(f"The document is over {MAX_DOCUMENT_BYTES // 2**20} MB.", 413)
    try:
        data = base64.b64decode(re.sub(r"\s+", "", payload), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise bad(f"`{field_name}` does not hold valid base64 data ({exc}).") from exc
    if not data:
        raise bad(f"`{field_name}` holds an empty document (no bytes after `base64,`).")
    return media_type, data


def from_url(url: Any, field_name: str, expected: str) -> Document:
    """The document a URL field carries: a base64 data URL only; web addresses are refused."""
    if not isinstance(url, str) or not url.strip():
        raise bad(f"`{field_name}` must be a non-empty string (a base64 data URL).", 400)
    url = url.strip()
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme in ("http", "https"):
        raise bad(f"`{field_name}` is a web address ({url[:80]}); this offline endpoint does not fetch "
                  "documents from the web. Send the bytes as a base64 data URL "
                  "(`data:application/pdf;base64,...` or `data:image/png;base64,...`) or upload the file "
                  "with the Files API and send `{\"type\": \"file\", \"file_id\": ...}`.")
    if scheme != "data":
        raise bad(f"`{field_name}` must be a base64 data URL (`data:<media type>;base64,...`); got "
                  f"{url[:40]!r}.")
    media_type, data = decode_data_url(url, field_name)
    return typed(data, media_type, expected)


def typed(data: bytes, media_type: str | None, expected: str) -> Document:
    """`data` as a PDF or an image, checked against the media type it was sent as; 400 otherwise."""
    kind = sniff(data)
    if media_type is not None:
        declared = ("pdf" if media_type == "application/pdf" else
                    "image" if media_type.startswith("image/") else None)
        if declared is None and media_type not in ("application/octet-stream", "binary/octet-stream"):
            raise bad(f"Unsupported media type {media_type!r}: the OCR endpoint reads PDFs "
                      f"(application/pdf) and images ({', '.join(sorted(IMAGE_TYPES.values()))}).", 415)
        if declared == "pdf" and kind != "pdf":
            raise bad("The document is declared as application/pdf but is not a PDF (it does not start "
                      "with %PDF-).")
        if declared == "image" and kind != "image":
            raise bad(f"The document is declared as {media_type} but is not an image this endpoint can read "
                      f"({', '.join(sorted(IMAGE_TYPES))}).")
    if kind is None:
        raise bad(f"The {expected} is neither a PDF nor an image this endpoint can read "
                  f"({', '.join(sorted(IMAGE_TYPES))}).", 415)
    return Document(data, kind)


def from_file(context: EndpointContext, file_id: Any) -> Document:
    """A file uploaded with the Files API."""
    if not isinstance(file_id, str) or not file_id:
        raise bad("`document.file_id` must be the id of an uploaded file.", 400)
    try:
        file_store = importlib.import_module(f"{__package__}.file_store")
    except ModuleNotFoundError as exc:
        raise bad("This endpoint has no Files API; send the document as a base64 data URL.", 501) from exc
    try:
        meta, data = file_store.load(context.state_dir, file_id)
    except HTTPException:
        raise
    except (KeyError, LookupError, FileNotFoundError, ValueError) as exc:
        raise bad(f"No file with id {file_id!r}: upload it with `client.files.upload` first.", 404) from exc
    if not data:
        raise bad(f"File {file_id!r} is empty.")
    name = str(meta.get("filename") or "") if isinstance(meta, dict) else ""
    return typed(data, "application/pdf" if name.lower().endswith(".pdf") else None, f"file {file_id!r}")


def read_document(context: EndpointContext, document: Any) -> Document:
    """The document of a request body, in any of the three forms the SDK sends."""
    if not isinstance(document, dict):
        raise bad("`document` must be an object: {\"type\": \"document_url\", \"document_url\": ...}, "
                  "{\"type\": \"image_url\", \"image_url\": ...} or {\"type\": \"file\", \"file_id\": ...}.", 400)
    kind = document.get("type") or next((k for k in ("document_url", "image_url", "file_id") if k in document), None)
    if kind == "document_url":
        return from_url(document.get("document_url"), "document.document_url", "document")
    if kind == "image_url":
        url = document.get("image_url")
        if isinstance(url, dict):
            url = url.get("url")
        return from_url(url, "document.image_url", "image")
    if kind in ("file", "file_id"):
        return from_file(context, document.get("file_id"))
    raise bad(f"Unknown document type {kind!r}: use document_url, image_url or file.", 400)


def parse_pages(pages: Any, count: int) -> list[int]:
    """Page indexes to read, in the order asked, from `[0, 2]` or `"0,2-4"`; all pages when None."""
    if pages is None:
        chosen = list(range(count))
    elif isinstance(pages, str):
        chosen = []
        for part in filter(None, (p.strip() for p in pages.split(","))):
            match = re.fullmatch(r"(\d+)\s*(?:-\s*(\d+))?", part)
            if not match:
                raise bad(f"`pages` has {part!r}: write page indexes from 0 as '0,2-4'.", 400)
            first, last = int(match[1]), int(match[2] or match[1])
            if last < first:
                raise bad(f"`pages` has the range {part!r}, which runs backwards.", 400)
            if last - first > 10 * MAX_PAGES:
                raise bad(f"`pages` asks for more than {MAX_PAGES} pages.")
            chosen.extend(range(first, last + 1))
    elif isinstance(pages, list) and all(isinstance(p, int) and not isinstance(p, bool) for p in pages):
        chosen = list(pages)
    else:
        raise bad("`pages` must be a list of page indexes (from 0) or a string such as '0,2-4'.", 400)
    chosen = list(dict.fromkeys(chosen))
    if not chosen:
        raise bad("`pages` selects no page.")
    outside = [p for p in chosen if not 0 <= p < count]
    if outside:
        raise bad(f"Page index {outside[0]} is out of range: the document has {count} page"
                  f"{'s' if count != 1 else ''} (indexes 0 to {count - 1}).")
    if len(chosen) > MAX_PAGES:
        raise bad(f"The document has {len(chosen)} pages to read; this endpoint reads at most {MAX_PAGES} per "
                  f"request. Select up to {MAX_PAGES} with `pages` (e.g. '0-{MAX_PAGES - 1}') and send the rest "
                  "in further requests.")
    return chosen


# ---------------------------------------------------------------- reading a page


@dataclass
class Box:
    """One text box RapidOCR found: its axis-aligned extent in pixels, its text, its confidence."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class Line:
    boxes: list[Box] = field(default_factory=list)

    @property
    def y0(self) -> float:
        return min(b.y0 for b in self.boxes)

    @property
    def y1(self) -> float:
        return max(b.y1 for b in self.boxes)

    @property
    def height(self) -> float:
        return statistics.median(b.height for b in self.boxes)

    @property
    def text(self) -> str:
        return " ".join(b.text for b in sorted(self.boxes, key=lambda b: b.x0))


def ink_gaps(gray: Any, box: Box) -> list[tuple[float, float]]:
    """Runs of blank columns inside `box` of the page `gray` (a 2-D uint8 array), wider than a letter gap."""
    import numpy as np

    h, w = gray.shape
    x0, x1 = max(int(box.x0), 0), min(int(round(box.x1)), w)
    y0, y1 = max(int(box.y0), 0), min(int(round(box.y1)), h)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return []
    crop = gray[y0:y1, x0:x1].astype(np.int16)
    background = int(np.median(crop))
    dark_text = background > 127
    contrast = (background - crop) if dark_text else (crop - background)
    ink = (contrast > 60).any(axis=0)
    if not ink.any():
        return []
    threshold = max(2.0, 0.22 * (y1 - y0))  # a word space is about a third of the font size, a box about 1.2 of it
    gaps: list[tuple[float, float]] = []
    start: int | None = None
    for x, has_ink in enumerate(ink):
        if not has_ink and start is None:
            start = x
        elif has_ink and start is not None:
            if start > 0 and x - start >= threshold:
                gaps.append((x0 + start, x0 + x))
            start = None
    return gaps


NO_SPACE_BEFORE = set(".,;:!?%)]}'\"")
NO_SPACE_AFTER = set("([{")


def space_fits(before: str, after: str, next_after: str) -> bool:
    """Whether a space may stand between `before` and `after` (`next_after` follows `after`): never before
    closing punctuation, after an opening bracket, or inside a number such as 2.40 or 4,812."""
    if " " in (before, after) or after in NO_SPACE_BEFORE or before in NO_SPACE_AFTER:
        return False
    return not (before in ".," and after.isdigit() and not next_after.isalpha())


def respace(text: str, char_boxes: list[Any], gaps: list[tuple[float, float]]) -> str:
    """`text` with a space put back wherever a wide gap in the ink falls between two characters."""
    if not gaps or len(char_boxes) != len(text):
        return text
    centres = [(min(p[0] for p in b) + max(p[0] for p in b)) / 2 for b in char_boxes]
    out = [text[0]]
    for i in range(1, len(text)):
        between = any(centres[i - 1] < (g0 + g1) / 2 < centres[i] for g0, g1 in gaps)
        if between and space_fits(text[i - 1], text[i], text[i + 1: i + 2]):
            out.append(" ")
        out.append(text[i])
    return "".join(out)


def find_boxes(image: Any) -> list[Box]:
    """The text boxes of a PIL image, with their spacing restored."""
    import numpy as np

    rgb = np.asarray(image.convert("RGB"))
    gray = np.asarray(image.convert("L"))
    ocr = engine()
    with _run_lock:
        result, _ = ocr(rgb[:, :, ::-1].copy(), return_word_box=True)  # RapidOCR reads BGR, like OpenCV
    boxes = []
    for item in result or []:
        corners, text, score = item[0], str(item[1]), float(item[2])
        char_boxes = item[3] if len(item) > 3 else []
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        box = Box(min(xs), min(ys), max(xs), max(ys), text.strip(), score)
        if not box.text:
            continue
        box.text = respace(text, list(char_boxes or []), ink_gaps(gray, box)).strip()
        boxes.append(box)
    return boxes


def group_lines(boxes: list[Box]) -> list[Line]:
    """Boxes grouped into lines (a box joins a line it overlaps vertically by half its height), top to bottom."""
    lines: list[Line] = []
    for box in sorted(boxes, key=lambda b: (b.y0 + b.y1) / 2):
        for line in reversed(lines[-3:]):
            overlap = min(line.y1, box.y1) - max(line.y0, box.y0)
            if overlap >= 0.5 * min(box.height, line.height):
                line.boxes.append(box)
                break
        else:
            lines.append(Line([box]))
    return sorted(lines, key=lambda ln: ln.y0)


def centre(line: Line) -> float:
    return (line.y0 + line.y1) / 2


def group_paragraphs(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into paragraphs: a new one where the distance from the line above is well over the
    page's usual line pitch, where a blank of most of a line separates them, or where the text size changes."""
    pitches = sorted(centre(b) - centre(a) for a, b in zip(lines, lines[1:]))
    usual = pitches[len(pitches) // 4] if pitches else 0.0  # the lower quartile: lines within a paragraph
    paragraphs: list[list[Line]] = []
    for line in lines:
        if paragraphs:
            last = paragraphs[-1][-1]
            pitch = centre(line) - centre(last)
            size = max(line.height, last.height) / max(min(line.height, last.height), 1.0)
            gap = line.y0 - last.y1
            if pitch <= max(1.3 * usual, 1.2 * max(line.height, last.height)) and gap < 0.9 * last.height \
                    and size < 1.35:
                paragraphs[-1].append(line)
                continue
        paragraphs.append([line])
    return paragraphs


def page_layout(boxes: list[Box], granularity: str | None) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """(markdown, blocks, word scores) of one page's boxes."""
    lines = group_lines(boxes)
    if not lines:
        return "", [], []
    body = statistics.median(line.height for line in lines)
    parts: list[str] = []
    blocks: list[dict[str, Any]] = []
    words: list[dict[str, Any]] = []
    markdown = ""
    for paragraph in group_paragraphs(lines):
        ratio = statistics.median(line.height for line in paragraph) / max(body, 1.0)
        marker = "# " if ratio >= HEADING_RATIO[0] else "## " if ratio >= HEADING_RATIO[1] else ""
        content = "\n".join(line.text for line in paragraph)
        part = marker + content
        start = len(markdown) + (2 if parts else 0) + len(marker)
        markdown = (markdown + "\n\n" if parts else "") + part
        parts.append(part)
        members = [b for line in paragraph for b in line.boxes]
        block: dict[str, Any] = {
            "type": "title" if marker else "text",
            "top_left_x": int(min(b.x0 for b in members)), "top_left_y": int(min(b.y0 for b in members)),
            "bottom_right_x": int(round(max(b.x1 for b in members))),
            "bottom_right_y": int(round(max(b.y1 for b in members))),
            "content": content,
        }
        if granularity == "block":
            scores = [b.score for b in members]
            block["confidence_scores"] = {"average_content_confidence_score": sum(scores) / len(scores),
                                          "minimum_content_confidence_score": min(scores)}
        blocks.append(block)
        if granularity == "word":
            offset = start
            for line in paragraph:
                for b in sorted(line.boxes, key=lambda b: b.x0):
                    for match in re.finditer(r"\S+", b.text):
                        at = markdown.find(match[0], offset)
                        if at >= 0:
                            words.append({"text": match[0], "confidence": b.score, "start_index": at})
                            offset = at + len(match[0])
    return markdown, blocks, words


def page_images(doc: Document, chosen: Callable[[int], list[int]]) -> tuple[int, list[tuple[int, Any, int]]]:
    """(page count, [(index, PIL image, dpi)]) of the document's chosen pages; `chosen` turns the page
    count into the indexes to read (`parse_pages`)."""
    from PIL import Image

    if doc.kind == "image":
        try:
            image = Image.open(io.BytesIO(doc.data))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise bad(f"The image is {image.width}x{image.height} pixels; this endpoint reads images of at most "
                          f"{MAX_IMAGE_PIXELS // 10**6} million pixels. Scale it down first.")
            image.load()
        except HTTPException:
            raise
        except Exception as exc:  # truncated or corrupt image data, decompression bombs
            raise bad(f"The image cannot be read ({type(exc).__name__}: {exc}).") from exc
        if image.width < 2 or image.height < 2:
            raise bad(f"The image is {image.width}x{image.height} pixels: too small to hold text.")
        chosen(1)  # an image is one page: index 0
        dpi = image.info.get("dpi")
        stated = int(round(float(dpi[0]))) if isinstance(dpi, tuple) and dpi and float(dpi[0]) > 0 else IMAGE_DPI
        return 1, [(0, image, stated)]
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(doc.data)
    except Exception as exc:  # PdfiumError: not a PDF, damaged, encrypted
        raise bad(f"The PDF cannot be opened ({exc}).") from exc
    try:
        count = len(pdf)
        if count == 0:
            raise bad("The PDF has no pages.")
        indexes = chosen(count)
        rendered = []
        for index in indexes:
            page = pdf[index]
            try:
                bitmap = page.render(scale=RENDER_DPI / 72)
                rendered.append((index, bitmap.to_pil(), RENDER_DPI))
            except Exception as exc:
                raise bad(f"Page {index} of the PDF cannot be rendered ({exc}).") from exc
            finally:
                page.close()
        return count, rendered
    finally:
        pdf.close()


def run_ocr(context: EndpointContext, body: dict[str, Any]) -> dict[str, Any]:
    """The whole OCR request, off the event loop: decode, render, read, lay out."""
    doc = read_document(context, body.get("document"))
    granularity = body.get("confidence_scores_granularity")
    if granularity not in (None, "page", "block", "word"):
        raise bad("`confidence_scores_granularity` must be 'page', 'block' or 'word'.", 400)
    include_blocks = body.get("include_blocks", True) is not False
    _, images = page_images(doc, lambda count: parse_pages(body.get("pages"), count))
    pages = []
    for index, image, dpi in images:
        boxes = find_boxes(image)
        markdown, blocks, words = page_layout(boxes, granularity)
        page: dict[str, Any] = {
            "index": index, "markdown": markdown, "images": [], "tables": [], "hyperlinks": [],
            "header": None, "footer": None,
            "dimensions": {"dpi": dpi, "height": image.height, "width": image.width},
            "blocks": blocks if include_blocks else None,
        }
        if granularity is not None:
            scores = [b.score for b in boxes] or [0.0]
            page["confidence_scores"] = {"average_page_confidence_score": sum(scores) / len(scores),
                                         "minimum_page_confidence_score": min(scores)}
            if granularity == "word":
                page["confidence_scores"]["word_confidence_scores"] = words
        pages.append(page)
    return {"pages": pages, "model": OCR_MODEL,
            "usage_info": {"pages_processed": len(pages), "doc_size_bytes": len(doc.data)},
            "document_annotation": None}


def served_as(context: EndpointContext, model: Any) -> str:
    """`OCR_MODEL` when `model` names it (or an alias of it); a 404 naming it otherwise."""
    aliases = getattr(context.app, "aliases", None) or {}
    if model is None or model == OCR_MODEL or aliases.get(model) == OCR_MODEL:
        return OCR_MODEL
    raise bad(f"Invalid model: {model!r} is not an OCR model served here. The OCR model is {OCR_MODEL!r}.", 404)


UNSUPPORTED = {
    "document_annotation_format": "document annotations need a language model reading the page",
    "bbox_annotation_format": "image annotations need a vision model",
}


def build_router(context: EndpointContext) -> APIRouter:
    """`POST /v1/ocr`."""
    from starlette.concurrency import run_in_threadpool

    router = APIRouter()

    @router.post("/v1/ocr")
    async def ocr(request: Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError as exc:
            raise bad(f"The request body is not valid JSON: {exc}.") from exc
        if not isinstance(body, dict):
            raise bad("The request body must be a JSON object.", 400)
        if "document" not in body:
            raise bad("`document` is required: the document to read.", 400)
        served_as(context, body.get("model"))
        for name, why in UNSUPPORTED.items():
            if body.get(name) is not None:
                raise bad(f"`{name}` is not supported by the offline stand-in ({why}); "
                          "La Plateforme's mistral-ocr-latest supports it.")
        result: dict[str, Any] = await run_in_threadpool(run_ocr, context, body)
        return result

    return router

"""What a `/v1/ocr` request sends, decoded and checked: data URLs, uploaded files, PDFs and images, page selection.

Everything wrong in a request becomes a 4xx in La Plateforme's error shape here (`bad`), before the OCR engine
runs; `helpers.engine.ocr_api` lists the forms a document may take.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException

from .additions import EndpointContext

MAX_PAGES = 20  # pages read per request; a longer selection is refused with a 400
MAX_DOCUMENT_BYTES = 50 * 2**20  # a decoded document over this size is refused with a 413
MAX_IMAGE_PIXELS = 40_000_000  # an image over this many pixels is refused with a 400
RENDER_DPI = 150  # PDF pages are rendered at this resolution before they are read
IMAGE_DPI = 72  # stated for an image that records no resolution of its own
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp",
               "BMP": "image/bmp", "TIFF": "image/tiff"}


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



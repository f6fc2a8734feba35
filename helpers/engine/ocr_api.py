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

import threading
from typing import Any

from fastapi import APIRouter, Request

from .additions import EndpointContext
from .ocr_documents import bad, page_images, parse_pages, read_document
from .ocr_layout import Box, ink_gaps, page_layout, respace

OCR_MODEL = "standin-ocr-rapidocr"
OCR_THREADS = 2  # onnxruntime intra-op threads: measured 0.63 s vs 0.82 s (1 thread) per small page on 2 cores

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

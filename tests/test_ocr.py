"""`client.ocr.process` against the embedded endpoint's RapidOCR stand-in, and the accuracy measure of helpers.ocr.

Documents are rendered here with known text; each round trip is parsed by the unmodified mistralai SDK
and its markdown is scored with `character_accuracy`. The floors sit below what was measured on these
documents (1.00, 1.00 and 0.985 on 2 CPU cores) by a margin for onnxruntime builds that round differently.
"""

from __future__ import annotations

import base64
import importlib.util

import pytest
from PIL import Image

from helpers import ocr

MODEL = "standin-ocr-rapidocr"
FLOOR = 0.95  # measured 0.985 to 1.0 on the documents below


@pytest.fixture(scope="module")
def documents() -> dict[str, ocr.SampleDocument]:
    docs = ocr.sample_documents()
    return {"memo": docs[0], "report": docs[1], "receipt": docs[2]}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def sdk_error(sdk, **kwargs):
    """The SDK's error for an OCR call that must fail: (status, message)."""
    from mistralai.client import errors

    kwargs.setdefault("model", MODEL)
    with pytest.raises(errors.MistralError) as caught:
        sdk.ocr.process(**kwargs)
    return caught.value.status_code, caught.value.body


# ---------------------------------------------------------------- the accuracy measure


def test_levenshtein_and_character_accuracy_on_known_pairs():
    assert ocr.levenshtein("kitten", "sitting") == 3
    assert ocr.levenshtein("", "abc") == 3
    assert ocr.levenshtein("flaw", "lawn") == 2
    assert ocr.character_accuracy("hello world", "hello world") == 1.0
    assert ocr.character_accuracy("hello  world\n", " hello\nworld") == 1.0  # whitespace collapsed
    assert ocr.character_accuracy("abcd", "abed") == pytest.approx(0.75)
    assert ocr.character_accuracy("abcd", "abcdXY") == pytest.approx(0.5)
    assert ocr.character_accuracy("abc", "") == 0.0
    assert ocr.character_accuracy("ab", "xyzuvw") == 0.0  # never below zero
    assert ocr.character_accuracy("", "") == 1.0


def test_sample_documents_render_and_bind_into_a_pdf(documents):
    report = documents["report"]
    assert len(report.pages) == 2 and len(report.expected) == 2
    assert report.expected[0].startswith("# Field notes")
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(ocr.pdf_bytes(report.pages))
    assert len(pdf) == 2
    width, height = pdf[0].get_size()  # points: pixels at PAGE_DPI
    assert round(width / 72 * ocr.PAGE_DPI) == report.pages[0].width
    assert round(height / 72 * ocr.PAGE_DPI) == report.pages[0].height
    pdf.close()


# ---------------------------------------------------------------- round trips through the SDK


def test_image_round_trip_parsed_by_the_sdk(sdk, documents):
    from mistralai.client import models

    memo = documents["memo"]
    png = ocr.png_bytes(memo.pages[0])
    response = sdk.ocr.process(model=MODEL, document={"type": "image_url",
                                                      "image_url": {"url": ocr.data_url(png, "image/png")}},
                               confidence_scores_granularity="block")
    assert isinstance(response, models.OCRResponse)
    assert response.model == MODEL
    assert response.usage_info.pages_processed == 1 and response.usage_info.doc_size_bytes == len(png)
    (page,) = response.pages
    assert page.index == 0 and page.images == []
    assert (page.dimensions.width, page.dimensions.height, page.dimensions.dpi) == (1000, memo.pages[0].height, 150)
    assert ocr.character_accuracy(memo.expected[0], page.markdown) >= FLOOR, page.markdown
    assert page.markdown.startswith("# Quarterly update\n\n")
    blocks = page.blocks or []
    assert [type(b).__name__ for b in blocks] == ["OCRTitleBlock", "OCRTextBlock", "OCRTextBlock"]
    assert blocks[0].content == "Quarterly update"
    assert 0 <= blocks[0].top_left_x < blocks[0].bottom_right_x <= 1000
    assert blocks[0].bottom_right_y <= blocks[1].top_left_y < blocks[2].top_left_y  # reading order
    assert 0.5 <= blocks[1].confidence_scores.minimum_content_confidence_score <= 1.0


def test_string_image_url_and_word_confidences(sdk, documents):
    receipt = documents["receipt"]
    url = ocr.data_url(ocr.png_bytes(receipt.pages[0]), "image/png")
    response = sdk.ocr.process(model=MODEL, document={"type": "image_url", "image_url": url},
                               confidence_scores_granularity="word", include_blocks=False)
    (page,) = response.pages
    assert ocr.character_accuracy(receipt.expected[0], page.markdown) >= FLOOR, page.markdown
    assert page.blocks is None
    scores = page.confidence_scores
    assert 0.5 <= scores.minimum_page_confidence_score <= scores.average_page_confidence_score <= 1.0
    words = scores.word_confidence_scores or []
    assert len(words) == len(page.markdown.split())
    assert all(page.markdown[w.start_index:].startswith(w.text) for w in words)


def test_two_page_pdf_round_trip(sdk, documents):
    report = documents["report"]
    response = sdk.ocr.process(model=MODEL, document=report.payload())
    assert [p.index for p in response.pages] == [0, 1]
    assert response.usage_info.pages_processed == 2
    for page, expected, image in zip(response.pages, report.expected, report.pages):
        assert page.dimensions.dpi == 150  # rendered at 150 dpi: the drawn size, give or take a rounded pixel
        assert abs(page.dimensions.width - image.width) <= 1 and abs(page.dimensions.height - image.height) <= 1
        assert ocr.character_accuracy(expected, page.markdown) >= FLOOR, page.markdown
    # paragraphs come back as paragraphs: three on the first page, two on the second
    assert [len(p.markdown.split("\n\n")) for p in response.pages] == [3, 2]


def test_page_selection_reads_only_the_pages_asked(sdk, documents):
    report = documents["report"]
    response = sdk.ocr.process(model=MODEL, document=report.payload(), pages="1")
    assert [p.index for p in response.pages] == [1]
    assert response.usage_info.pages_processed == 1
    assert ocr.character_accuracy(report.expected[1], response.pages[0].markdown) >= FLOOR
    assert ocr.character_accuracy(report.expected[0], response.pages[0].markdown) < 0.5


def test_measure_tabulates_every_document(sdk, documents):
    table = ocr.measure(sdk, [documents["receipt"]])
    assert list(table.columns) == ["document", "pages", "seconds", "character accuracy"]
    row = table.iloc[0]
    assert row["pages"] == 1 and row["seconds"] > 0 and row["character accuracy"] >= FLOOR


@pytest.mark.skipif(importlib.util.find_spec("helpers.engine.file_store") is None,
                    reason="the Files API (helpers.engine.file_store) is not in this checkout")
def test_uploaded_file_and_unknown_file_id(sdk, documents):
    receipt = documents["receipt"]
    uploaded = sdk.files.upload(file={"file_name": "receipt.pdf", "content": ocr.pdf_bytes(receipt.pages)},
                                purpose="ocr")
    response = sdk.ocr.process(model=MODEL, document={"type": "file", "file_id": uploaded.id})
    assert ocr.character_accuracy(receipt.expected[0], response.pages[0].markdown) >= FLOOR
    status, body = sdk_error(sdk, document={"type": "file", "file_id": "00000000-0000-4000-8000-000000000000"})
    assert status == 404 and "No file with id" in body


# ---------------------------------------------------------------- bad input: a 4xx naming the problem


def tiny_pdf(pages: int) -> bytes:
    return ocr.pdf_bytes([Image.new("RGB", (20, 20), "white") for _ in range(pages)], dpi=72)


def tiny_png() -> str:
    return ocr.data_url(ocr.png_bytes(Image.new("RGB", (40, 20), "white")), "image/png")


BAD = {
    "not a pdf": ({"document": {"type": "document_url",
                                "document_url": "data:application/pdf;base64," + b64(b"hello, world")}},
                  400, "is not a PDF"),
    "damaged pdf": ({"document": {"type": "document_url",
                                  "document_url": "data:application/pdf;base64," + b64(b"%PDF-1.4\ngarbage")}},
                    400, "The PDF cannot be opened"),
    "empty image": ({"document": {"type": "image_url", "image_url": "data:image/png;base64,"}},
                    400, "empty document"),
    "image that is not one": ({"document": {"type": "image_url", "image_url": "data:image/png;base64," + b64(b"xx")}},
                              400, "is not an image"),
    "one-pixel image": ({"document": {"type": "image_url", "image_url": ocr.data_url(
        ocr.png_bytes(Image.new("RGB", (1, 1), "white")), "image/png")}}, 400, "too small"),
    "data url not base64": ({"document": {"type": "image_url", "image_url": "data:image/png,plain"}},
                            400, "not base64-encoded"),
    "broken base64": ({"document": {"type": "image_url", "image_url": "data:image/png;base64,@@@@"}},
                      400, "valid base64"),
    "unsupported media type": ({"document": {"type": "document_url",
                                             "document_url": "data:text/plain;base64," + b64(b"hello")}},
                               415, "Unsupported media type 'text/plain'"),
    "web address": ({"document": {"type": "document_url", "document_url": "https://example.com/paper.pdf"}},
                    400, "does not fetch"),
    "page out of range": ({"document": {"type": "image_url", "image_url": tiny_png()}, "pages": [3]},
                          400, "Page index 3 is out of range: the document has 1 page"),
    "bad page string": ({"document": {"type": "image_url", "image_url": tiny_png()}, "pages": "1-x"},
                        400, "page indexes from 0"),
    "over the page cap": ({"document": {"type": "document_url",
                                        "document_url": ocr.data_url(tiny_pdf(21), "application/pdf")}},
                          400, "at most 20 per request"),
    "unknown model": ({"model": "mistral-ocr-9000", "document": {"type": "image_url", "image_url": tiny_png()}},
                      404, "The OCR model is 'standin-ocr-rapidocr'"),
    "document annotation": ({"document": {"type": "image_url", "image_url": tiny_png()},
                             "document_annotation_format": {"type": "json_schema", "json_schema": {
                                 "name": "x", "schema_definition": {"type": "object"}}}},
                            400, "not supported by the offline stand-in"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_a_4xx_in_la_plateformes_shape(sdk, case):
    import json

    kwargs, status, message = BAD[case]
    got_status, body = sdk_error(sdk, **kwargs)
    assert got_status == status, body
    error = json.loads(body)
    assert error["object"] == "error" and error["type"] == "invalid_request_error"
    assert message in error["message"], error["message"]


def test_page_selection_forms_and_the_cap():
    from helpers.engine.ocr_documents import MAX_PAGES, parse_pages

    assert parse_pages(None, 3) == [0, 1, 2]
    assert parse_pages([2, 0, 2], 3) == [2, 0]
    assert parse_pages("0,2-4", 6) == [0, 2, 3, 4]
    assert parse_pages(f"0-{MAX_PAGES - 1}", 100) == list(range(MAX_PAGES))
    with pytest.raises(Exception, match=f"at most {MAX_PAGES}"):
        parse_pages(f"0-{MAX_PAGES}", 100)
    with pytest.raises(Exception, match="runs backwards"):
        parse_pages("3-1", 5)

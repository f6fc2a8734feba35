"""The embedded endpoint's stored files: what La Plateforme's Files API keeps, on disk under the state folder.

Uploads (`client.files.upload`), batch jobs' output and error files, and the documents the OCR route reads
all live in `state_dir/"files"`: the bytes in `<id>.bin`, the file object (La Plateforme's shape: `id`,
`bytes`, `filename`, `purpose`, `sample_type`, `source`, `num_lines`, ...) in `<id>.json`. Both are written
atomically (a temporary file, then `os.replace`), content first and the object last, so a file is listed
only once it is whole and survives a restart of the endpoint process.

A route turns `FileNotFound` into a 404 and `FileProblem` into its status; ids are UUIDs, so a crafted id
never names a path outside the folder.
"""

from __future__ import annotations

import json
import mimetypes
import os
import re
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 8 * 2**20  # the largest upload accepted
PURPOSES = ("fine-tune", "batch", "ocr", "agentic_safety")  # La Plateforme's file purposes (`FilePurpose`)
SAMPLE_TYPES = {"fine-tune": "instruct", "batch": "batch_request", "ocr": "ocr_input", "agentic_safety": "instruct"}
_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class FileNotFound(LookupError):
    """No stored file has this id (a 404)."""

    def __init__(self, file_id: str):
        super().__init__(f"No file with id {file_id!r} here: it was never uploaded, or it was deleted. "
                         "List the stored files with files.list().")
        self.file_id = file_id


class FileProblem(ValueError):
    """A file that cannot be stored as sent; `status` is the HTTP status to answer (400 or 413)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old content or the new, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, value: Any) -> None:
    """`write_atomic` of `value` as JSON."""
    write_atomic(path, json.dumps(value, ensure_ascii=False).encode())


def folder(state_dir: Path) -> Path:
    path = Path(state_dir) / "files"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _paths(state_dir: Path, file_id: str) -> tuple[Path, Path]:
    if not isinstance(file_id, str) or not _ID.match(file_id):
        raise FileNotFound(str(file_id))
    base = folder(state_dir)
    return base / f"{file_id}.json", base / f"{file_id}.bin"


def save(state_dir: Path, content: bytes, filename: str, purpose: str = "fine-tune", *, source: str = "upload",
         sample_type: str | None = None, expiry_hours: int | None = None, file_id: str | None = None) -> dict[str, Any]:
    """Store `content` as a new file and return its file object (La Plateforme's shape).

    `file_id` (a UUID) stores under a chosen id, replacing a file stored there before: a batch job that
    writes its output again after a restart replaces its first copy instead of leaving an orphan.
    """
    if purpose not in PURPOSES:
        raise FileProblem(f"purpose must be one of {', '.join(PURPOSES)} (got {purpose!r}).")
    if source == "upload" and len(content) > MAX_FILE_BYTES:
        raise FileProblem(f"The file is {len(content) / 2**20:.1f} MB; this endpoint stores files of at most "
                          f"{MAX_FILE_BYTES // 2**20} MB.", 413)
    name = Path(filename or "upload").name or "upload"
    file_id = file_id or str(uuid.uuid4())
    now = int(time.time())
    text_lines = None
    if name.endswith(".jsonl"):
        text_lines = sum(1 for line in content.splitlines() if line.strip())
    meta = {
        "id": file_id, "object": "file", "bytes": len(content), "created_at": now, "filename": name,
        "purpose": purpose, "sample_type": sample_type or SAMPLE_TYPES[purpose], "source": source,
        "num_lines": text_lines, "mimetype": mimetypes.guess_type(name)[0] or "application/octet-stream",
        "signature": None, "expires_at": now + expiry_hours * 3600 if expiry_hours else None, "visibility": "workspace",
    }
    meta_path, content_path = _paths(state_dir, file_id)
    write_atomic(content_path, content)
    write_json(meta_path, meta)
    return meta


def metadata(state_dir: Path, file_id: str) -> dict[str, Any]:
    """The file object of `file_id`; `FileNotFound` when there is none (or it has expired, and is then deleted)."""
    meta_path, _ = _paths(state_dir, file_id)
    try:
        meta: dict[str, Any] = json.loads(meta_path.read_text())
    except (FileNotFoundError, ValueError):
        raise FileNotFound(file_id) from None
    if meta.get("expires_at") and meta["expires_at"] < time.time():
        delete(state_dir, file_id)
        raise FileNotFound(file_id)
    return meta


def load(state_dir: Path, file_id: str) -> tuple[dict[str, Any], bytes]:
    """(file object, content) of `file_id`; `FileNotFound` for an unknown id."""
    meta = metadata(state_dir, file_id)
    try:
        return meta, _paths(state_dir, file_id)[1].read_bytes()
    except FileNotFoundError:
        raise FileNotFound(file_id) from None


def list_files(state_dir: Path) -> list[dict[str, Any]]:
    """Every stored file's object, newest first."""
    found = []
    for path in folder(state_dir).glob("*.json"):
        try:
            found.append(metadata(state_dir, path.stem))
        except FileNotFound:
            continue
    return sorted(found, key=lambda m: (m["created_at"], m["id"]), reverse=True)


def delete(state_dir: Path, file_id: str) -> None:
    """Remove `file_id` (its object first, so it is never listed half-deleted); `FileNotFound` if unknown."""
    meta_path, content_path = _paths(state_dir, file_id)
    if not meta_path.exists():
        raise FileNotFound(file_id)
    meta_path.unlink(missing_ok=True)
    content_path.unlink(missing_ok=True)

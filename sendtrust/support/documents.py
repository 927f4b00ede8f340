"""Documents of the chronology: checked by content, limited in size, stored outside the web
root under random names (never the uploader's file name), read back only through an audited
view."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

# What a school attaches: letters and reports (PDF, Word) and photographs or scans of them.
# extension -> the MIME type the content must show.
ALLOWED = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
}
ALLOWED_WORDS = "PDF, Word (.docx or .doc), JPEG or PNG"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def size_words(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if n >= 1024:
        return f"{n // 1024} KB"
    return f"{n} bytes"


def max_bytes() -> int:
    return int(getattr(settings, "SENDTRUST_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def documents_dir() -> Path:
    return Path(getattr(settings, "SENDTRUST_DOCUMENTS_DIR",
                        Path(settings.BASE_DIR) / "var" / "documents"))


@dataclass
class CheckedFile:
    name: str
    mime: str
    size: int
    sha256: str
    content: bytes


def _clean_name(name: str) -> str:
    base = os.path.basename(name or "").replace("\x00", "").strip()
    return base[:200] or "document"


def check_upload(upload) -> CheckedFile:
    """Return the file's checked content, or refuse it: too big, a type not accepted, or a
    content that is not what its name says."""
    name = _clean_name(getattr(upload, "name", ""))
    size = getattr(upload, "size", None)
    limit = max_bytes()
    if size is not None and size > limit:
        raise ValidationError({"document": f"The file is {size_words(size)}; the limit is "
                                           f"{size_words(limit)}."})
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError({"document": f"The file is larger than the "
                                           f"{size_words(limit)} limit."})
    if not content:
        raise ValidationError({"document": "The file is empty."})
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        raise ValidationError({"document": f"“{name}” is not a file type we accept. Attach "
                                           f"{ALLOWED_WORDS}."})
    kind = filetype.guess(content)
    if kind is None or kind.mime != ALLOWED[ext]:
        found = f"a {kind.extension.upper()} file" if kind else "not a file type we recognise"
        raise ValidationError({"document": f"“{name}” is named as .{ext} but its content is "
                                           f"{found}. Attach {ALLOWED_WORDS}."})
    return CheckedFile(name, kind.mime, len(content), hashlib.sha256(content).hexdigest(),
                       content)


def store(checked: CheckedFile) -> str:
    """Write the file under a random name; return that name."""
    folder = documents_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored = uuid.uuid4().hex
    path = folder / stored
    with open(path, "xb") as f:
        f.write(checked.content)
    return stored


def path_of(stored_name: str) -> Path:
    if not stored_name.isalnum():
        raise ValueError("bad stored name")
    return documents_dir() / stored_name


def remove(stored_name: str) -> None:
    path_of(stored_name).unlink(missing_ok=True)

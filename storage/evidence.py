"""Evidence files: checking an upload (size limit, type sniffed from the content, never from the name) and
storing it content-addressed under the evidence folder.

Interface for the chat adapters:

- `check_evidence(data, filename, max_bytes) -> EvidenceFile` raises `EvidenceError` (its message is fit to show
  the user) for an empty file, a file over `max_bytes`, or content that is not PDF, PNG, JPEG, HEIC or Word .docx.
  `filename` is only kept (sanitised) to show reviewers; the type comes from the magic bytes.
- `store_evidence(evidence_dir, file) -> sha256` writes `evidence_dir/<sha[:2]>/<sha>.<ext>` atomically (temporary
  file + rename) and is idempotent; the user's file name is never part of a path. Callers use it through
  storage.evidence_store (files, or rows in the database: CEU_EVIDENCE_STORE).
- `EvidenceLinks(base_url, key)` makes and checks expiring, HMAC-signed download links
  `<base_url>/evidence/<sha256>?exp=<unix time>&sig=<hex>` (served by bot/evidence_link.py). bot/evidence_link builds
  one when CEU_PUBLIC_URL is set and every handler Context carries it (`ctx.links`).
  `link_key(data_dir, secret)` is the signing key: derived from the secret setting, or generated once and kept in
  `<data_dir>/evidence-link.key`. `stored_metadata(session, sha256)` is the type and name recorded with the file.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import secrets
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from storage.tables import Submission

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


class EvidenceError(ValueError):
    """An upload that cannot be accepted as evidence; the message says why, in words for the user."""


@dataclass(frozen=True)
class FileType:
    kind: str  # pdf | png | jpeg | heic | docx
    mime: str
    extension: str
    label: str


PDF = FileType("pdf", "application/pdf", ".pdf", "PDF")
PNG = FileType("png", "image/png", ".png", "PNG image")
JPEG = FileType("jpeg", "image/jpeg", ".jpg", "JPEG image")
HEIC = FileType("heic", "image/heic", ".heic", "HEIC image")
DOCX = FileType(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "Word document"
)
TYPES = {t.mime: t for t in (PDF, PNG, JPEG, HEIC, DOCX)}
ACCEPTED = "PDF, PNG, JPEG, HEIC or Word (.docx)"
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1"}


@dataclass(frozen=True)
class EvidenceFile:
    """An accepted upload: its bytes, detected type, size, SHA-256 and the original name (for display only)."""

    data: bytes
    type: FileType
    size: int
    sha256: str
    name: str

    @property
    def mime(self) -> str:
        return self.type.mime


def sniff(data: bytes) -> FileType | None:
    """The file type by its content (magic bytes), or None when it is none of the accepted types."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in HEIC_BRANDS:
        return HEIC
    if data.startswith(b"PK\x03\x04") and _is_docx(data):
        return DOCX
    return None


def _is_docx(data: bytes) -> bool:
    """A zip whose directory lists word/document.xml (nothing is extracted)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "word/document.xml" in zf.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return False


def display_name(filename: str) -> str:
    """The last path part of a user's file name without control characters, at most 255 characters."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return clean[:255] or "evidence"


def too_large(name: str, size: int | None, max_bytes: int, what: str = "evidence files") -> str:
    """The refusal of a file over the limit, in the same words wherever it is caught (Slack's file info, Teams'
    download, the check here); `size` None: only known to be over the limit."""
    is_ = f"is {fmt_size(size)}" if size is not None else f"is larger than {fmt_size(max_bytes)}"
    hint = "a PDF or a photo of the certificate" if what == "evidence files" else ""
    smaller = f"Please send a smaller file ({hint})." if hint else "Please send a smaller file."
    return f"The file {name} {is_}; {what} may be at most {fmt_size(max_bytes)}. {smaller}"


def fmt_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def check_evidence(data: bytes, filename: str, max_bytes: int = DEFAULT_MAX_BYTES) -> EvidenceFile:
    name = display_name(filename)
    if not data:
        raise EvidenceError(f"The file {name} is empty; please send the certificate or proof of attendance again.")
    if len(data) > max_bytes:
        raise EvidenceError(too_large(name, len(data), max_bytes))
    kind = sniff(data)
    if kind is None:
        raise EvidenceError(
            f"The file {name} is not a {ACCEPTED} file (judged by its content, not its name). "
            "Please send the certificate or proof of attendance in one of those formats."
        )
    return EvidenceFile(data=data, type=kind, size=len(data), sha256=hashlib.sha256(data).hexdigest(), name=name)


def evidence_path(evidence_dir: Path, sha256: str, mime: str) -> Path:
    """Where a stored file lives: <dir>/<sha[:2]>/<sha><ext>."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    ext = TYPES[mime].extension if mime in TYPES else ""
    return evidence_dir / sha256[:2] / f"{sha256}{ext}"


def store_evidence(evidence_dir: Path, file: EvidenceFile) -> str:
    """Write the file under its content hash (atomically; a second call with the same content writes nothing)."""
    target = evidence_path(evidence_dir, file.sha256, file.mime)
    if target.is_file() and target.stat().st_size == file.size:
        return file.sha256
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(file.data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return file.sha256


# --- signed download links ----------------------------------------------------------------------------------------

LINK_PATH = "/evidence/"
DEFAULT_LINK_TTL = timedelta(days=30)
KEY_FILE = "evidence-link.key"


def is_sha256(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


@dataclass(frozen=True)
class EvidenceLinks:
    """Expiring download links for stored evidence, signed with HMAC-SHA256 over "<sha256>:<exp>"."""

    base_url: str  # the bot's public address, e.g. https://ceu.example.org
    key: bytes
    ttl: timedelta = DEFAULT_LINK_TTL

    def signature(self, sha256: str, exp: int) -> str:
        return hmac.new(self.key, f"{sha256}:{exp}".encode(), hashlib.sha256).hexdigest()

    def url(self, sha256: str, now: datetime) -> str:
        exp = int((now + self.ttl).timestamp())
        return f"{self.base_url.rstrip('/')}{LINK_PATH}{sha256}?exp={exp}&sig={self.signature(sha256, exp)}"

    def valid(self, sha256: str, exp: str, sig: str, now: datetime) -> bool:
        """A link is valid when its signature matches and it has not expired."""
        if not is_sha256(sha256) or not exp.isdigit() or len(exp) > 12:
            return False
        if not hmac.compare_digest(self.signature(sha256, int(exp)), sig.lower()):
            return False
        return int(exp) >= now.timestamp()


def link_key(data_dir: Path, secret: str = "") -> bytes:
    """The signing key: derived from `secret`, or random and kept (mode 0600) in <data_dir>/evidence-link.key."""
    if secret:
        return hmac.new(secret.encode(), b"ceu-evidence-link-v1", hashlib.sha256).digest()
    path = data_dir / KEY_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    key = bytes.fromhex(path.read_text().strip())
    if len(key) < 32:
        raise ValueError(f"{path} does not hold a 32-byte hex key")
    return key


@dataclass(frozen=True)
class StoredMeta:
    mime: str
    name: str


def stored_metadata(session: Session, sha256: str) -> StoredMeta | None:
    """The type and name recorded with a stored file (from the submission that attached it), or None."""
    row = session.exec(
        select(Submission.evidence_type, Submission.evidence_name)
        .where(Submission.evidence_sha256 == sha256)
        .order_by(col(Submission.id))
        .limit(1)
    ).first()
    if row is None:
        return None
    mime, name = row
    return StoredMeta(mime or "application/octet-stream", name or "evidence")

"""Evidence uploads: type sniffed from real file bytes (not the name), size limit, content-addressed atomic storage."""

from __future__ import annotations

import functools
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from storage.evidence import DOCX, HEIC, JPEG, PDF, PNG, EvidenceError, check_evidence, evidence_path, store_evidence


@functools.cache
def _image(fmt: str) -> bytes:
    """A tiny real image file (cached: Pillow's PDF carries its creation time, the tests need stable bytes)."""
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format=fmt)
    return buf.getvalue()


def pdf_bytes() -> bytes:
    return _image("PDF")


def png_bytes() -> bytes:
    return _image("PNG")


def jpeg_bytes() -> bytes:
    return _image("JPEG")


def docx_bytes(with_document: bool = True) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        if with_document:
            zf.writestr(
                "word/document.xml",
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
                "<w:r><w:t>Certificate of attendance</w:t></w:r></w:p></w:body></w:document>",
            )
        else:
            zf.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


def heic_bytes(brand: bytes = b"heic") -> bytes:
    ftyp = b"ftyp" + brand + b"\x00\x00\x00\x00" + b"mif1" + brand
    return (len(ftyp) + 4).to_bytes(4, "big") + ftyp + b"\x00\x00\x00\x08mdat"


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (pdf_bytes(), "certificate.pdf", PDF),
        (png_bytes(), "photo.png", PNG),
        (jpeg_bytes(), "IMG_0001.JPG", JPEG),
        (docx_bytes(), "reflection.docx", DOCX),
        (heic_bytes(), "IMG_0002.HEIC", HEIC),
        (heic_bytes(b"mif1"), "x.heic", HEIC),
        (png_bytes(), "certificate.pdf", PNG),  # the name says PDF, the content is PNG
        (pdf_bytes(), "no-extension", PDF),
    ],
)
def test_type_is_sniffed_from_the_content(data: bytes, name: str, expected: object) -> None:
    f = check_evidence(data, name, 1024 * 1024)
    assert f.type is expected
    assert f.size == len(data)
    assert f.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (EXE, "certificate.pdf"),  # an .exe renamed .pdf
        (docx_bytes(with_document=False), "report.docx"),  # a zip that is not a Word document
        (b"just some text, not a certificate", "certificate.pdf"),
        (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00avifmif1", "pic.heic"),  # AVIF, not HEIC
    ],
)
def test_other_content_is_refused_whatever_the_name(data: bytes, name: str) -> None:
    with pytest.raises(EvidenceError, match="not a PDF, PNG, JPEG, HEIC or Word"):
        check_evidence(data, name, 1024 * 1024)


def test_size_limit_and_empty_file() -> None:
    data = png_bytes()
    assert check_evidence(data, "a.png", len(data)).size == len(data)  # exactly the limit is fine
    with pytest.raises(EvidenceError, match="at most"):
        check_evidence(data, "a.png", len(data) - 1)
    with pytest.raises(EvidenceError, match="empty"):
        check_evidence(b"", "a.png", 100)


def test_display_name_never_carries_a_path() -> None:
    f = check_evidence(pdf_bytes(), "..\\..//etc/\x00passwd\n.pdf", 1024 * 1024)
    assert f.name == "passwd.pdf"


def test_store_under_the_content_hash_atomically_and_idempotently(tmp_path: Path) -> None:
    f = check_evidence(png_bytes(), "../../../evil.pdf", 1024 * 1024)
    sha = store_evidence(tmp_path, f)
    assert sha == f.sha256
    path = tmp_path / sha[:2] / f"{sha}.png"
    assert path == evidence_path(tmp_path, sha, f.mime)
    assert path.read_bytes() == f.data
    before = path.stat().st_mtime_ns
    assert store_evidence(tmp_path, f) == sha  # a second store writes nothing
    assert path.stat().st_mtime_ns == before
    every = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert every == [f"{sha[:2]}/{sha}.png"]  # no temporary files left, the user's name nowhere
    pdf = check_evidence(pdf_bytes(), "same.png", 1024 * 1024)
    assert store_evidence(tmp_path, pdf) != sha
    assert (tmp_path / pdf.sha256[:2] / f"{pdf.sha256}.pdf").is_file()


def test_a_damaged_stored_file_is_rewritten(tmp_path: Path) -> None:
    f = check_evidence(jpeg_bytes(), "a.jpg", 1024 * 1024)
    path = evidence_path(tmp_path, f.sha256, f.mime)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"trunc")
    store_evidence(tmp_path, f)
    assert path.read_bytes() == f.data

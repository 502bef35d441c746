"""Small real documents for ingest tests: a Word file, a text PDF and a corrupt PDF."""

from __future__ import annotations

from pathlib import Path


def write_docx(path: Path, title: str, paragraphs: list[str]) -> Path:
    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def write_pdf(path: Path, pages: list[str] | list[list[str]]) -> Path:
    """A minimal, valid PDF with one line of text per page, or several (Helvetica, top to bottom), written by hand."""
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    font_ref = 3 + 2 * len(pages)
    for i, page in enumerate(pages):
        lines = [page] if isinstance(page, str) else page
        shown = []
        for n, text in enumerate(lines):
            escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            shown.append(f"BT /F1 11 Tf 72 {740 - 16 * n} Td ({escaped}) Tj ET")
        stream = "\n".join(shown).encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_ref} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def with_structure(
    path: Path,
    *,
    outline: list[tuple[str, int, int]] = (),  # type: ignore[assignment]
    labels: list[tuple[int, int, int, str]] = (),  # type: ignore[assignment]
    title: str | None = None,
    password: str | None = None,
) -> Path:
    """Add what a publisher's PDF carries, with pypdf: outline entries (title, depth, page index), decimal page
    labels (first page index, last page index, first number, style: /D decimal, /r roman), a title, a password."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=str(path))
    parents: list[object] = []
    for name, depth, page in outline:
        parents = parents[:depth]
        parents.append(writer.add_outline_item(name, page, parent=parents[-1] if parents else None))  # type: ignore[arg-type]
    for first, last, start, style in labels:
        writer.set_page_label(first, last, style=style, start=start)  # type: ignore[arg-type]
    if title:
        writer.add_metadata({"/Title": title})
    if password:
        writer.encrypt(user_password=password, owner_password=password, algorithm="RC4-128")
    with path.open("wb") as out:
        writer.write(out)
    return path

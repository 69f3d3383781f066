"""Reading back the tagged PDFs the system writes (``core.tagged_pdf``): the catalog marks of an
accessible PDF, the structure elements a screen reader follows, the title and the text."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader


@dataclass(frozen=True)
class TaggedPdf:
    reader: PdfReader
    title: str  # the info dictionary's /Title, shown in the title bar
    kinds: Counter[str]  # structure elements by type: "/H1", "/P", "/Table", "/TH", …
    elements: list[Any]
    text: str  # the text of every page, line breaks removed (a Chinese line wraps mid-sentence)


def struct_elements(node: Any) -> list[Any]:
    """Every structure element under `node`, depth first."""
    node = node.get_object()
    found: list[Any] = []
    kids = node.get("/K")
    if kids is None:
        return found
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if hasattr(kid, "keys") and "/S" in kid:
            found.append(kid)
            found += struct_elements(kid)
    return found


def read_tagged(content: bytes) -> TaggedPdf:
    """The PDF `content`, asserted to be tagged for screen readers in zh-CN with embedded fonts."""
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "zh-CN"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert "/StructTreeRoot" in catalog
    elements = struct_elements(catalog["/StructTreeRoot"])
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile2", "/FontFile3")), font["/BaseFont"]
    metadata = reader.metadata
    return TaggedPdf(
        reader=reader,
        title=str(metadata.title if metadata else ""),
        kinds=Counter(str(e["/S"]) for e in elements),
        elements=elements,
        text="".join(page.extract_text() for page in reader.pages).replace("\n", ""),
    )

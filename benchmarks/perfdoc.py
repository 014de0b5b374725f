"""docs/performance.md, written by the benchmarks: one section each, replaced in place.

In: a section heading ("## Analysis") and its new body.
Out: docs/performance.md with that section replaced (or added at the end), nothing else.
"""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "performance.md"


def write_section(section: str, body: str, doc: Path = DOC) -> None:
    """Replace (or add) ``section`` of ``doc`` with ``body``, leaving every other section."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Performance\n"
    block = f"{section}\n\n{body.strip()}\n"
    if section in text:
        start = text.index(section)
        nxt = re.search(r"^## ", text[start + len(section) :], flags=re.M)
        end = start + len(section) + nxt.start() if nxt else len(text)
        text = text[:start] + block + ("\n" + text[end:] if nxt else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    doc.write_text(text, encoding="utf-8")

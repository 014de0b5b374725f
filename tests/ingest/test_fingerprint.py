"""One read of a file gives its SHA-256 and whether it is UTF-8 text."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from planwatch.ingest.files import CHUNK, fingerprint

ASCII_BLOCK = b"a" * (CHUNK - 1)


@pytest.mark.parametrize(
    ("data", "utf8"),
    [
        (b"Crime ID,Month\n" * 10, True),
        (b"\xef\xbb\xbfCrime ID,Month\n", True),  # byte-order mark
        (ASCII_BLOCK + "\u00f4".encode() + b"tail", True),  # a character split across two reads
        (
            ASCII_BLOCK + b"x" + "M\u00f4n".encode("cp1252"),
            False,
        ),  # Windows-1252 after an ASCII block
        (b"Ynys M\xc3", False),  # cut off inside a character
    ],
    ids=["ascii", "bom", "split-character", "windows-1252", "truncated"],
)
def test_fingerprint(tmp_path: Path, data: bytes, utf8: bool) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    assert fingerprint(path) == (hashlib.sha256(data).hexdigest(), utf8)

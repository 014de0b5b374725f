"""The byte check of CSV files read together (:mod:`planwatch.ingest.records`): whether a
file's bytes are CSV that DuckDB's reader reads as pyarrow's does, so that the fast path
may parse it with pyarrow and store what the file-by-file path (DuckDB's reader) would.

The rule, in three parts:

* one kind of line ending throughout: LF, or CR LF (DuckDB refuses a mix, and a carriage
  return ending no line); a header ending LF before CR LF rows is allowed
  (data.police.uk's files);
* no line longer than DuckDB reads (:data:`~planwatch.ingest.source.MAX_ROW_BYTES`);
* every quote opening a value (at the start, or after a comma, a line break or a quote)
  or closing one (at the end, or before them), taking the quotes in pairs: pyarrow reads
  ``"a"b`` as ``ab`` where DuckDB refuses it.

It is checked by :func:`plain_csv`: compiled (``planwatch/ingest/_csvscan.c``, built when
planwatch is installed with a C compiler), which looks at every byte once and lets go of
the GIL; or, where that module was not built, by :func:`plain_csv_numpy`, the same rule
in NumPy (about three times the CPU: 0.142 against 0.044 s for 202 MB of the benchmark's
extracts, best of two). Both are tested against one reference, byte by byte
(``tests/ingest/test_csvscan.py``).
"""

from __future__ import annotations

import mmap
from collections.abc import Callable

import numpy as np

from planwatch.ingest.source import MAX_ROW_BYTES

_QUOTE, _COMMA, _CR, _LF = b'"'[0], b","[0], b"\r"[0], b"\n"[0]
#: The bytes a quote may open or close a value next to, by byte value: one look-up a quote.
_EDGE = np.isin(np.arange(256), [_COMMA, _LF, _CR, _QUOTE])


def plain_csv_numpy(data: mmap.mmap | bytes, max_row: int = MAX_ROW_BYTES) -> bool:
    """The rule (see the module) checked with NumPy: each byte that matters found by a
    comparison of the whole file, then looked at where it stands."""
    buf = np.frombuffer(data, dtype=np.uint8)
    if data.find(b"\r") >= 0:  # CRLF throughout, or after a header ending LF (data.police.uk's)
        header_end = data.find(b"\n")
        bare_header = int(header_end > 0 and data[header_end - 1] != _CR)
        returns = np.flatnonzero(buf == _CR)
        crlf = int(np.count_nonzero(buf[returns[returns < len(buf) - 1] + 1] == _LF))
        if not (len(returns) == crlf and crlf + bare_header == np.count_nonzero(buf == _LF)):
            return False
    start = 0  # each step jumps to the last line break within max_row
    while len(data) - start > max_row:
        found = data.rfind(b"\n", start, start + max_row + 1)
        if found < 0:
            return False
        start = found + 1
    if data.find(b'"') < 0:
        return True
    quotes = np.flatnonzero(buf == _QUOTE)
    if len(quotes) % 2:
        return False
    opening, closing = quotes[0::2], quotes[1::2]
    before = buf[opening[opening > 0] - 1]  # a quote opening the file has nothing before it
    after = buf[closing[closing < len(buf) - 1] + 1]  # nor one closing it anything after
    return bool(_EDGE[before].all() and _EDGE[after].all())


def _compiled() -> Callable[[mmap.mmap | bytes, int], bool] | None:
    try:
        from planwatch.ingest._csvscan import plain_csv as compiled
    except ImportError:  # installed without a C compiler: NumPy's
        return None
    return compiled


#: The compiled check, or ``None`` where it was not built.
COMPILED = _compiled()


def plain_csv(data: mmap.mmap | bytes, max_row: int = MAX_ROW_BYTES) -> bool:
    """Whether ``data`` is CSV that DuckDB's reader reads as pyarrow's does (the module's
    rule), with lines of at most ``max_row`` bytes."""
    if COMPILED is not None:
        return COMPILED(data, max_row)
    return plain_csv_numpy(data, max_row)

"""The compiled byte check (``_csvscan.c``); see :mod:`planwatch.ingest.csvscan`."""

import mmap

def plain_csv(data: mmap.mmap | bytes, max_row: int, /) -> bool: ...

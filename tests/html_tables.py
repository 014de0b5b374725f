"""The cells of a table in a report's HTML, as a reader sees them (tags stripped,
entities unescaped), for tests that read a page's tables."""

from __future__ import annotations

import re
from html import unescape


def html_table(page: str, caption: str) -> list[list[str]]:
    """The rows (header cells then data cells) of the table whose caption starts so."""
    at = page.index(f"<caption>{caption}")
    body = page[at : page.index("</table>", at)]
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        ]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]

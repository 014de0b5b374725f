"""Clean-up of matplotlib's SVG for the report: an inline, labelled, lean ``<svg>``.

In: the SVG text matplotlib wrote for one chart, an id prefix and the chart's alt text.
Out: an ``<svg>`` element to inline in HTML (and to hand WeasyPrint for the PDF) with
ids unique to the chart, sized by CSS, labelled by a ``<title>``, and with as few
elements as draw the same picture: WeasyPrint paints the PDF element by element, so
every element saved is time saved (docs/performance.md).
"""

from __future__ import annotations

import re

_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|href="#)([^")]+)')


def inline(svg: str, *, prefix: str, title: str) -> str:
    """Strip the XML prologue, make ids unique to this chart, size by CSS and label it."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    # matplotlib's <style> holds a global "*" rule that would reach the whole HTML page;
    # the report stylesheet carries the same rule scoped to charts (svg.chart *).
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.DOTALL)
    svg = _presentation(_merge_adjacent_paths(_lean(_merge_axis_paths(_uses_to_paths(svg)))))
    svg = _ID.sub(lambda m: f'id="{prefix}-{m[1]}"', svg)
    svg = _REF.sub(lambda m: f"{m[1]}{prefix}-{m[2]}", svg)
    head_end = svg.index(">")
    head = re.sub(r'\s(width|height)="[^"]*"', "", svg[:head_end])
    title_id = f"{prefix}-title"
    head += f' class="chart" role="img" aria-labelledby="{title_id}" focusable="false"'
    body = svg[head_end + 1 :]
    return f'{head}><title id="{title_id}">{_escape(title)}</title>{body}'.strip()


_GROUP = re.compile(r"<g\b([^>]*?)(/?)>|</g>")
_ZERO_ROTATION = re.compile(r' transform="rotate\(-?0 [^)]*\)"')
_BETWEEN_TAGS = re.compile(r">\s+<")
_EMPTY_DEFS = re.compile(r"<defs>\s*</defs>")


def _lean(svg: str) -> str:
    """Drop what draws nothing: groups with no attribute but an id (matplotlib wraps every
    artist in one), zero rotations, empty ``<defs>`` and whitespace between tags. WeasyPrint
    visits every element when it paints the PDF (see docs/performance.md)."""
    kept: list[bool] = []

    def group(match: re.Match[str]) -> str:
        if match[0] == "</g>":
            return match[0] if kept.pop() else ""
        if match[2]:  # <g/>: nothing inside
            return ""
        keep = bool(_ID.sub("", match[1]).strip())
        kept.append(keep)
        return match[0] if keep else ""

    svg = _GROUP.sub(group, svg)
    svg = _ZERO_ROTATION.sub("", svg)
    return _EMPTY_DEFS.sub("", _BETWEEN_TAGS.sub("><", svg))


# Fewer elements for WeasyPrint to paint (docs/performance.md): every marker and tick mark
# that matplotlib writes as a <use> of a shared <path> becomes a path of its own, then
# paths drawn one after another in the same style become one path of many pieces.
_DEF_PATH = re.compile(r'<path id="([^"]+)" d="([^"]*)"(?: style="([^"]*)")?\s*/>')
_USE = re.compile(r'<use xlink:href="#([^"]+)" x="([^"]+)" y="([^"]+)" style="([^"]*)"\s*/>')
_PATH = re.compile(r'<path d="([^"]*)"((?: [a-z-]+="[^"]*")*)\s*/>')
_ADJACENT_PATHS = re.compile(r'(?:<path d="[^"]*"(?: [a-z-]+="[^"]*")*\s*/>){2,}')
_AXIS_GROUP = re.compile(r'<g id="matplotlib\.axis_\d+">')
_ANY_PATH = re.compile(r"<path [^>]*/>")
_DEFS_BLOCK = re.compile(r"<defs>\s*((?:<path [^>]*/>\s*)*)</defs>")
_NUMBER = re.compile(r"-?\d+(?:\.\d*)?(?:e-?\d+)?")
#: Only absolute moves, lines, curves and closes: each number pair is one point to move.
_TRANSLATABLE = re.compile(r"^[MLQCz\d\s.e-]*$")


def _style(text: str) -> dict[str, str]:
    pairs = (item.split(":", 1) for item in text.split(";") if ":" in item)
    return {k.strip(): v.strip() for k, v in pairs}


def _parsed(d: str) -> tuple[list[str], list[float]]:
    """Path data as the text between its numbers and the numbers, parsed once per shape
    (a series' markers are hundreds of uses of one shape)."""
    flat = " ".join(d.split())
    return _NUMBER.split(flat), [float(n) for n in _NUMBER.findall(flat)]


def _translated(shape: tuple[list[str], list[float]], dx: float, dy: float) -> str:
    """Path data (:func:`_parsed`) moved by (dx, dy): numbers alternate x and y."""
    parts, numbers = shape
    moved = [f"{n + (dy if i % 2 else dx):.6g}" for i, n in enumerate(numbers)]
    return "".join(p + q for p, q in zip(parts, [*moved, ""], strict=True))


def _uses_to_paths(svg: str) -> str:
    """Each ``<use>`` of a plain path becomes that path, moved and styled as the use was
    (the path's own style wins, as it does in SVG)."""
    defs = {
        m[1]: (_parsed(m[2]), _style(m[3] or ""))
        for m in _DEF_PATH.finditer(svg)
        if _TRANSLATABLE.match(m[2])
    }

    def path(match: re.Match[str]) -> str:
        if match[1] not in defs:
            return match[0]
        parsed, own = defs[match[1]]
        style = {**_style(match[4]), **own}
        radius = _disc_radius(parsed, style)
        if radius is None:
            shape = _translated(parsed, float(match[2]), float(match[3]))
        else:  # a filled circle: a dot, one round-capped stroke of no length
            shape = f"M {match[2]} {match[3]} L {match[2]} {match[3]}"
            width = 2 * radius + float(style.get("stroke-width", "1"))
            style = {**style, "fill": "none", "stroke-width": f"{width:.6g}"}
            style["stroke-linecap"] = "round"
        return f'<path d="{shape}" style="{"; ".join(f"{k}: {v}" for k, v in style.items())}"/>'

    svg = _USE.sub(path, svg)
    used = set(re.findall(r'href="#([^"]+)"', svg)) | set(re.findall(r"url\(#([^)]+)\)", svg))

    def unused(match: re.Match[str]) -> str:
        kept = [m[0] for m in _ANY_PATH.finditer(match[1]) if _id_of(m[0]) in used]
        return f"<defs>{''.join(kept)}</defs>" if kept else ""

    return _DEFS_BLOCK.sub(unused, svg)


#: matplotlib's circle marker: a move to (0, r), eight cubic curves round the centre, a close.
_CIRCLE_CURVES = 8
#: Style properties a dot drawn as a stroke can keep (a fill of its own would be lost).
_DOT_SAFE = frozenset({"fill", "stroke", "stroke-width", "stroke-opacity", "stroke-linejoin"})


def _disc_radius(shape: tuple[list[str], list[float]], style: dict[str, str]) -> float | None:
    """The radius of a marker that is a circle filled in its outline's colour (a series'
    points, the latest value), else ``None``. Such a disc is drawn as a zero-length line
    with round caps as wide as the disc and its outline: the same dot on the page
    (SVG 2 and PDF both paint a round-capped point as a filled circle), and one point
    for WeasyPrint to draw instead of eight curves (docs/performance.md)."""
    parts, numbers = shape
    commands = "".join(parts).split()
    if commands != ["M", *["C"] * _CIRCLE_CURVES, "z"] or len(numbers) != 2 + 6 * _CIRCLE_CURVES:
        return None
    radius = numbers[1]
    if radius <= 0 or numbers[0] != 0 or any(abs(n) > radius + 1e-9 for n in numbers):
        return None
    fill, stroke = style.get("fill", "").lower(), style.get("stroke", "").lower()
    if not fill or fill != stroke or not set(style) <= _DOT_SAFE:
        return None
    return radius


def _id_of(element: str) -> str | None:
    found = _ID.search(element)
    return found[1] if found else None


def _merged(paths: list[re.Match[str]]) -> str:
    return f'<path d="{" ".join(" ".join(m[1].split()) for m in paths)}"{paths[0][2]}/>'


def _mergeable(attributes: str) -> bool:
    """Paths with opacity are kept apart: where pieces overlap, merged they would not darken."""
    return "opacity" not in attributes


def _merge_axis_paths(svg: str) -> str:
    """Within an axis (grid lines, tick marks, tick labels), paths of one style become one
    path, drawn before the labels. Nothing in an axis overlaps, so the order is free."""
    out, at = [], 0
    for start in _AXIS_GROUP.finditer(svg):
        end = _group_end(svg, start.end())
        block = svg[start.end() : end]
        paths = [m for m in _PATH.finditer(block) if _mergeable(m[2])]
        by_style: dict[str, list[re.Match[str]]] = {}
        for match in paths:
            by_style.setdefault(match[2], []).append(match)
        rest = _PATH.sub(lambda m: "" if _mergeable(m[2]) else m[0], block)
        merged = "".join(_merged(group) for group in by_style.values())
        out += [svg[at : start.end()], merged, rest]
        at = end
    return "".join(out) + svg[at:]


def _group_end(svg: str, at: int) -> int:
    """Where the group opened just before ``at`` closes (the index of its ``</g>``)."""
    depth = 1
    for match in re.compile(r"<g\b[^>]*?(/?)>|</g>").finditer(svg, at):
        if match[0] == "</g>":
            depth -= 1
            if depth == 0:
                return match.start()
        elif not match[1]:
            depth += 1
    raise ValueError("unbalanced <g> in matplotlib's SVG")  # matplotlib always closes them


def _merge_adjacent_paths(svg: str) -> str:
    """Paths drawn one right after another with the same attributes become one path
    (the markers of a series); drawing order is unchanged."""

    def runs(match: re.Match[str]) -> str:
        out: list[str] = []
        group: list[re.Match[str]] = []
        for path in _PATH.finditer(match[0]):
            if group and (path[2] != group[0][2] or not _mergeable(path[2])):
                out.append(_merged(group) if len(group) > 1 else group[0][0])
                group = []
            group.append(path)
        out.append(_merged(group) if len(group) > 1 else group[0][0])
        return "".join(out)

    return _ADJACENT_PATHS.sub(runs, svg)


_STYLE_ATTRIBUTE = re.compile(r' style="([^"]*)"')


def _presentation(svg: str) -> str:
    """``style="fill: #000; stroke: none"`` becomes ``fill="#000" stroke="none"``: the same
    picture (every property matplotlib writes is also an SVG presentation attribute), but
    WeasyPrint need not run a CSS parser over each element, and pages with a strict
    content security policy need not allow inline styles."""

    def attributes(match: re.Match[str]) -> str:
        return "".join(f' {k}="{v}"' for k, v in _style(match[1]).items())

    return _STYLE_ATTRIBUTE.sub(attributes, svg)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

"""The SVG clean-up: fewer elements, the same picture (hand-written SVG, worked by hand)."""

from __future__ import annotations

import re

from planwatch.report.svg import inline

HEAD = '<svg xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 50" xmlns="http://www.w3.org/2000/svg">'


def _clean(body: str) -> str:
    return inline(HEAD + body + "</svg>", prefix="c", title="T")


def test_uses_become_one_moved_path_in_the_definitions_style():
    svg = _clean(
        '<g id="line2d_1"><defs><path id="m1" d="M 0 -1 L 1 0 z" style="stroke: #000000"/></defs>'
        '<g clip-path="url(#p1)">'
        '<use xlink:href="#m1" x="10" y="20" style="fill: #0072b2; stroke: #0072b2"/>'
        '<use xlink:href="#m1" x="12.5" y="22" style="fill: #0072b2; stroke: #0072b2"/>'
        "</g></g>"
        '<defs><clipPath id="p1"><rect x="0" y="0" width="100" height="50"/></clipPath></defs>'
    )
    assert "<use" not in svg and 'id="c-m1"' not in svg  # the definition went with its uses
    paths = re.findall(r'<path d="([^"]*)"([^/]*)/>', svg)
    assert paths == [
        ("M 10 19 L 11 20 z M 12.5 21 L 13.5 22 z", ' fill="#0072b2" stroke="#000000"')
    ]
    assert 'clip-path="url(#c-p1)"' in svg and 'id="c-p1"' in svg


def test_styles_become_presentation_attributes():
    svg = _clean(
        '<text style="font-size: 7px; font-family: \'DejaVu Sans\'; text-anchor: middle" x="1" y="2">a</text>'
    )
    assert "style=" not in svg
    assert (
        '<text font-size="7px" font-family="\'DejaVu Sans\'" text-anchor="middle" x="1" y="2">a</text>'
        in svg
    )


def test_paths_with_opacity_or_another_style_stay_apart():
    body = (
        '<path d="M 0 0 L 1 1" style="fill: #56b4e9; fill-opacity: 0.35"/>'
        '<path d="M 2 2 L 3 3" style="fill: #56b4e9; fill-opacity: 0.35"/>'
        '<path d="M 4 4 L 5 5" style="stroke: #000000"/>'
        '<path d="M 6 6 L 7 7" style="stroke: #000000"/>'
        '<path d="M 8 8 L 9 9" style="stroke: #d55e00"/>'
    )
    paths = re.findall(r'<path d="([^"]*)"', _clean(body))
    assert paths == ["M 0 0 L 1 1", "M 2 2 L 3 3", "M 4 4 L 5 5 M 6 6 L 7 7", "M 8 8 L 9 9"]


def test_text_between_paths_keeps_them_apart_outside_an_axis():
    body = (
        '<path d="M 0 0 L 1 1" style="stroke: #000000"/><text x="1" y="1">a</text>'
        '<path d="M 2 2 L 3 3" style="stroke: #000000"/>'
    )
    svg = _clean(body)
    assert svg.count("<path") == 2 and svg.index("M 0 0") < svg.index(">a<") < svg.index("M 2 2")


def test_an_axis_draws_its_lines_first_then_its_labels():
    body = (
        '<g id="matplotlib.axis_2">'
        '<g id="ytick_1"><g id="line2d_1"><path d="M 5 40 L 95 40" clip-path="url(#p1)" style="stroke: #d9d9d9"/></g>'
        '<g id="line2d_2"><defs><path id="t" d="M 0 0 L -3.5 0" style="stroke: #1a1a1a"/></defs>'
        '<g><use xlink:href="#t" x="5" y="40" style="stroke: #1a1a1a"/></g></g>'
        '<g id="text_1"><text x="1" y="40">0</text></g></g>'
        '<g id="ytick_2"><g id="line2d_3"><path d="M 5 10 L 95 10" clip-path="url(#p1)" style="stroke: #d9d9d9"/></g>'
        '<g id="line2d_4"><g><use xlink:href="#t" x="5" y="10" style="stroke: #1a1a1a"/></g></g>'
        '<g id="text_2"><text x="1" y="10">10</text></g></g></g>'
        '<defs><clipPath id="p1"><rect x="0" y="0" width="100" height="50"/></clipPath></defs>'
    )
    svg = _clean(body)
    paths = re.findall(r'<path d="([^"]*)"([^/]*)/>', svg)
    assert [d for d, _ in paths] == [
        "M 5 40 L 95 40 M 5 10 L 95 10",
        "M 5 40 L 1.5 40 M 5 10 L 1.5 10",
    ]
    assert 'clip-path="url(#c-p1)"' in paths[0][1]
    assert svg.index("L 1.5 10") < svg.index(">0<") < svg.index(">10<")
    assert "<g" not in svg.split("<defs>")[0].split(">", 1)[1]  # empty wrapper groups are gone


# matplotlib's circle marker of radius 1.4 (markersize 2.8), as it writes it
CIRCLE = (
    "M 0 1.4 C 0.371284 1.4 0.727412 1.252487 0.989949 0.989949 "
    "C 1.252487 0.727412 1.4 0.371284 1.4 0 C 1.4 -0.371284 1.252487 -0.727412 0.989949 -0.989949 "
    "C 0.727412 -1.252487 0.371284 -1.4 0 -1.4 C -0.371284 -1.4 -0.727412 -1.252487 -0.989949 -0.989949 "
    "C -1.252487 -0.727412 -1.4 -0.371284 -1.4 0 C -1.4 0.371284 -1.252487 0.727412 -0.989949 0.989949 "
    "C -0.727412 1.252487 -0.371284 1.4 0 1.4 z"
)


def test_a_filled_circle_marker_becomes_a_round_dot_of_the_same_size():
    svg = _clean(
        f'<defs><path id="o" d="{CIRCLE}" style="stroke: #0072b2"/></defs>'
        '<use xlink:href="#o" x="10" y="20" style="fill: #0072b2; stroke: #0072b2"/>'
        '<use xlink:href="#o" x="30.5" y="25" style="fill: #0072b2; stroke: #0072b2"/>'
    )
    paths = re.findall(r'<path d="([^"]*)"([^/]*)/>', svg)
    # the disc (radius 1.4) and its outline (1 wide, half outside): a dot 3.8 across
    assert paths == [
        (
            "M 10 20 L 10 20 M 30.5 25 L 30.5 25",
            ' fill="none" stroke="#0072b2" stroke-width="3.8" stroke-linecap="round"',
        )
    ]


def test_an_open_circle_or_another_shape_keeps_its_outline():
    held_out = _clean(
        f'<defs><path id="o" d="{CIRCLE}"/></defs>'
        '<use xlink:href="#o" x="10" y="20" style="fill: #ffffff; stroke: #cc79a7"/>'
    )
    assert " C " in held_out and "stroke-linecap" not in held_out
    diamond = _clean(
        '<defs><path id="d" d="M 0 -3 L 3 0 L 0 3 L -3 0 z"/></defs>'
        '<use xlink:href="#d" x="10" y="20" style="fill: #d55e00; stroke: #d55e00"/>'
    )
    assert "M 10 17 L 13 20 L 10 23 L 7 20 z" in diamond and "stroke-linecap" not in diamond

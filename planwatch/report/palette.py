"""Colours for charts and the report: the Okabe-Ito colour-blind-safe palette.

In: nothing. Out: named colour constants.

Source: Okabe, M. and Ito, K. (2008) "Color Universal Design (CUD): how to make figures
and presentations that are friendly to colorblind people", https://jfly.uni-koeln.de/color/.
Meaning never rests on colour alone: lines also differ in style and carry labels.
"""

from __future__ import annotations

from typing import Final

OKABE_ITO: Final = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

SERIES = OKABE_ITO["blue"]
LATEST = OKABE_ITO["vermillion"]
TREND = OKABE_ITO["black"]
TREND_BAND = OKABE_ITO["sky_blue"]
SPC = OKABE_ITO["bluish_green"]
EVENT = "#595959"  # dark grey: 7:1 contrast on white (WCAG AAA)
BREAK = OKABE_ITO["reddish_purple"]
SUSPECT = OKABE_ITO["orange"]
GRID = "#D9D9D9"
TEXT = "#1A1A1A"

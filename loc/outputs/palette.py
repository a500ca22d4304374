"""Colours of every output, colour-blind safe: the Okabe-Ito palette, and Paul Tol's muted
wine and teal for changes (distinguishable in print and for every common colour vision)."""

from __future__ import annotations

WINE, TEAL = "#882255", "#44AA99"
VERMILLION, BLUE, ORANGE, SKY, GREEN, YELLOW, PURPLE, GREY, BLACK = (
    "#D55E00", "#0072B2", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#CC79A7", "#999999",
    "#000000")
SERIES = [VERMILLION, BLUE, GREEN, PURPLE, ORANGE, SKY, BLACK, GREY, YELLOW, WINE]
"""Colours for several series in one chart, in order."""

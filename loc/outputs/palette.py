"""Colours of every output, colour-blind safe and distinguishable in print.

Categories use the **Okabe-Ito** palette (Okabe and Ito, *Color Universal Design*, 2008);
changes and breaches use **Paul Tol's muted** wine and teal. Both keep their colours apart for
the common colour-vision deficiencies (protan, deutan, tritan) and in greyscale print, where
loc also tells lines apart by dash patterns. Context (land, sea, rivers) uses muted greys and
blues that stay behind the data.
"""

from __future__ import annotations

PALETTE_NAME = "Okabe-Ito (categories) with Paul Tol's muted wine and teal (changes)"
"""The palette's name, as shown in map attributions and the annex."""

WINE, TEAL = "#882255", "#44AA99"
VERMILLION, BLUE, ORANGE, SKY, GREEN, YELLOW, PURPLE, GREY, BLACK = (
    "#D55E00", "#0072B2", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#CC79A7", "#999999",
    "#000000")
SERIES = [VERMILLION, BLUE, GREEN, PURPLE, ORANGE, SKY, BLACK, GREY, YELLOW, WINE]
"""Colours for several series in one chart, in order."""

BELTS = [(SKY, "8 4"), (ORANGE, "2 4"), (BLUE, "12 4 2 4"), (YELLOW, "6 6"), (GREEN, "1 3")]
"""Colour and dash pattern of each weapon class's withdrawal belt, in agreement order: never
the freeze line's reddish purple (a belt's dashed edge would read as a line of control)."""
ZONES = {"buffer": GREEN, "site": YELLOW, "corridor": ORANGE, "crossing": SKY}
"""Fill colour of each kind of zone (drawn solid over a stronger fill than the dashed belts);
other kinds are grey."""

LAND, NEIGHBOUR, SEA, WATER, RIVER, BORDER = (
    "#f7f5ef", "#e3e0d8", "#dce8ef", "#c6dbe8", "#8fb4cc", "#9a968c")
"""Muted context colours: Ukraine's land, neighbouring countries, sea (the page background),
lakes and reservoirs, rivers, country borders."""

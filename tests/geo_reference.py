"""Reference geometry for tests: Ukraine's sea coast and its land border with Russia.

Natural Earth admin-1 does not say which part of Ukraine's outline is coast. Near the sea the
only land borders are the Danube mouth (west of 29.72 E), Moldova (west of 30.2 E north of
46.2 N) and Russia on the Sea of Azov (east of 38.2 E): the outline inside the two boxes below
is therefore coast, and the outline north-east of 31.8 E, 47.15 N is the Russian border.
"""

from __future__ import annotations

from functools import lru_cache

import shapely
from shapely.geometry import box

from loc import geo as lcrs
from loc.reference.regions import ukraine

SEA_BOXES = (box(29.72, 43.5, 38.2, 46.2), box(30.3, 46.2, 38.2, 47.15))
RUSSIA_BOX = box(31.8, 47.15, 40.5, 52.5)


@lru_cache(maxsize=1)
def coast_m():
    """Ukraine's sea coast (Natural Earth), CONFORMAL CRS metres."""
    outline = shapely.boundary(ukraine())
    return lcrs.project(shapely.intersection(outline, shapely.union_all(SEA_BOXES)))


@lru_cache(maxsize=1)
def russia_border_m():
    """Ukraine's land border with Russia (Natural Earth), CONFORMAL CRS metres."""
    outline = shapely.boundary(ukraine())
    return lcrs.project(shapely.intersection(outline, RUSSIA_BOX))

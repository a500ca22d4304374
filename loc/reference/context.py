"""Map context around Ukraine (Natural Earth, public domain): neighbouring countries, lakes
and reservoirs, rivers, and labels of the neighbours and seas.

The bundled ``data/context.geojson`` is built by ``data/build_context.py``. Each feature has a
``kind`` (``country``, ``lake``, ``river``, ``country-label``, ``sea-label``), a ``name`` and a
``level`` of detail: ``coarse`` for zoom levels up to 7, ``fine`` from zoom 8 (a smaller box
around Ukraine), ``all`` for labels. Ukraine itself is not in it: maps draw loc's own outline
(:func:`loc.reference.regions.ukraine`).
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd

from loc.reference.bundled import data_path

ATTRIBUTION = "Context: Natural Earth (public domain): countries 1:10m, lakes and rivers 1:50m"
FINE_FROM_ZOOM = 8
"""The zoom level from which the ``fine`` level is drawn instead of ``coarse``."""


@lru_cache(maxsize=1)
def _table() -> gpd.GeoDataFrame:
    gdf = gpd.read_file(data_path("context.geojson"), engine="pyogrio")
    return gdf.set_crs("OGC:CRS84", allow_override=True)


def context(kind: str | None = None, level: str | None = None) -> gpd.GeoDataFrame:
    """The bundled context features (lon/lat, OGC:CRS84).

    Parameters
    ----------
    kind : str, optional
        Only this kind (``country``, ``lake``, ``river``, ``country-label``, ``sea-label``).
    level : {"coarse", "fine", "all"}, optional
        Only this level of detail.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``kind``, ``name``, ``level`` and geometry, in file order.

    Examples
    --------
    >>> sorted(context("sea-label")["name"])
    ['Black Sea', 'Sea of Azov']
    >>> set(context("river")["level"]) == {"coarse", "fine"}
    True
    """
    t = _table()
    mask = t["kind"].notna()
    if kind is not None:
        mask &= t["kind"] == kind
    if level is not None:
        mask &= t["level"] == level
    return t[mask].reset_index(drop=True).copy()

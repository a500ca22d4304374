"""The bundled registry of Ukraine's regions (Natural Earth admin-1, public domain).

Each region has a stable lower-case ``key`` (``crimea``, ``sevastopol``, ``donetsk``, ...), a
``group`` (Sevastopol is grouped with Crimea, as the mission counts them together), names in
English, Ukrainian and Russian, and aliases. Geometry is lon/lat (OGC:CRS84).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from loc._data import data_path
from loc.errors import RegionError

MISSION_REGIONS = ("crimea", "donetsk", "luhansk", "zaporizhzhia", "kherson")
"""The five regions of the mission (``crimea`` includes Sevastopol)."""

_SUFFIXES = re.compile(
    r"\b(oblast|obl|region|province|oblast'|область|обл|republic of|autonomous republic of"
    r"|автономна республіка|республика)\b"
)


def _normalize(name: str) -> str:
    text = unicodedata.normalize("NFKD", str(name)).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"['’ʼ`´\"]", "", text)
    text = re.sub(r"[\s\-_.,]+", " ", text)
    return text.strip()


def _strip_suffix(norm: str) -> str:
    return " ".join(_SUFFIXES.sub(" ", norm).split())


@lru_cache(maxsize=1)
def _registry() -> gpd.GeoDataFrame:
    gdf = gpd.read_file(data_path("regions.geojson"))
    gdf = gdf.set_crs("OGC:CRS84", allow_override=True)
    gdf["aliases"] = gdf["aliases"].str.split("|")
    return gdf.set_index("key", drop=False).sort_index()


@lru_cache(maxsize=1)
def _region_index():
    """Prepared region geometries (lon/lat) and an STRtree of them, in registry order."""
    geoms = _registry().geometry.values
    for g in geoms:
        shapely.prepare(g)
    return geoms, shapely.STRtree(geoms)


def regions_at(points) -> np.ndarray:
    """Registry positions of the region holding each lon/lat point; a point in none (off a
    coast, abroad) takes the nearest (the first when tied)."""
    geoms, tree = _region_index()
    xy = shapely.get_coordinates(points)
    found = np.full(len(xy), -1)
    for k, g in enumerate(geoms):
        todo = np.flatnonzero(found < 0)
        if not len(todo):
            break
        found[todo[shapely.contains_xy(g, xy[todo, 0], xy[todo, 1])]] = k
    lost = np.flatnonzero(found < 0)
    if len(lost):
        src, idx = tree.query_nearest(np.asarray(points, dtype=object)[lost])
        found[lost[src[::-1]]] = idx[::-1]
    return found


@lru_cache(maxsize=1)
def _alias_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for key, aliases in _registry()["aliases"].items():
        for alias in aliases:
            table.setdefault(_normalize(alias), key)
    for key, aliases in _registry()["aliases"].items():
        for alias in aliases:
            table.setdefault(_strip_suffix(_normalize(alias)), key)
    return table


def regions() -> gpd.GeoDataFrame:
    """Return the registry as a GeoDataFrame (lon/lat, OGC:CRS84), indexed by ``key``.

    Columns: ``key``, ``name`` (English), ``name_uk``, ``name_ru``, ``group``, ``aliases``
    (list of str), ``geometry``.

    Examples
    --------
    >>> import loc
    >>> len(loc.regions())
    27
    """
    return _registry().copy()


def region_key(name: str) -> str:
    """Return the registry key for any common spelling of a region.

    Raises
    ------
    RegionError
        If no region has that name; the message suggests the closest names.

    Examples
    --------
    >>> region_key("Donets'k")
    'donetsk'
    >>> region_key("Запорізька область")
    'zaporizhzhia'
    """
    table = _alias_table()
    norm = _normalize(name)
    for candidate in (norm, _strip_suffix(norm)):
        if candidate in table:
            return table[candidate]
    close = difflib.get_close_matches(_strip_suffix(norm), list(table), n=6, cutoff=0.6)
    keys = list(dict.fromkeys(table[c] for c in close))[:3]
    hint = (
        "did you mean " + " or ".join(f"'{k}'" for k in keys) + "?"
        if keys else "run `loc regions` to list the names"
    )
    raise RegionError(f"unknown region '{name}': {hint}")


def region(name: str):
    """Return one region (a GeoDataFrame row as a pandas Series) by any alias.

    Examples
    --------
    >>> region("Donetsk Oblast")["key"]
    'donetsk'
    """
    return _registry().loc[region_key(name)].copy()


@lru_cache(maxsize=1)
def ukraine() -> BaseGeometry:
    """Ukraine's land (union of all regions, lon/lat), as one prepared (Multi)Polygon."""
    geom = shapely.union_all(_registry().geometry.values)
    shapely.prepare(geom)
    return geom

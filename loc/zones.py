"""Zones drawn from a line: demilitarized buffers, weapon withdrawal belts, protected sites.

Every zone is built in the CONFORMAL CRS (Lambert conformal conic, 46 N / 51 N), where a
buffer of ``w`` metres is ``w`` metres on the ground to within 0.15 % over Ukraine (checked in
the tests against :class:`pyproj.Geod`), and returned in lon/lat (OGC:CRS84) with its area in
km² (EQUAL_AREA CRS) and the settlements and population inside (bundled GeoNames table).

A side's part of a zone is the buffer around the line intersected with that side's control
area, so a 15 km buffer on the ``ru`` side is the Russian-held land within 15 km of the line.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from loc import crs as lcrs
from loc._data import data_path
from loc.errors import InputError, OptionError
from loc.regions import ukraine
from loc.settlements import settlements_in

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CLIPS = ("land", "ukraine", "none")
PRESETS = {"minsk2": "minsk2.toml", "minsk-memorandum": "minsk-memorandum.toml"}
COLUMNS = ["zone", "kind", "side", "width_km", "area_km2", "settlements", "population",
           "largest"]


def _line_and_sides(source):
    """(line GeoDataFrame, {side: lon/lat area}) from a Freeze, a Snapshot, or a line with
    ``snapshot=``."""
    from loc.freeze import Freeze
    from loc.line import line_of_contact
    from loc.snapshot import Snapshot

    if isinstance(source, Freeze):
        snap, line = source.snapshot, source.line
    elif isinstance(source, Snapshot):
        snap, line = source, line_of_contact(source)
    else:
        raise OptionError("zones need a Snapshot or a Freeze (the line and the sides' areas)")
    sides = {s: snap.side(s) for s in ("ru", "ua")}
    contested = snap.side("contested")
    if not contested.is_empty:
        sides["ua"] = shapely.union(sides["ua"], contested)
    return line, sides


def _clip_area(geom: BaseGeometry, clip: str) -> BaseGeometry:
    if clip not in CLIPS:
        raise OptionError(f"clip must be one of {', '.join(CLIPS)}, not '{clip}'")
    if clip == "none":
        return geom
    # Natural Earth has no maritime boundary: Ukraine's territory here is its land.
    return shapely.intersection(geom, ukraine())


def _people(geoms) -> tuple[list[int], list[int], list[str]]:
    counts, pops, largest = [], [], []
    for g in geoms:
        inside = settlements_in(g)
        counts.append(len(inside))
        pops.append(int(inside["population"].sum()))
        largest.append(", ".join(inside["name"].head(5)))
    return counts, pops, largest


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    geoms = [r.pop("geometry") for r in rows]
    counts, pops, largest = _people(geoms)
    df = pd.DataFrame(rows)
    df["area_km2"] = [float(lcrs.area_km2(g)) if not g.is_empty else 0.0 for g in geoms]
    df["settlements"], df["population"], df["largest"] = counts, pops, largest
    extra = [c for c in df.columns if c not in COLUMNS]
    return gpd.GeoDataFrame(df[COLUMNS + extra], geometry=geoms, crs="OGC:CRS84")


def _buffer_m(line_m, width_km: float):
    return shapely.buffer(line_m, width_km * 1e3, quad_segs=16)


def buffer_zone(source, width_km: float | None = None, widths: dict | None = None,
                clip: str = "land", name: str | None = None) -> gpd.GeoDataFrame:
    """A demilitarized buffer along the line: one polygon per side.

    Parameters
    ----------
    source : Snapshot or Freeze
        The line (line of contact, or freeze line) and the sides' areas.
    width_km : float, optional
        Depth on each side of the line (km): 2 gives Korea's 4 km-wide DMZ of 1953, 15 the
        Minsk Memorandum's 30 km zone.
    widths : dict, optional
        Per-side depth from the line (km), e.g. ``{"ru": 5, "ua": 0}``; overrides
        ``width_km``.
    clip : {"land", "ukraine", "none"}
        Clip to Ukraine's land (default; with the bundled data, Ukraine's territory is its
        land, so ``ukraine`` is the same), or not at all.
    name : str, optional
        Zone name (default ``"buffer <w> km"``).

    Returns
    -------
    geopandas.GeoDataFrame
        Rows per side with ``zone``, ``kind`` (``buffer``), ``side``, ``width_km`` (depth on
        that side), ``area_km2``, ``settlements``, ``population``, ``largest``; lon/lat.
    """
    widths = _widths(width_km, widths)
    line, sides = _line_and_sides(source)
    line_m = lcrs.project(shapely.union_all(line.geometry.values), lcrs.CONFORMAL)
    label = name or (f"buffer {width_km:g} km" if width_km is not None else
                     "buffer " + " / ".join(f"{s} {w:g} km" for s, w in widths.items()))
    rows = []
    for side, w in widths.items():
        geom = shapely.Polygon()
        if w > 0 and not line_m.is_empty:
            zone = lcrs.unproject(_buffer_m(line_m, w), lcrs.CONFORMAL)
            geom = _clip_area(shapely.intersection(zone, sides[side]), clip)
        rows.append({"zone": label, "kind": "buffer", "side": side, "width_km": w,
                     "geometry": geom})
    return _frame(rows)


def _widths(width_km, widths) -> dict[str, float]:
    if widths is None:
        if width_km is None:
            raise OptionError("give a buffer width: width_km=... or widths={'ru': ..., "
                              "'ua': ...}")
        widths = {"ru": width_km, "ua": width_km}
    out = {}
    for side in ("ru", "ua"):
        value = widths.get(side, 0.0)
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise OptionError(f"width for side {side} is not a number: {value!r}") from None
        if not np.isfinite(value) or value < 0 or value > 500:
            raise OptionError(f"width for side {side} must be 0 to 500 km, not {value}")
        out[side] = value
    unknown = set(widths) - {"ru", "ua"}
    if unknown:
        raise OptionError(f"unknown side(s) {', '.join(sorted(unknown))}: use ru and ua")
    return out


@dataclass(frozen=True)
class Agreement:
    """Withdrawal distances per weapon class and side (km), with the text's source."""

    name: str
    source: str
    classes: dict[str, dict]


def load_agreement(spec: str | Path) -> Agreement:
    """An agreement from a preset name (``minsk2``, ``minsk-memorandum``) or a TOML/JSON file.

    The file holds ``name``, ``source`` and ``[classes.<id>]`` tables with ``label``, ``ru``
    and ``ua`` distances in km.

    Raises
    ------
    LocError
        One line naming the file and what is wrong.
    """
    if str(spec) in PRESETS:
        path = data_path("agreements") / PRESETS[str(spec)]
    else:
        path = Path(spec)
        if not path.exists():
            raise InputError("no such agreement file or preset (presets: "
                             + ", ".join(PRESETS) + ")", path)
    try:
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"not a valid agreement file: {str(exc).splitlines()[0]}",
                         path) from None
    classes = doc.get("classes") if isinstance(doc, dict) else None
    if not isinstance(classes, dict) or not classes:
        raise InputError("agreement has no [classes.<name>] with ru and ua distances in km",
                         path)
    out = {}
    for key, spec_c in classes.items():
        if not isinstance(spec_c, dict):
            raise InputError(f"class '{key}' must be a table with ru and ua distances", path)
        try:
            dist = {s: float(spec_c.get(s, 0.0)) for s in ("ru", "ua")}
        except (TypeError, ValueError):
            raise InputError(f"class '{key}': ru and ua must be numbers (km)", path) from None
        if any(not np.isfinite(v) or v < 0 or v > 500 for v in dist.values()):
            raise InputError(f"class '{key}': distances must be 0 to 500 km", path)
        out[str(key)] = {"label": str(spec_c.get("label", key)), **dist}
    return Agreement(name=str(doc.get("name", path.stem)), source=str(doc.get("source", "")),
                     classes=out)


def withdrawal_belts(source, agreement: str | Path | Agreement,
                     clip: str = "land") -> gpd.GeoDataFrame:
    """Nested withdrawal belts, one per weapon class and side.

    Each belt is the side's land within the class's distance of the line: the zone that
    class must leave. Presets: ``minsk2`` (25, 35, 70 km on each side: artillery ≥ 100 mm,
    MLRS, heavy MLRS and tactical missiles; Package of Measures, 12 Feb 2015) and
    ``minsk-memorandum`` (15 km on each side for weapons over 100 mm; 19 Sep 2014).

    Returns
    -------
    geopandas.GeoDataFrame
        ``zone`` (class label), ``kind`` (``belt``), ``side``, ``width_km``, ``area_km2``,
        ``settlements``, ``population``, ``largest``, ``weapon_class``; lon/lat.
    """
    agr = agreement if isinstance(agreement, Agreement) else load_agreement(agreement)
    line, sides = _line_and_sides(source)
    line_m = lcrs.project(shapely.union_all(line.geometry.values), lcrs.CONFORMAL)
    cache: dict[float, BaseGeometry] = {}
    rows = []
    for key, cls in agr.classes.items():
        for side in ("ru", "ua"):
            d = cls[side]
            if d not in cache:
                cache[d] = (lcrs.unproject(_buffer_m(line_m, d), lcrs.CONFORMAL) if d > 0
                            else shapely.Polygon())
            geom = _clip_area(shapely.intersection(cache[d], sides[side]), clip)
            rows.append({"zone": cls["label"], "kind": "belt", "side": side, "width_km": d,
                         "weapon_class": key, "geometry": geom})
    return _frame(rows)


def parse_site(text: str) -> dict:
    """``NAME:LAT,LON,KM`` (a point with a radius) from the command line."""
    name, sep, rest = text.rpartition(":")
    try:
        lat, lon, km = (float(v) for v in rest.split(","))
    except ValueError:
        raise OptionError(f"--site '{text}' is not of the form NAME:LAT,LON,KM") from None
    if not sep or not name:
        raise OptionError(f"--site '{text}' is not of the form NAME:LAT,LON,KM")
    return {"name": name, "lat": lat, "lon": lon, "radius_km": km}


def protected_sites(sites) -> gpd.GeoDataFrame:
    """Protected sites (points with a radius) and corridors (lines with a width) as zones.

    Parameters
    ----------
    sites : list of dict, or path
        Dicts ``{"name", "lat", "lon", "radius_km"}`` or ``{"name", "coords": [(lon, lat),
        ...], "width_km"}``; or a vector file of points (``radius_km`` property) and lines
        (``width_km``), with a ``name`` property.

    Returns
    -------
    geopandas.GeoDataFrame
        ``zone`` (name), ``kind`` (``site`` or ``corridor``), ``side`` (empty),
        ``width_km`` (radius, or full corridor width), ``area_km2``, ``settlements``,
        ``population``, ``largest``; lon/lat.
    """
    if isinstance(sites, (str, Path)):
        sites = _sites_from_file(Path(sites))
    rows = []
    for s in sites:
        name = str(s.get("name", "site"))
        if "coords" in s:
            width = _positive(s.get("width_km"), f"corridor {name}: width_km")
            line = lcrs.project(shapely.LineString(s["coords"]), lcrs.CONFORMAL)
            geom = lcrs.unproject(shapely.buffer(line, width * 500.0, quad_segs=16),
                                  lcrs.CONFORMAL)
            rows.append({"zone": name, "kind": "corridor", "side": "", "width_km": width,
                         "geometry": geom})
        else:
            radius = _positive(s.get("radius_km"), f"site {name}: radius_km")
            lat, lon = float(s["lat"]), float(s["lon"])
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise OptionError(f"site {name}: lat {lat}, lon {lon} are not coordinates")
            pt = lcrs.project(shapely.Point(lon, lat), lcrs.CONFORMAL)
            geom = lcrs.unproject(shapely.buffer(pt, radius * 1e3, quad_segs=32),
                                  lcrs.CONFORMAL)
            rows.append({"zone": name, "kind": "site", "side": "", "width_km": radius,
                         "geometry": geom})
    return _frame(rows)


def _positive(value, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise OptionError(f"{what} must be a number of km, not {value!r}") from None
    if not np.isfinite(v) or v <= 0 or v > 500:
        raise OptionError(f"{what} must be more than 0 and at most 500 km, not {v}")
    return v


def _sites_from_file(path: Path) -> list[dict]:
    from loc.snapshot import _read_frames, _to_lonlat

    if not path.exists():
        raise InputError("no such sites file", path)
    gdf = _to_lonlat(_read_frames(path), path)
    out = []
    for rec, geom in zip(gdf.drop(columns="geometry").to_dict(orient="records"),
                         gdf.geometry.values, strict=True):
        name = rec.get("name") or "site"
        if geom.geom_type == "Point":
            out.append({"name": name, "lat": geom.y, "lon": geom.x,
                        "radius_km": rec.get("radius_km")})
        elif geom.geom_type == "LineString":
            out.append({"name": name, "coords": list(geom.coords),
                        "width_km": rec.get("width_km")})
        else:
            raise InputError(f"site '{name}' is a {geom.geom_type}: use points with "
                             "radius_km or lines with width_km", path)
    return out


def people_in(zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """Settlements and population per zone and side, largest population first."""
    cols = ["zone", "kind", "side", "width_km", "area_km2", "settlements", "population",
            "largest"]
    return (pd.DataFrame(zones[cols]).sort_values(["population", "zone"],
                                                  ascending=[False, True])
            .reset_index(drop=True))

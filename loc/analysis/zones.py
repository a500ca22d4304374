"""Zones drawn from a line: demilitarized buffers, weapon withdrawal belts, protected sites.

Every zone is built in the CONFORMAL CRS (Lambert conformal conic, 46 N / 51 N), whose scale
error is under 0.16 % over Ukraine: a buffer's outline is then moved to the geodesic width
(WGS 84; within 0.015 %, checked in the tests against :class:`pyproj.Geod`) and a site is
a geodesic circle. Zones are returned in lon/lat (OGC:CRS84) with their area in km²
(EQUAL_AREA CRS) and the settlements and population inside (bundled GeoNames table).

A side's part of a zone is the buffer around the line intersected with that side's control
area, so a 15 km buffer on the ``ru`` side is the Russian-held land within 15 km of the line;
a grey zone (``contested``) has its own rows, at the Ukrainian side's depth.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Proj
from shapely.geometry.base import BaseGeometry

from loc import checks
from loc import geo as lcrs
from loc.analysis.freeze import Freeze
from loc.analysis.line import contact_only, line_of_contact
from loc.errors import InputError, OptionError
from loc.io.agreements import Agreement, load_agreement
from loc.io.readers import lonlat_frame, read_features
from loc.model import Snapshot
from loc.reference.regions import ukraine
from loc.reference.settlements import settlements_of

CLIPS = ("land", "ukraine", "none")
MAX_KM = 500.0
COLUMNS = ["zone", "kind", "side", "width_km", "area_km2", "settlements", "population",
           "largest"]


def _line_and_sides(source):
    """(line GeoDataFrame, {side: lon/lat area}) from a Freeze or a Snapshot (``ru``,
    ``ua``, and ``contested`` where the snapshot has a grey zone); border noise is not line
    of contact, so no zone is drawn on it."""
    if isinstance(source, Freeze):
        snap, line = source.snapshot, source.line
    elif isinstance(source, Snapshot):
        snap, line = source, line_of_contact(source)
    else:
        raise TypeError("zones need a Snapshot or a Freeze (the line and the sides' areas), "
                        f"not {type(source).__name__}")
    line = contact_only(line)
    sides = {s: snap.side(s) for s in ("ru", "ua")}
    contested = snap.side("contested")
    if not contested.is_empty:  # the grey zone lies on the line's non-Russian side
        sides["contested"] = contested
    return line, sides


def _depth(widths: dict[str, float], side: str) -> float:
    """A side's depth from the line: the grey zone takes the Ukrainian side's (it lies on
    the line's non-Russian side)."""
    return widths["ua" if side == "contested" else side]


def _clip_area(geom: BaseGeometry, clip: str) -> BaseGeometry:
    checks.choice(clip, "clip", CLIPS)
    if clip == "none":
        return geom
    # Natural Earth has no maritime boundary: Ukraine's territory here is its land.
    return shapely.intersection(geom, ukraine())


def _people(geoms) -> tuple[list[int], list[int], list[str]]:
    counts, pops, largest = [], [], []
    for g in geoms:
        names, people = settlements_of(g)
        counts.append(len(names))
        pops.append(people)
        largest.append(", ".join(names[:5]))
    return counts, pops, largest


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    geoms = [r.pop("geometry") for r in rows]
    counts, pops, largest = _people(geoms)
    df = pd.DataFrame(rows)
    df["area_km2"] = [float(lcrs.area_km2(g)) if not g.is_empty else 0.0 for g in geoms]
    df["settlements"], df["population"], df["largest"] = counts, pops, largest
    extra = [c for c in df.columns if c not in COLUMNS]
    return gpd.GeoDataFrame(df[COLUMNS + extra], geometry=geoms, crs="OGC:CRS84")


ARC_SAGITTA_M = 1.0
"""How far (m) a chord of a buffer's rounded ends and bends may lie inside the arc it stands
for (the number of chords grows with the width)."""
BUFFER_STEP = 1 / 150
"""Longest edge of a buffer's outline before its vertices are moved out to the geodesic width
(see :func:`_buffer_m`), as a share of the width (100 m at 15 km), and at least
:data:`BUFFER_STEP_MIN_M`: a chord between vertices moved out from points of the line that
far apart bows out by a share of the move that grows with the chord over the width."""
BUFFER_STEP_MIN_M = 100.0


def _least_scale(line_m, d: float) -> float:
    """The CONFORMAL CRS's smallest scale factor over the latitudes within ``d`` metres
    (and a margin) of a CONFORMAL line."""
    x0, y0, x1, y1 = line_m.bounds
    ll = shapely.get_coordinates(lcrs.unproject(shapely.points(
        [(x0, y0 - 1.5 * d), (x0, y1 + 1.5 * d), (x1, y0 - 1.5 * d), (x1, y1 + 1.5 * d)])))
    lat = np.linspace(max(ll[:, 1].min(), -89.0), min(ll[:, 1].max(), 89.0), 400)
    proj = Proj(lcrs.CONFORMAL)
    return float(np.min(proj.get_factors(np.full(len(lat), 32.0), lat).meridional_scale))


def _buffer_m(line_m, width_km: float):
    """The area within ``width_km`` of a CONFORMAL line, measured on the WGS 84 ellipsoid
    (CONFORMAL CRS; its edge at the width to 0.015 %, 2 m at 15 km): a buffer drawn in the
    CONFORMAL CRS at the width times the CRS's smallest scale factor over its latitudes (so
    no point of it is farther than the width), each vertex of its outline (at most
    :data:`BUFFER_STEP` of the width apart; a chord between two moved from different
    points of the line, across a bend, may bow out a little) then moved out along the ray
    from its nearest point of the line, by the factor that takes a
    point of the offset (the width times that scale away) to the geodesic width there.
    (The CRS's scale, 0.9990 to 1.0016 over Ukraine, made a plain 15 km buffer reach
    15.014 km at 48.5 N.) Arcs are drawn with chords at most :data:`ARC_SAGITTA_M` inside;
    what GEOS draws inside the offset besides (corners it simplifies, up to 0.3 % of the
    width) stays as far inside."""
    d = width_km * 1e3
    base = d * _least_scale(line_m, d)  # no point of this buffer is farther than d
    # arcs of chords at most ARC_SAGITTA_M inside (16 a quarter circle were 18 m at 15 km)
    quad = max(16, math.ceil(math.pi / (4 * math.acos(1 - ARC_SAGITTA_M / base))))
    poly = shapely.segmentize(shapely.buffer(line_m, base, quad_segs=quad),
                              max(BUFFER_STEP_MIN_M, d * BUFFER_STEP))
    if poly.is_empty:
        return poly
    xy = shapely.get_coordinates(poly)
    foot = lcrs.LineReach(line_m).nearest(xy)
    foot_ll = lcrs.unproject(shapely.points(foot))
    ray = xy - foot
    unit = ray / np.maximum(np.hypot(ray[:, 0], ray[:, 1]), 1e-9)[:, None]
    reach = np.full(len(xy), base)  # how far along each ray lies the geodesic width
    for _ in range(3):  # each pass takes the scale's change along the ray in
        g = lcrs.geodesic_m(foot_ll, lcrs.unproject(shapely.points(foot + unit * reach[:, None])))
        reach *= d / np.maximum(g, 1e-9)
    # each vertex scaled about its foot: one on the outline's offset goes to the width, one
    # on a chord just inside (a corner's, or where GEOS simplified) stays as far inside
    xy = foot + ray * (reach / base)[:, None]
    out = shapely.set_coordinates(poly, xy)
    return out if out.is_valid else shapely.union_all(lcrs.polygon_parts(
        shapely.make_valid(out)))


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
        Per-side depth from the line (km), e.g. ``{"ru": 5, "ua": 0}`` (a side left out is
        0), instead of ``width_km``.
    clip : {"land", "ukraine", "none"}
        Clip to Ukraine's land (default; with the bundled data, Ukraine's territory is its
        land, so ``ukraine`` is the same), or not at all.
    name : str, optional
        Zone name (default ``"buffer <w> km"``).

    Returns
    -------
    geopandas.GeoDataFrame
        Rows per side with ``zone``, ``kind`` (``buffer``), ``side``, ``width_km`` (depth on
        that side), ``area_km2``, ``settlements``, ``population``, ``largest``; lon/lat. A
        snapshot with a grey zone has a ``contested`` row too (its part of the zone, at
        the Ukrainian side's depth: it lies on the line's non-Russian side).

    Examples
    --------
    >>> import loc
    >>> z = loc.buffer_zone(loc.sample(), 15)
    >>> z[["side", "width_km"]].values.tolist()
    [['ru', 15.0], ['ua', 15.0]]
    >>> [round(a, -1) for a in z["area_km2"]]
    [11750.0, 11190.0]
    """
    widths = _widths(width_km, widths)
    line, sides = _line_and_sides(source)
    line_m = lcrs.project(shapely.union_all(line.geometry.values), lcrs.CONFORMAL)
    label = name or (f"buffer {width_km:g} km" if width_km is not None else
                     "buffer " + " / ".join(f"{s} {w:g} km" for s, w in widths.items()))
    rows = []
    cache: dict[float, BaseGeometry] = {}
    for side, area in sides.items():
        w = _depth(widths, side)
        geom = shapely.Polygon()
        if w > 0 and not line_m.is_empty:
            if w not in cache:
                cache[w] = lcrs.unproject(_buffer_m(line_m, w), lcrs.CONFORMAL)
            geom = _clip_area(shapely.intersection(cache[w], area), clip)
        rows.append({"zone": label, "kind": "buffer", "side": side, "width_km": w,
                     "geometry": geom})
    return _frame(rows)


def _widths(width_km, widths) -> dict[str, float]:
    if width_km is not None and widths is not None:
        raise OptionError("give width_km (both sides) or widths (per side), not both: the "
                          "zone would be named for one and drawn with the other")
    if widths is None:
        if width_km is None:
            raise OptionError("give a buffer width: width_km=... or widths={'ru': ..., "
                              "'ua': ...}")
        checks.number(width_km, "width_km", lo=0, hi=MAX_KM, lo_open=True)
        widths = {"ru": width_km, "ua": width_km}
    if not isinstance(widths, dict):
        raise TypeError(f"widths must be a dict {{'ru': km, 'ua': km}}, not "
                        f"{type(widths).__name__}")
    unknown = set(widths) - {"ru", "ua"}
    if unknown:
        raise OptionError(f"unknown side(s) {', '.join(sorted(map(str, unknown)))}: use ru "
                          "and ua")
    out = {side: checks.number(widths.get(side, 0.0), f"width for side {side}", lo=0,
                               hi=MAX_KM) for side in ("ru", "ua")}
    if not any(out.values()):
        raise OptionError("every buffer width is 0: give a width above 0 km for one side")
    return out


def withdrawal_belts(source, agreement: str | Path | Agreement,
                     clip: str = "land") -> gpd.GeoDataFrame:
    """Nested withdrawal belts, one per weapon class and side.

    Each belt is the side's land within the class's distance of the line: the zone that
    class must leave. Presets: ``minsk2`` (25, 35, 70 km on each side: artillery ≥ 100 mm,
    MLRS, heavy MLRS and tactical missiles; Package of Measures, 12 Feb 2015) and
    ``minsk-memorandum`` (15 km on each side for weapons over 100 mm; 19 Sep 2014).

    Parameters
    ----------
    source : Snapshot or Freeze
        The line and the sides' areas.
    agreement : str, Path or Agreement
        A preset name, a TOML/JSON file, or an :class:`~loc.io.agreements.Agreement`.
    clip : {"land", "ukraine", "none"}
        As in :func:`buffer_zone`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``zone`` (class label), ``kind`` (``belt``), ``side``, ``width_km``, ``area_km2``,
        ``settlements``, ``population``, ``largest``, ``weapon_class``; lon/lat (with
        ``contested`` rows for a grey zone, as in :func:`buffer_zone`).

    Examples
    --------
    >>> import loc
    >>> b = loc.withdrawal_belts(loc.sample(), "minsk2")
    >>> sorted(set(b["width_km"])), sorted(set(b["side"]))
    ([25.0, 35.0, 70.0], ['ru', 'ua'])
    """
    agr = agreement if isinstance(agreement, Agreement) else load_agreement(agreement)
    checks.choice(clip, "clip", CLIPS)
    line, sides = _line_and_sides(source)
    line_m = lcrs.project(shapely.union_all(line.geometry.values), lcrs.CONFORMAL)
    cache: dict[float, BaseGeometry] = {}
    rows = []
    for key, cls in agr.classes.items():
        for side, area in sides.items():
            d = _depth(cls, side)
            if d not in cache:
                cache[d] = (lcrs.unproject(_buffer_m(line_m, d), lcrs.CONFORMAL) if d > 0
                            else shapely.Polygon())
            geom = _clip_area(shapely.intersection(cache[d], area), clip)
            rows.append({"zone": cls["label"], "kind": "belt", "side": side, "width_km": d,
                         "weapon_class": key, "geometry": geom})
    return _frame(rows)


def _site_text(site: dict, key: str, default: str) -> str:
    value = site.get(key, default)
    return " ".join(str(value).split())[:120] or default


def _coordinate(site: dict, key: str, name: str, lo: float, hi: float) -> float:
    if key not in site:
        raise OptionError(f"site {name!r} has no {key}: a site needs lat, lon and radius_km")
    try:
        return checks.number(site[key], f"site {name!r}: {key}", lo=lo, hi=hi)
    except TypeError as exc:
        raise OptionError(str(exc)) from None


def _near_ukraine(xy: list[tuple[float, float]], what: str) -> None:
    """Refuse a position outside Ukraine's box (lat and lon swapped, say): the buffers
    are built in a CRS fit for Ukraine, and a site abroad protects nothing of the
    agreement's."""
    x0, y0, x1, y1 = lcrs.UKRAINE_BBOX
    for x, y in xy:
        if not lcrs.near_ukraine((x, y, x, y)):
            hint = (" (are lat and lon swapped?)"
                    if lcrs.near_ukraine((x, y, x, y), swapped=True) else "")
            raise OptionError(f"{what} at lon {x:g}, lat {y:g} lies outside Ukraine "
                              f"(lon {x0:g}..{x1:g}, lat {y0:g}..{y1:g}){hint}")


def _clip_site(geom: BaseGeometry, clip: str, what: str) -> BaseGeometry:
    """A site's circle or a corridor's band clipped as asked; refused when nothing is left
    (it lies wholly abroad or at sea: it protects nothing on Ukraine's land)."""
    out = _clip_area(geom, clip)
    if out.is_empty:
        raise OptionError(f"{what} covers none of Ukraine's land (it lies abroad or at "
                          "sea); clip none keeps its whole area")
    return out


def protected_sites(sites: Iterable[dict] | str | Path,
                    clip: str = "land") -> gpd.GeoDataFrame:
    """Protected sites (points with a radius) and corridors (lines with a width) as zones.

    Parameters
    ----------
    sites : list of dict, or path
        Dicts ``{"name", "lat", "lon", "radius_km"}`` or ``{"name", "coords": [(lon, lat),
        ...], "width_km"}``; or a vector file of points (``radius_km`` property) and lines
        (``width_km``), with a ``name`` property.
    clip : {"land", "ukraine", "none"}
        As in :func:`buffer_zone`: the part of each circle or band on Ukraine's land
        (default), or the whole circle or band (``"none"``, sea and abroad included).

    Returns
    -------
    geopandas.GeoDataFrame
        ``zone`` (name), ``kind`` (``site`` or ``corridor``), ``side`` (empty),
        ``width_km`` (radius, or full corridor width), ``area_km2``, ``settlements``,
        ``population``, ``largest``; lon/lat. Buffers are built in the CONFORMAL CRS.

    Raises
    ------
    OptionError
        For a site without lat, lon or radius_km, a corridor without two positions or
        width_km, a value that is not a finite number in range, a position outside
        Ukraine's box (:data:`loc.geo.UKRAINE_BBOX`), or a site or corridor of which the
        clip leaves nothing (one wholly abroad or at sea).

    Examples
    --------
    >>> import loc
    >>> z = loc.protected_sites([{"name": "Odesa port", "lat": 46.48, "lon": 30.74,
    ...                           "radius_km": 20}])
    >>> z[["zone", "kind", "width_km"]].values.tolist(), round(float(z["area_km2"][0]))
    ([['Odesa port', 'site', 20.0]], 785)
    """
    checks.choice(clip, "clip", CLIPS)
    if isinstance(sites, (str, Path)):
        path = sites
        try:
            return protected_sites(read_sites(path), clip=clip)
        except OptionError as exc:  # name the file the bad site came from
            raise OptionError(str(exc), path) from None
    if isinstance(sites, dict) or not isinstance(sites, Iterable):
        raise TypeError("sites must be a list of dicts or a file path, not "
                        f"{type(sites).__name__}")
    rows = []
    for s in sites:
        if not isinstance(s, dict):
            raise TypeError(f"a site must be a dict, not {type(s).__name__}")
        if "coords" in s or "coordinates" in s:
            name = _site_text(s, "name", "corridor")
            coords = s.get("coords", s.get("coordinates")) or []
            width = _coordinate(s, "width_km", name, 0, MAX_KM) if "width_km" in s else None
            if width is None or width <= 0:
                raise OptionError(f"corridor {name!r}: width_km must be more than 0 km")
            try:
                xy = [(float(x), float(y)) for x, y in coords]
            except (TypeError, ValueError):
                raise OptionError(f"corridor {name!r}: coordinates must be [[lon, lat], "
                                  "...]") from None
            if len(xy) < 2 or not all(-180 <= x <= 180 and -90 <= y <= 90
                                      and x == x and y == y for x, y in xy):
                raise OptionError(f"corridor {name!r}: needs two or more [lon, lat] positions "
                                  "with finite coordinates")
            _near_ukraine(xy, f"corridor {name!r}")
            line = lcrs.project(shapely.LineString(xy), lcrs.CONFORMAL)
            geom = _clip_site(lcrs.unproject(_buffer_m(line, width / 2), lcrs.CONFORMAL),
                              clip, f"corridor {name!r}")
            rows.append({"zone": name, "kind": "corridor", "side": "", "width_km": width,
                         "geometry": geom})
        else:
            name = _site_text(s, "name", "site")
            lat = _coordinate(s, "lat", name, -90, 90)
            lon = _coordinate(s, "lon", name, -180, 180)
            radius = _coordinate(s, "radius_km", name, 0, MAX_KM)
            if radius <= 0:
                raise OptionError(f"site {name!r}: radius_km must be more than 0 km")
            _near_ukraine([(lon, lat)], f"site {name!r}")
            geom = _clip_site(geodesic_circle(lon, lat, radius), clip, f"site {name!r}")
            rows.append({"zone": name, "kind": "site", "side": "", "width_km": radius,
                         "geometry": geom})
    if not rows:
        raise OptionError("no sites given")
    return distinct_zones(_frame(rows))


CIRCLE_VERTICES = 256
"""Vertices of a site's circle: its chords stay within 2.3 m of a 30 km circle (and
within r(1 - cos(pi/256)), 7.5e-5 of the radius, of any)."""


def geodesic_circle(lon: float, lat: float, radius_km: float) -> shapely.Polygon:
    """The points at a geodesic distance (WGS 84) of ``radius_km`` from a centre, as a
    lon/lat polygon: every vertex exactly on the circle, each edge a chord just inside it
    (a circle drawn in the CONFORMAL CRS was up to 0.16 % too wide: a 30 km zone reached
    30.025 km).

    Parameters
    ----------
    lon, lat : float
        The centre, degrees.
    radius_km : float
        The radius, km.

    Returns
    -------
    shapely.Polygon
        The circle (:data:`CIRCLE_VERTICES` vertices).

    Examples
    --------
    >>> c = geodesic_circle(34.59, 47.51, 30.0)
    >>> round(float(lcrs.area_km2(c)), 0)
    2827.0
    """
    az = np.linspace(0.0, 360.0, CIRCLE_VERTICES, endpoint=False)
    n = len(az)
    lons, lats, _ = lcrs.GEOD.fwd(np.full(n, lon), np.full(n, lat), az,
                                  np.full(n, radius_km * 1e3))
    return shapely.Polygon(np.column_stack([lons, lats])[::-1])  # counter-clockwise


def distinct_zones(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Zones as they are, when no two of one side share a name (a zone is known by its
    name and side: in tables, maps and reports).

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Zones with ``zone`` and ``side`` columns.

    Returns
    -------
    geopandas.GeoDataFrame
        The same zones.

    Raises
    ------
    OptionError
        When two zones share a name (both are named).
    """
    counts = Counter(zip(zones["zone"].astype(str), zones["side"].astype(str), strict=True))
    twice = sorted(k for k, n in counts.items() if n > 1)
    if twice:
        name, side = twice[0]
        raise OptionError(f"two zones{f' of side {side}' if side else ''} are named "
                          f"{name!r}: give each zone its own name")
    return zones


def read_sites(path: str | Path) -> list[dict]:
    """Sites and corridors from a vector file: points with ``radius_km``, lines with
    ``width_km``, each with a ``name``.

    Parameters
    ----------
    path : str or Path
        The file (any format GDAL reads).

    Returns
    -------
    list of dict
        Site and corridor records for :func:`protected_sites`.
    """
    gdf = read_features(path)
    out = []
    for rec, geom in zip(gdf.drop(columns=gdf.geometry.name).to_dict(orient="records"),
                         gdf.geometry.values, strict=True):
        name = rec.get("name") or "site"
        if geom.geom_type == "Point":
            out.append({"name": name, "lat": geom.y, "lon": geom.x,
                        **({"radius_km": rec["radius_km"]} if rec.get("radius_km") is not None
                           else {})})
        elif geom.geom_type == "LineString":
            out.append({"name": name, "coords": list(geom.coords),
                        **({"width_km": rec["width_km"]} if rec.get("width_km") is not None
                           else {})})
        else:
            raise InputError(f"site '{str(name)[:60]}' is a {geom.geom_type}: use points with "
                             "radius_km or lines with width_km", path)
    return out


def people_in(zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """Settlements and population per zone and side, largest population first, counted
    afresh from each zone's geometry (in any CRS; a zone edited since it was built is
    counted as it is now).

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Zones (``zone``, ``kind``, ``side``, ``width_km`` and their areas), e.g. from
        :func:`buffer_zone`, :func:`withdrawal_belts` or :func:`protected_sites`.

    Returns
    -------
    pandas.DataFrame
        ``zone``, ``kind``, ``side``, ``width_km``, ``area_km2`` (EQUAL_AREA CRS),
        ``settlements``, ``population``, ``largest``.

    Examples
    --------
    >>> import loc
    >>> z = loc.protected_sites([{"name": "Kyiv", "lat": 50.45, "lon": 30.52,
    ...                           "radius_km": 10}])
    >>> int(people_in(z)["population"].iloc[0]) > 2_000_000
    True
    """
    zones = lonlat_frame(checks.frame(zones, "zones", ("zone", "kind", "side", "width_km")),
                         "zones")
    counted = _frame([{"zone": z, "kind": k, "side": s, "width_km": w,
                       "geometry": lcrs.checked_area(g, f"zone {z!r}")}
                      for z, k, s, w, g in zip(zones["zone"], zones["kind"], zones["side"],
                                               zones["width_km"], zones.geometry.values,
                                               strict=True)])
    return (pd.DataFrame(counted[COLUMNS]).sort_values(["population", "zone"],
                                                       ascending=[False, True])
            .reset_index(drop=True))

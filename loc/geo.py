"""Geometry basics: coordinate reference systems for Ukraine, projection, geodesic
measures, and the small polygon helpers every analysis shares.

loc keeps geometry in lon/lat (OGC:CRS84, axis order lon, lat as in RFC 7946 GeoJSON) and
projects only to measure or to buffer:

* :data:`EQUAL_AREA` -- Lambert azimuthal equal-area on WGS 84, centred at 48.5 N 32 E. Areas
  computed in it equal ellipsoidal areas (checked against :class:`pyproj.Geod` in the tests).
* :data:`CONFORMAL` -- Lambert conformal conic on WGS 84 with standard parallels 46 N and 51 N,
  origin 48.5 N 32 E. Over Ukraine (44.4 to 52.4 N) its scale error is below 0.16 %, so
  buffers and distances built in it are true on the ground to that tolerance.
"""

from __future__ import annotations

import functools
import hashlib
import math
import threading
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry.base import BaseGeometry

from loc.errors import GeometryError, LocWarning, first_line

LONLAT = CRS.from_user_input("OGC:CRS84")
EQUAL_AREA_PROJ4 = "+proj=laea +lat_0=48.5 +lon_0=32 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
CONFORMAL_PROJ4 = ("+proj=lcc +lat_0=48.5 +lon_0=32 +lat_1=46 +lat_2=51 +x_0=0 +y_0=0 +datum=WGS84"
                   " +units=m +no_defs")
EQUAL_AREA = CRS.from_proj4(EQUAL_AREA_PROJ4)
CONFORMAL = CRS.from_proj4(CONFORMAL_PROJ4)
GEOD = Geod(ellps="WGS84")

UKRAINE_BBOX = (22.0, 44.0, 40.5, 52.5)
"""Ukraine's bounds in lon/lat (degrees), with a small margin."""


def near_ukraine(bounds, swapped: bool = False) -> bool:
    """Whether a lon/lat box (a point's: ``(x, y, x, y)``) meets :data:`UKRAINE_BBOX`; with
    ``swapped``, whether it would with x and y exchanged (lat/lon written as lon/lat).

    Parameters
    ----------
    bounds : sequence of float
        ``(minx, miny, maxx, maxy)``, degrees.
    swapped : bool
        Exchange x and y first.

    Returns
    -------
    bool
        Whether the boxes meet.

    Examples
    --------
    >>> near_ukraine((37.6, 47.5, 37.6, 47.5)), near_ukraine((47.5, 37.6, 47.5, 37.6), True)
    (True, True)
    """
    minx, miny, maxx, maxy = bounds
    if swapped:
        minx, miny, maxx, maxy = miny, minx, maxy, maxx
    x0, y0, x1, y1 = UKRAINE_BBOX
    return bool(minx <= x1 and maxx >= x0 and miny <= y1 and maxy >= y0)


def prepared_copy(geoms):
    """A copy of a geometry (or of an array of them) prepared for fast predicates, which no
    other thread holds.

    A prepared GEOS geometry builds its indexes when first queried and changes state as it is
    queried, so one used by two threads at once can crash the process (libgeos/geos#825).
    loc never prepares a geometry it was given or one that threads share: it prepares a
    copy made here, or keeps a lookup for each thread apart (:func:`per_thread`).

    Parameters
    ----------
    geoms : shapely geometry or numpy.ndarray of them
        Any CRS; the copy has the same coordinates, bit for bit.

    Returns
    -------
    shapely geometry or numpy.ndarray
        The prepared copy.

    Examples
    --------
    >>> box = shapely.box(0, 0, 2, 2)
    >>> copy = prepared_copy(box)
    >>> copy.equals_exact(box, 0), bool(shapely.is_prepared(copy)), bool(shapely.is_prepared(box))
    (True, True, False)
    """
    out = shapely.from_wkb(shapely.to_wkb(geoms))
    shapely.prepare(out)
    return out


F = TypeVar("F", bound=Callable[..., Any])


def per_thread(maxsize: int = 1) -> Callable[[F], F]:
    """Cache a function's results as :func:`functools.lru_cache` does, for each thread
    apart: for shared lookups that hold prepared geometries (see :func:`prepared_copy`).
    Each thread builds its own the first time it asks.

    Parameters
    ----------
    maxsize : int
        Results kept per thread (least recently used dropped).

    Returns
    -------
    callable
        A decorator.

    Examples
    --------
    >>> @per_thread()
    ... def square():
    ...     return prepared_copy(shapely.box(0, 0, 1, 1))
    >>> square() is square()
    True
    """
    def wrap(build: F) -> F:
        local = threading.local()

        @functools.wraps(build)
        def get(*args):
            cached = getattr(local, "cached", None)
            if cached is None:
                cached = local.cached = functools.lru_cache(maxsize)(build)
            return cached(*args)

        return get  # type: ignore[return-value]

    return wrap


_TRANSFORMERS: dict[tuple[int, int], tuple[CRS, CRS, Transformer]] = {}


def _transformer(src: CRS, dst: CRS) -> Transformer:
    """A cached always-xy transformer; keyed by identity (hashing a CRS renders its WKT)."""
    key = (id(src), id(dst))
    hit = _TRANSFORMERS.get(key)
    if hit is None or hit[0] is not src or hit[1] is not dst:
        hit = (src, dst, Transformer.from_crs(src, dst, always_xy=True))
        _TRANSFORMERS[key] = hit
    return hit[2]


def project(geoms, dst: CRS = CONFORMAL, src: CRS = LONLAT):
    """Transform shapely geometries (scalar or array) from ``src`` to ``dst``.

    Parameters
    ----------
    geoms : shapely geometry or array of them
        Geometries in ``src`` (lon/lat by default).
    dst, src : pyproj.CRS
        Target and source CRS.

    Returns
    -------
    shapely geometry or array of them
        The geometries in ``dst`` (vertices transformed; edges stay straight).

    Examples
    --------
    >>> p = project(shapely.Point(32.0, 48.5), EQUAL_AREA)
    >>> round(p.x, 6), round(p.y, 6)
    (0.0, 0.0)
    """
    return shapely.transform(geoms, lambda xy: project_coords(xy, dst, src))


def project_coords(xy: np.ndarray, dst: CRS = CONFORMAL, src: CRS = LONLAT) -> np.ndarray:
    """Transform coordinates from ``src`` (lon/lat by default) to ``dst``.

    Parameters
    ----------
    xy : numpy.ndarray
        ``(n, 2)`` coordinates (lon, lat in degrees for lon/lat).
    dst, src : pyproj.CRS
        Target and source CRS.

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` coordinates in ``dst`` (metres for the projected CRSs).
    """
    t = _transformer(src, dst)
    return np.column_stack(t.transform(xy[:, 0], xy[:, 1]))


_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                 0x27D4EB2F165667C5], dtype=np.uint64)


def row_hashes(values: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row's exact floats (their bits), for finding rows met before:
    a match must be confirmed by comparing the rows (two rows may share a hash).

    Parameters
    ----------
    values : numpy.ndarray
        ``(n, k)`` floats, ``k`` at most 4 (a point, or a segment ``x0, y0, x1, y1``).

    Returns
    -------
    numpy.ndarray
        ``(n,)`` uint64.

    Examples
    --------
    >>> h = row_hashes(np.array([[32.0, 48.5], [32.0, 48.5], [48.5, 32.0]]))
    >>> bool(h[0] == h[1]), bool(h[0] == h[2])
    (True, False)
    """
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)
    h = bits[:, 0] * _MIX[0]
    for k in range(1, bits.shape[1]):
        h ^= bits[:, k] * _MIX[k]
    return h


def lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """For each key, the position in ``sorted_keys`` (ascending, not empty) where it is if
    it is there (the caller compares): ``searchsorted`` clipped to the last position, the
    keys looked up in ascending order (twice as fast for thousands of random keys).

    Parameters
    ----------
    sorted_keys : numpy.ndarray
        Ascending keys, at least one.
    keys : numpy.ndarray
        Keys to find.

    Returns
    -------
    numpy.ndarray
        Positions into ``sorted_keys``.

    Examples
    --------
    >>> lookup(np.array([2, 5, 9]), np.array([9, 4, 2, 12])).tolist()
    [2, 1, 0, 2]
    """
    order = np.argsort(keys)
    pos = np.empty(len(keys), dtype=np.intp)
    pos[order] = np.searchsorted(sorted_keys, keys[order])
    return np.minimum(pos, len(sorted_keys) - 1)


def take_rows(rows: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``rows[idx]`` for ``(n, k)`` 8-byte numbers (float64 or int64: points, segments),
    gathered as one ``8k``-byte item a row (numpy gathers rows of a few numbers about ten
    times slower); the bytes are copied as they are.

    Parameters
    ----------
    rows : numpy.ndarray
        ``(n, k)`` float64 or int64.
    idx : numpy.ndarray
        Integer positions or a boolean mask.

    Returns
    -------
    numpy.ndarray
        ``(m, k)``, of the same dtype, a copy.

    Examples
    --------
    >>> take_rows(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1, 1, 0])).tolist()
    [[3.0, 4.0], [3.0, 4.0], [1.0, 2.0]]
    """
    rows = np.ascontiguousarray(rows)
    if rows.ndim != 2 or rows.dtype.itemsize != 8:
        raise ValueError("take_rows needs (n, k) 8-byte numbers")
    k = rows.shape[1]
    return rows.view(f"V{8 * k}")[:, 0][idx].view(rows.dtype).reshape(-1, k)


def put_rows(rows: np.ndarray, idx: np.ndarray, values: np.ndarray) -> None:
    """``rows[idx] = values`` for ``(n, k)`` C-contiguous 8-byte numbers (see
    :func:`take_rows`).

    Parameters
    ----------
    rows : numpy.ndarray
        ``(n, k)`` C-contiguous float64 or int64, changed in place.
    idx : numpy.ndarray
        Integer positions or a boolean mask.
    values : numpy.ndarray
        ``(m, k)`` numbers, cast to the dtype of ``rows``.
    """
    if not (rows.flags.c_contiguous and rows.ndim == 2 and rows.dtype.itemsize == 8):
        raise ValueError("put_rows needs C-contiguous (n, k) 8-byte numbers")
    k = rows.shape[1]
    values = np.ascontiguousarray(values, dtype=rows.dtype)
    if values.ndim != 2 or values.shape[1] != k:
        raise ValueError(f"put_rows needs (m, {k}) values, not {values.shape}")
    rows.view(f"V{8 * k}")[:, 0][idx] = values.view(f"V{8 * k}")[:, 0]


def unproject(geoms, src: CRS = CONFORMAL):
    """Transform shapely geometries from ``src`` back to lon/lat.

    Parameters
    ----------
    geoms : shapely geometry or array of them
        Geometries in ``src``.
    src : pyproj.CRS
        Their CRS (:data:`CONFORMAL` by default).

    Returns
    -------
    shapely geometry or array of them
        The geometries in lon/lat (OGC:CRS84).
    """
    return project(geoms, dst=LONLAT, src=src)


def area_km2(geoms) -> np.ndarray | float:
    """Area of lon/lat geometries, computed in :data:`EQUAL_AREA`.

    Parameters
    ----------
    geoms : shapely geometry or array of them
        Lon/lat geometries.

    Returns
    -------
    float or numpy.ndarray
        km².

    Examples
    --------
    >>> round(float(area_km2(shapely.box(32.0, 48.0, 33.0, 49.0))), 1)
    8217.4
    """
    return shapely.area(project(geoms, EQUAL_AREA)) / 1e6


def geodesic_area_km2(geom) -> float:
    """Ellipsoidal (WGS 84) area of one lon/lat geometry, with :class:`pyproj.Geod`.

    Parameters
    ----------
    geom : shapely geometry
        A lon/lat polygon or multipolygon.

    Returns
    -------
    float
        km².
    """
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def geodesic_length_km(geom) -> float:
    """Ellipsoidal (WGS 84) length in km of a lon/lat line or multi-line.

    Parameters
    ----------
    geom : shapely LineString, LinearRing or MultiLineString
        Lon/lat.

    Returns
    -------
    float
        km, each part measured with :meth:`pyproj.Geod.line_length`.

    Examples
    --------
    >>> round(geodesic_length_km(shapely.LineString([(30, 50), (31, 50)])), 3)
    71.695
    """
    if shapely.get_type_id(geom) not in (1, 2, 5):
        return GEOD.geometry_length(geom) / 1e3
    total = 0.0
    for part in shapely.get_parts(geom):
        xy = shapely.get_coordinates(part)
        total += GEOD.line_length(xy[:, 0], xy[:, 1])
    return total / 1e3


def geodesic_m(a, b) -> np.ndarray:
    """Ellipsoidal (WGS 84) distances in metres between lon/lat points, pairwise.

    Parameters
    ----------
    a, b : array of shapely.Point, or shapely.Point
        Lon/lat points, as many in each (or one of them a single point, measured to
        every point of the other).

    Returns
    -------
    numpy.ndarray
        Metres, one per pair (:meth:`pyproj.Geod.inv`).

    Examples
    --------
    >>> float(geodesic_m(shapely.Point(30, 50), np.array([shapely.Point(31, 50)]))[0]) > 71_000
    True
    """
    pa, pb = shapely.get_coordinates(a), shapely.get_coordinates(b)
    pa, pb = np.broadcast_arrays(pa, pb)
    if len(pa) == 0:
        return np.zeros(0)
    return np.asarray(GEOD.inv(pa[:, 0], pa[:, 1], pb[:, 0], pb[:, 1])[2], dtype=float)


def polygonal(geom: BaseGeometry | None, *, valid: bool = False) -> BaseGeometry:
    """Only the polygonal parts of a geometry, as one (Multi)Polygon (maybe empty).

    Parameters
    ----------
    geom : shapely geometry or None
        Any geometry.
    valid : bool
        The geometry is known to be valid (read by loc's readers, or an overlay of valid
        areas): a Polygon or MultiPolygon is returned as it is, not checked again.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
        Its polygons (an empty MultiPolygon when it has none).

    Examples
    --------
    >>> polygonal(shapely.Point(0, 0)).is_empty
    True
    """
    if geom is None or geom.is_empty:
        return shapely.MultiPolygon()
    if geom.geom_type in ("Polygon", "MultiPolygon") and (valid or geom.is_valid):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.MultiPolygon()
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def drawn_polygons(geom: BaseGeometry) -> tuple[list, int]:
    """The polygons of a geometry as drawn, not joined (those inside collections too, a
    MultiPolygon's one by one), and how many parts of other kinds (points, lines) it holds.

    Parameters
    ----------
    geom : shapely geometry
        Any geometry.

    Returns
    -------
    (list of shapely.Polygon, int)
        The non-empty polygons, and the number of other parts.

    Examples
    --------
    >>> polys, other = drawn_polygons(shapely.GeometryCollection(
    ...     [shapely.box(0, 0, 1, 1), shapely.Point(5, 5), shapely.box(0, 0, 2, 2)]))
    >>> len(polys), other
    (2, 1)
    """
    polys: list = []
    other = 0
    stack = [geom]
    while stack:
        g = stack.pop()
        if g.geom_type == "Polygon":
            if not g.is_empty:
                polys.append(g)
        elif g.geom_type in ("MultiPolygon", "GeometryCollection"):
            stack.extend(reversed(shapely.get_parts(g)))  # keep the drawn order
        elif not g.is_empty:
            other += 1
    return polys, other


def polygon_parts(geom, return_index: bool = False):
    """The non-empty Polygons of a geometry or an array of them (collections and
    multi-parts exploded, in order).

    Parameters
    ----------
    geom : shapely geometry or array of them
        Any geometries.
    return_index : bool
        Also return, for each Polygon, the position of the input geometry it comes from.

    Returns
    -------
    numpy.ndarray, or (numpy.ndarray, numpy.ndarray)
        Object array of Polygons (and integer positions).

    Examples
    --------
    >>> len(polygon_parts(shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(2, 0, 3, 1)])))
    2
    >>> polygon_parts([shapely.box(0, 0, 1, 1), shapely.Point(0, 0), shapely.box(2, 0, 3, 1)],
    ...               return_index=True)[1].tolist()
    [0, 2]
    """
    parts, index = shapely.get_parts(geom, return_index=True)
    kind = shapely.get_type_id(parts)
    while ((kind == 6) | (kind == 7)).any():  # MultiPolygon, GeometryCollection
        subs = [shapely.get_parts(p) if k in (6, 7) else [p]
                for p, k in zip(parts, kind, strict=True)]
        index = np.repeat(index, [len(s) for s in subs])
        parts = np.concatenate(subs)
        kind = shapely.get_type_id(parts)
    keep = (kind == 3) & ~shapely.is_empty(parts)
    out = parts[keep].astype(object)
    return (out, index[keep]) if return_index else out


def clip_box(geom, box) -> BaseGeometry:
    """``geom`` clipped to a box: the fast rectangle clip, or the exact (slower)
    intersection where the fast one is not valid, or, where ``geom`` itself is not valid
    (a projection can fold a valid lon/lat sliver onto itself), the clipped part repaired
    by ``make_valid``.

    Parameters
    ----------
    geom : shapely geometry
        Polygons in any CRS.
    box : tuple of float
        ``(xmin, ymin, xmax, ymax)`` in that CRS.

    Returns
    -------
    shapely geometry
        The part of ``geom`` inside the box.

    Examples
    --------
    >>> clip_box(shapely.box(0, 0, 2, 2), (1, 1, 3, 3)).area
    1.0
    """
    out = shapely.clip_by_rect(geom, *box)
    if not out.is_valid:
        try:
            out = shapely.intersection(geom, shapely.box(*box))
        except shapely.errors.GEOSException:
            out = polygonal(shapely.make_valid(out))
    return out


REPAIR_LIMIT = 0.10
"""A repair of an invalid polygon may change its area by at most this fraction."""


def repair(geom: BaseGeometry, side: str, path) -> BaseGeometry:
    """A valid polygon as it is; an invalid one repaired with make_valid (method
    ``structure``: overlapping parts joined), refusing a repair whose area change is not a
    finite number under :data:`REPAIR_LIMIT`, and warning how much area changed.

    Parameters
    ----------
    geom : shapely geometry
        A lon/lat (Multi)Polygon.
    side : str
        What it is, for the messages (``ru``, ``exchange``, ...).
    path : str or Path
        The file it came from.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
        The valid polygon.

    Raises
    ------
    GeometryError
        When it cannot be repaired safely.
    """
    if shapely.is_valid(geom):
        return geom
    reason = shapely.is_valid_reason(geom)
    try:
        before = float(area_km2(geom))
        # "structure": overlapping parts are joined and holes cut out, as a map means them
        # (the default "linework" turns an overlap of two parts into a hole)
        fixed = polygonal(shapely.make_valid(geom, method="structure",
                                                 keep_collapsed=False))
        after = float(area_km2(fixed))
    except shapely.errors.GEOSException as exc:
        raise GeometryError(f"invalid {side} polygon ({reason}) cannot be repaired: "
                            f"{first_line(exc)}; fix the file in a GIS", path) from None
    change = abs(after - before)
    if (fixed.is_empty or not math.isfinite(change) or not math.isfinite(before)
            or change > REPAIR_LIMIT * max(before, 0.0)):
        what = ("nothing would be left of it" if fixed.is_empty else
                f"repaired it would be {after:,.1f} km² where its rings enclose "
                f"{before:,.1f} km² as drawn")
        raise GeometryError(
            f"invalid {side} polygon ({reason}) cannot be repaired safely: {what}; fix the "
            "file in a GIS", path)
    pct = 100 * change / before if before else 0.0
    warnings.warn(
        f"{f'{path}: ' if path else ''}repaired invalid {side} polygon ({reason}); area "
        "changed by "
        f"{change:,.3f} km² ({pct:.3f} %)", LocWarning, stacklevel=5)
    return fixed


def check_near_ukraine(bounds, path=None) -> None:
    """Refuse lon/lat bounds that do not meet Ukraine's box: lat/lon swapped (with that
    hint) or far away (a polygon across the antimeridian is :func:`check_lon_spans`'s).

    Parameters
    ----------
    bounds : sequence of float
        ``(minx, miny, maxx, maxy)``, degrees.
    path : str or Path, optional
        What the geometry came from, for the message.

    Raises
    ------
    GeometryError
        One line saying what is wrong and how to fix it.
    """
    minx, miny, maxx, maxy = bounds
    if max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90:
        raise GeometryError(f"coordinates are not lon/lat (x from {minx:.6g} to {maxx:.6g}): "
                            "give lon/lat degrees (EPSG:4326)", path)
    overlaps = near_ukraine(bounds)
    if not overlaps and near_ukraine(bounds, swapped=True):
        raise GeometryError(
            "coordinates look like lat/lon swapped (x spans "
            f"{minx:.1f} to {maxx:.1f}, which is Ukraine's latitude): write them as lon, lat "
            "(GeoJSON order)", path)
    if not overlaps:
        raise GeometryError(
            f"geometry lies far outside Ukraine (bounds lon {minx:.1f}..{maxx:.1f}, lat "
            f"{miny:.1f}..{maxy:.1f}): is this a control map of Ukraine in lon/lat?", path)


def check_lon_spans(geoms, where=None) -> None:
    """Refuse a polygon spanning over 180° of longitude: read flat, as GeoJSON's coordinates
    are, a ring across the antimeridian (179.5 E to 179.5 W) is a band round the world that
    crosses Ukraine's box. Parts far apart (one in Ukraine, one by the antimeridian) are
    the reach check's to drop.

    Parameters
    ----------
    geoms : shapely geometry or array of them
        Lon/lat polygons (collections and multi-parts are looked at part by part).
    where : str or Path, optional
        Where they came from, for the message.

    Raises
    ------
    GeometryError
        One line naming the widest such polygon.

    Examples
    --------
    >>> check_lon_spans(shapely.box(37.0, 48.0, 38.0, 48.1))
    >>> try:
    ...     check_lon_spans(shapely.Polygon([(179.5, 48), (-179.5, 48), (-179.5, 48.1)]))
    ... except GeometryError as exc:
    ...     print(str(exc)[:45])
    a polygon spans 359.0° of longitude (lon -179
    """
    parts = polygon_parts(geoms)
    if not len(parts):
        return
    b = shapely.bounds(parts)
    span = b[:, 2] - b[:, 0]
    if (span > 180).any():
        k = int(np.argmax(span))
        raise GeometryError(
            f"a polygon spans {span[k]:.1f}° of longitude (lon {b[k, 0]:.1f}..{b[k, 2]:.1f}): "
            "a polygon across the antimeridian is no control area of Ukraine (which spans "
            "about 20°): split it at 180°", where)


def finite(geom: BaseGeometry, what: str, where=None) -> BaseGeometry:
    """A shapely geometry whose coordinates are all finite numbers.

    Parameters
    ----------
    geom : shapely geometry
        The geometry.
    what : str
        What it is, for the messages.
    where : str or Path, optional
        Where it came from, for the messages.

    Returns
    -------
    shapely geometry
        The same geometry.

    Raises
    ------
    TypeError
        When it is not a shapely geometry.
    GeometryError
        When a coordinate is NaN or infinite (never repaired).
    """
    if not isinstance(geom, BaseGeometry):
        raise TypeError(f"{what} must be a shapely geometry, not {type(geom).__name__}")
    bad = first_nonfinite(np.array([geom], dtype=object))
    if bad is not None:
        raise GeometryError(f"{what} has a coordinate that is not a finite number (vertex "
                            f"{bad[1]}: {bad[2]}): refused, not repaired", where)
    return geom


def first_nonfinite(geoms: np.ndarray) -> tuple[int, int, list] | None:
    """The first vertex with a coordinate (x, y, or z where a geometry has z) that is not a
    finite number: the one check of finiteness, for every reader and for geometries given
    in Python.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely geometries
        The geometries (None allowed: no vertices).

    Returns
    -------
    (int, int, list) or None
        The geometry's place, the vertex's place in it (both 0-based) and its coordinates
        (rounded to 6 decimals where finite); None when every coordinate is finite.

    Examples
    --------
    >>> first_nonfinite(np.array([shapely.Point(1, 2), shapely.Point(1, 2, float("nan"))]))
    (1, 0, [1.0, 2.0, nan])
    """
    coords, which = shapely.get_coordinates(geoms, include_z=True, return_index=True)
    has_z = shapely.has_z(geoms)[which] if len(which) else np.zeros(0, dtype=bool)
    # a 2-D geometry's z is NaN here: only a geometry that has a z is checked on it
    bad = ~np.isfinite(coords[:, :2]).all(axis=1) | (has_z & ~np.isfinite(coords[:, 2]))
    if not bad.any():
        return None
    k = int(np.flatnonzero(bad)[0])
    feat = int(which[k])
    vertex = k - int(np.flatnonzero(which == feat)[0])
    shown = coords[k] if has_z[k] else coords[k, :2]
    return feat, vertex, [round(v, 6) if math.isfinite(v) else v for v in shown.tolist()]


def checked_area(geom: BaseGeometry, what: str, where=None) -> BaseGeometry:
    """An area given as a lon/lat geometry, checked as a file's polygons are: finite, in
    lon/lat near Ukraine, its polygons as drawn (those of collections too, other parts
    dropped) and valid (an invalid one repaired by :func:`loc.geo.repair`, within its
    limit and with a warning, or refused). A geometry that is not empty but holds no
    polygon (a point, a line) is refused: it was meant as an area.

    Parameters
    ----------
    geom : shapely geometry
        The area (lon/lat).
    what : str
        What it is (``ru``, ``exchange``, ...), for the messages.
    where : str or Path, optional
        Where it came from, for the messages.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
        The valid area (an empty MultiPolygon for an empty geometry).

    Raises
    ------
    GeometryError
        One line saying what is wrong.
    TypeError
        When it is not a shapely geometry.

    Examples
    --------
    >>> checked_area(shapely.box(37.5, 47.5, 38.5, 48.5), "ru").geom_type
    'Polygon'
    """
    finite(geom, f"the {what} area", where)
    polys, _ = drawn_polygons(geom)
    if not polys:
        if geom.is_empty:
            return shapely.MultiPolygon()
        raise GeometryError(f"the {what} area is a {geom.geom_type} and holds no polygon: "
                            "give the area's polygons", where)
    check_near_ukraine(shapely.total_bounds(polys), where)
    check_lon_spans(np.array(polys, dtype=object), where)
    drawn = polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)
    return polygonal(repair(drawn, what, where))


DEPTH_STEP_M = 10.0
""":meth:`LineReach.farthest` finds the farthest point of a polygon to within this (m): it may
lie on an edge or inside the polygon (one filling a bay of the line), not at a vertex."""


class ByGeometry:
    """Values computed from geometries, remembered by the SHA-256 of each geometry's WKB
    (its exact coordinates): over a series, most areas come back unchanged day after day
    and are computed once. At most ``kept`` are remembered, then all are forgotten at once.

    Parameters
    ----------
    kept : int
        Values remembered.

    Examples
    --------
    >>> memo = ByGeometry()
    >>> memo.get(shapely.box(0, 0, 1, 1), lambda: "computed")
    'computed'
    >>> memo.get(shapely.box(0, 0, 1, 1), lambda: "again")
    'computed'
    """

    def __init__(self, kept: int = 20_000) -> None:
        self.kept = kept
        self._values: dict[bytes, object] = {}

    def get(self, geom, compute):
        """The value of ``geom``: ``compute()`` the first time.

        Parameters
        ----------
        geom : shapely geometry
            The geometry the value is computed from.
        compute : callable
            Computes the value (which callers do not change).

        Returns
        -------
        object
            The value.
        """
        key = hashlib.sha256(shapely.to_wkb(geom)).digest()
        got = self._values.get(key)
        if got is None:
            if len(self._values) >= self.kept:
                self._values.clear()
            got = self._values[key] = compute()
        return got

    def clear(self) -> None:
        """Forget every value."""
        self._values.clear()


class LineReach:
    """Distances to one line (or a polygon's outline) in a metric CRS (CONFORMAL), for many
    points at once: an STRtree of its segments.

    Parameters
    ----------
    line_m : shapely geometry
        Lines, or polygons (their outline is taken), in metres.

    Examples
    --------
    >>> reach = LineReach(shapely.LineString([(0, 0), (1000, 0)]))
    >>> m, (x, y) = reach.farthest(shapely.box(0, 0, 1000, 300))
    >>> round(m), round(y)
    (300, 300)
    """

    def __init__(self, line_m) -> None:
        parts = shapely.get_parts(shapely.boundary(line_m) if shapely.get_dimensions(
            line_m) == 2 else line_m)
        xy, which = shapely.get_coordinates(parts, return_index=True)
        same = which[1:] == which[:-1]
        self._a, self._b = xy[:-1][same], xy[1:][same]
        self.tree = shapely.STRtree(shapely.linestrings(np.stack([self._a, self._b], axis=1)))

    def nearest(self, xy: np.ndarray) -> np.ndarray:
        """The nearest point of the line to each ``(x, y)``.

        Parameters
        ----------
        xy : numpy.ndarray
            ``(n, 2)`` coordinates, metres.

        Returns
        -------
        numpy.ndarray
            ``(n, 2)`` coordinates of the nearest points.

        Examples
        --------
        >>> LineReach(shapely.LineString([(0, 0), (1000, 0)])).nearest(
        ...     np.array([[300.0, 50.0], [-20.0, 5.0]])).tolist()
        [[300.0, 0.0], [0.0, 0.0]]
        """
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if not len(xy):
            return np.zeros((0, 2))
        at, seg = self.tree.query_nearest(shapely.points(xy), all_matches=False)
        a, b = self._a[seg], self._b[seg]
        ab = b - a
        den = (ab ** 2).sum(axis=1)
        t = np.clip(((xy[at] - a) * ab).sum(axis=1) / np.where(den > 0, den, 1.0), 0.0, 1.0)
        out = np.empty_like(xy)
        out[at] = a + t[:, None] * ab
        return out

    def distance(self, xy: np.ndarray) -> np.ndarray:
        """Distance (m) of each ``(x, y)`` to the line.

        Parameters
        ----------
        xy : numpy.ndarray
            ``(n, 2)`` coordinates, metres.

        Returns
        -------
        numpy.ndarray
            ``n`` distances, metres.
        """
        if not len(xy):
            return np.zeros(0)
        _, dist = self.tree.query_nearest(shapely.points(xy), return_distance=True,
                                          all_matches=False)
        return dist

    def farthest(self, geom_m) -> tuple[float, tuple[float, float]]:
        """The point of a polygon farthest from the line, and its distance: never more
        than the true farthest distance, and at most :data:`DEPTH_STEP_M` less.

        Branch and bound on square cells: the distance to a line changes by at most the
        distance moved, so no point of a cell of side ``s`` is farther than its centre's
        distance plus ``s / √2``. Cells that meet the polygon and could hold a point
        farther than the best found so far are split in four, until they are a step wide.

        Parameters
        ----------
        geom_m : shapely geometry
            A polygon in the line's CRS.

        Returns
        -------
        tuple
            ``(metres, (x, y))``; ``(0.0, (nan, nan))`` for an empty polygon.
        """
        if geom_m.is_empty:
            return 0.0, (math.nan, math.nan)
        geom_m = prepared_copy(geom_m)
        vertices = shapely.get_coordinates(geom_m)
        d = self.distance(vertices)
        best, at = float(d.max()), vertices[int(d.argmax())]
        x0, y0, x1, y1 = geom_m.bounds
        side = max(x1 - x0, y1 - y0, DEPTH_STEP_M)
        cells = np.array([[x0 + side / 2, y0 + side / 2]])
        while True:
            d = self.distance(cells)
            inside = shapely.contains_xy(geom_m, cells[:, 0], cells[:, 1])
            if inside.any() and float(d[inside].max()) > best:
                k = int(np.flatnonzero(inside)[d[inside].argmax()])
                best, at = float(d[k]), cells[k]
            if side <= DEPTH_STEP_M:
                # a cell a step wide whose centre lies outside: the nearest point of the
                # outline stands for it (within a step of any point of the cell)
                out = shapely.points(cells[~inside])
                if len(out):
                    edge = shapely.boundary(geom_m)
                    near = shapely.get_coordinates(shapely.line_interpolate_point(
                        edge, shapely.line_locate_point(edge, out)))
                    dn = self.distance(near)
                    if float(dn.max()) > best:
                        best, at = float(dn.max()), near[int(dn.argmax())]
                return best, (float(at[0]), float(at[1]))
            half = side / 2
            boxes = shapely.box(cells[:, 0] - half, cells[:, 1] - half, cells[:, 0] + half,
                                cells[:, 1] + half)
            keep = (d + side / np.sqrt(2) > best) & shapely.intersects(geom_m, boxes)
            if not keep.any():
                return best, (float(at[0]), float(at[1]))
            side = half
            q = side / 2
            cells = np.concatenate([cells[keep] + [dx, dy] for dx in (-q, q) for dy in (-q, q)])

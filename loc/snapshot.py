"""Snapshot: who controls what on one date, from one source; reading and validating files.

A :class:`Snapshot` holds the control areas by side (``ru``, ``ua`` and, where the source has a
grey zone, ``contested``) in lon/lat (OGC:CRS84). Real sources usually give only the occupied
area: the Ukrainian-held side is then Ukraine's land (bundled regions) minus the other sides.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

from loc import crs as lcrs
from loc.errors import DateError, GeometryError, InputError
from loc.regions import ukraine
from loc.sources import deepstate, isw

SIDES = ("ru", "ua", "contested")
"""Sides in a snapshot: Russian-controlled, Ukrainian-controlled, contested (grey zone)."""

UKRAINE_BBOX = (22.0, 44.0, 40.5, 52.5)
"""Ukraine's bounds in lon/lat (degrees), with a small margin."""

_SIDE_WORDS = {
    "ru": "ru", "russia": "ru", "russian": "ru", "occupied": "ru", "rf": "ru",
    "ua": "ua", "ukraine": "ua", "ukrainian": "ua", "liberated": "ua",
    "contested": "contested", "grey": "contested", "gray": "contested",
    "grey zone": "contested", "gray zone": "contested", "unknown": "contested",
}
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")


class LocWarning(UserWarning):
    """Something in the input was repaired or dropped; the message says what and how much."""


@dataclass(frozen=True)
class Snapshot:
    """Control areas of one date from one source.

    Attributes
    ----------
    given : dict
        The sides the source gave (``ru``, ``contested``, maybe ``ua``), lon/lat polygons.
    date : datetime.date or None
        The date the control areas describe.
    source : str
        Where the data comes from (e.g. ``deepstate``).
    license : str or None
        The source's licence terms, as far as known.
    path : str or None
        The file read, if any.
    sha256 : str or None
        SHA-256 of that file's bytes.
    """

    given: dict
    date: dt.date | None = None
    source: str = "unknown"
    license: str | None = None
    path: str | None = None
    sha256: str | None = None
    meta: dict = field(default_factory=dict)

    @cached_property
    def _ua(self) -> BaseGeometry:
        others = self.given.get("ru", shapely.MultiPolygon())
        contested = self.given.get("contested")
        if contested is not None and not contested.is_empty:
            others = shapely.union(others, contested)
        if "ua" in self.given:
            return _polygonal(shapely.difference(self.given["ua"], others))
        return _polygonal(shapely.difference(ukraine(), others))

    def side(self, name: str) -> BaseGeometry:
        """Geometry of one side (lon/lat); an empty polygon when the side is absent.

        ``ua`` is Ukraine's land (bundled regions) minus the other sides unless the source
        gave it (then the given area minus the other sides); computed on first use.
        """
        if name == "ua":
            return self._ua
        geom = self.given.get(name)
        return geom if geom is not None else shapely.Polygon()

    def side_at(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """The side (``ru``, ``ua``, ``contested``) holding each lon/lat point, ``""`` for
        a point no side holds."""
        out = np.full(len(lon), "", dtype=object)
        for name in ("ua", "contested", "ru"):
            geom = self.side(name)
            if not geom.is_empty:
                shapely.prepare(geom)
                out[shapely.contains_xy(geom, lon, lat)] = name
        return out

    @property
    def sides(self) -> gpd.GeoDataFrame:
        """One row per side present (``side``: ``ru``, ``ua``, ``contested``), lon/lat."""
        names = [s for s in ("ru", "ua", "contested")
                 if s in ("ru", "ua") or not self.side(s).is_empty]
        return gpd.GeoDataFrame({"side": names}, geometry=[self.side(s) for s in names],
                                crs="OGC:CRS84")

    @property
    def occupied(self) -> BaseGeometry:
        """The Russian-controlled area (side ``ru``) as given by the source, lon/lat."""
        return self.side("ru")

    @property
    def label(self) -> str:
        """``YYYY-MM-DD`` or ``undated``."""
        return self.date.isoformat() if self.date else "undated"

    def occupied_km2(self) -> float:
        """Area in km² of the whole occupied geometry as given (EQUAL_AREA CRS)."""
        return float(lcrs.area_km2(self.occupied))

    def stats(self) -> pd.DataFrame:
        """Per-region statistics; see :func:`loc.stats.snapshot_stats`."""
        from loc.stats import snapshot_stats

        return snapshot_stats(self)

    def __repr__(self) -> str:
        return (f"Snapshot({self.label}, source={self.source!r}, "
                f"occupied={self.occupied_km2():,.0f} km²)")


def from_geometries(
    ru: BaseGeometry,
    contested: BaseGeometry | None = None,
    ua: BaseGeometry | None = None,
    *,
    date: str | dt.date | None = None,
    source: str = "unknown",
    license: str | None = None,
    path: str | None = None,
    sha256: str | None = None,
    meta: dict | None = None,
) -> Snapshot:
    """Build a :class:`Snapshot` from lon/lat geometries of the sides.

    ``ua`` defaults to Ukraine's land (bundled regions) minus ``ru`` and ``contested``.
    """
    ru = _polygonal(ru)
    given = {"ru": ru}
    if contested is not None:
        contested = _polygonal(contested)
        if not contested.is_empty:
            given["contested"] = _polygonal(shapely.difference(contested, ru))
    if ua is not None:
        given["ua"] = _polygonal(ua)
    return Snapshot(given=given, date=parse_date(date) if date is not None else None,
                    source=source, license=license, path=path, sha256=sha256,
                    meta=dict(meta or {}))


def _polygonal(geom: BaseGeometry | None) -> BaseGeometry:
    """Only the polygonal parts of a geometry, as one (Multi)Polygon (maybe empty)."""
    if geom is None or geom.is_empty:
        return shapely.MultiPolygon()
    if geom.geom_type in ("Polygon", "MultiPolygon") and geom.is_valid:
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.MultiPolygon()
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def parse_date(value: str | dt.date | dt.datetime, path: str | None = None) -> dt.date:
    """Parse ``YYYY-MM-DD``, ``YYYYMMDD``, an ISO datetime, or a date object.

    Raises
    ------
    DateError
        With the value and the accepted forms.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    raise DateError(f"cannot parse date '{text}': use YYYY-MM-DD (e.g. 2025-09-05)", path)


def date_from_name(name: str) -> dt.date | None:
    """The last valid ``YYYYMMDD`` or ``YYYY-MM-DD`` in a file name, or None."""
    for m in reversed(list(_DATE_IN_NAME.finditer(Path(name).name))):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
    return None


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _gdal_path(path: Path) -> str:
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if not n.endswith("/")]
        inner = [n for n in names if n.lower().endswith((".shp", ".geojson", ".json", ".gpkg",
                                                          ".kml", ".fgb"))]
        if not inner:
            raise InputError("zip archive holds no .shp, .geojson, .gpkg, .kml or .fgb file",
                             path)
        return f"/vsizip/{path}/{sorted(inner)[0]}"
    return str(path)


def _read_frames(path: Path) -> gpd.GeoDataFrame:
    """Read every layer of a vector file with GDAL (pyogrio), one GeoDataFrame."""
    try:
        gdal_path = _gdal_path(path)
        single = path.suffix.lower() in (".geojson", ".json", ".fgb")
        layers = [(None, "Unknown")] if single else pyogrio.list_layers(gdal_path)
    except (pyogrio.errors.DataSourceError, zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            "not a geodata file GDAL can read (GeoJSON, GeoPackage, Shapefile, KML/KMZ, "
            f"FlatGeobuf); {_first_line(exc)}", path) from None
    frames = []
    for name, geom_type in layers:
        if geom_type is None and len(layers) > 1:
            continue
        try:
            frame = pyogrio.read_dataframe(gdal_path, layer=name)
        except Exception as exc:  # GDAL raises many kinds; all mean an unreadable layer
            what = (f"cannot read layer '{name}'" if name is not None else
                    "not a geodata file GDAL can read (GeoJSON, GeoPackage, Shapefile, KML/KMZ, "
                    "FlatGeobuf)")
            raise InputError(f"{what}; {_first_line(exc)}", path) from None
        if len(layers) > 1:
            frame["layer"] = name
        frames.append(frame)
    if not frames:
        raise GeometryError("has no features: the file holds no geometry layer", path)
    crs_values = {str(f.crs) for f in frames}
    if len(crs_values) > 1:
        frames = [f.to_crs("OGC:CRS84") if f.crs is not None else f for f in frames]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)


def _first_line(exc: BaseException) -> str:
    """The first line of an exception's message, without GDAL's generic driver hint."""
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return line.split(" It might help to specify")[0].rstrip(" .;") or type(exc).__name__


def _to_lonlat(gdf: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    """Reproject to lon/lat, detecting projected coordinates without CRS and swapped axes."""
    minx, miny, maxx, maxy = gdf.total_bounds
    out_of_range = max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90
    if (gdf.crs is None or gdf.crs.is_geographic) and out_of_range:
        raise GeometryError(
            f"coordinates are not lon/lat (x from {minx:.6g} to {maxx:.6g}) but the file "
            "names no projected CRS: reproject it to EPSG:4326 (lon/lat) or give the file "
            "its CRS", path)
    if gdf.crs is None:
        gdf = gdf.set_crs("OGC:CRS84")
    else:
        try:
            gdf = gdf.to_crs("OGC:CRS84")
        except Exception as exc:  # pyproj raises several kinds for broken CRS definitions
            raise GeometryError(f"cannot reproject from its CRS: {_first_line(exc)}",
                                path) from None
    minx, miny, maxx, maxy = gdf.total_bounds
    bx0, by0, bx1, by1 = UKRAINE_BBOX
    overlaps = minx <= bx1 and maxx >= bx0 and miny <= by1 and maxy >= by0
    swapped = miny <= bx1 and maxy >= bx0 and minx <= by1 and maxx >= by0
    if not overlaps and swapped:
        raise GeometryError(
            "coordinates look like lat/lon swapped (x spans "
            f"{minx:.1f} to {maxx:.1f}, which is Ukraine's latitude): write them as lon, lat "
            "(GeoJSON order)", path)
    if not overlaps:
        raise GeometryError(
            f"geometry lies far outside Ukraine (bounds lon {minx:.1f}..{maxx:.1f}, lat "
            f"{miny:.1f}..{maxy:.1f}): is this a control map of Ukraine in lon/lat?", path)
    return gdf


def _assign_sides(gdf: gpd.GeoDataFrame, path: Path, names=None) -> tuple[pd.Series, str]:
    """Side of each feature and the scheme that gave it: a ``side`` column (``side``),
    DeepStateMap layer names (``deepstate``), ISW layer names or the ``names`` mapping given
    (``isw``), else every feature ``ru`` (``default``)."""
    columns = {c.lower(): c for c in gdf.columns if c != "geometry"}
    if "side" in columns:
        raw = gdf[columns["side"]].astype(str).str.strip().str.casefold()
        sides = raw.map(_SIDE_WORDS)
        bad = sorted(set(raw[sides.isna()]))
        if bad:
            raise GeometryError(
                f"unknown side value(s) {', '.join(repr(b) for b in bad[:3])} in column "
                "'side': use ru, ua or contested", path)
        return sides, "side"
    if "name" in columns and deepstate.is_deepstate_names(gdf[columns["name"]]):
        sides = gdf[columns["name"]].map(deepstate.side_of_name)
        # liberated areas are informative: the ua side is the land minus the other sides
        return sides.where(sides != "ua"), "deepstate"
    mapping = names or isw.DEFAULT_MAPPING
    for col in ("layer", "name", "folder"):
        if col in columns and isw.matches_any(gdf[columns[col]], mapping):
            return gdf[columns[col]].map(lambda n: isw.side_of_layer(n, mapping)), "isw"
    if names:
        raise GeometryError("no layer or placemark name matches the given name mapping", path)
    return pd.Series("ru", index=gdf.index), "default"


def _repair(geom: BaseGeometry, side: str, path: Path) -> BaseGeometry:
    """Repair invalid polygons with make_valid, warning how much area changed."""
    if shapely.is_valid(geom):
        return geom
    reason = shapely.is_valid_reason(geom)
    before = float(lcrs.area_km2(geom))
    fixed = _polygonal(shapely.make_valid(geom))
    after = float(lcrs.area_km2(fixed))
    change = abs(after - before)
    if fixed.is_empty or (before > 0 and change > 0.1 * before):
        raise GeometryError(
            f"invalid {side} polygon ({reason}) cannot be repaired safely: repair would change "
            f"its area by {change:,.1f} km²; fix the file in a GIS", path)
    pct = 100 * change / before if before else 0.0
    warnings.warn(
        f"{path}: repaired invalid {side} polygon ({reason}); area changed by "
        f"{change:,.3f} km² ({pct:.3f} %)", LocWarning, stacklevel=4)
    return fixed


def _date_from_properties(gdf: gpd.GeoDataFrame, path: Path) -> dt.date | None:
    for name in ("date", "datetime", "as_of"):
        value = _property(gdf, name)
        if value:
            return parse_date(value, str(path))
    return None


def read(path: str | Path, date: str | dt.date | None = None,
         source: str | None = None, names=None) -> Snapshot:
    """Read a control-area file into a :class:`Snapshot`.

    Reads any vector format GDAL reads (GeoJSON, GeoPackage, Shapefile also zipped, KML/KMZ,
    FlatGeobuf), the JSON of DeepStateMap's API (``{"id", "datetime", "map"}``), and
    ``STORE.gpkg@YYYY-MM-DD`` references to a snapshot store. Sides come from a ``side``
    column (``ru``/``ua``/``contested``), from DeepStateMap layer names (``"uk///en///key"``),
    from ISW layer names (see :mod:`loc.sources.isw`), or, when the file has none of these,
    every polygon is taken as Russian-controlled (the DeepState archive's form). Z is dropped,
    geometry is reprojected to lon/lat (OGC:CRS84), invalid polygons are repaired with a
    warning, and polygons wholly outside Ukraine are dropped with a warning.

    Parameters
    ----------
    path : str or Path
        The file.
    date : str or date, optional
        The date; else a ``date`` property, else a ``YYYYMMDD``/``YYYY-MM-DD`` in the name.
    source : str, optional
        A source name; else a ``source`` property, ``deepstate`` for DeepState files, ``isw``
        for ISW layers, ``file`` otherwise.
    names : sequence of (pattern, side), optional
        How layer or placemark names map to sides (case-insensitive regular expressions,
        first match wins; side None drops the layer); default
        :data:`loc.sources.isw.DEFAULT_MAPPING`.

    Raises
    ------
    LocError
        One line naming the file and the problem.

    Examples
    --------
    >>> snap = read("data/sample/sample_2025-09-05.geojson")  # doctest: +SKIP
    >>> snap.date
    datetime.date(2025, 9, 5)
    """
    from loc.store import read_store, split_reference

    ref = split_reference(str(path))
    if ref is not None and not Path(path).exists():
        return read_store(ref[0], ref[1], source=source)
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", path)
    if path.is_dir():
        raise InputError("is a directory: give one snapshot file", path)
    when = parse_date(date, str(path)) if date is not None else None
    api = deepstate.api_document(path)
    if api is not None:
        gdf, api_date = api
        when = when or api_date
    else:
        gdf = _read_frames(path)
    if len(gdf) == 0 or gdf.geometry.isna().all():
        raise GeometryError("has no features with a readable geometry (the collection is "
                            "empty, or every geometry is null or broken)", path)
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    gdf = gdf.set_geometry(shapely.force_2d(gdf.geometry.values))
    polys = gdf[gdf.geom_type.isin(["Polygon", "MultiPolygon"])]
    if len(polys) == 0:
        kinds = ", ".join(sorted(set(gdf.geom_type)))
        raise GeometryError(
            f"has no polygons (found {kinds or 'nothing'}): loc needs control areas as "
            "polygons", path)
    polys = _to_lonlat(polys, path)
    sides, scheme = _assign_sides(polys, path, names)
    polys = polys.assign(side=sides.values)
    polys = polys[polys["side"].notna()]
    if len(polys) == 0:
        raise GeometryError("has no control-area polygons (no layer is ru, ua or contested)",
                            path)
    near = shapely.box(*UKRAINE_BBOX)
    outside = ~polys.geometry.intersects(near)
    if outside.all():
        raise GeometryError("every polygon lies outside Ukraine", path)
    if outside.any():
        warnings.warn(f"{path}: dropped {int(outside.sum())} polygon(s) lying outside Ukraine",
                      LocWarning, stacklevel=2)
        polys = polys[~outside]
    geoms = {}
    for side in SIDES:
        part = polys.geometry[polys["side"] == side].values
        if len(part):
            part = np.array([_repair(g, side, path) for g in part], dtype=object)
            geoms[side] = part[0] if len(part) == 1 else shapely.union_all(part)
    if when is None:
        when = _date_from_properties(polys, path) or date_from_name(path.name)
    if source is None:
        source = _property(polys, "source") or (
            "deepstate" if scheme == "deepstate" or _is_deepstate_archive(path) else
            "isw" if scheme == "isw" else "file")
    license_ = _license(polys, source)
    return from_geometries(
        geoms.get("ru", shapely.MultiPolygon()), geoms.get("contested"), geoms.get("ua"),
        date=when, source=source, license=license_, path=str(path), sha256=file_sha256(path),
    )


def _is_deepstate_archive(path: Path) -> bool:
    return path.name.lower().startswith("deepstatemap_data_")


def _property(gdf: gpd.GeoDataFrame, name: str) -> str | None:
    """First non-empty value of a property (case-insensitive column name), or None."""
    for col in gdf.columns:
        if col.lower() == name:
            values = [v for v in gdf[col].dropna().astype(str).unique() if v.strip()]
            if values:
                return values[0].strip()
    return None


def _license(gdf: gpd.GeoDataFrame, source: str) -> str | None:
    found = _property(gdf, "license")
    if found:
        return found
    if source == "deepstate":
        return deepstate.LICENSE
    if source == "isw":
        return isw.LICENSE
    return None

"""Reading control-area files: one validation step for every format.

Every reader (GeoJSON, GeoPackage, Shapefile also zipped, KML/KMZ, FlatGeobuf, the JSON of
DeepStateMap's API) goes through :func:`snapshot_from_frame`; a plain GeoJSON file (the
DeepState archive's form, see :class:`loc.io.rings.PlainReader`) is read without GDAL to the
same snapshot, or left to GDAL's reading. The validation refuses what would give a wrong
answer instead of guessing: coordinates that are not finite numbers (never "repaired"),
more vertices, bytes or nesting than the limits of :mod:`loc.config`, coordinates that are
not lon/lat or are swapped, files with no control-area polygons. It repairs invalid polygons
only where the repair changes the area by less than 10 %, and says how much in a
:class:`~loc.errors.LocWarning`. No GDAL, GEOS or parser exception escapes: each becomes one
:class:`~loc.errors.LocError` line naming the file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from loc import config, geo
from loc.dates import date_from_name, parse_date
from loc.errors import (
    DateError,
    GeometryError,
    InputError,
    LimitError,
    LocError,
    LocWarning,
    first_line,
    quoted,
)
from loc.geo import repair
from loc.io.hashing import SIDE_DIGEST, bytes_sha256, input_sha256, read_set
from loc.io.rings import PlainReader, layer_name, plain_bytes
from loc.io.writers import URI_LIKE
from loc.model import SIDES, Snapshot, from_geometries
from loc.reference.sample import sample_path
from loc.safejson import loads
from loc.sources import deepstate, isw

VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".kml", ".kmz", ".fgb", ".shp", ".zip")
"""File types loc reads as snapshots (anything else GDAL reads works too, named directly)."""

_SIDE_WORDS = {
    "ru": "ru", "russia": "ru", "russian": "ru", "occupied": "ru", "rf": "ru",
    "ua": "ua", "ukraine": "ua", "ukrainian": "ua", "liberated": "ua",
    "contested": "contested", "grey": "contested", "gray": "contested",
    "grey zone": "contested", "gray zone": "contested", "unknown": "contested",
}
_GDAL_HINT = ("not a geodata file GDAL can read (GeoJSON, GeoPackage, Shapefile, KML/KMZ, "
              "FlatGeobuf)")


def _check_size(nbytes: int, what: str, path: Path) -> None:
    limit = config.limit("bytes")
    if nbytes > limit:
        raise LimitError(f"{what} of {nbytes:,} bytes is over the {limit:,}-byte limit "
                         "(raise LOC_MAX_BYTES)", path)


@contextlib.contextmanager
def _unpacked(path: Path) -> Iterator[Path]:
    """A zip or KMZ archive's members extracted (with the size limit counted on the bytes
    actually inflated, not on what the archive claims) into a temporary folder."""
    tmp = Path(tempfile.mkdtemp(prefix="loc-unzip-"))
    try:
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"not a readable zip archive ({first_line(exc)})", path) from None
        total, limit = 0, config.limit("bytes")
        with archive:
            for info in archive.infolist():
                name = Path(info.filename)
                if info.is_dir() or name.is_absolute() or ".." in name.parts:
                    continue
                target = tmp / name
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    with archive.open(info) as src, open(target, "wb") as dst:
                        while block := src.read(1 << 20):
                            total += len(block)
                            if total > limit:
                                raise LimitError(
                                    f"archive inflates to more than {limit:,} bytes (raise "
                                    "LOC_MAX_BYTES if it is genuine)", path)
                            dst.write(block)
                except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
                    raise InputError(f"damaged zip archive ({first_line(exc)})", path) from None
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


WRITES_BESIDE = (".gpkg", ".gml", ".xml")
"""Suffixes of files GDAL writes to, or beside, when it reads them: it folds a GeoPackage's
``-wal`` into the file (and deletes the log), and writes a ``.gfs`` beside a GML. Read from
a copy, so that the input stays as it was given and its recorded SHA-256 is that of what was
given."""


@contextlib.contextmanager
def gdal_path(path: Path) -> Iterator[Path]:
    """A path the GDAL bindings open as the file it names.

    pyogrio and fiona parse a path as a URI, so ``a;b.geojson`` opens ``a`` and ``x!y`` an
    archive; such a file (and the sidecar files GDAL reads with it,
    :func:`loc.io.hashing.read_set`) is linked, or copied where links are not allowed, into a
    temporary folder under a plain name. A file GDAL writes beside (:data:`WRITES_BESIDE`)
    is copied there whatever its name: an input is never changed by reading it.

    Parameters
    ----------
    path : pathlib.Path
        A local file.

    Yields
    ------
    pathlib.Path
        The path to hand to GDAL.
    """
    copy = path.suffix.lower() in WRITES_BESIDE
    if not copy and not URI_LIKE.search(str(path)):
        yield path
        return
    tmp = Path(tempfile.mkdtemp(prefix="loc-path-"))
    try:
        for f in read_set(path):
            target = tmp / ("input" + f.name[len(path.stem):])
            if copy:
                shutil.copyfile(f, target)
                continue
            try:
                os.symlink(f.resolve(), target)
            except OSError:
                shutil.copyfile(f, target)
        yield tmp / ("input" + path.suffix)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _inner(folder: Path, path: Path) -> Path:
    """The geodata file of an extracted archive: a KMZ's ``doc.kml``, else its one data
    file (``.json`` only when there is no other); several are refused, never one of them
    read for all (a zip of two halves gave half the area)."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    for p in files:
        if p.name.lower() == "doc.kml":
            return p
    found = [p for p in files if p.suffix.lower() in (".shp", ".geojson", ".gpkg", ".kml",
                                                       ".fgb")]
    found = found or [p for p in files if p.suffix.lower() == ".json"]
    if not found:
        raise InputError("archive holds no .kml, .shp, .geojson, .gpkg or .fgb file", path)
    if len(found) > 1:
        names = ", ".join(str(p.relative_to(folder)) for p in found[:5])
        raise InputError(f"archive holds {len(found)} geodata files ({names}"
                         f"{', ...' if len(found) > 5 else ''}): give one file, or an archive "
                         "of one", path)
    return found[0]


_INDIRECT = {
    b"<ogrvrtdatasource": "is an OGR VRT, a file that points GDAL at other files (or URLs)",
    b"<ogrwfsdatasource": "is a WFS description, a file that points GDAL at a web service",
    b"gdal_streamed_alg": "is a GDALG file, a GDAL command that reads other files (or URLs)",
}
"""Content (lower case, in a file's first bytes, whatever its suffix: GDAL finds the driver
by content) of formats that make GDAL read files other than the one named, or the network:
a snapshot's sha256 would not cover what was read, and ``loc fetch`` alone goes online."""

_NO_FETCH = {"GML_DOWNLOAD_WFS_SCHEMA": "NO", "GML_SKIP_RESOLVE_ELEMS": "ALL",
             "LIBKML_RESOLVE_STYLE": "NO", "LIBKML_EXTERNAL_STYLE": "NO"}
"""GDAL settings under which the GML and KML drivers fetch no schema, linked element or
style (GDAL downloads a WFS schema by default), while a file is listed and read."""

_HEAD = 1 << 16


def _url_in(node, level: int = 0) -> str | None:
    """A URL (``scheme://``) in a GeoJSON ``crs`` member, other than the OGC's CRS names
    (``http://www.opengis.net/def/crs/EPSG/0/4326``), which GDAL resolves offline."""
    if isinstance(node, str):
        text = node.strip().lower()
        offline = text.split("://", 1)[-1].removeprefix("www.").startswith(
            "opengis.net/def/crs/")
        return node if "://" in text and not offline else None
    if level < 8 and isinstance(node, dict):
        node = list(node.values())
    if level < 8 and isinstance(node, list):
        for v in node:
            found = _url_in(v, level + 1)
            if found:
                return found
    return None


def _crs_problem(doc) -> str | None:
    """Why a GeoJSON ``crs`` member would make GDAL go online: one of type ``link`` (GDAL
    fetches its ``href``) or naming a URL (a name GDAL takes as a URL to fetch)."""
    member = doc.get("crs") if isinstance(doc, dict) else None
    if member is None:
        return None
    url = _url_in(member)
    if isinstance(member, dict) and member.get("type") == "link" or url:
        shown = f" ({url[:60]})" if url else ""
        return (f"names its CRS by a link{shown}: loc reads nothing over the network outside "
                "loc fetch; name the CRS (\"urn:ogc:def:crs:EPSG::4326\") or reproject to "
                "lon/lat")
    return None


def checked_before_gdal(real: Path, path: Path) -> object | None:
    """Refuse, before GDAL opens it, a file GDAL would read in part, repair quietly, or
    read beside other files or the network: an indirect format (:data:`_INDIRECT`), a JSON
    file (by suffix or content) that is not valid JSON within the limits, whose geometry
    :func:`geojson_problem` finds wrong, or whose CRS is a link.

    Parameters
    ----------
    real : pathlib.Path
        The file GDAL will open (an archive's member, say).
    path : pathlib.Path
        The file the user named, for the messages.

    Returns
    -------
    object or None
        The parsed JSON document, or None for a file that is not JSON.

    Raises
    ------
    LocError
        One line naming the file.
    """
    with open(real, "rb") as fh:
        head = fh.read(_HEAD)
    low = head.lower()
    for mark, what in _INDIRECT.items():
        if mark in low:
            raise InputError(f"{what}: give the data file itself", path)
    if real.suffix.lower() not in (".json", ".geojson") and not head.lstrip(
            b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return None
    # GDAL's JSON parser recurses: check depth and size before it sees the text
    raw = real.read_bytes()
    try:  # a member named twice: GDAL takes one, a reader of the text may take the other
        doc = loads(raw, str(path), unique_keys=True)
    except LimitError:
        raise
    except InputError as exc:
        raise InputError(f"{_GDAL_HINT}; {str(exc).split(': ', 1)[-1]}", path) from None
    problem = geojson_problem(doc, booleans=b"true" in raw or b"false" in raw)
    if problem is not None:
        raise GeometryError(f"{problem}: refused, not repaired; fix the file", path)
    problem = _crs_problem(doc)
    if problem is not None:
        raise InputError(problem, path)
    return doc


def _fiona_reads(gdal_file: str) -> None:
    """Let fiona read KML and KMZ (fiona lists neither driver as supported, though its GDAL
    may have them); a GDAL without them is said in one line."""
    if Path(gdal_file).suffix.lower() not in (".kml", ".kmz"):
        return
    import fiona
    from fiona import drvsupport

    with fiona.Env() as env:
        present = set(env.drivers())
    kml = [d for d in ("LIBKML", "KML") if d in present]
    if not kml:
        raise InputError("the GDAL of engine fiona has no KML driver: use --engine pyogrio",
                         gdal_file)
    for d in kml:
        drvsupport.supported_drivers.setdefault(d, "r")


def _layers(gdal_path: str, name: str) -> list[tuple[str | None, str | None]]:
    if name == "fiona":
        import fiona

        _fiona_reads(gdal_path)
        with _no_fetch():
            return [(n, "Unknown") for n in fiona.listlayers(gdal_path)]
    import pyogrio

    with _no_fetch():  # listing opens the file too (a GML asks a WFS for its schema)
        return [(str(n), None if t is None else str(t))
                for n, t in pyogrio.list_layers(gdal_path)]


def _read_layer(gdal_path: str, layer: str | None, name: str,
                as_written: bool = False) -> gpd.GeoDataFrame:
    # pyogrio turns date-time fields with an offset into UTC (an incident at 00:30+02:00
    # moves to the day before); as_written keeps them as the file writes them (fiona does)
    extra: dict = {"datetime_as_string": True} if as_written and name == "pyogrio" else {}
    if name == "fiona":
        _fiona_reads(gdal_path)
    if layer is not None:
        extra["layer"] = layer
    with _no_fetch():
        return gpd.read_file(gdal_path, engine=name, **extra)


@contextlib.contextmanager
def _no_fetch() -> Iterator[None]:
    """GDAL's settings :data:`_NO_FETCH` while a file is read (as environment variables,
    which both bindings' GDAL read), then as they were."""
    saved = {k: os.environ.get(k) for k in _NO_FETCH}
    os.environ.update(_NO_FETCH)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def read_frames(path: str | Path, engine: str | None = None,
                as_written: bool = False) -> gpd.GeoDataFrame:
    """Every layer of a vector file read with GDAL, as one GeoDataFrame (a ``layer`` column
    says which layer each row came from when there are several).

    Parameters
    ----------
    path : str or Path
        The file; ``.zip`` and ``.kmz`` archives are unpacked first (within the size limit).
    engine : {"pyogrio", "fiona"}, optional
        GDAL binding (default :func:`loc.config.engine`).
    as_written : bool
        Date and time fields as the file writes them (text, offsets kept), not converted
        to UTC datetimes.

    Returns
    -------
    geopandas.GeoDataFrame
        The features as read (CRS as in the file).

    Raises
    ------
    LocError
        One line naming the file: missing, too large, unreadable, no geometry layer.
    """
    path = Path(path)
    name = config.engine(engine)
    if not path.exists():
        raise InputError("no such file", path)
    if path.is_dir():
        raise InputError("is a directory: give one file", path)
    return _read_checked(path, name, as_written)[0]


class _Read(NamedTuple):
    """What :func:`_read_checked` read: the features, the JSON document
    :func:`checked_before_gdal` parsed (None for other files), the file's layer name (a
    JSON document's :func:`~loc.io.rings.layer_name`, or the name of its one layer; None
    for several) and, for an archive, the name of the member read."""

    gdf: gpd.GeoDataFrame
    doc: object | None
    layer: str | None
    member: str | None


def _read_checked(path: Path, name: str, as_written: bool) -> _Read:
    """:func:`read_frames` of an existing file, with what else it says (:class:`_Read`)."""
    _check_size(path.stat().st_size, "file", path)
    if path.suffix.lower() in (".zip", ".kmz"):
        with _unpacked(path) as folder:
            inner = _inner(folder, path)
            return _read_all(inner, name, path, as_written)._replace(member=inner.name)
    return _read_all(path, name, path, as_written)


def _read_all(real: Path, name: str, path: Path, as_written: bool) -> _Read:
    try:
        doc = checked_before_gdal(real, path)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path) from None
    with gdal_path(real) as safe:
        gdf, layer = _read_layers(safe, name, path, as_written, doc is not None)
        return _Read(gdf, doc, layer_name(doc) if doc is not None else layer, None)


def _read_layers(real: Path, name: str, path: Path, as_written: bool, json_doc: bool
                 ) -> tuple[gpd.GeoDataFrame, str | None]:
    """The features of every layer, and the name of the file's one layer (None for
    several, or for a JSON document: GDAL reads it as one layer, not listed)."""
    single = json_doc or real.suffix.lower() in (".geojson", ".json")
    try:
        layers: list[tuple[str | None, str | None]] = (
            [(None, "Unknown")] if single else _layers(str(real), name))
    except Exception as exc:  # GDAL bindings raise many kinds: all mean "cannot open"
        raise InputError(f"{_GDAL_HINT}; {first_line(exc)}", path) from None
    frames = []
    for layer, geom_type in layers:
        if geom_type is None and len(layers) > 1:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                frame = _read_layer(str(real), layer, name, as_written)
        except LocError:
            raise
        except Exception as exc:  # GDAL raises many kinds; all mean an unreadable layer
            what = f"cannot read layer '{layer}'" if layer is not None else _GDAL_HINT
            raise InputError(f"{what}; {first_line(exc)}", path) from None
        if not isinstance(frame, gpd.GeoDataFrame):  # a table: a CSV without WKT, say
            if len(layers) > 1:
                continue
            raise GeometryError("has no geometry: GDAL reads it as a table without a "
                                "geometry column (a CSV needs a WKT column)", path)
        frame = _without_overlays(frame, real, path)
        if len(layers) > 1:
            frame["layer"] = layer
        frames.append(frame)
    if not frames:
        raise GeometryError("has no features: the file holds no geometry layer", path)
    crs_values = {str(f.crs) for f in frames}
    if len(crs_values) > 1:
        frames = [f.to_crs("OGC:CRS84") if f.crs is not None else f for f in frames]
    one = layers[0][0] if len(layers) == 1 else None
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs), one


def _without_overlays(frame: gpd.GeoDataFrame, real: Path, path: Path) -> gpd.GeoDataFrame:
    """A KML layer without its image overlays (GroundOverlay: GDAL gives the picture's
    frame as a polygon, with the image in ``icon``), left out with a warning: a picture's
    box is no control area."""
    if real.suffix.lower() != ".kml" or "icon" not in frame.columns:
        return frame
    icon = frame["icon"]
    image = icon.notna() & (icon.astype(str).str.strip() != "")
    if not image.any():
        return frame
    warnings.warn(f"{path}: {int(image.sum())} image overlay(s) left out (a KML "
                  "GroundOverlay's box frames a picture: it is no area)", LocWarning,
                  stacklevel=5)
    return frame[~image.to_numpy()]


def check_finite(gdf: gpd.GeoDataFrame, path: str | Path | None) -> None:
    """Refuse features with a coordinate (x, y or z) that is not a finite number
    (:func:`loc.geo.first_nonfinite`), and more vertices than the limit.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features.
    path : str or Path, optional
        The file, for the message.

    Raises
    ------
    GeometryError
        Naming the first bad feature (0-based, in file order) and vertex.
    LimitError
        When the file holds more vertices than ``LOC_MAX_VERTICES``.
    """
    geoms = gdf.geometry.values
    counts = shapely.get_num_coordinates(geoms)
    limit = config.limit("vertices")
    if int(counts.sum()) > limit:
        raise LimitError(f"holds {int(counts.sum()):,} vertices, over the limit of "
                         f"{limit:,} (raise LOC_MAX_VERTICES if it is genuine)", path)
    bad = geo.first_nonfinite(geoms)  # z too: a NaN z is no more a number than a NaN x
    if bad is not None:
        feat, vertex, shown = bad
        raise GeometryError(
            f"feature {feat} has a coordinate that is not a finite number (vertex {vertex}: "
            f"{shown}): refused, not repaired; fix the file", path)


def to_lonlat(gdf: gpd.GeoDataFrame, path: str | Path | None) -> gpd.GeoDataFrame:
    """Reproject to lon/lat (OGC:CRS84), refusing projected coordinates without a CRS,
    swapped axes and geometry far from Ukraine.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features with finite coordinates.
    path : str or Path, optional
        The file, for messages.

    Returns
    -------
    geopandas.GeoDataFrame
        The features in lon/lat.

    Raises
    ------
    GeometryError
        One line saying what is wrong and how to fix it.
    """
    minx, miny, maxx, maxy = gdf.total_bounds
    out_of_range = max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90
    if (gdf.crs is None or gdf.crs.is_geographic) and out_of_range:
        raise GeometryError(
            f"coordinates are not lon/lat (x from {minx:.6g} to {maxx:.6g}) but no projected "
            "CRS is named: reproject to EPSG:4326 (lon/lat) or name the CRS", path)
    if gdf.crs is None:
        gdf = gdf.set_crs("OGC:CRS84")
    else:
        try:
            gdf = gdf.to_crs("OGC:CRS84")
        except Exception as exc:  # pyproj raises several kinds for broken CRS definitions
            raise GeometryError(f"cannot reproject from its CRS: {first_line(exc)}",
                                path) from None
        coords = shapely.get_coordinates(gdf.geometry.values)
        if not np.isfinite(coords).all():
            raise GeometryError("coordinates fall outside what its CRS can project to "
                                "lon/lat", path)
    geo.check_near_ukraine(gdf.total_bounds, path)
    return gdf


def lonlat_frame(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    """A GeoDataFrame given to loc in Python, checked as a file's features are: finite and
    in lon/lat (reprojected from its CRS; coordinates that are not lon/lat without a CRS
    refused), near Ukraine. Zones in EPSG:3857 were used as degrees and missed every
    incident.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The frame.
    what : str
        What it is (``zones``, ``the line``), for the messages.

    Returns
    -------
    geopandas.GeoDataFrame
        The frame in lon/lat (OGC:CRS84); a copy when it was reprojected.

    Raises
    ------
    GeometryError
        One line saying what is wrong (a row without geometry too).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> f = gpd.GeoDataFrame(geometry=[shapely.Point(3_700_000, 6_000_000)], crs=3857)
    >>> round(float(lonlat_frame(f, "points").geometry.x.iloc[0]), 2)
    33.24
    """
    if gdf.empty:
        return gdf.set_crs("OGC:CRS84", allow_override=True)
    missing = np.flatnonzero(gdf.geometry.isna().to_numpy())
    if len(missing):
        raise GeometryError(f"row {int(missing[0])} (0-based) has no geometry", what)
    check_finite(gdf, what)
    return to_lonlat(gdf, what)


def read_features(path: str | Path, engine: str | None = None,
                  as_written: bool = False) -> gpd.GeoDataFrame:
    """Features of any vector file, checked (finite, within limits) and in lon/lat: the
    reader of sites, exchanges and incident points.

    Parameters
    ----------
    path : str or Path
        The file.
    engine : {"pyogrio", "fiona"}, optional
        GDAL binding.
    as_written : bool
        Date and time fields as written (see :func:`read_frames`).

    Returns
    -------
    geopandas.GeoDataFrame
        Non-empty 2-D geometries in lon/lat (OGC:CRS84), indexed by their place in the
        file (0 for the first feature). A feature without a geometry is left out with a
        :class:`~loc.errors.LocWarning` naming its number.
    """
    gdf = read_frames(path, engine, as_written).reset_index(drop=True)
    kept = gdf.geometry.notna() & ~gdf.geometry.is_empty
    if not kept.all():
        gone = [str(i + 1) for i in np.flatnonzero(~kept.to_numpy())]
        warnings.warn(f"{path}: {len(gone)} feature(s) without a geometry left out "
                      f"(feature(s) {', '.join(gone[:10])}{', ...' if len(gone) > 10 else ''})",
                      LocWarning, stacklevel=2)
    gdf = gdf[kept]
    if gdf.empty:
        raise GeometryError("has no features with a geometry", path)
    check_finite(gdf, path)
    gdf = gdf.set_geometry(shapely.force_2d(gdf.geometry.values))
    return to_lonlat(gdf, path)


def _assign_sides(gdf: gpd.GeoDataFrame, path, names=None) -> tuple[pd.Series, str]:
    """Side of each feature and the scheme that gave it: a ``side`` column (``side``),
    DeepStateMap layer names (``deepstate``), ISW layer names or the ``names`` mapping given
    (``isw``), else every feature ``ru`` (``default``)."""
    columns = {c.lower(): c for c in gdf.columns if c != gdf.geometry.name}
    if "side" in columns:
        values = gdf[columns["side"]]
        missing = values.isna()
        # a missing value (JSON null) is no side: named as null, never read as a word
        raw = values.where(~missing, "").map(lambda v: str(v).strip().casefold())
        sides = raw.where(~missing).map(_SIDE_WORDS)
        bad = (["null"] if missing.any() else []) + sorted(
            repr(b[:30]) for b in set(raw[sides.isna() & ~missing]))
        if bad:
            raise GeometryError(
                f"unknown side value(s) {', '.join(bad[:3])} in column 'side': use ru, ua or "
                "contested", path)
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
    if "layer" in columns and gdf[columns["layer"]].nunique() > 1:
        # layers of unknown meaning are not all the occupied area (a reference box in a
        # layer of its own was added to it)
        shown = ", ".join(sorted(map(str, gdf[columns["layer"]].unique()))[:5])
        raise GeometryError(f"holds several layers ({shown}) and nothing says which side each "
                            "is: give one layer, a 'side' column, or layer names of "
                            "DeepStateMap or ISW (or a name mapping)", path)
    return pd.Series("ru", index=gdf.index), "default"


def _property(gdf: gpd.GeoDataFrame | None, name: str) -> str | None:
    """First non-empty value of a property (case-insensitive column name), or None."""
    if gdf is None:
        return None
    for col in gdf.columns:
        if str(col).lower() == name and col != gdf.geometry.name:
            values = [v for v in gdf[col].dropna().astype(str).unique() if v.strip()]
            if values:
                return " ".join(values[0].split())[:200]
    return None


def file_date(origin: str, file_name: str | None, layer: str | None = None,
              gdf: gpd.GeoDataFrame | None = None, given: dt.date | None = None,
              member: str | None = None) -> dt.date | None:
    """The date a file gives itself, from every place it can say one, all of which must
    agree: the date in the file's name (:func:`loc.dates.date_from_name`), in the name of the
    archive member read (a zip's), its container's (``given``: an API answer's
    ``datetime``), a ``date`` (else ``datetime``, else ``as_of``) property, and the date in
    its layer name (a GeoJSON FeatureCollection's ``name``, or the one layer's name of a
    GeoPackage, FlatGeobuf, KML or shapefile: DeepStateMap's archive names each file's date
    there too, and a conversion keeps it, so a file copied under another date's name is
    caught). A file of several layers has no layer name.

    Parameters
    ----------
    origin : str
        The file, for messages.
    file_name : str, optional
        Its name.
    layer : str, optional
        Its layer name.
    gdf : geopandas.GeoDataFrame, optional
        Its features, whose properties may hold a date.
    given : datetime.date, optional
        The date its container gave.
    member : str, optional
        The name of the archive member read.

    Returns
    -------
    datetime.date or None
        The date (None when the file says none).

    Raises
    ------
    DateError
        When two of these places give different dates.

    Examples
    --------
    >>> file_date("a.geojson", "deepstatemap_data_20250905.geojson",
    ...           "deepstatemap_data_20250905")
    datetime.date(2025, 9, 5)
    >>> file_date("a.geojson", "map.geojson", "deepstatemap_data_20250905")
    datetime.date(2025, 9, 5)
    """
    said: list[tuple[str, dt.date]] = []

    def in_text(what: str, text: object) -> None:
        if isinstance(text, str) and text.strip():
            with warnings.catch_warnings():  # a layer or member name need not hold a date
                warnings.simplefilter("ignore", LocWarning)
                day = date_from_name(text.replace("/", " ").replace("\\", " "))
            if day is not None:
                said.append((what.format(quoted(text)), day))

    in_name = date_from_name(file_name) if file_name else None
    if in_name is not None:
        said.append(("its name", in_name))
    in_text("its member's name ({})", member)
    if given is not None:
        said.append(("its content", given))
    for prop in ("date", "datetime", "as_of"):
        value = _property(gdf, prop)
        if value:
            said.append((f"its {prop} property", parse_date(value, origin)))
            break
    in_text("its layer name ({})", layer)
    for what, day in said[1:]:
        if day != said[0][1]:
            raise DateError(f"{said[0][0]} says {said[0][1].isoformat()} but {what} says "
                            f"{day.isoformat()}: which is it? (a file copied under "
                            "another date's name, say)", origin)
    return said[0][1] if said else None


def _collections_opened(geoms: np.ndarray) -> tuple[np.ndarray, int]:
    """Geometry collections (KML's MultiGeometry, say) as the polygons they hold, as drawn
    (one MultiPolygon, not joined: overlapping parts are the repair's to join, with its
    warning), and how many points and lines the features hold, in collections or not: they
    are left out (:func:`snapshot_from_frame` says so)."""
    out = geoms.copy()
    dropped = 0
    types = shapely.get_type_id(geoms)
    for i in np.flatnonzero(types == 7):  # GeometryCollection
        polys, other = geo.drawn_polygons(geoms[i])
        dropped += other
        if polys:
            out[i] = polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)
    lines_points = ~np.isin(types, (3, 6, 7))  # Polygon, MultiPolygon, GeometryCollection
    dropped += int(lines_points.sum())
    return out, dropped


def snapshot_from_frame(gdf: gpd.GeoDataFrame, origin: str, *, date=None,
                        own_date: dt.date | None = None, source: str | None = None,
                        names=None, sha256: str | None = None,
                        file_name: str | None = None, scheme_hint: str | None = None,
                        layer: str | None = None, member: str | None = None) -> Snapshot:
    """The one validation step: features as read from any format to a :class:`Snapshot`.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features as read (any CRS, any geometry types).
    origin : str
        The file or URL, for messages and provenance.
    date : str or datetime.date, optional
        The date asked for: the snapshot's date when the input has none; when it has one,
        the two must agree.
    own_date : datetime.date, optional
        A date the input's container gave (e.g. an API answer's ``datetime``).
    source : str, optional
        The source name; else a ``source`` property, else from the names scheme.
    names : sequence of (pattern, side), optional
        Layer-name mapping for ISW-style files.
    sha256 : str, optional
        The input's SHA-256.
    file_name : str, optional
        A file name to read a date from.
    scheme_hint : str, optional
        ``deepstate`` when the container says the data is DeepStateMap's.
    layer : str, optional
        The input's layer name (a GeoJSON FeatureCollection's ``name``, a single layer's
        name), which may hold a date too (see :func:`file_date`).
    member : str, optional
        The name of the archive member read, which may hold a date too.

    Returns
    -------
    Snapshot
        The validated snapshot.
    """
    if len(gdf) == 0 or gdf.geometry.isna().all():
        raise GeometryError("has no features with a readable geometry (the collection is "
                            "empty, or every geometry is null or broken)", origin)
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    check_finite(gdf, origin)
    opened, dropped = _collections_opened(shapely.force_2d(gdf.geometry.values))
    gdf = gdf.set_geometry(opened)
    polys = gdf[gdf.geom_type.isin(["Polygon", "MultiPolygon"])]
    if len(polys) == 0:
        kinds = ", ".join(sorted(set(gdf.geom_type)))
        raise GeometryError(
            f"has no polygons (found {kinds or 'nothing'}): loc needs control areas as "
            "polygons", origin)
    if dropped and scheme_hint != "deepstate":  # DeepStateMap's answers: markers, expected
        warnings.warn(f"{origin}: {dropped} point(s) or line(s) left out (control areas are "
                      "polygons)", LocWarning, stacklevel=3)
    polys = to_lonlat(polys, origin)
    sides, scheme = _assign_sides(polys, origin, names)
    polys = polys.assign(side=sides.values)
    polys = polys[polys["side"].notna()]
    if len(polys) == 0:
        raise GeometryError("has no control-area polygons (no layer is ru, ua or contested)",
                            origin)
    # polygons far outside Ukraine are dropped, one by one, by from_geometries
    if not polys["side"].isin(("ru", "contested")).any():
        warnings.warn(f"{origin}: every polygon is ua: nothing is Russian-held or contested "
                      "(is the side column right?)", LocWarning, stacklevel=3)
    geoms: dict[str, BaseGeometry] = {}
    for side in SIDES:
        part = polys.geometry[polys["side"] == side].values
        if len(part):
            fixed = np.array([repair(g, side, origin) for g in part], dtype=object)
            try:
                geoms[side] = fixed[0] if len(fixed) == 1 else shapely.union_all(fixed)
            except shapely.errors.GEOSException as exc:
                raise GeometryError(f"cannot combine the {side} polygons: {first_line(exc)}",
                                    origin) from None
    return _described(geoms, origin, polys, date=date, own_date=own_date, source=source,
                      scheme=scheme, scheme_hint=scheme_hint, sha256=sha256,
                      file_name=file_name, layer=layer, member=member)


def _described(geoms: dict[str, BaseGeometry], origin: str, polys: gpd.GeoDataFrame | None,
               *, date, own_date: dt.date | None, source: str | None, scheme: str | None,
               scheme_hint: str | None, sha256: str | None, file_name: str | None,
               layer: str | None = None, member: str | None = None) -> Snapshot:
    """A snapshot of validated sides, dated and sourced from the features' properties
    (``polys``; None: the input has none), the container, the file name and the layer
    name (:func:`file_date`)."""
    found = file_date(origin, file_name, layer, polys, own_date, member)
    when = found
    if date is not None:
        asked = parse_date(date, origin)
        if found is not None and found != asked:
            raise DateError(f"is of {found.isoformat()}, not {asked.isoformat()}: --date "
                            "selects a snapshot, it does not relabel one", origin)
        when = asked
    if source is None:
        archive = bool(file_name and file_name.lower().startswith(deepstate.ARCHIVE_PREFIX))
        source = _property(polys, "source") or (
            "deepstate" if scheme == "deepstate" or scheme_hint == "deepstate" or archive
            else "isw" if scheme == "isw" else "file")
    licence = _property(polys, "license") or {"deepstate": deepstate.LICENSE,
                                              "isw": isw.LICENSE}.get(source)
    return from_geometries(
        geoms.get("ru", shapely.MultiPolygon()), geoms.get("contested"), geoms.get("ua"),
        date=when, source=source, license=licence, path=origin, sha256=sha256,
        checked=True,  # each side validated (or repaired) above, in lon/lat near Ukraine
    )


_NESTING = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2,
            "Polygon": 2, "MultiPolygon": 3}
"""Arrays around a position in each GeoJSON geometry type's coordinates."""


def _position_problem(pos) -> str | None:
    if not isinstance(pos, list) or not 2 <= len(pos) <= 3:
        return "is not a position of two or three numbers"
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in pos):
        return "holds a value that is not a number"
    if not all(math.isfinite(v) for v in pos):
        return "has a coordinate that is not a finite number"
    return None


def _plain_positions(node) -> bool:
    """Whether a list holds positions of two or three finite numbers only (checked by numpy
    at once; a list that is anything else is walked position by position for the message).
    Booleans pass as numbers here: the caller asks only when the text holds none."""
    try:
        arr = np.array(node)  # no dtype: numpy would read the text "0" as the number 0
    except (ValueError, TypeError, OverflowError):
        return False
    return (arr.dtype.kind in "iuf" and arr.ndim == 2 and arr.shape[1] in (2, 3)
            and bool(np.isfinite(arr).all()))


def _coordinates_problem(kind: str, coords, booleans: bool = True) -> str | None:
    """What is wrong with one geometry's coordinates, or None (``booleans``: whether the
    document may hold ``true``/``false`` values)."""
    depth = _NESTING[kind]

    def walk(node, level: int, rings: bool) -> str | None:
        if level == 1 and not booleans and isinstance(node, list) and _plain_positions(node):
            if rings and len(node) < 4:
                return f"a ring has {len(node)} positions, fewer than four"
            if rings and node[0][:2] != node[-1][:2]:
                return "a ring is not closed (its last position is not its first)"
            return None
        if level == 0:
            problem = _position_problem(node)
            return f"position {str(node)[:60]} {problem}" if problem else None
        if not isinstance(node, list):
            return f"coordinates are nested wrongly for a {kind} ({str(node)[:40]})"
        for child in node:
            problem = walk(child, level - 1, rings)
            if problem:
                return problem
        if rings and level == 1:
            if len(node) < 4:
                return f"a ring has {len(node)} positions, fewer than four"
            if node[0][:2] != node[-1][:2]:
                return "a ring is not closed (its last position is not its first)"
        return None

    return walk(coords, depth, kind in ("Polygon", "MultiPolygon"))


def _geometry_problem(geom, level: int = 0, booleans: bool = True) -> str | None:
    if geom is None:
        return None
    if not isinstance(geom, dict):
        return "a geometry is not a GeoJSON object"
    kind = geom.get("type")
    if kind == "GeometryCollection" and level < 8:
        members = geom.get("geometries")
        if not isinstance(members, list):
            return "a GeometryCollection has no list of geometries"
        for g in members:
            problem = _geometry_problem(g, level + 1, booleans)
            if problem:
                return problem
        return None
    if not isinstance(kind, str) or kind not in _NESTING:
        return f"geometry type {str(kind)[:30]!r} is not a GeoJSON geometry type"
    return _coordinates_problem(kind, geom.get("coordinates"), booleans)


def geojson_problem(doc, booleans: bool = True) -> str | None:
    """What makes a parsed GeoJSON document one that GDAL would read in part or repair
    quietly: a coordinate that is not a finite number (JSON's ``NaN``, ``Infinity``, or
    ``null``), a position that is not two or three numbers, coordinates nested wrongly for
    their type, a ring of fewer than four positions or not closed, a feature that is not an
    object. None when there is nothing of the kind.

    Parameters
    ----------
    doc : object
        The parsed document (a FeatureCollection, a Feature or a geometry).
    booleans : bool
        Whether the document may hold ``true`` or ``false`` (False lets whole rings be
        checked at once).

    Returns
    -------
    str or None
        One phrase naming the feature and the problem.

    Examples
    --------
    >>> geojson_problem({"type": "Point", "coordinates": [37.0, float("nan")]})
    'feature 0: position [37.0, nan] has a coordinate that is not a finite number'
    """
    if not isinstance(doc, dict):
        return "is not a GeoJSON object"
    if doc.get("type") == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            return "its features are not a list"
    elif doc.get("type") == "Feature":
        features = [doc]
    else:
        features = [{"type": "Feature", "geometry": doc}]
    for i, feat in enumerate(features):
        if not isinstance(feat, dict):
            return f"feature {i} is not a GeoJSON Feature object"
        problem = _geometry_problem(feat.get("geometry"), booleans=booleans)
        if problem:
            return f"feature {i}: {problem}"
    return None


def _check_named_crs(gdf: gpd.GeoDataFrame, doc, path: Path) -> None:
    """Refuse a file that names a CRS that cannot be resolved (a GeoJSON ``crs`` member GDAL
    quietly reads as EPSG:4326, a shapefile's ``.prj`` it cannot parse): taking its
    coordinates as lon/lat would be a guess."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    refuse = GeometryError("names a CRS that cannot be resolved: reproject the file to "
                           "EPSG:4326 (lon/lat) or fix its CRS", path)
    if isinstance(doc, dict) and doc.get("crs") is not None:
        member = doc["crs"]
        props = member.get("properties") if isinstance(member, dict) else None
        name = props.get("name") if isinstance(props, dict) else None
        if not isinstance(name, str):
            raise refuse
        try:
            named = CRS.from_user_input(name)
        except CRSError:
            raise refuse from None
        if gdf.crs is None or not named.equals(gdf.crs, ignore_axis_order=True):
            raise refuse
    elif (gdf.crs is None and path.suffix.lower() == ".shp"
          and path.with_suffix(".prj").exists()):
        raise refuse


def _api_document(path: Path
                  ) -> tuple[gpd.GeoDataFrame, dt.date | None, str, str | None] | None:
    """A DeepStateMap API answer saved to a file, parsed, with the SHA-256 of the bytes
    parsed and its map's layer name; None for any other file. A document that is GeoJSON
    too (a ``type`` beside its ``map``) is refused: GDAL would read the one, loc the other."""
    if path.suffix.lower() not in (".json", ".geojson"):
        return None
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head.lstrip().startswith(b"{") or (b'"map"' not in head
                                               and b'"datetime"' not in head):
        return None
    data = path.read_bytes()
    doc = loads(data, str(path), unique_keys=True)
    if not deepstate.is_api_document(doc):
        return None
    assert isinstance(doc, dict)  # what is_api_document found
    if "type" in doc:
        raise InputError(f"is GeoJSON (type {quoted(doc['type'])}) and a DeepStateMap API "
                         "answer (a map member) at once: which is it?", path)
    return (*deepstate.parse_api(data, str(path)), input_sha256(path, data),
            layer_name(doc["map"]))


def _plain_snapshot(path: Path, plain: PlainReader, date, source: str | None
                    ) -> Snapshot | None:
    """A plain GeoJSON file (:class:`loc.io.rings.PlainReader`) as :func:`read_file` reads
    it, without GDAL: the same geometry, date, source and licence; None for any other file
    (the general reader then reads it, and says what is wrong with it)."""
    raw = plain_bytes(path)
    geom = plain.geometry(raw) if raw is not None else None
    if raw is None or geom is None:
        return None
    snap = _described({"ru": geom}, str(path), None, date=date, own_date=None,
                      source=source, scheme="default", scheme_hint=None,
                      sha256=bytes_sha256(raw), file_name=path.name, layer=plain.layer)
    if snap.given.get("ru") is geom:  # the geometry read: its digest is known
        snap.memo((SIDE_DIGEST, "ru"), lambda: plain.digest)
    return snap


def read_file(path: str | Path, date=None, source: str | None = None, names=None,
              engine: str | None = None, plain: PlainReader | None = None) -> Snapshot:
    """Read one control-area file into a :class:`Snapshot` (see :func:`loc.read`).

    Parameters
    ----------
    path : str or Path
        The file.
    date, source, names
        As in :func:`snapshot_from_frame`.
    engine : {"pyogrio", "fiona"}, optional
        GDAL binding. Without one (nor ``$LOC_ENGINE``, nor ``names``), a plain GeoJSON
        file (one Polygon or MultiPolygon in lon/lat, no properties: the DeepState
        archive's form) is read without GDAL, to the same snapshot.
    plain : PlainReader, optional
        The reader of plain files to use (a series passes one, so each file reuses the
        rings of the one before).

    Returns
    -------
    Snapshot
        The validated snapshot.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", path)
    if path.is_dir():
        raise InputError("is a directory: give one snapshot file", path)
    _check_size(path.stat().st_size, "file", path)
    try:
        api = _api_document(path)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path) from None
    if api is None and not config.engine_chosen(engine) and names is None:
        fast = _plain_snapshot(path, plain or PlainReader(geo.UKRAINE_BBOX), date, source)
        if fast is not None:
            return fast
    api_date = layer = member = None
    if api is not None:
        gdf, api_date, sha256, layer = api
        hint = "deepstate"
    else:
        # GDAL reads the files itself: hashed before and after, so the hash recorded is
        # that of what it read (a file changed meanwhile is refused)
        sha256 = input_sha256(path)
        gdf, doc, layer, member = _read_checked(path, config.engine(engine), False)
        _check_named_crs(gdf, doc, path)
        if input_sha256(path) != sha256:
            raise InputError("changed while loc read it: run again", path)
        hint = None
    return snapshot_from_frame(gdf, str(path), date=date, own_date=api_date, source=source,
                               names=names, sha256=sha256, file_name=path.name,
                               scheme_hint=hint, layer=layer, member=member)


def snapshot_from_api(data: bytes, origin: str) -> Snapshot:
    """A :class:`Snapshot` from the bytes of a DeepStateMap API answer.

    Parameters
    ----------
    data : bytes
        The answer.
    origin : str
        Its URL.

    Returns
    -------
    Snapshot
        The validated snapshot, source ``deepstate``, sha256 of the answer's bytes.
    """
    gdf, when = deepstate.parse_api(data, origin)
    return snapshot_from_frame(gdf, origin, own_date=when, source="deepstate",
                               sha256=bytes_sha256(data), scheme_hint="deepstate")


def sample(date=None) -> Snapshot:
    """The bundled illustrative sample snapshot (APPROXIMATE: never for analysis).

    Parameters
    ----------
    date : str or datetime.date, optional
        One of the sample's dates (2024-07-08, 2025-01-08, 2025-09-05); default the latest.

    Returns
    -------
    Snapshot
        The sample of that date.

    Raises
    ------
    DateError
        When the sample has no snapshot of that date (the nearest are named).

    Examples
    --------
    >>> sample().label
    '2025-09-05'
    """
    when = parse_date(date) if date is not None else None
    return read_file(sample_path(when))

"""Incident reports: ACLED, VIINA or GeoConfirmed CSV exports, any CSV with latitude and
longitude columns, or a vector file of points."""

from __future__ import annotations

import csv
import io
import math
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd

from loc import config
from loc.errors import InputError, LimitError, LocWarning
from loc.io.readers import read_features

LAT_NAMES = ("lat", "latitude", "y")
LON_NAMES = ("lon", "lng", "long", "longitude", "x")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")


def pick_column(columns: list[str], names: tuple[str, ...]) -> str | None:
    """The first column whose name (case-insensitive, trimmed) is one of ``names``.

    Parameters
    ----------
    columns : list of str
        Column names.
    names : tuple of str
        Accepted names, most preferred first.

    Returns
    -------
    str or None
        The column, as spelled in ``columns``.

    Examples
    --------
    >>> pick_column(["Latitude", "x"], ("lat", "latitude"))
    'Latitude'
    """
    lower = {str(c).lower().strip(): c for c in columns}
    return next((lower[n] for n in names if n in lower), None)


def read_incidents(path: str | Path, engine: str | None = None) -> gpd.GeoDataFrame:
    """Incident points from a CSV (ACLED, VIINA, GeoConfirmed or any file with lat/lon
    columns; comma, semicolon or tab, with or without a BOM) or a vector file of points.

    Every column is kept, with ``source_line`` (the CSV line) added. A row whose coordinates
    are missing, not numbers, not finite or outside -90..90 / -180..180 is skipped with a
    :class:`~loc.errors.LocWarning` naming the file and the line; the other rows are kept.

    Parameters
    ----------
    path : str or Path
        The file.
    engine : {"pyogrio", "fiona"}, optional
        GDAL binding, for vector files.

    Returns
    -------
    geopandas.GeoDataFrame
        The incidents as lon/lat points (OGC:CRS84).

    Raises
    ------
    LocError
        One line: missing, not UTF-8, no latitude/longitude columns, no points.
    """
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a file path, not {type(path).__name__}")
    path = Path(path)
    if not path.is_file():
        raise InputError("no such incidents file", path)
    if path.suffix.lower() not in CSV_SUFFIXES:
        gdf = read_features(path, engine)
        pts = gdf[gdf.geom_type == "Point"]
        if pts.empty:
            raise InputError("has no points (incidents must be points)", path)
        return gpd.GeoDataFrame(pts.reset_index(drop=True), geometry=pts.geometry.name,
                                crs="OGC:CRS84")
    size = path.stat().st_size
    if size > config.limit("bytes"):
        raise LimitError(f"file of {size:,} bytes is over the {config.limit('bytes'):,}-byte "
                         "limit (raise LOC_MAX_BYTES)", path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read as UTF-8 text: {str(exc)[:120]}", path) from None
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096],
                                                                        delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InputError(f"not a readable CSV ({exc})", path) from None
    if not header:
        raise InputError("is empty: expected a header row with lat and lon columns", path)
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        raise InputError("has two columns of the same name: every column needs its own", path)
    lat_c, lon_c = pick_column(header, LAT_NAMES), pick_column(header, LON_NAMES)
    if lat_c is None or lon_c is None:
        raise InputError("has no latitude/longitude columns (expected e.g. 'latitude' and "
                         "'longitude', or 'lat' and 'lon')", path)
    rows, xs, ys = [], [], []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                warnings.warn(f"{path}:{line}: row has {len(row)} fields, the header "
                              f"{len(header)}; row skipped", LocWarning, stacklevel=2)
                continue
            rec: dict[str, object] = dict(zip(header, row, strict=True))
            try:
                lat, lon = float(row[header.index(lat_c)]), float(row[header.index(lon_c)])
            except ValueError:
                warnings.warn(f"{path}:{line}: latitude/longitude "
                              f"{row[header.index(lat_c)][:20]!r}, "
                              f"{row[header.index(lon_c)][:20]!r} are not numbers; row skipped",
                              LocWarning, stacklevel=2)
                continue
            if not (math.isfinite(lat) and math.isfinite(lon)
                    and -90 <= lat <= 90 and -180 <= lon <= 180):
                warnings.warn(f"{path}:{line}: coordinates {lat}, {lon} are not finite or "
                              "out of range; row skipped", LocWarning, stacklevel=2)
                continue
            rec["source_line"] = line
            rows.append(rec)
            xs.append(lon)
            ys.append(lat)
    except csv.Error as exc:
        raise InputError(f"not a readable CSV at line {reader.line_num} ({exc})",
                         path) from None
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=[*header, "source_line"]),
                            geometry=gpd.points_from_xy(xs, ys), crs="OGC:CRS84")

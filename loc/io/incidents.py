"""Incident reports: ACLED, VIINA or GeoConfirmed CSV exports, any CSV with latitude and
longitude columns, or a vector file of points."""

from __future__ import annotations

import csv
import io
import math
import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from loc import config, geo
from loc.dates import parse_date
from loc.errors import DateError, InputError, LimitError, LocWarning
from loc.io.hashing import file_sha256, input_sha256
from loc.io.readers import read_features

DATE_NAMES = ("event_date", "date")
"""Incident date columns (ACLED ``event_date``, VIINA and GeoConfirmed ``date``)."""
LAT_NAMES = ("lat", "latitude", "y")
LON_NAMES = ("lon", "lng", "long", "longitude", "x")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
ADDED = ("source_line", "side", "distance_km", "zones", "violation", "rule", "uncertain",
         "geometry", "wkt")
"""Columns loc adds to incidents (here, in :func:`loc.check`'s classification, and the
geometry and its CSV ``wkt``): a column of one of these names in the file is kept as
``<name>_in_file``."""


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


def incident_dates(pts: pd.DataFrame, where: str) -> np.ndarray:
    """The day of each incident (:data:`DATE_NAMES` column), or None where it cannot be
    read, with one warning naming the lines of those rows (they are to be skipped: a
    verdict needs the day of each incident).

    Parameters
    ----------
    pts : pandas.DataFrame
        Incidents as :func:`read_incidents` gives them (``source_line`` names the rows).
    where : str
        The file, for messages.

    Returns
    -------
    numpy.ndarray
        ``datetime.date`` or None per row (object dtype).

    Raises
    ------
    InputError
        When no column holds dates.

    Examples
    --------
    >>> df = pd.DataFrame({"event_date": ["2025-09-06", 20250907.0]})
    >>> [d.isoformat() for d in incident_dates(df, "x.csv")]
    ['2025-09-06', '2025-09-07']
    """
    column = pick_column(list(pts.columns), DATE_NAMES)
    if column is None:
        raise InputError("incidents have no date column (event_date or date): a verdict "
                         "needs the day of each incident", where)
    out = np.full(len(pts), None, dtype=object)
    bad = []
    lines = pts["source_line"] if "source_line" in pts else range(1, len(pts) + 1)
    for i, (value, line) in enumerate(zip(pts[column], lines, strict=True)):
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)  # 20250110 read as 20250110.0 (a column with a null is float)
        try:
            out[i] = parse_date(str(value))
        except DateError:
            bad.append(str(line))
    if bad:
        warnings.warn(f"{where}: {len(bad)} incident row(s) without a readable {column} "
                      f"skipped (line(s) {', '.join(bad[:10])}{' ...' if len(bad) > 10 else ''})",
                      LocWarning, stacklevel=3)
    return out


def incidents_sha256(path: str | Path) -> str:
    r"""Hex SHA-256 of what :func:`read_incidents` reads: a CSV's bytes alone (Python reads
    it, not GDAL: a ``.csvt`` or ``.prj`` beside it is never read), any other file with the
    files GDAL reads beside it (:func:`loc.io.hashing.input_sha256`).

    Parameters
    ----------
    path : str or Path
        The incidents file.

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "incidents.csv").write_text("lat,lon\n48.0,37.5\n")
    >>> _ = (d / "incidents.prj").write_text("not read")
    >>> incidents_sha256(d / "incidents.csv") == file_sha256(d / "incidents.csv")
    True
    """
    path = Path(path)
    return file_sha256(path) if path.suffix.lower() in CSV_SUFFIXES else input_sha256(path)


def read_incidents(path: str | Path, engine: str | None = None) -> gpd.GeoDataFrame:
    """Incident points from a CSV (ACLED, VIINA, GeoConfirmed or any file with lat/lon
    columns; comma, semicolon or tab, with or without a BOM) or a vector file of points.

    Every column is kept, with ``source_line`` (the CSV line, or the feature's number in a
    vector file) added; a column of a name loc adds (:data:`ADDED`) is kept as
    ``<name>_in_file``. Each of these is skipped with a :class:`~loc.errors.LocWarning`
    naming the file and the lines, the other rows kept: a row whose coordinates are missing,
    not numbers, not finite or outside -90..90 / -180..180; a point outside Ukraine's box
    (:data:`loc.geo.UKRAINE_BBOX`; the warning asks whether latitude and longitude are
    swapped where they would be inside); a feature that is not a point (a MultiPoint of one
    point is that point); a row that repeats an earlier one exactly (counted once).

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
        One line: missing, not UTF-8, no latitude/longitude columns, no points, or no point
        in Ukraine's box (with a hint when latitude and longitude look swapped).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "incidents.csv"
    >>> _ = path.write_text("event_id;event_date;event_type;latitude;longitude\\n"
    ...                     "E1;2025-09-06;Battles;48,0;37,5\\n")
    >>> pts = read_incidents(path)
    >>> pts[["event_id", "source_line"]].values.tolist(), pts.geometry.iloc[0].wkt
    ([['E1', 2]], 'POINT (37.5 48)')
    """
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a file path, not {type(path).__name__}")
    path = Path(path)
    if not path.is_file():
        raise InputError("no such incidents file", path)
    if path.suffix.lower() not in CSV_SUFFIXES:
        return _checked(_vector_points(path, engine), path)
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
    if len({h.casefold() for h in header}) != len(header):  # columns are found by name
        raise InputError("has two columns of the same name (letter case aside): every "
                         "column needs its own", path)
    lat_c, lon_c = pick_column(header, LAT_NAMES), pick_column(header, LON_NAMES)
    if lat_c is None or lon_c is None:
        raise InputError("has no latitude/longitude columns (expected e.g. 'latitude' and "
                         "'longitude', or 'lat' and 'lon')", path)
    header = [_kept_name(h, header) for h in header]
    rows, xs, ys = [], [], []
    skipped: dict[str, list[int]] = {}  # why -> lines, said in one warning each
    example: dict[str, str] = {}
    data_rows = 0
    ilat, ilon = header.index(lat_c), header.index(lon_c)
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            data_rows += 1
            if len(row) != len(header):
                why = "have another number of fields than the header"
                skipped.setdefault(why, []).append(line)
                example.setdefault(why, f"{len(row)} against {len(header)}")
                continue
            rec: dict[str, object] = dict(zip(header, row, strict=True))
            lat, lon = _coordinate(row[ilat]), _coordinate(row[ilon])
            if lat is None or lon is None:
                why = "have a latitude/longitude that is not a number"
                skipped.setdefault(why, []).append(line)
                example.setdefault(why, f"{row[ilat][:20]!r}, {row[ilon][:20]!r}")
                continue
            if not (math.isfinite(lat) and math.isfinite(lon)
                    and -90 <= lat <= 90 and -180 <= lon <= 180):
                why = "have coordinates that are not finite or out of range"
                skipped.setdefault(why, []).append(line)
                example.setdefault(why, f"{lat}, {lon}")
                continue
            rec["source_line"] = line
            rows.append(rec)
            xs.append(lon)
            ys.append(lat)
    except csv.Error as exc:
        raise InputError(f"not a readable CSV at line {reader.line_num} ({exc})",
                         path) from None
    if data_rows and not rows:  # a report of nothing would read as "nothing happened"
        why, lines = next(iter(skipped.items()))
        raise InputError(f"no row has a readable location: every row was skipped (rows "
                         f"that {why}, e.g. line {lines[0]}: {example[why]})", path)
    for why, lines in skipped.items():
        warnings.warn(f"{path}: {len(lines)} row(s) that {why} skipped (line(s) "
                      f"{_lines(lines)}; e.g. {example[why]})", LocWarning, stacklevel=2)
    return _checked(gpd.GeoDataFrame(pd.DataFrame(rows, columns=[*header, "source_line"]),
                                     geometry=gpd.points_from_xy(xs, ys), crs="OGC:CRS84"),
                    path)


_DECIMAL_COMMA = re.compile(r"\s*[+-]?\d+,\d+\s*")


def _coordinate(text: str) -> float | None:
    """A latitude or longitude cell as a number: ``47.5``, or ``47,5`` as semicolon CSVs
    from European spreadsheets write it (no coordinate has a thousands separator); None
    when it is not a number."""
    if _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _kept_name(name: str, names: list[str]) -> str:
    """A column's name, or ``<name>_in_file`` for a name loc adds (so both are kept)."""
    if name not in ADDED:
        return name
    kept = f"{name}_in_file"
    while kept in names:
        kept += "_"
    return kept


def _lines(numbers) -> str:
    shown = [str(int(n)) for n in list(numbers)[:10]]
    return ", ".join(shown) + (", ..." if len(numbers) > 10 else "")


def _vector_points(path: Path, engine: str | None) -> gpd.GeoDataFrame:
    """The points of a vector file with their feature numbers (``source_line``); a
    MultiPoint of one point is that point, any other feature is skipped with a warning."""
    # indexed by the features' places in the file; a date-time with an offset stays as
    # written (its day is the one written, as in a CSV), not converted to UTC
    gdf = read_features(path, engine, as_written=True)
    numbers = gdf.index.to_numpy() + 1
    geoms = gdf.geometry.values
    single = shapely.get_num_geometries(geoms) == 1
    kinds = shapely.get_type_id(geoms)
    one = (kinds == 0) | ((kinds == 4) & single)  # Point, or a MultiPoint of one point
    points = [shapely.get_geometry(g, 0) if k == 4 else g
              for g, k in zip(geoms[one], kinds[one], strict=True)]
    other = numbers[~one]
    if len(other):
        warnings.warn(f"{path}: {len(other)} feature(s) are not points (an incident is one "
                      f"point) and were skipped (feature(s) {_lines(other)})", LocWarning,
                      stacklevel=3)
    data = gdf.drop(columns=gdf.geometry.name)
    data.columns = [_kept_name(str(c), [str(c) for c in data.columns]) for c in data.columns]
    data = data[one].reset_index(drop=True)
    data["source_line"] = numbers[one]
    if data.empty:
        raise InputError("has no points (incidents must be points)", path)
    return gpd.GeoDataFrame(data, geometry=points, crs="OGC:CRS84")


def _checked(pts: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    """Incidents without those outside Ukraine's box (all of them: refused) and without
    exact repeats, each skip said in one warning."""
    xy = shapely.get_coordinates(pts.geometry.values)
    inside = [geo.near_ukraine((x, y, x, y)) for x, y in xy]
    swapped = [geo.near_ukraine((x, y, x, y), swapped=True) for x, y in xy]
    x0, y0, x1, y1 = geo.UKRAINE_BBOX
    if len(pts) and not any(inside):
        hint = " (are latitude and longitude swapped?)" if all(swapped) else ""
        raise InputError(f"no incident lies in Ukraine's box (lon {x0:g}..{x1:g}, lat "
                         f"{y0:g}..{y1:g}){hint}", path)
    out = [i for i, ok in enumerate(inside) if not ok]
    if out:
        hint = (" (are latitude and longitude swapped?)" if any(swapped[i] for i in out)
                else "")
        warnings.warn(f"{path}: {len(out)} incident(s) outside Ukraine's box (lon "
                      f"{x0:g}..{x1:g}, lat {y0:g}..{y1:g}){hint} skipped (line(s) "
                      f"{_lines(pts['source_line'].iloc[out])})", LocWarning, stacklevel=3)
        pts = pts[inside].reset_index(drop=True)
    data = pd.DataFrame(pts.drop(columns=[pts.geometry.name, "source_line"]).astype(str))
    data.insert(len(data.columns), ("\0loc", "position"), shapely.to_wkb(pts.geometry.values))
    again = data.duplicated().to_numpy()
    if again.any():
        warnings.warn(f"{path}: {int(again.sum())} row(s) repeat an earlier row exactly and "
                      f"are counted once (line(s) {_lines(pts['source_line'][again])})",
                      LocWarning, stacklevel=3)
        pts = pts[~again].reset_index(drop=True)
    return pts

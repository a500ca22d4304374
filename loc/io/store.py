"""Snapshot history in one GeoPackage: import, list, read back by date.

The store is a plain GeoPackage (it opens in QGIS) with one layer, ``control``: one row per
date, source and side, with the source's licence and the SHA-256 of the file it came from,
geometry in lon/lat (OGC:CRS84). Only the sides a source gives are stored; the Ukrainian-held
side is derived again when a snapshot is read back.

A store is a series: it is read whole as a series, or one date at a time as
``STORE.gpkg@YYYY-MM-DD``; a date that is not there is an error naming the nearest dates.
Imports take a lock, so concurrent imports all land, and write atomically, so an interrupted
import (or a full disk) leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from loc import config
from loc.dates import find_date, parse_date
from loc.errors import DateError, InputError, OutputError, first_line
from loc.geo import repair
from loc.io.hashing import geometry_digest, side_digest, warn_repeated
from loc.io.readers import check_finite, gdal_path, read_file, to_lonlat
from loc.io.writers import locked, write_gpkg
from loc.model import SIDES, Sides, Snapshot, from_geometries

LAYER = "control"
COLUMNS = ["date", "source", "license", "sha256", "side"]


@dataclass
class ImportResult:
    """What an import did.

    Attributes
    ----------
    added : list of str
        Dates added (``YYYY-MM-DD``).
    skipped : list of str
        ``date source`` already in the store.
    path : pathlib.Path
        The store.
    """

    added: list[str]
    skipped: list[str]
    path: Path
    files: dict[str, str] = field(default_factory=dict)


def _read(store: Path, engine: str | None, where: str | None = None,
          geometry: bool = True) -> gpd.GeoDataFrame:
    with gdal_path(store) as safe:
        return _read_safe(safe, store, engine, where, geometry)


def _read_safe(safe: Path, store: Path, engine: str | None, where: str | None,
               geometry: bool) -> gpd.GeoDataFrame:
    name = config.engine(engine)
    try:
        if name == "fiona":
            kwargs = {"ignore_geometry": True} if not geometry else {}
            gdf = gpd.read_file(safe, layer=LAYER, engine="fiona", where=where, **kwargs)
        else:
            import pyogrio

            gdf = pyogrio.read_dataframe(safe, layer=LAYER, where=where,
                                         read_geometry=geometry)
    except Exception as exc:  # GDAL raises several kinds for a file that is not a store
        raise InputError(f"not a loc store (GeoPackage with a '{LAYER}' layer): "
                         f"{first_line(exc)}", store) from None
    missing = [c for c in COLUMNS if c not in gdf.columns]
    if missing:
        raise InputError(f"not a loc store: the '{LAYER}' layer lacks {', '.join(missing)}",
                         store)
    if not all(isinstance(v, str) for v in gdf["source"]):  # loc writes a source, "" too
        raise InputError("a row has no source (was the store changed outside loc?)", store)
    for col in ("license", "sha256"):
        # loc writes "" for none; a NULL written by other tools (NaN from pyogrio, None from
        # fiona) is none too, never a value: a NaN digest would make every such date a copy
        gdf[col] = pd.Series([v if isinstance(v, str) else "" for v in gdf[col]],
                             index=gdf.index, dtype=object)
    if geometry:
        gdf = gpd.GeoDataFrame(gdf, geometry=gdf.geometry.name)
        if gdf.crs is not None and not gdf.crs.equals("OGC:CRS84", ignore_axis_order=True):
            raise InputError(f"the '{LAYER}' layer is in {str(gdf.crs.name)[:60]}, not lon/lat "
                             "(was the store changed outside loc?)", store)
        gdf = gdf.set_crs("OGC:CRS84", allow_override=True)  # EPSG:4326 or none: lon/lat
    return gdf


def is_store(path: str | Path) -> bool:
    """Whether a file is a loc store (a GeoPackage with a ``control`` layer).

    Parameters
    ----------
    path : str or Path
        A file.

    Returns
    -------
    bool
        True for a store.
    """
    path = Path(path)
    if path.suffix.lower() != ".gpkg" or not path.is_file():
        return False
    try:
        import pyogrio

        with gdal_path(path) as safe:
            return LAYER in {str(n) for n, _ in pyogrio.list_layers(safe)}
    except Exception:  # not a GeoPackage GDAL can open: not a store either
        return False


def _empty() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns=[*COLUMNS, "geometry"], geometry="geometry",
                            crs="OGC:CRS84")


def store_dates(store: str | Path, source: str | None = None,
                engine: str | None = None) -> list[dt.date]:
    """The dates a store holds, oldest first (read without the geometry).

    Parameters
    ----------
    store : str or Path
        The store.
    source : str, optional
        Only this source's dates.
    engine : {"pyogrio", "fiona"}, optional
        GDAL binding.

    Returns
    -------
    list of datetime.date
        The dates.
    """
    store = Path(store)
    if not store.exists():
        raise InputError("no such store", store)
    df = _read(store, engine, geometry=False)
    if source is not None:
        df = df[df["source"] == source]
    _iso_days(df, store)
    return sorted({parse_date(d, str(store)) for d in df["date"]})


def _iso_days(rows: pd.DataFrame, store: Path) -> None:
    """Refuse a store date written otherwise than loc writes it (YYYY-MM-DD): a query of
    the date would miss it."""
    odd = [str(d) for d in rows["date"] if not _ISO_DAY.fullmatch(str(d))]
    if odd:
        raise InputError(f"holds a date written {odd[0][:30]!r}, not YYYY-MM-DD (was the "
                         "store changed outside loc?)", store)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
"""How loc writes a store's dates."""


def _multi(geoms) -> list:
    return [g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g]) for g in geoms]


def _snapshots(sources, engine: str | None):
    """The snapshots of an import's sources: a Snapshot as it is, a store with every date
    it holds (read as a file, its rows of every date were one snapshot), a file read."""
    for item in sources:
        if isinstance(item, Snapshot):
            yield item
        elif is_store(item):
            yield from read_store_series(item, engine=engine)
        else:
            yield read_file(item, engine=engine)


def warn_repeated_snapshots(snaps: list[Snapshot], sides: tuple[str, ...] = SIDES,
                            once: bool = True) -> None:
    """:func:`loc.io.hashing.warn_repeated` over dated snapshots, by date (each source's
    series followed apart, but compared with every earlier date): by the bytes of the
    files they were read from and by the geometry of their ``sides`` (:func:`shape_of`).
    With ``once``, the same snapshot objects checked twice in a row (a series read, then
    its timeline or import), or a consecutive run of them (a slider's block of dates), are
    warned of once: a repeat within the run was found in the whole.

    Parameters
    ----------
    snaps : list of Snapshot
        Snapshots (undated ones are left out).
    sides : tuple of str
        The sides compared.
    once : bool
        Skip a check made already (a report's notes need every check: False).

    Warns
    -----
    LocWarning
        As :func:`loc.io.hashing.warn_repeated`.
    """
    dated = sorted((s for s in snaps if s.date), key=lambda s: (s.date or dt.date.min,
                                                               s.source))
    if once and _checked_last(dated):
        return
    warn_repeated((s.date, file_sha256_of(s), shape_of(s, sides), str(s.path or s.label),
                   s.source) for s in dated)
    _CHECKED[:] = [weakref.ref(s) for s in dated]  # once checked to the end


_CHECKED: list[weakref.ref] = []
"""The snapshots :func:`warn_repeated_snapshots` checked last (by any sides)."""


def _checked_last(dated: list[Snapshot]) -> bool:
    """Whether snapshots (by date) are those :func:`warn_repeated_snapshots` checked last,
    or a consecutive run of them (the same objects)."""
    if not dated:
        return True
    first = next((i for i, ref in enumerate(_CHECKED) if ref() is dated[0]), None)
    if first is None or first + len(dated) > len(_CHECKED):
        return False
    return all(_CHECKED[first + k]() is s for k, s in enumerate(dated))


def warn_repeated_series(members: Sequence[tuple[dt.date, object, str | None, str | None]]
                         ) -> None:
    """:func:`loc.io.hashing.warn_repeated` over a series of files and snapshots, by their
    occupied side (what a timeline or a line history measures); one of snapshots only is
    checked as :func:`warn_repeated_snapshots` checks it (its occupied side).

    Parameters
    ----------
    members : list of (datetime.date, Path or Snapshot, str or None, str or None)
        Oldest first: each date, member and, for a file, the SHA-256 of its bytes and
        the digest of its geometry (:func:`loc.io.rings.shape_digest`), None if unknown.

    Warns
    -----
    LocWarning
        As :func:`loc.io.hashing.warn_repeated`.
    """
    snaps = [x for _, x, _, _ in members if isinstance(x, Snapshot)]
    if len(snaps) == len(members):
        warn_repeated_snapshots(snaps, ("ru",))
        return
    warn_repeated((day, file_sha256_of(x), shape_of(x, ("ru",)), str(x.path or x.label), "")
                  if isinstance(x, Snapshot) else (day, digest, shape, str(x), "")
                  for day, x, digest, shape in members)


def shape_of(snap: Snapshot, sides: tuple[str, ...] = SIDES) -> str:
    """The :func:`loc.io.hashing.geometry_digest` of a snapshot's given sides (of its
    occupied side alone when that is all it gives, as a plain file's is computed).

    Parameters
    ----------
    snap : Snapshot
        A snapshot.
    sides : tuple of str
        The sides that count.

    Returns
    -------
    str
        32 hex digits.
    """
    return _sides_digest({name: lambda n=name: side_digest(snap, n) for name in sides
                          if (g := snap.given.get(name)) is not None and not g.is_empty})


def _sides_digest(digests: dict) -> str:
    """The digest of sides from each side's digest (callables, in :data:`SIDES` order):
    the occupied side's own when it is the only one."""
    if not digests:
        return geometry_digest(shapely.MultiPolygon())
    if set(digests) == {"ru"}:
        return digests["ru"]()
    return hashlib.blake2b("|".join(f"{name}:{digest()}" for name, digest
                                    in digests.items()).encode(), digest_size=16).hexdigest()


def _stored_members(current: gpd.GeoDataFrame, store: Path, sides: tuple[str, ...] = SIDES
                    ) -> list[tuple[dt.date, str | None, str, str, str]]:
    """The members of a store's rows for :func:`loc.io.hashing.warn_repeated`: each date
    and source, with the SHA-256 of the file imported (None if not kept), the digest of
    the ``sides`` (as :func:`shape_of` gives it) and the name ``STORE@DATE``."""
    out = []
    for (day, source), rows in current.groupby(["date", "source"], sort=True):
        by_side = dict(zip(rows["side"], rows.geometry.values, strict=True))
        shape = _sides_digest({name: lambda g=by_side[name]: geometry_digest(g)
                               for name in sides if name in by_side
                               and not by_side[name].is_empty})
        sha = next((h for h in rows["sha256"] if h), None)
        out.append((dt.date.fromisoformat(day), sha, shape, f"{store}@{day}", source))
    return out


def file_sha256_of(snap: Snapshot) -> str | None:
    """The SHA-256 of the file a snapshot was read from: its own, or for one read from a
    store the one the store kept (a store's snapshot is otherwise known by its geometry);
    None for one made in memory.

    Parameters
    ----------
    snap : Snapshot
        A snapshot.

    Returns
    -------
    str or None
        64 hex digits, or None.
    """
    return (snap.meta.get("file_sha256") or None) if "store" in snap.meta else snap.sha256


def _same_geometry(rows: gpd.GeoDataFrame, snap: Snapshot) -> bool:
    """Whether a stored date's rows hold a snapshot's sides exactly (as the store keeps
    them: each side a MultiPolygon, compared in normal form)."""
    stored = dict(zip(rows["side"], _multi(rows.geometry.values), strict=True))
    given = {s: g for s, g in snap.given.items() if g is not None and not g.is_empty}
    if set(stored) != set(given):
        return False
    return all(shapely.equals_exact(shapely.normalize(stored[s]),
                                    shapely.normalize(_multi([given[s]])[0]), 0.0)
               for s in given)


def import_snapshots(sources, store: str | Path, progress=None,
                     engine: str | None = None) -> ImportResult:
    """Add snapshots (files or Snapshots) to a store; a (date, source) already stored is
    skipped when it is the same snapshot (the same sides, exactly) and refused when it is
    another.
    Every snapshot needs a date, and no two may share a date and source.

    The inputs are read first; then, holding the store's lock (another import waits), the
    store is read again, merged and rewritten into a temporary file renamed over the old one.

    Parameters
    ----------
    sources : iterable of path or Snapshot
        What to import: files, stores (every date they hold) or snapshots.
    store : str or Path
        The store (``.gpkg``); created if missing.
    progress : callable, optional
        Called with 1 after each input is read.
    engine : {"pyogrio", "fiona"}, optional
        GDAL binding.

    Returns
    -------
    ImportResult
        Dates added and skipped.

    Raises
    ------
    LocError
        One line (an unreadable input, an undated one, two inputs of one date, another
        snapshot of a stored date, a full disk); the store is unchanged.

    Examples
    --------
    >>> import loc, tempfile, pathlib
    >>> store = pathlib.Path(tempfile.mkdtemp()) / "history.gpkg"
    >>> loc.import_snapshots(loc.sample_paths(), store).added
    ['2024-07-08', '2025-01-08', '2025-09-05']
    >>> loc.import_snapshots(loc.sample_paths()[:1], store).skipped
    ['2024-07-08 loc illustrative sample']
    """
    store = Path(store)
    if store.suffix.lower() != ".gpkg":
        raise OutputError("a store is a GeoPackage: give a .gpkg path", store)
    snaps: list[Snapshot] = []
    seen: dict[tuple[str, str], str] = {}
    for snap in _snapshots(sources, engine):
        if snap.date is None:
            raise DateError("has no date: a store keeps dated snapshots", snap.path)
        key = (snap.date.isoformat(), snap.source)
        where = str(snap.path or "a snapshot")
        if key in seen:
            raise DateError(f"{seen[key]} and {where} are both of {key[0]} ({key[1]}): give "
                            "one snapshot per date")
        seen[key] = where
        _storable(snap, where)
        snaps.append(snap)
        if progress:
            progress(1)
    warn_repeated_snapshots(snaps)
    with locked(store):
        current = _read(store, engine) if store.exists() else _empty()
        _warn_repeated_in(current, store, snaps)
        have = set(zip(current["date"], current["source"], strict=True))
        stored_sha = {(d, src): h for d, src, h in zip(current["date"], current["source"],
                                                        current["sha256"], strict=True)}
        rows, added, skipped = [], [], []
        for snap in snaps:
            assert snap.date is not None
            key = (snap.date.isoformat(), snap.source)
            if key in have:
                # the same sides, whatever the hashes say (a snapshot changed in memory may
                # still carry its file's hash)
                old, new_sha = stored_sha.get(key) or "", file_sha256_of(snap) or ""
                same = _same_geometry(
                    current[(current["date"] == key[0]) & (current["source"] == key[1])],
                    snap)
                if not same:
                    shown = (f"sha256 {old[:12]}…, this one {new_sha[:12]}…"
                             if old and new_sha and old != new_sha else "other geometry")
                    raise DateError(
                        f"{snap.path or 'a snapshot'}: the store already holds a different "
                        f"snapshot of {key[0]} ({key[1]}; {shown}): nothing written; import "
                        "it into another store, or give it its own date", store)
                skipped.append(f"{key[0]} {key[1]}")
                continue
            have.add(key)
            for side in ("ru", "contested", "ua"):
                geom = snap.given.get(side)
                if geom is not None and not geom.is_empty:
                    rows.append({"date": key[0], "source": snap.source,
                                 "license": snap.license or "",
                                 "sha256": file_sha256_of(snap) or "",
                                 "side": side, "geometry": geom})
            added.append(key[0])
        if rows:
            new = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs="OGC:CRS84")
            merged = gpd.GeoDataFrame(pd.concat([current, new], ignore_index=True),
                                      geometry="geometry", crs="OGC:CRS84")
            merged = merged.sort_values(["date", "source", "side"], kind="stable")
            merged = merged.set_geometry(_multi(merged.geometry.values), crs="OGC:CRS84")
            write_gpkg(store, {LAYER: merged[[*COLUMNS, "geometry"]]}, engine=engine)
    return ImportResult(added=added, skipped=skipped, path=store)


def _storable(snap: Snapshot, where: str) -> None:
    """Refuse a snapshot a store cannot keep as it is: the store keeps the areas a source
    gives and derives the ``ua`` side again when the date is read back."""
    if not any(g is not None and not g.is_empty for g in snap.given.values()):
        raise InputError("gives no control area (every side it gives is empty): nothing "
                         "written", where)
    ua = snap.given.get("ua")
    if ua is not None and ua.is_empty:
        raise InputError("the ua side it gives is empty (its polygons lie inside the other "
                         "sides or outside Ukraine): read back from a store, the date would "
                         "take all the land outside the other sides as ua; nothing written",
                         where)


def _warn_repeated_in(current: gpd.GeoDataFrame, store: Path, snaps: list[Snapshot]) -> None:
    """Warn where snapshots being imported repeat a stored date, or make a stored date
    repeat one of them (:func:`loc.io.hashing.warn_repeated` over the store and them, the
    warnings between them alone given already); a stored (date, source) wins over the
    same one imported again."""
    stored = _stored_members(current, store) if len(current) else []
    have = {(day, source) for day, *_, source in stored}
    new = [(s.date, file_sha256_of(s), shape_of(s), str(s.path or s.label), s.source)
           for s in snaps if s.date is not None and (s.date, s.source) not in have]
    if stored and new:
        warn_repeated(sorted([*stored, *new], key=lambda m: (m[0], m[4])),
                      across={m[3] for m in new})


def list_snapshots(store: str | Path, engine: str | None = None) -> pd.DataFrame:
    """One row per stored (date, source).

    Parameters
    ----------
    store : str or Path
        The store.
    engine : {"pyogrio", "fiona"}, optional
        GDAL binding.

    Returns
    -------
    pandas.DataFrame
        ``date``, ``source``, ``sides``, ``license``, ``sha256`` (of the file imported),
        ``vertices``.

    Examples
    --------
    >>> import loc, tempfile, pathlib
    >>> store = pathlib.Path(tempfile.mkdtemp()) / "history.gpkg"
    >>> _ = loc.import_snapshots(loc.sample_paths(), store)
    >>> list(loc.list_snapshots(store)["date"])
    ['2024-07-08', '2025-01-08', '2025-09-05']
    """
    if not isinstance(store, (str, Path)):
        raise TypeError(f"store must be a path, not {type(store).__name__}")
    store = Path(store)
    if not store.exists():
        raise InputError("no such store", store)
    gdf = _read(store, engine)
    if gdf.empty:
        return pd.DataFrame(columns=["date", "source", "sides", "license", "sha256",
                                     "vertices"])
    gdf["vertices"] = shapely.get_num_coordinates(gdf.geometry.values)
    return (gdf.groupby(["date", "source"], sort=True)
            .agg(sides=("side", lambda s: ",".join(sorted(s))), license=("license", "first"),
                 sha256=("sha256", "first"), vertices=("vertices", "sum"))
            .reset_index())


def _snapshot(store: Path, rows: gpd.GeoDataFrame, day: str) -> Snapshot:
    sources = sorted(set(rows["source"]))
    if len(sources) > 1:
        raise InputError(f"store holds several sources on {day} ({', '.join(sources)}): "
                         "choose one with loc.read_store(..., source=...); commands read one "
                         "source a date, so keep each source in a store of its own", store)
    sides: dict = {}
    for side, geom in zip(rows["side"], rows.geometry.values, strict=True):
        if side not in SIDES:
            raise InputError(f"store row of {day} has side {str(side)[:20]!r}, not ru, ua or "
                             "contested (was the store changed outside loc?)", store)
        if side in sides:
            raise InputError(f"store holds two {side} rows on {day} (was the store appended "
                             "to outside loc?): refused rather than pick one", store)
        if geom is None or geom.is_empty:
            raise InputError(f"store row of {day} ({side}) has no geometry", store)
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise InputError(f"store row of {day} ({side}) is a {geom.geom_type}, not an area "
                             "(was the store changed outside loc?)", store)
        sides[side] = geom
    # the checks a file's geometry gets: finite, in lon/lat near Ukraine, valid
    origin = f"{store}@{day}"
    checked = gpd.GeoDataFrame(geometry=list(sides.values()), crs="OGC:CRS84")
    check_finite(checked, origin)
    to_lonlat(checked, origin)
    sides = {side: repair(g, side, origin) for side, g in sides.items()}
    snap = from_geometries(sides.get("ru", shapely.MultiPolygon()), sides.get("contested"),
                           sides.get("ua"), date=day, source=sources[0],
                           license=rows["license"].iloc[0] or None, path=f"{store}@{day}",
                           meta={"store": str(store), "file_sha256": rows["sha256"].iloc[0]},
                           checked=True)  # the checks above
    # a store's date is identified by its geometry: the hash a manifest records
    given = snap.given
    assert isinstance(given, Sides)  # a snapshot's sides always are
    given.origin = snap.geometry_sha256
    object.__setattr__(snap, "sha256", given.origin)
    return snap


def read_store(store: str | Path, date: str | dt.date, source: str | None = None,
               engine: str | None = None) -> Snapshot:
    """The snapshot of ``date`` from a store.

    Parameters
    ----------
    store : str or Path
        The store.
    date : str or datetime.date
        The date; it must be in the store.
    source : str, optional
        The source, when the store holds several on that date.
    engine : {"pyogrio", "fiona"}, optional
        GDAL binding.

    Returns
    -------
    Snapshot
        With ``path`` ``STORE@DATE`` and ``sha256`` the SHA-256 of that date's geometry.

    Raises
    ------
    DateError
        When the store has no snapshot of that date: the nearest dates are named.

    Examples
    --------
    >>> import loc, tempfile, pathlib
    >>> store = pathlib.Path(tempfile.mkdtemp()) / "history.gpkg"
    >>> _ = loc.import_snapshots(loc.sample_paths(), store)
    >>> loc.read_store(store, "2025-01-08").label
    '2025-01-08'
    """
    store = Path(store)
    if not store.exists():
        raise InputError("no such store", store)
    when = parse_date(date, str(store))
    rows = _read(store, engine, where=f"date = '{when.isoformat()}'")
    if source is not None:
        rows = rows[rows["source"] == source]
    if rows.empty:
        find_date(store_dates(store, source, engine), when, str(store))
        raise InputError(f"holds {when.isoformat()} only as other text than YYYY-MM-DD (was "
                         "the store changed outside loc?)", store)
    return _snapshot(store, rows, when.isoformat())


def read_store_series(store: str | Path, since: dt.date | None = None,
                      until: dt.date | None = None, source: str | None = None,
                      engine: str | None = None) -> list[Snapshot]:
    """Every snapshot of a store (between ``since`` and ``until``), oldest first, read in
    one pass.

    Parameters
    ----------
    store : str or Path
        The store.
    since, until : datetime.date, optional
        The first and last date to read.
    source : str, optional
        Only this source (required when the store holds several on one date).
    engine : {"pyogrio", "fiona"}, optional
        GDAL binding.

    Returns
    -------
    list of Snapshot
        One per date.
    """
    store = Path(store)
    if not store.exists():
        raise InputError("no such store", store)
    clauses = []
    if since is not None:
        clauses.append(f"date >= '{since.isoformat()}'")
    if until is not None:
        clauses.append(f"date <= '{until.isoformat()}'")
    if clauses:  # the range is a text comparison: a date written otherwise would slip by
        _iso_days(_read(store, engine, geometry=False), store)
    gdf = _read(store, engine, where=" AND ".join(clauses) or None)
    _iso_days(gdf, store)
    if source is not None:
        gdf = gdf[gdf["source"] == source]
    return [_snapshot(store, rows, str(day)) for day, rows in gdf.groupby("date", sort=True)]


def split_reference(text: str) -> tuple[Path, str] | None:
    """``STORE.gpkg@YYYY-MM-DD`` to (store path, date text), else None.

    Parameters
    ----------
    text : str
        An input reference.

    Returns
    -------
    (pathlib.Path, str) or None
        The store and the date text.

    Examples
    --------
    >>> split_reference("history.gpkg@2025-09-05")
    (PosixPath('history.gpkg'), '2025-09-05')
    """
    head, sep, tail = str(text).rpartition("@")
    if sep and head.lower().endswith(".gpkg") and tail:
        return Path(head), tail
    return None

"""Snapshot history in one GeoPackage: import, list, read back by date.

The store is a plain GeoPackage (it opens in QGIS) with one layer, ``control``: one row per
date, source and side, with the source's licence and the SHA-256 of the file it came from,
geometry in lon/lat (OGC:CRS84). Only the sides a source gives are stored; the Ukrainian-held
side is derived again when a snapshot is read back.

Writes are atomic: the new store is written next to the old one and renamed over it, so an
interrupted import leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from loc.errors import DateError, InputError, OutputError
from loc.io import write_gpkg
from loc.snapshot import LocWarning, Snapshot, from_geometries, parse_date, read

LAYER = "control"
COLUMNS = ["date", "source", "license", "sha256", "side"]


@dataclass
class ImportResult:
    """What an import did: dates added and snapshots skipped (already in the store)."""

    added: list[str]
    skipped: list[str]
    path: Path


def _load(store: Path) -> gpd.GeoDataFrame:
    if not store.exists():
        return gpd.GeoDataFrame(columns=[*COLUMNS, "geometry"], geometry="geometry",
                                crs="OGC:CRS84")
    try:
        gdf = pyogrio.read_dataframe(store, layer=LAYER)
    except Exception as exc:  # GDAL raises several kinds for a file that is not a store
        raise InputError(f"not a loc store (GeoPackage with a '{LAYER}' layer): "
                         f"{str(exc).splitlines()[0]}", store) from None
    return gdf.set_crs("OGC:CRS84", allow_override=True)


def import_snapshots(sources, store: str | Path, progress=None) -> ImportResult:
    """Add snapshots (files or Snapshots) to a store; a (date, source) already stored is
    skipped. Every snapshot needs a date.

    The whole store is rewritten into a temporary file and renamed over the old one.
    """
    store = Path(store)
    if store.suffix.lower() != ".gpkg":
        raise OutputError("a store is a GeoPackage: give a .gpkg path", store)
    current = _load(store)
    have = set(zip(current["date"], current["source"], strict=True))
    rows, added, skipped = [], [], []
    for item in sources:
        snap = item if isinstance(item, Snapshot) else read(item)
        if snap.date is None:
            raise DateError("has no date: a store keeps dated snapshots", snap.path)
        key = (snap.date.isoformat(), snap.source)
        if key in have:
            skipped.append(f"{key[0]} {key[1]}")
            if progress:
                progress(1)
            continue
        have.add(key)
        for side in ("ru", "contested", "ua"):
            geom = snap.given.get(side)
            if geom is not None and not geom.is_empty:
                rows.append({"date": key[0], "source": snap.source,
                             "license": snap.license or "", "sha256": snap.sha256 or "",
                             "side": side, "geometry": geom})
        added.append(key[0])
        if progress:
            progress(1)
    if rows:
        new = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs="OGC:CRS84")
        merged = gpd.GeoDataFrame(pd.concat([current, new], ignore_index=True),
                                  geometry="geometry", crs="OGC:CRS84")
        merged = merged.sort_values(["date", "source", "side"], kind="stable")
        write_gpkg(store, {LAYER: merged}, geometry_type="MultiPolygon",
                   promote_to_multi=True)
    return ImportResult(added=added, skipped=skipped, path=store)


def list_snapshots(store: str | Path) -> pd.DataFrame:
    """One row per stored (date, source): sides, licence, sha256 and vertex count."""
    store = Path(store)
    if not store.exists():
        raise InputError("no such store", store)
    gdf = _load(store)
    if gdf.empty:
        return pd.DataFrame(columns=["date", "source", "sides", "license", "sha256"])
    import shapely

    gdf["vertices"] = shapely.get_num_coordinates(gdf.geometry.values)
    out = (gdf.groupby(["date", "source"], sort=True)
           .agg(sides=("side", lambda s: ",".join(sorted(s))), license=("license", "first"),
                sha256=("sha256", "first"), vertices=("vertices", "sum"))
           .reset_index())
    return out


def read_store(store: str | Path, date: str | dt.date, source: str | None = None) -> Snapshot:
    """The snapshot of ``date`` from a store; the nearest earlier date (with a warning) when
    that date is missing.

    Raises
    ------
    LocError
        When the store has no snapshot on or before the date.
    """
    store = Path(store)
    if not store.exists():
        raise InputError("no such store", store)
    when = parse_date(date, str(store))
    gdf = _load(store)
    if source is not None:
        gdf = gdf[gdf["source"] == source]
    dates = sorted({d for d in gdf["date"] if d <= when.isoformat()})
    if not dates:
        raise DateError(f"store has no snapshot on or before {when.isoformat()}", store)
    day = dates[-1]
    if day != when.isoformat():
        warnings.warn(f"{store}: no snapshot on {when.isoformat()}; using {day}, the nearest "
                      "earlier date", LocWarning, stacklevel=2)
    rows = gdf[gdf["date"] == day]
    sources = sorted(set(rows["source"]))
    if len(sources) > 1:
        raise InputError(f"store holds several sources on {day} ({', '.join(sources)}): "
                         "choose one with source=", store)
    rows = rows[rows["source"] == sources[0]]
    sides = {s: g for s, g in zip(rows["side"], rows.geometry.values, strict=True)}
    import shapely

    snap = from_geometries(sides.get("ru", shapely.MultiPolygon()), sides.get("contested"),
                           sides.get("ua"), date=day, source=sources[0],
                           license=rows["license"].iloc[0] or None,
                           path=f"{store}@{day}", sha256=rows["sha256"].iloc[0] or None)
    return snap


def split_reference(text: str) -> tuple[Path, str] | None:
    """``STORE.gpkg@YYYY-MM-DD`` to (store path, date text), else None."""
    head, sep, tail = str(text).rpartition("@")
    if sep and head.lower().endswith(".gpkg") and tail:
        return Path(head), tail
    return None

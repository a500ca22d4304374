"""Benchmark: line_of_contact per snapshot, against a naive boundary difference.

Run from the repository root (needs ../shared/data/deepstate)::

    python benchmarks/bench_line.py [--every N]

The naive baseline is what a first attempt does: the occupied polygon's boundary minus a 1 km
buffer of Ukraine's outline (CONFORMAL CRS). It is fast but leaves slivers along the coasts;
the table shows both the time and how many pieces each returns.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import shapely

import loc
from loc import geo as lcrs
from loc.reference.regions import ukraine

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "deepstate"


def naive(snap):
    outline = shapely.buffer(shapely.boundary(lcrs.project(ukraine())), 1000.0)
    return shapely.get_parts(shapely.difference(
        shapely.boundary(lcrs.project(snap.occupied)), outline))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--every", type=int, default=10, help="use every Nth file (default 10)")
    args = ap.parse_args()
    files = sorted(DATA.glob("deepstatemap_data_*.geojson"))[:: args.every]
    snaps = [loc.read(f) for f in files]
    loc.line_of_contact(snaps[0])  # warm caches (regions, land outline)
    naive(snaps[0])
    t_loc, t_naive, n_loc, n_naive = [], [], [], []
    for s in snaps:
        t0 = time.perf_counter()
        n_loc.append(len(loc.line_of_contact(s)))
        t1 = time.perf_counter()
        n_naive.append(len(naive(s)))
        t2 = time.perf_counter()
        t_loc.append(t1 - t0)
        t_naive.append(t2 - t1)
    ratio = statistics.median(t_loc) / statistics.median(t_naive)
    print(f"{len(snaps)} snapshots")
    print(f"line_of_contact : median {1e3 * statistics.median(t_loc):7.1f} ms/snapshot, "
          f"median {statistics.median(n_loc):.0f} pieces")
    print(f"naive difference: median {1e3 * statistics.median(t_naive):7.1f} ms/snapshot, "
          f"median {statistics.median(n_naive):.0f} pieces")
    print(f"ratio loc/naive : {ratio:.1f}x the time of the naive baseline")


if __name__ == "__main__":
    main()

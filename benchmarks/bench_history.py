"""Benchmark: loc.line_history over a year of daily files against the naive per-date loop.

Run from the repository root (needs ../shared/data/deepstate)::

    python benchmarks/bench_history.py [--days 365] [--start 0] [--repeat 3]

The naive loop is what a user would write: read each file and compute its line of contact
(``loc.line_of_contact(loc.read(f))``). Both run in this one process, each timed
``--repeat`` times in turn (history, naive, history, naive, ...), the medians compared; the
script checks that every date's pieces agree (kinds equal, lengths within 0.01 km, Hausdorff
distance under 1 m) and prints the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import shapely

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "deepstate"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=365, help="files (default 365)")
    ap.add_argument("--start", type=int, default=0, help="first file (default 0)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each (default 3)")
    args = ap.parse_args()
    files = sorted(DATA.glob("deepstatemap_data_*.geojson"))[args.start:args.start + args.days]
    import loc
    from loc import geo

    loc.line_of_contact(loc.read(files[0]))  # load regions, land and their indexes
    t_hist, t_naive = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        history = loc.line_history(files)
        t_hist.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        naive = [loc.line_of_contact(loc.read(f)) for f in files]
        t_naive.append(time.perf_counter() - t0)
    worst_km = worst_m = 0.0
    for (_, got), ref in zip(history.groupby("date", sort=True), naive, strict=True):
        assert list(got["kind"]) == list(ref["kind"])
        worst_km = max(worst_km, float(np.abs(got["length_km"].to_numpy()
                                              - ref["length_km"].to_numpy()).max()))
        worst_m = max(worst_m, max(
            shapely.hausdorff_distance(geo.project(a), geo.project(b))
            for a, b in zip(got.geometry.values, ref.geometry.values, strict=True)))
    h, n = statistics.median(t_hist), statistics.median(t_naive)
    print(f"{len(files)} daily files {files[0].name[-13:-8]}..{files[-1].name[-13:-8]}")
    print(f"naive loop (read + line_of_contact): {n:7.2f} s  {1e3 * n / len(files):6.1f} ms/date"
          f"   (runs: {', '.join(f'{t:.2f}' for t in t_naive)} s)")
    print(f"loc.line_history                   : {h:7.2f} s  {1e3 * h / len(files):6.1f} ms/date"
          f"   (runs: {', '.join(f'{t:.2f}' for t in t_hist)} s)")
    print(f"ratio: line_history takes 1/{n / h:.1f} of the naive loop's time")
    print(f"agreement: lengths within {worst_km:.2g} km, Hausdorff distance {worst_m:.2g} m")


if __name__ == "__main__":
    main()

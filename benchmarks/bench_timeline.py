"""Benchmark: loc.timeline over every shared DeepState snapshot against a naive loop.

Run from the repository root (needs ../shared/data/deepstate)::

    python benchmarks/bench_timeline.py [--limit N]

The naive loop is what the timeline issue describes: read each file with geopandas,
project it to the equal-area CRS, and two overlay differences per consecutive pair. Both run in
this one process (``loc.timeline`` cold ``--repeat`` times before the naive loop and as many
after it, each with an empty cache, the median reported: on a shared machine a burst of
short runs can fall in a slow spell that the long naive run averages out); the script checks
that every daily gained/lost figure agrees within 0.01 km² and prints the ratio, the
warm-cache time and peak memory (RSS). It also prints the CPU time of the cold runs (this
process and its workers): on a shared machine the wall-clock ratio falls towards the CPU
ratio when other work holds the cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

import geopandas as gpd

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "deepstate"


def naive(files: list[Path]) -> list[tuple[float, float]]:
    from loc.geo import EQUAL_AREA

    out, prev = [], None
    for f in files:
        g = gpd.read_file(f).to_crs(EQUAL_AREA)
        if prev is not None:
            gained = gpd.overlay(g, prev, how="difference").area.sum() / 1e6
            lost = gpd.overlay(prev, g, how="difference").area.sum() / 1e6
            out.append((gained, lost))
        prev = g
    return out


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory (MB) of this process, or of the largest finished child."""
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="only the first N files")
    ap.add_argument("--repeat", type=int, default=3,
                    help="cold runs (each with an empty cache) before the naive loop, and as "
                         "many after it; the median of all is reported")
    args = ap.parse_args()
    files = sorted(DATA.glob("deepstatemap_data_*.geojson"))[: args.limit]
    import loc
    from loc.analysis.timeline import timeline

    cpu: list[float] = []

    def cold_runs() -> list[float]:
        out = []
        for _ in range(args.repeat):
            os.environ["LOC_CACHE_DIR"] = tempfile.mkdtemp(prefix="loc-bench-")
            c0 = os.times()
            t0 = time.perf_counter()
            timeline(files)
            out.append(time.perf_counter() - t0)
            c1 = os.times()
            cpu.append(sum(c1[:4]) - sum(c0[:4]))
        return out

    loc.regions()  # load the bundled registry outside the timings
    colds = cold_runs()
    rss_loc = peak_rss_mb()
    t0 = time.perf_counter()
    df = timeline(files)
    t_warm = time.perf_counter() - t0
    c0 = os.times()
    t0 = time.perf_counter()
    ref = naive(files)
    t_naive = time.perf_counter() - t0
    cpu_naive = sum(os.times()[:4]) - sum(c0[:4])
    colds += cold_runs()  # spread over time like the long naive run, not in one burst
    t_cold = statistics.median(colds)
    worst = max(max(abs(g - a), abs(lo - b)) for (g, lo), a, b in
                zip(ref, df["gained_km2"].iloc[1:], df["lost_km2"].iloc[1:], strict=True))
    print(f"{len(files)} snapshots, {len(ref)} daily pairs")
    print(f"naive geopandas loop : {t_naive:8.2f} s")
    print(f"loc.timeline (cold)  : {t_cold:8.2f} s   {t_naive / t_cold:6.1f}x faster"
          f"   (median of {len(colds)}: {', '.join(f'{t:.2f}' for t in colds)} s)")
    print(f"CPU time             : naive {cpu_naive:.2f} s, loc.timeline cold median "
          f"{statistics.median(cpu):.3f} s ({cpu_naive / statistics.median(cpu):.1f}x)")
    print(f"loc.timeline (warm)  : {t_warm:8.2f} s   {t_naive / t_warm:6.1f}x faster")
    print(f"largest daily gained/lost difference: {worst:.6f} km²")
    print(f"peak RSS after loc.timeline: {rss_loc:.0f} MB (largest worker process: "
          f"{peak_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB); after the naive loop: "
          f"{peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()

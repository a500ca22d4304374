"""Benchmark: ``loc.check`` of one freeze over a series of daily snapshots, as ``loc verify``
runs it, against the same checks with nothing remembered between them.

Run from the repository root (needs ../shared/data/deepstate)::

    python benchmarks/bench_check.py [--days N] [--repeat R]

Both runs check the 2025-01-08 freeze against the same N daily files (read beforehand)
in this one process, alternately ``--repeat`` times; the medians and their ratio are
printed, and the script asserts that both give the same reports.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "deepstate"


def forget() -> None:
    """Empty what checks remember across calls (depths by line, settlements by area)."""
    from loc.analysis import compliance
    from loc.reference import settlements

    compliance._Reach.last = None
    settlements._PEOPLE.clear()


def run(frozen, snaps, remember: bool) -> tuple[float, list]:
    import loc

    forget()
    out = []
    t0 = time.perf_counter()
    for snap in snaps:
        if not remember:
            forget()
        r = loc.check(frozen, snap)
        out.append((r.breaches.drop(columns="geometry").to_csv(),
                    list(r.breaches.geometry.to_wkb())))
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=30, help="daily files from 2025-03-01 on")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    import loc

    warnings.simplefilter("ignore", loc.LocWarning)
    files = sorted(f for f in DATA.glob("deepstatemap_data_*.geojson")
                   if f.name >= "deepstatemap_data_20250301")[: args.days]
    frozen = loc.freeze(loc.read(DATA / "deepstatemap_data_20250108.geojson"))
    snaps = [loc.read(f) for f in files]
    fresh, kept = [], []
    for _ in range(args.repeat):
        t, a = run(frozen, snaps, remember=False)
        fresh.append(t)
        t, b = run(frozen, snaps, remember=True)
        kept.append(t)
        assert a == b, "the reports differ"
    f, k = statistics.median(fresh), statistics.median(kept)
    print(f"{len(snaps)} daily checks of the 2025-01-08 freeze "
          f"({files[0].stem[-8:]}..{files[-1].stem[-8:]}), median of {args.repeat}")
    print(f"nothing remembered : {f:7.2f} s  ({f / len(snaps) * 1e3:.0f} ms a day)")
    print(f"loc.check          : {k:7.2f} s  ({k / len(snaps) * 1e3:.0f} ms a day)   "
          f"{f / k:.1f}x faster, same reports")


if __name__ == "__main__":
    main()

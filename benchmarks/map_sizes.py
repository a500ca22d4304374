"""Map sizes: one date, a 30-day slider and a 100-date slider from the shared snapshots.

Run from the repository root (needs ../shared/data/deepstate)::

    python benchmarks/map_sizes.py

Prints the HTML size of each map and the share taken by the inlined Leaflet and loc runtime.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import loc
from loc.outputs.render import render

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "deepstate"


def main() -> None:
    files = sorted(DATA.glob("deepstatemap_data_*.geojson"))
    cases = {
        "1 date (2025-09-05)": [DATA / "deepstatemap_data_20250905.geojson"],
        "30 daily dates (2025-08)": [f for f in files if "_202508" in f.name][:30],
        "100 dates (every 5th day)": files[::5][:100],
    }
    with tempfile.TemporaryDirectory() as out:
        for label, paths in cases.items():
            t0 = time.perf_counter()
            m = render([loc.read(p) for p in paths], out=out, name=f"n{len(paths)}")
            size = m.loc_version.html_path.stat().st_size
            print(f"{label:28s} {size / 1024:8,.0f} KB  ({time.perf_counter() - t0:5.1f} s)")


if __name__ == "__main__":
    main()

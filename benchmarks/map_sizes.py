"""Map sizes, and the all-history slider: time, peak memory and browser figures.

Run from the repository root (needs ../shared/data/deepstate; the browser part needs
Debian's chromium)::

    python benchmarks/map_sizes.py            # sizes of 1, 30 and 100 dates
    python benchmarks/map_sizes.py --all      # also every date in one slider

Each render runs in a fresh process (peak RSS of that process, from ``resource``) and
reads its input as ``loc render`` does (one file with ``loc.read``, a series with
``loc.read_series``). The all-history figures (three renders of every date, each followed
by a one-date render, on a shared machine: the medians): render time as a ratio to the
median of the six one-date renders, peak RSS, the page's size, and in headless Chromium the JS heap
after opening and the median time of a date switch (50 switches to random dates). Lines come from
``loc.outputs.render._lines`` (one ``line_of_contact`` per snapshot unless a line history
replaces it): the script prints which.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "deepstate"

CHILD = r"""
import json, resource, sys, time, inspect
import loc
from loc.outputs import render as r
paths = json.loads(sys.argv[1]); out = sys.argv[2]
t0 = time.perf_counter()
snaps = [loc.read(paths[0])] if len(paths) == 1 else loc.read_series(paths)
m = r.render(snaps, out=out, name=f"n{len(paths)}")
dt = time.perf_counter() - t0
src = inspect.getsource(r._lines)
print(json.dumps({"seconds": dt, "bytes": m.loc_version.html_path.stat().st_size,
                  "path": str(m.loc_version.html_path),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "lines": "line_history" if "line_history" in src else
                           "line_of_contact per snapshot"}))
"""


def run(paths: list[Path], out: str) -> dict:
    res = subprocess.run([sys.executable, "-c", CHILD, json.dumps([str(p) for p in paths]),
                          out], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(res.stdout.strip().splitlines()[-1])


def browser(html: str, dates: list[str]) -> dict:
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from tests.browser import chromium_path

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path(),
                               args=["--headless=new", "--no-sandbox",
                                     "--enable-precise-memory-info"])
        page = b.new_page(viewport={"width": 1400, "height": 900})
        t0 = page.evaluate("performance.now()")
        page.goto(Path(html).resolve().as_uri())
        page.wait_for_function("window.locMap !== undefined", timeout=120_000)
        opened = page.evaluate("performance.now()") - t0
        times = page.evaluate("""(n) => {
            const s = window.locMap.slider, out = [];
            let seed = 7;
            for (let k = 0; k < n; k++) {
                seed = (seed * 1103515245 + 12345) % 2147483648;
                const i = seed % window.locMap.payload.dates.length;
                const t = performance.now(); s.set(i); out.push(performance.now() - t);
            }
            return out;
        }""", 50)
        heap = page.evaluate("performance.memory.usedJSHeapSize") / 2**20
        b.close()
    return {"open_ms": opened, "switch_ms_median": statistics.median(times),
            "switch_ms_max": max(times), "js_heap_mb": heap}


def main() -> None:
    files = sorted(DATA.glob("deepstatemap_data_*.geojson"))
    one = [DATA / "deepstatemap_data_20250905.geojson"]
    cases = {"1 date (2025-09-05)": one,
             "30 daily dates (2025-08)": [f for f in files if "_202508" in f.name][:30],
             "100 dates (every 5th day)": files[::5][:100]}
    with tempfile.TemporaryDirectory() as out:
        singles = [run(one, out) for _ in range(3)]
        base = statistics.median(s["seconds"] for s in singles)
        print(f"one date: median {base:.2f} s over 3 runs, peak "
              f"{statistics.median(s['peak_mb'] for s in singles):.0f} MB, "
              f"{singles[0]['bytes'] / 1024:,.0f} KB")
        for label, paths in list(cases.items())[1:]:
            r = run(paths, out)
            print(f"{label:28s} {r['bytes'] / 1024:8,.0f} KB  {r['seconds']:6.1f} s  "
                  f"peak {r['peak_mb']:.0f} MB")
        if "--all" in sys.argv:
            # all dates three times, one date three times more between them: the medians
            alls = []
            for _ in range(3):
                alls.append(run(files, out))
                singles.append(run(one, out))
            base = statistics.median(s["seconds"] for s in singles)
            r = sorted(alls, key=lambda x: x["seconds"])[1]
            each = ", ".join(f"{x['seconds']:.2f}" for x in alls)
            print(f"all {len(files)} dates: {r['bytes'] / 1024:,.0f} KB, median "
                  f"{r['seconds']:.2f} s of {each} = "
                  f"{r['seconds'] / base:.1f}x one date (median {base:.3f} s of "
                  f"{len(singles)}), peak {max(x['peak_mb'] for x in alls):.0f} MB "
                  f"(lines: {r['lines']})")
            print("browser:", json.dumps({k: round(v, 1) for k, v in
                                          browser(r["path"], []).items()}))


if __name__ == "__main__":
    main()

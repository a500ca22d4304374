"""Start-up of the ``loc`` command: ``loc --help`` and ``loc stats`` load only what they use.

The baseline, measured in the same run, is the same ``--help`` after importing every module
of loc first (what an eagerly loading command line costs). Each command runs as a fresh
process; medians over the runs, because the machine is shared and noisy.

    python benchmarks/bench_cli.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EAGER = ("import pkgutil, importlib, loc\n"
         "for m in pkgutil.walk_packages(loc.__path__, 'loc.'):\n"
         "    if not m.name.endswith('__main__'): importlib.import_module(m.name)\n"
         "from loc.cli import main\nimport sys\nsys.argv = ['loc', '--help']\nmain()")


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    sample = str(ROOT / "data" / "sample" / "sample_2025-09-05.geojson")
    commands = {
        "loc --help": [sys.executable, "-m", "loc", "--help"],
        "eager --help (baseline)": [sys.executable, "-c", EAGER],
        "loc stats SAMPLE": [sys.executable, "-m", "loc", "stats", sample],
    }
    times: dict[str, list[float]] = {k: [] for k in commands}
    for cmd in commands.values():  # warm the file cache
        _time(cmd)
    for _ in range(args.runs):  # interleaved, so drift hits every command alike
        for name, cmd in commands.items():
            times[name].append(_time(cmd))
    for name, values in times.items():
        print(f"{name:<26} median {statistics.median(values):6.3f} s  "
              f"(min {min(values):.3f}, max {max(values):.3f})")
    ratio = [a / b for a, b in zip(times["loc --help"], times["eager --help (baseline)"],
                                   strict=True)]
    print(f"loc --help / eager baseline: median {statistics.median(ratio):.2f} "
          f"(min {min(ratio):.2f}, max {max(ratio):.2f})")


if __name__ == "__main__":
    main()

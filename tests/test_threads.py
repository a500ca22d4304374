"""loc used from several threads at once: no prepared geometry is shared between threads
(GEOS's prepared geometries change state as they are queried, and two threads querying one
at once crashed the process: libgeos/geos#825), and the figures are those of one thread."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import numpy as np
import shapely

import loc
from loc import geo
from loc.analysis import line
from loc.reference import regions, settlements

from .conftest import ROOT, deepstate_files

LOOKUPS = {
    "ukraine": lambda: [regions.ukraine()],
    "ukraine_reach": lambda: [regions.ukraine_reach()],
    "region_groups": lambda: list(regions.region_groups()[0].values),
    "region_groups_m": lambda: list(regions.region_groups_m()[1]),
    "region_land_m": lambda: [regions.region_land_m()],
    "region_index": lambda: list(regions._region_index()[0]),
    "land_conformal": lambda: list(line.land_conformal()),
    "inland": lambda: [line._inland(2_000.0)],
}


def _in_thread(fn):
    out: list = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join()
    return out[0]


def test_each_thread_has_its_own_prepared_lookups():
    here = {k: f() for k, f in LOOKUPS.items()}
    there = _in_thread(lambda: {k: f() for k, f in LOOKUPS.items()})
    for k in LOOKUPS:
        assert all(shapely.is_prepared(g) for g in here[k]), k
        assert all(shapely.is_prepared(g) for g in there[k]), k
        assert not {id(g) for g in here[k]} & {id(g) for g in there[k]}, k
        # the same geometry, bit for bit
        assert all(a.equals_exact(b, 0) for a, b in zip(here[k], there[k], strict=True)), k
        assert all(g is h for g, h in zip(here[k], LOOKUPS[k](), strict=True)), k  # cached
    # what the lookups are built from is never prepared
    assert not shapely.is_prepared(loc.regions().geometry.values).any()
    assert not shapely.is_prepared(regions._land())


def test_a_geometry_given_to_loc_is_not_prepared_by_it():
    snap = loc.read(loc.sample_paths()[-1])
    snap.settlement_sides()
    snap.side_at(np.array([37.8, 33.0]), np.array([48.0, 49.0]))
    settlements.inside(snap.side("ru"))
    reach = geo.LineReach(shapely.LineString([(0, 0), (1000, 0)]))
    box = shapely.box(0, 0, 1000, 300)
    assert reach.farthest(box)[0] > 299
    earlier = loc.read(loc.sample_paths()[-2])
    assert len(loc.movement(earlier, snap)) > 0
    for s in (snap, earlier):
        for side in ("ru", "ua", "contested"):
            assert not shapely.is_prepared(s.side(side)), side
    assert not shapely.is_prepared(box)


THREADED = """
import json, sys, threading
import loc
from loc import geo
files = sys.argv[1:]
def figures(path):
    snap = loc.read(path)
    out = [round(float(geo.area_km2(snap.side("ru"))), 6),
           int((snap.settlement_sides() == "ru").sum())]
    if files.index(path) % 8 == 0:
        out += [round(float(v), 6) for v in loc.stats(snap)["occupied_km2"]]
    return out
serial = {p: figures(p) for p in files[:2]}
out, errors = {}, []
def work(part):
    try:
        for p in part:
            out[p] = figures(p)
    except BaseException as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=work, args=(files[k::4],)) for k in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({"errors": errors, "out": out, "serial": serial}))
"""


def test_reading_and_measuring_in_four_threads_at_once():
    files = [str(f) for f in deepstate_files()[::6][:80]]
    # a fresh process: a crash (as GEOS gave) fails this test, not the whole run
    r = subprocess.run([sys.executable, "-c", THREADED, *files], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    doc = json.loads(r.stdout)
    assert doc["errors"] == []
    assert sorted(doc["out"]) == sorted(files)
    for p, fig in doc["serial"].items():
        assert doc["out"][p] == fig  # the same figures as one thread alone
    assert all(fig[0] > 50_000 for fig in doc["out"].values())

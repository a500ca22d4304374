"""The line history equals the line of contact date by date, on real files and under random
edits, and series analyses compute each line once."""

import json

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import loc
from loc import geo as lcrs
from loc.analysis import history as history_module
from loc.analysis import line as line_module
from loc.errors import LocWarning
from tests.conftest import deepstate_files, deepstate_path


def assert_same_lines(got, ref, what=""):
    """Same pieces in the same order: kinds equal, lengths within 0.01 km, Hausdorff distance
    under 1 m (CONFORMAL)."""
    got = got.reset_index(drop=True)
    assert list(got["kind"]) == list(ref["kind"]), what
    assert list(got["region"]) == list(ref["region"]), what
    assert np.abs(got["length_km"].to_numpy() - ref["length_km"].to_numpy()).max(
        initial=0.0) <= 0.01, what
    for a, b in zip(got.geometry.values, ref.geometry.values, strict=True):
        assert shapely.hausdorff_distance(lcrs.project(a), lcrs.project(b)) < 1.0, what


def test_history_equals_line_of_contact_over_a_month(deepstate_dir):
    files = [f for f in deepstate_files() if "_202508" in f.name]
    assert len(files) == 31
    history = loc.line_history(deepstate_dir, since="2025-08-01", until="2025-08-31")
    assert list(history.columns) == ["date", "piece", "kind", "region", "length_km", "label",
                                     "geometry"]
    assert history.crs == "OGC:CRS84"
    days = sorted(history["date"].unique())
    assert [d.isoformat() for d in days[:2]] == ["2025-08-01", "2025-08-02"] and len(days) == 31
    for day, f in zip(days, files, strict=True):
        assert_same_lines(history[history["date"] == day], loc.line_of_contact(loc.read(f)),
                          str(day))


def test_inputs_in_any_form_give_the_same_history(tmp_path):
    """A list of files, with one in another form (a side property: the general reader), and
    the same as snapshots."""
    files = [deepstate_path(d) for d in ("20250903", "20250904", "20250905")]
    doc = json.loads(files[1].read_text())
    doc["features"][0]["properties"] = {"side": "ru"}
    other = tmp_path / "deepstatemap_data_20250904.json"
    other.write_text(json.dumps(doc))
    mixed = loc.line_history([files[0], other, files[2]])
    snaps = [loc.read(f) for f in files]
    refs = [loc.line_of_contact(s) for s in snaps]
    as_snaps = loc.line_history(snaps)
    for got in (mixed, as_snaps):
        for day, ref in zip(sorted(got["date"].unique()), refs, strict=True):
            assert_same_lines(got[got["date"] == day], ref, str(day))


def test_history_of_a_store(tmp_path):
    files = [deepstate_path(d) for d in ("20250903", "20250904", "20250905")]
    store = tmp_path / "history.gpkg"
    loc.import_snapshots(files, store)
    history = loc.line_history(store, since="2025-09-04")
    assert [d.isoformat() for d in sorted(history["date"].unique())] == ["2025-09-04",
                                                                         "2025-09-05"]
    for day, f in zip(sorted(history["date"].unique()), files[1:], strict=True):
        assert_same_lines(history[history["date"] == day], loc.line_of_contact(loc.read(f)),
                          str(day))


def test_history_checks_its_options():
    with pytest.raises(loc.LocError, match="reach_km"):
        loc.line_history(loc.sample_paths(), reach_km=0)
    with pytest.raises(loc.LocError, match="no snapshot"):
        loc.line_history(loc.sample_paths(), since="2030-01-01")


def test_history_reclassifies_unchanged_boundary_near_a_change(snap_20250905):
    """The occupied outline along the Dnipro floodplain stays the same, but most of the
    floodplain is taken, leaving a 300 m sliver: the unchanged stretch facing it is no
    longer front, and the history must see that, not keep the previous date's classes."""
    from loc.reference.regions import ukraine

    a = snap_20250905
    box = shapely.box(32.38, 46.46, 32.60, 46.58)
    free = shapely.difference(shapely.intersection(ukraine(), box), a.occupied)
    strip = [p for p in shapely.get_parts(free)
             if shapely.intersects(p, shapely.buffer(a.occupied, 1e-6))][0]
    taken = lcrs.unproject(shapely.buffer(lcrs.project(strip), -300.0))
    b = loc.from_geometries(shapely.union(a.occupied, taken), date="2025-09-06")
    refs = [loc.line_of_contact(loc.from_geometries(s.occupied, date=s.date)) for s in (a, b)]
    ends = [ref.geometry.iloc[0].coords[-1][0] for ref in refs]
    assert ends[0] < 32.45 and ends[1] > 32.55  # the front along the floodplain is gone
    history = loc.line_history([a, b])
    for s, ref in zip((a, b), refs, strict=True):
        assert_same_lines(history[history["date"] == s.date], ref, str(s.date))


# -- random edits -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def base_ring(snap_20250905):
    main = max(shapely.get_parts(snap_20250905.occupied), key=lambda p: p.area)
    return snap_20250905.occupied, lcrs.project(main.exterior)


edits = st.lists(st.tuples(st.floats(0.0, 1.0), st.floats(300.0, 8000.0), st.booleans()),
                 min_size=2, max_size=4)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(edits)
def test_history_equals_line_of_contact_under_random_edits(base_ring, steps):
    """Disks taken or given anywhere along the occupied outline (front, coasts, the Dnipro,
    the state border), one more each date: the history equals each date's own line."""
    occupied, ring_m = base_ring
    snaps = [loc.from_geometries(occupied, date="2025-09-05")]
    for k, (at, radius, take) in enumerate(steps):
        disk = lcrs.unproject(shapely.buffer(
            shapely.line_interpolate_point(ring_m, at * ring_m.length), radius, quad_segs=4))
        geom = snaps[-1].occupied
        geom = shapely.union(geom, disk) if take else shapely.difference(geom, disk)
        snaps.append(loc.from_geometries(geom, date=f"2025-09-{6 + k:02d}"))
    refs = [loc.line_of_contact(loc.from_geometries(s.occupied, date=s.date)) for s in snaps]
    history = loc.line_history(snaps)
    for s, ref in zip(snaps, refs, strict=True):
        assert_same_lines(history[history["date"] == s.date], ref, str(s.date))


# -- series analyses compute each line once ---------------------------------------------------

def test_weekly_movement_over_a_month_computes_each_line_once(monkeypatch):
    """``loc movement --period week`` over a month: one history over the snapshots used (the
    first of each week and the last), each date once, and no line computed from scratch."""
    full, dates = [], []
    real_line, real_date = line_module._line, history_module._History.date

    def count_line(snapshot, options):
        full.append(snapshot.label)
        return real_line(snapshot, options)

    def count_date(self, item):
        dates.append(item.label)
        return real_date(self, item)

    monkeypatch.setattr(line_module, "_line", count_line)
    monkeypatch.setattr(history_module._History, "date", count_date)
    files = [f for f in deepstate_files() if "_202508" in f.name]
    series = loc.movement_series(files, period="week")
    assert full == []
    assert dates == sorted(set(dates)) and len(dates) == 6  # 5 weeks begin in August, + last
    assert series["start"].nunique() == 5


def test_a_date_with_the_rings_of_the_one_before_takes_its_line_whole(deepstate_dir):
    """2024-08-09 has the sides of 2024-08-08 (one of 67 such archive dates): its line is
    the one before, taken whole, and equals the line of contact computed afresh."""
    snaps = [loc.read(deepstate_path(d)) for d in ("20240808", "20240809", "20240810")]
    assert snaps[0].geometry_sha256 == snaps[1].geometry_sha256 != snaps[2].geometry_sha256
    history = loc.line_history(snaps, remember=False)
    for snap in snaps:
        assert_same_lines(history[history["date"] == snap.date].drop(columns="date"),
                          loc.line_of_contact(snap), snap.label)


# -- what is kept from one date to the next ----------------------------------------------

def test_a_value_kept_from_the_last_date_is_never_another_rows(monkeypatch):
    """Every row's hash the same (as a crafted file could make two segments' hashes): a row
    gets the value kept for itself or a fresh one, never the value of another row."""
    monkeypatch.setattr(history_module.lcrs, "row_hashes",
                        lambda rows: np.zeros(len(rows), dtype=np.uint64))
    memo = history_module._LastDate(2)
    memo.get(np.array([[1.0, 2.0], [3.0, 4.0]]), lambda r: r[:, 0] * 10)
    memo.next_date()
    got = memo.get(np.array([[3.0, 4.0], [5.0, 6.0], [1.0, 2.0]]), lambda r: r[:, 0] * 100)
    assert got[0] in (30.0, 300.0) and got[1] == 500.0 and got[2] in (10.0, 100.0)
    lengths = history_module._Lengths()
    a = shapely.LineString([(30.0, 48.0), (30.1, 48.0)])
    b = shapely.LineString([(30.0, 48.0), (30.0, 48.3)])
    assert lengths(a) == pytest.approx(lcrs.geodesic_length_km(a), rel=1e-12)
    lengths.memo.next_date()
    assert lengths(b) == pytest.approx(lcrs.geodesic_length_km(b), rel=1e-12)


def test_a_ring_too_small_to_sample_makes_a_window_when_it_comes_and_goes(snap_20250905,
                                                                          monkeypatch):
    """A ring under MIN_RING_KM2 has no samples, yet it is land held by ru that the thick
    land near it depends on: its coming and its going each put a window around it."""
    base = snap_20250905.occupied
    islet = shapely.Point(36.5, 46.2).buffer(0.0012, quad_segs=4)  # about 0.01 km², at sea
    assert not base.intersects(islet.buffer(0.01))
    assert float(lcrs.area_km2(islet)) < line_module.MIN_RING_KM2
    seen: list[np.ndarray] = []
    windows = history_module._History.windows

    def spy(self, *args):
        seen.append(windows(self, *args))
        return seen[-1]

    monkeypatch.setattr(history_module._History, "windows", spy)
    snaps = [loc.from_geometries(g, date=d) for g, d in (
        (base, "2025-09-05"), (shapely.union(base, islet), "2025-09-06"),
        (base, "2025-09-07"))]
    with pytest.warns(LocWarning, match="repeat|same geometry|copy|identical"):
        loc.line_history(snaps)  # the third date is the first again: a copy, said
    assert len(seen) == 2
    x0, y0, x1, y1 = shapely.bounds(lcrs.project(islet))
    for boxes in seen:
        assert ((boxes[:, 0] <= x0) & (boxes[:, 1] <= y0) & (boxes[:, 2] >= x1)
                & (boxes[:, 3] >= y1)).any()

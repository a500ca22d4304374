import json

import pytest
import shapely
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

import loc
from loc import geo as lcrs
from loc.cli import cli
from tests.conftest import deepstate_path

rects = st.tuples(st.floats(36.8, 37.6), st.floats(47.9, 48.4), st.floats(0.02, 0.4),
                  st.floats(0.02, 0.3))


def snap_of(*boxes, date=None):
    return loc.from_geometries(shapely.union_all([box(x, y, x + w, y + h)
                                                  for x, y, w, h in boxes]), date=date)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rects)
def test_diff_with_itself_is_empty(r):
    s = snap_of(r)
    c = loc.diff(s, s)
    assert c.gained_km2 == 0 and c.lost_km2 == 0
    assert c.changes.empty and c.slivers.empty


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rects, rects)
def test_gained_minus_lost_is_change_of_area_and_swaps(r1, r2):
    a, b = snap_of(r1), snap_of(r2)
    ab, ba = loc.diff(a, b), loc.diff(b, a)
    change = b.occupied_km2() - a.occupied_km2()
    assert ab.gained_km2 - ab.lost_km2 == pytest.approx(change, abs=1e-6)
    assert ab.gained_km2 == pytest.approx(ba.lost_km2, abs=1e-9)
    assert ab.lost_km2 == pytest.approx(ba.gained_km2, abs=1e-9)
    # against a full overlay in the equal-area CRS
    ga, gb = lcrs.project(a.occupied, lcrs.EQUAL_AREA), lcrs.project(b.occupied, lcrs.EQUAL_AREA)
    assert ab.gained_km2 == pytest.approx(shapely.area(shapely.difference(gb, ga)) / 1e6,
                                          abs=1e-6)


def test_real_diff_matches_full_overlay_and_keeps_slivers_apart(snap_20250108, snap_20250905):
    c = loc.diff(snap_20250108, snap_20250905)
    ga = lcrs.project(snap_20250108.occupied, lcrs.EQUAL_AREA)
    gb = lcrs.project(snap_20250905.occupied, lcrs.EQUAL_AREA)
    assert c.gained_km2 == pytest.approx(shapely.area(shapely.difference(gb, ga)) / 1e6,
                                         abs=1e-6)
    assert c.lost_km2 == pytest.approx(shapely.area(shapely.difference(ga, gb)) / 1e6, abs=1e-6)
    assert c.gained_km2 == pytest.approx(2851.56, abs=0.01)
    # slivers are reported apart and counted in the totals
    total = c.changes["km2"].sum() + c.slivers["km2"].sum()
    assert total == pytest.approx(c.gained_km2 + c.lost_km2, rel=1e-9)
    assert (c.slivers["km2"] < 0.01).sum() + (c.slivers["width_m"] < 25).sum() >= len(c.slivers)
    top = c.changes.iloc[0]
    assert top["region"] == "donetsk" and top["to_side"] == "ru"
    assert "Velyka Novosilka" in top["settlements"]
    assert c.summary.loc["donetsk", "gained_km2"] > 2000


def test_cli_diff_json_shape():
    r = CliRunner().invoke(cli, ["diff", str(deepstate_path("20250904")),
                                 str(deepstate_path("20250905")), "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["from"] == "2025-09-04" and doc["to"] == "2025-09-05"
    assert doc["gained_km2"] == pytest.approx(28.0748, abs=1e-3)
    assert doc["lost_km2"] == 0
    assert sum(v["gained_km2"] for v in doc["regions"].values()) == pytest.approx(
        doc["gained_km2"], abs=1e-3)
    assert set(doc["regions"]) == {"donetsk", "kharkiv", "zaporizhzhia"}


def test_cli_diff_geojson_and_table(tmp_path):
    out = tmp_path / "d.geojson"
    r = CliRunner().invoke(cli, ["diff", str(deepstate_path("20250108")),
                                 str(deepstate_path("20250905")), "--format", "geojson", "-o",
                                 str(out)])
    assert r.exit_code == 0
    doc = json.loads(out.read_text())
    assert {f["properties"]["to_side"] for f in doc["features"]} == {"ru", "ua"}
    r = CliRunner().invoke(cli, ["diff", str(deepstate_path("20250108")),
                                 str(deepstate_path("20250905"))])
    assert "newly occupied 2,851.56 km²" in r.stderr  # the heading is a message
    assert r.stdout.startswith("region ")  # the data


@pytest.mark.parametrize(("lon", "lat", "region"), [
    (36.80, 46.58, "zaporizhzhia"),  # the Sea of Azov off Berdiansk
    (37.75, 46.95, "donetsk"),       # off Mariupol
    (32.2, 45.9, "kherson"),         # the Black Sea west of the Crimean isthmus
])
def test_a_change_in_the_sea_counts_outside_every_region(lon, lat, region):
    import importlib

    a = snap_of((37.0, 47.5, 0.1, 0.1))
    sea = box(lon - 0.05, lat - 0.025, lon + 0.05, lat + 0.025)
    b = loc.from_geometries(shapely.union(a.occupied, sea))
    change = loc.diff(a, b).changes
    assert list(change["region"]) == ["outside"]  # never the nearest region
    keys, groups, _ = importlib.import_module("loc.reference.regions").region_groups_m()
    distances = shapely.distance(lcrs.project(sea, lcrs.EQUAL_AREA), groups)
    assert distances.min() > 1000  # really in the sea
    assert keys[int(distances.argmin())] == region  # the region it once went to
    assert loc.diff(a, b).summary.index.tolist() == ["outside"]


def test_the_other_side_of_a_change_is_the_snapshot_s_own():
    """A gain comes from what the earlier snapshot held there, a loss goes to what the
    later one holds: a grey zone that only touched a lost area relabelled all of it
    "contested", and a gain out of the grey zone was said to come from ua."""
    held = box(37.0, 47.6, 37.4, 48.0)
    x = box(37.4, 47.7, 37.6, 47.9)        # beside the held box
    touching = box(37.6, 47.7, 37.7, 47.9)  # a grey zone touching x only
    a = loc.from_geometries(shapely.union(held, x), date="2025-01-01")
    b = loc.from_geometries(held, contested=touching, date="2025-01-02")
    lost = loc.diff(a, b).changes
    assert set(zip(lost["from_side"], lost["to_side"], strict=True)) == {("ru", "ua")}
    a2 = loc.from_geometries(held, contested=box(37.4, 47.7, 37.5, 47.9), date="2025-01-01")
    b2 = loc.from_geometries(shapely.union(held, x), date="2025-01-02")
    got = loc.diff(a2, b2).changes.groupby(["from_side", "to_side"])["km2"].sum()
    half = float(lcrs.area_km2(box(37.4, 47.7, 37.5, 47.9)))
    # (edges shared with the held box are chords of other lengths once projected: 1e-4)
    assert set(got.index) == {("contested", "ru"), ("ua", "ru")}
    assert got[("contested", "ru")] == pytest.approx(half, rel=5e-4)
    assert got.sum() == pytest.approx(float(lcrs.area_km2(x)), rel=5e-4)
    # and a loss into the grey zone
    later = loc.from_geometries(held, contested=box(37.4, 47.7, 37.5, 47.9), date="2025-01-03")
    back = loc.diff(b2, later).changes.groupby(["from_side", "to_side"])["km2"].sum()
    assert back[("ru", "contested")] == pytest.approx(half, rel=5e-4)
    assert back[("ru", "ua")] == pytest.approx(got[("ua", "ru")], rel=1e-6)


def test_a_grey_zone_with_no_change_or_many_changes():
    """The grey-zone split took the changed polygons as one geometry: with no change, or
    with several, a snapshot with a grey zone was an internal error."""
    held = box(37.0, 47.6, 37.4, 48.0)
    grey = box(37.4, 47.6, 37.5, 48.0)
    a = loc.from_geometries(held, contested=grey, date="2025-01-01")
    assert loc.diff(a, a).changes.empty
    more = shapely.union_all([held, box(37.4, 47.6, 37.45, 47.7), box(36.9, 47.9, 37.0, 48.0),
                              box(37.4, 47.9, 37.45, 48.0)])
    b = loc.from_geometries(more, contested=grey, date="2025-01-02")
    got = loc.diff(a, b).changes.groupby("from_side")["km2"].sum()
    assert set(got.index) == {"ua", "contested"}
    assert got["ua"] == pytest.approx(float(lcrs.area_km2(box(36.9, 47.9, 37.0, 48.0))),
                                      rel=5e-4)

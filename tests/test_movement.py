import json

import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from PIL import Image
from shapely.geometry import box

import loc
from loc import geo as lcrs
from loc.cli import cli
from loc.errors import OptionError
from tests.conftest import deepstate_files, deepstate_path

CENTRE = lcrs.project(shapely.Point(37.2, 48.1))  # inside Donetsk region, far from the sea


def snap_m(geom_m, date):
    """A snapshot from a CONFORMAL-CRS polygon."""
    return loc.from_geometries(lcrs.unproject(geom_m), date=date)


def rect_m(dx0=0.0, dx1=0.0):
    x, y = CENTRE.x, CENTRE.y
    return box(x - 20_000 + dx0, y - 15_000, x + 20_000 + dx1, y + 15_000)


@pytest.mark.parametrize("shift_km", [0.8, 5.0, 12.0])
def test_straight_edge_moved_by_known_distance(shift_km):
    a = snap_m(rect_m(), "2025-01-01")
    b = snap_m(rect_m(dx1=shift_km * 1e3), "2025-01-02")
    mv = loc.movement(a, b, step_km=0.5)
    east = mv[mv["direction"] == "advance"]
    assert len(east) == 60  # the whole 30 km edge, every 0.5 km
    # samples on the moved edge farther than the shift from its corners (nearer a corner, the
    # later line's corner is nearer than the shifted edge)
    skip = int(np.ceil(shift_km / 0.5)) + 1
    middle = east.iloc[skip:-skip]
    assert len(middle) >= 8
    assert np.allclose(middle["displacement_km"], shift_km, rtol=0.01)
    # the other edges did not move
    static = mv[mv["direction"] == "static"]
    assert static["displacement_km"].abs().max() == 0
    assert len(static) > 150
    # and a retreat (the same edge moved back a day later) reads negative
    back = loc.movement(snap_m(rect_m(dx1=shift_km * 1e3), "2025-01-01"),
                        snap_m(rect_m(), "2025-01-02"), step_km=0.5)
    assert back["displacement_km"].min() == pytest.approx(-shift_km, rel=0.01)


@pytest.mark.parametrize("depth_km", [1.0, 3.0, 7.5])
def test_bulge_of_known_depth(depth_km):
    base = rect_m()
    x1 = base.bounds[2]
    bulge = box(x1 - 1.0, CENTRE.y - 2 * depth_km * 1e3, x1 + depth_km * 1e3,
                CENTRE.y + 2 * depth_km * 1e3)
    a = snap_m(base, "2025-01-01")
    b = snap_m(shapely.union(base, bulge), "2025-01-02")
    mv = loc.movement(a, b, step_km=0.25)
    assert mv["displacement_km"].max() == pytest.approx(depth_km, rel=0.01)
    moved = mv[mv["direction"] == "advance"]
    # the bulge is 4 x depth wide: the front that moved is about that long
    assert len(moved) * 0.25 == pytest.approx(4 * depth_km, abs=0.6)


def test_unmoved_front_reports_zero():
    a = loc.read(deepstate_path("20250904"))
    b = loc.read(deepstate_path("20250905"))
    changes = loc.diff(a, b)
    changed = lcrs.project(shapely.union_all(changes.changes.geometry.values))
    mv = loc.movement(a, b, step_km=1.0, static_m=0.0)
    far = shapely.distance(lcrs.project(mv.geometry.values), changed) > 5_000
    assert far.sum() > 800
    assert mv.loc[far, "distance_km"].max() <= 0.05


def test_deepest_advance_2025(snap_20250108, snap_20250905):
    """2025-01-08 -> 2025-09-05: deepest advance in Donetsk region, 27.3 km near Kurakhove.
    Tolerance 1 km: samples every 1 km along the earlier line may miss the deepest point by
    half a step, which changes its distance by less than that."""
    mv = loc.movement(snap_20250108, snap_20250905, step_km=1.0)
    summary = loc.sector_summary(mv)
    assert summary.index[0] == "donetsk"
    assert summary.iloc[0]["max_advance_km"] == pytest.approx(27.25, abs=1.0)
    assert summary.iloc[0]["deepest_near"] == "Kurakhove"
    assert summary.loc["kherson", "max_advance_km"] == 0  # the Dnipro front did not move
    axes = loc.sector_summary(loc.movement(snap_20250108, snap_20250905, sectors=[
        "Pokrovsk", "Kupyansk", "Kostyantynivka", "Hulyaypole", "Velyka Novosilka"]))
    assert axes.index[0] == "Velyka Novosilka"


@pytest.mark.parametrize("step", [100.0, 7.0, 1.0])
def test_front_km_add_up_to_the_line_whatever_the_step(snap_20250108, snap_20250905, step):
    """Each sample stands for its piece's length over its number of samples: a 1.4 km
    pocket sampled once at --step 100 counted as 100 km of front (700 km in Donetsk
    against 465 km of line)."""
    mv = loc.movement(snap_20250108, snap_20250905, step_km=step)
    summary = loc.sector_summary(mv)
    line = loc.analysis.line.contact_only(loc.line_of_contact(snap_20250108))
    assert summary["front_km"].sum() == pytest.approx(line["length_km"].sum(), rel=1e-9)
    parts = summary[["moved_km", "retreat_km", "minor_km", "static_km"]].sum(axis=1)
    assert parts.to_numpy() == pytest.approx(summary["front_km"].to_numpy(), rel=1e-12)
    assert summary["minor_km"].sum() > 1.0  # moved, but less than the threshold
    if step == 1.0:  # placed by samples: within about a step at each end of a sector
        cut = loc.analysis.line.contact_only(loc.line_of_contact(snap_20250108,
                                                                 by_region=True))
        km = cut.groupby("region")["length_km"].sum()
        assert set(summary.index) == set(km.index)
        for region in km.index:
            assert summary.loc[region, "front_km"] == pytest.approx(km[region], abs=2.0)


def test_series_and_chart(tmp_path):
    files = [f for f in deepstate_files() if "_2025" in f.name][:70]
    series = loc.movement_series(files, period="month", step_km=3.0)
    assert list(series["start"].drop_duplicates().astype(str)) == [
        "2025-01-02", "2025-02-01", "2025-03-01"]
    assert (series["days"] > 0).all()
    from loc.outputs.chart import movement_chart

    png = movement_chart(series, tmp_path / "m.png")
    with Image.open(png) as im:
        assert im.size == (1210, 550)


def test_cli_diff_lines_and_movement(tmp_path):
    r = CliRunner().invoke(cli, ["diff", str(deepstate_path("20250108")),
                                 str(deepstate_path("20250905")), "--lines", "--format",
                                 "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["sectors"]["donetsk"]["max_advance_km"] == pytest.approx(27.25, abs=1.0)
    files = [str(f) for f in deepstate_files() if "_202508" in f.name or "_202509" in f.name]
    r = CliRunner().invoke(cli, ["movement", *files, "--period", "month", "--chart",
                                 str(tmp_path / "c.svg")])
    assert r.exit_code == 0, r.output
    assert "fastest moving sectors first" in r.stderr and r.stdout.startswith("sector ")
    assert "mean advance of the front" in (tmp_path / "c.svg").read_text()


@pytest.mark.parametrize("step", [1e-6, 0.0, -1.0, 0.049])
def test_a_step_finer_than_50_m_is_refused(step):
    """A micrometre step once ran a diff of lines to 18 GB of memory."""
    with pytest.raises(OptionError, match="step_km"):
        loc.movement(loc.sample("2025-01-08"), loc.sample("2025-09-05"), step_km=step)


@pytest.mark.parametrize("sectors", ["", " , ", ","])
def test_no_sector_names_is_one_line_not_an_internal_error(sectors):
    files = [str(deepstate_path(d)) for d in ("20250904", "20250905")]
    r = CliRunner().invoke(cli, ["diff", *files, "--lines", "--sectors", sectors])
    assert r.exit_code == 2 and r.stderr.startswith("loc: error: --sectors needs")
    a, b = (loc.read(f) for f in files)
    with pytest.raises(OptionError, match="one settlement name or more"):
        loc.movement(a, b, sectors=[])
    with pytest.raises(TypeError, match="sectors must be"):
        loc.movement(a, b, sectors=5)

import json

import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image
from shapely.geometry import box

import loc
from loc import geo as lcrs
from loc.analysis.movement import APPEARED_PIECE, DEEPEST_PIECE, TOUCH_M
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
    deepest = mv[mv["piece"] == DEEPEST_PIECE]
    assert deepest["displacement_km"].tolist() == pytest.approx([shift_km], rel=0.01)
    assert deepest["length_km"].tolist() == [0.0]
    east = mv[(mv["direction"] == "advance") & (mv["piece"] != DEEPEST_PIECE)]
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


@pytest.mark.parametrize("width_km", [11.1, 4.0, 1.0])
def test_a_thrust_narrower_than_twice_its_depth_is_as_deep_as_it_is(width_km):
    """A box widened 7.46 km east: the samples across its old east edge find the later line
    on the new flanks, at most half the box's height away (5.52 km for an 11 km box); the
    advance is as deep as the ground taken reaches (was 5.52 km, 0.84 mean)."""
    a = loc.from_geometries(box(37.0, 48.0, 37.1, 48.1), date="2025-01-01")
    b = loc.from_geometries(shapely.union(box(37.0, 48.0, 37.1, 48.1),
                                          box(37.1, 48.05 - width_km / 222.4, 37.2,
                                              48.05 + width_km / 222.4)), date="2025-01-02")
    depth = lcrs.GEOD.inv(37.1, 48.05, 37.2, 48.05)[2] / 1e3
    mv = loc.movement(a, b, step_km=0.25)
    summary = loc.sector_summary(mv)
    assert summary.loc["donetsk", "max_advance_km"] == pytest.approx(depth, abs=0.02)
    # the mean and the km that moved still come from the line's samples alone
    samples = mv[mv["piece"] != DEEPEST_PIECE]
    assert summary.loc["donetsk", "front_km"] == pytest.approx(samples["length_km"].sum())
    assert summary.loc["donetsk", "moved_km"] == pytest.approx(
        samples.loc[samples["displacement_km"] > 0.5, "length_km"].sum())


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


def test_movement_arrows_say_what_the_sector_summary_says(snap_20250108, snap_20250905):
    # the compare map's arrows carry loc diff --lines' figures: km of front that moved
    # (not a count of samples), the length-weighted mean over the sector's front
    from loc.outputs.render.layers import movement_layer

    mv = loc.movement(snap_20250108, snap_20250905)
    summary = loc.sector_summary(mv)
    feats = {f.title.split(":")[0] + ("+" if "advance," in f.title else "-"): dict(f.rows)
             for f in movement_layer(mv).features}
    donetsk = feats["donetsk+"]
    assert donetsk["front that advanced more than 0.5 km"] == (
        f"{summary.loc['donetsk', 'moved_km']:,.1f} km of "
        f"{summary.loc['donetsk', 'front_km']:,.1f} km")
    assert donetsk["mean over the sector's front"] == \
        f"{summary.loc['donetsk', 'mean_advance_km']:,.1f} km advance"
    assert donetsk["largest advance"] == f"{summary.loc['donetsk', 'max_advance_km']:,.1f} km"
    assert feats["kharkiv-"]["front that retreated more than 0.5 km"].startswith(
        f"{summary.loc['kharkiv', 'retreat_km']:,.1f} km of ")
    assert "kherson+" not in feats  # the Dnipro front did not move
    # ground taken in Dnipropetrovsk, where the earlier front did not run: its depth, no mean
    assert feats["dnipropetrovsk+"]["largest advance"] == \
        f"{summary.loc['dnipropetrovsk', 'max_advance_km']:,.1f} km"
    assert feats["dnipropetrovsk+"]["mean over the sector's front"].startswith("no front")


def test_an_axis_named_twice_is_one_sector(snap_20250108, snap_20250905):
    """`--sectors Pokrovsk,Pokrovsk,Kupyansk` was an internal error (GEOS: two points in one
    Voronoi cell): the axis named twice is one sector, and the figures are those of naming
    it once."""
    twice = loc.sector_summary(loc.movement(snap_20250108, snap_20250905,
                                            sectors=["Pokrovsk", "Pokrovsk", "Kupyansk"]))
    once = loc.sector_summary(loc.movement(snap_20250108, snap_20250905,
                                           sectors=["Pokrovsk", "Kupyansk"]))
    assert sorted(twice.index) == ["Kupyansk", "Pokrovsk"]
    assert twice.sort_index().equals(once.sort_index())


@pytest.mark.parametrize("step", [100.0, 7.0, 1.0])
def test_front_km_add_up_to_the_line_whatever_the_step(snap_20250108, snap_20250905, step):
    """Each sample stands for its piece's length over its number of samples: a 1.4 km
    pocket sampled once at --step 100 counted as 100 km of front (700 km in Donetsk
    against 465 km of line)."""
    mv = loc.movement(snap_20250108, snap_20250905, step_km=step)
    summary = loc.sector_summary(mv)
    line = loc.analysis.line.contact_only(loc.line_of_contact(snap_20250108))
    appeared = mv["piece"] == APPEARED_PIECE  # the Sumy incursion: a front that appeared
    assert mv.loc[appeared, "length_km"].sum() > 30
    assert summary["front_km"].sum() == pytest.approx(
        line["length_km"].sum() + mv.loc[appeared, "length_km"].sum(), rel=1e-9)
    assert mv.loc[~appeared, "length_km"].sum() == pytest.approx(line["length_km"].sum(),
                                                                 rel=1e-9)
    summary = loc.sector_summary(mv[~appeared])
    parts = summary[["moved_km", "retreat_km", "minor_km", "static_km"]].sum(axis=1)
    assert parts.to_numpy() == pytest.approx(summary["front_km"].to_numpy(), rel=1e-12)
    assert summary["minor_km"].sum() > 1.0  # moved, but less than the threshold
    if step == 1.0:  # placed by samples: within about a step at each end of a sector
        cut = loc.analysis.line.contact_only(loc.line_of_contact(snap_20250108,
                                                                 by_region=True))
        km = cut.groupby("region")["length_km"].sum()
        # and a region the earlier front did not run through, where ground was taken
        # across its edge (Dnipropetrovsk, from Donetsk), has its depth and no mean
        run = summary[summary["front_km"] > 0]
        assert set(run.index) == set(km.index)
        across = summary[summary["front_km"] == 0]
        assert list(across.index) == ["dnipropetrovsk"]
        assert across["mean_advance_km"].isna().all() and (across["max_advance_km"] > 1).all()
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


# -- the front cannot move farther than the changed territory reaches -----------------------

def _farthest_m(pt_m, geom_m):
    """Largest distance (m, CONFORMAL) from a point to a polygon: to its farthest vertex."""
    xy = shapely.get_coordinates(geom_m)
    return float(np.hypot(*(xy - [pt_m.x, pt_m.y]).T).max())


def _pocket(lon, lat, km2):
    """A round pocket of ``km2`` (CONFORMAL CRS) centred at lon/lat, returned in lon/lat."""
    c = lcrs.project(shapely.Point(lon, lat))
    return lcrs.unproject(c.buffer(np.sqrt(km2 * 1e6 / np.pi), quad_segs=16))


def test_vanished_pocket_near_udy_retreats_no_farther_than_its_size(snap_20240708):
    """2024-07-08 -> 08-01: the pocket near Udy (piece 4) is gone; its sample was matched to
    the line 35 km away (-35.44 km), making Kharkiv's mean advance of the month -0.33 km."""
    b = loc.read(deepstate_path("20240801"))
    mv = loc.movement(snap_20240708, b)
    p = shapely.Point(35.9269, 50.4288)
    i = int(np.argmin(shapely.distance(mv.geometry.values, p)))
    row = mv.iloc[i]
    assert row["piece"] == 4 and row["direction"] == "retreat"
    p_m = lcrs.project(row.geometry)
    pocket = [g for g in lcrs.polygon_parts(lcrs.project(snap_20240708.side("ru")))
              if g.distance(p_m) < 1.0][0]
    assert pocket.area / 1e6 < 2  # a small pocket (1.8 km², 4.1 x 1.2 km)
    assert -row["displacement_km"] <= _farthest_m(p_m, pocket) / 1e3 * 1.01
    assert -row["displacement_km"] < 1.5  # withdrew across the pocket, 1.2 km wide
    to = lcrs.project(shapely.from_wkt(row["to"]))
    assert to.distance(pocket) < TOUCH_M  # went somewhere on the pocket, not 35 km away
    summary = loc.sector_summary(mv)
    assert summary.loc["kharkiv", "mean_advance_km"] > -0.05


def _real_sides():
    s = loc.read(deepstate_path("20250905"))
    return s, s.side("ru"), s.side("contested")


def test_vanished_pocket_far_from_the_front_is_bounded_by_the_pocket():
    """A 262 km² pocket near Romny (Sumy region, ~100 km from the front) gone a day later:
    every sample on it was matched to the front far away (Sumy mean -58 km)."""
    s, ru, contested = _real_sides()
    pocket = _pocket(33.48, 50.75, 262.0)
    a = loc.from_geometries(shapely.union(ru, pocket), contested, date="2025-09-05")
    b = loc.from_geometries(ru, contested, date="2025-09-06")
    mv = loc.movement(a, b)
    pocket_m = lcrs.project(pocket)
    pts_m = lcrs.project(mv.geometry.values)
    on = shapely.distance(pts_m, pocket_m) < TOUCH_M
    diameter_km = 2 * np.sqrt(262.0 / np.pi)
    assert on.sum() > 50
    assert (mv.loc[on, "direction"] == "retreat").all()
    assert (-mv.loc[on, "displacement_km"] <= diameter_km * 1.01).all()
    assert (mv.loc[~on, "direction"] == "static").all()
    summary = loc.sector_summary(mv)
    share = mv.loc[on, "length_km"].sum() / summary.loc["sumy", "front_km"]
    assert summary.loc["sumy", "mean_advance_km"] >= -diameter_km * share * 1.01
    assert summary.loc["sumy", "retreat_km"] == pytest.approx(mv.loc[on, "length_km"].sum())


def test_appeared_pocket_is_an_advance():
    """A 20 km² pocket appearing near Dnipro: the earlier line had no sample there, so the
    sector read 0.00 advance, all static, while loc diff said +20 km²."""
    s, ru, contested = _real_sides()
    pocket = _pocket(35.0, 48.45, 20.0)
    b = loc.from_geometries(shapely.union(ru, pocket), contested, date="2025-09-06")
    assert loc.diff(s, b).summary.loc["dnipropetrovsk", "gained_km2"] == pytest.approx(
        20.0, rel=0.01)
    mv = loc.movement(s, b)
    new = mv[mv["piece"] == APPEARED_PIECE]
    assert len(new) >= 10 and (new["direction"] == "advance").all()
    assert mv.dtypes["piece"] == np.dtype(int) and mv.dtypes["length_km"] == np.dtype(float)
    perimeter_km = 2 * np.pi * np.sqrt(20.0 / np.pi)
    assert new["length_km"].sum() == pytest.approx(perimeter_km, rel=0.02)
    # a pocket that appeared whole grew from its medial axis: by its inscribed radius (it
    # read up to its diameter, 5.05 km, from the farthest vertex)
    radius_km = np.sqrt(20.0 / np.pi)
    assert new["displacement_km"].to_numpy() == pytest.approx(radius_km, rel=0.01)
    ends = lcrs.project(shapely.from_wkt(new["to"].to_numpy()))
    assert shapely.distance(ends, lcrs.project(pocket)).max() < TOUCH_M
    summary = loc.sector_summary(mv)
    d = summary.loc["dnipropetrovsk"]
    assert d["max_advance_km"] == pytest.approx(radius_km, rel=0.01)
    assert d["mean_advance_km"] > 0.5
    assert d["moved_km"] == pytest.approx(new["length_km"].sum())
    line = loc.analysis.line.contact_only(loc.line_of_contact(s))
    assert summary["front_km"].sum() == pytest.approx(
        line["length_km"].sum() + new["length_km"].sum(), rel=1e-9)


def test_territory_given_up_where_no_earlier_front_ran_is_a_retreat():
    """The Kinburn spit taken back (a box cut from the 2025-09-05 Russian-held area): the
    earlier line never ran there (the spit faced Ukrainian land across the water), so the
    2.98 km new front at the cut was never sampled and movement said all static while
    loc diff said -70.3 km² Kherson, -108.3 km² Mykolaiv."""
    s, ru, contested = _real_sides()
    cut = box(31.5, 46.45, 32.0, 46.6)
    b = loc.from_geometries(shapely.difference(ru, cut), contested, date="2025-09-06")
    lost = loc.diff(s, b).summary["lost_km2"]
    assert lost["kherson"] == pytest.approx(70.3, abs=0.1)
    assert lost["mykolaiv"] == pytest.approx(108.3, abs=0.1)
    mv = loc.movement(s, b)
    la = loc.analysis.line.contact_only(loc.line_of_contact(s))
    lb = loc.analysis.line.contact_only(loc.line_of_contact(b))
    front_km = lb["length_km"].sum() - la["length_km"].sum()  # the new front at the cut
    assert front_km == pytest.approx(2.98, abs=0.01)
    new = mv[mv["piece"] == APPEARED_PIECE]
    assert len(new) >= 2 and (new["direction"] == "retreat").all()
    assert new["length_km"].sum() == pytest.approx(front_km, rel=1e-6)
    assert (mv.loc[mv["piece"] != APPEARED_PIECE, "direction"] == "static").all()
    # from the coast of the ground given up to the new front, no farther than it reaches
    given_up = lcrs.project(shapely.intersection(ru, cut))
    starts = lcrs.project(new.geometry.values)
    ends = lcrs.project(shapely.from_wkt(new["to"].to_numpy()))
    assert shapely.distance(starts, given_up).max() < TOUCH_M
    assert shapely.distance(ends, shapely.union_all(lcrs.project(lb.geometry.values))
                            ).max() < 1.0
    assert (-new["displacement_km"] > 0.3).all()
    assert (-new["displacement_km"] <= front_km).all()
    summary = loc.sector_summary(mv)
    assert summary.loc["kherson", "retreat_km"] == pytest.approx(front_km, rel=1e-6)
    assert summary.loc["kherson", "mean_advance_km"] < 0
    assert summary["front_km"].sum() == pytest.approx(lb["length_km"].sum(), rel=1e-9)


def test_hole_appearing_inside_russian_held_land_retreats_by_its_inradius():
    """A round 20 km² Ukrainian-held hole appearing inside a 40 x 30 km Russian-held area:
    the later line grew 140.1 -> 156.0 km, movement showed 0 retreat, all static."""
    radius_m = np.sqrt(20e6 / np.pi)
    hole = CENTRE.buffer(radius_m, quad_segs=16)
    a = snap_m(rect_m(), "2025-01-01")
    b = snap_m(shapely.difference(rect_m(), hole), "2025-01-02")
    mv = loc.movement(a, b, step_km=0.5)
    new = mv[mv["piece"] == APPEARED_PIECE]
    assert len(new) > 25 and (new["direction"] == "retreat").all()
    # fronts closing it from all sides meet at its centre: they moved by its inscribed radius
    assert new["displacement_km"].to_numpy() == pytest.approx(-radius_m / 1e3, rel=0.01)
    assert shapely.distance(lcrs.project(new.geometry.values), CENTRE).max() < 50.0
    ends = lcrs.project(shapely.from_wkt(new["to"].to_numpy()))
    assert shapely.distance(ends, hole.exterior).max() < 1.0
    assert (mv.loc[mv["piece"] != APPEARED_PIECE, "direction"] == "static").all()
    summary = loc.sector_summary(mv)
    assert summary["front_km"].sum() == pytest.approx(156.0, abs=0.1)
    assert summary["retreat_km"].sum() == pytest.approx(2 * np.pi * radius_m / 1e3, rel=0.01)


@pytest.mark.parametrize("shape, gap_km", [("round", 20.0), ("round", 1.0),
                                           ("wide", 20.0)])
def test_vanished_pocket_retreats_by_its_inscribed_radius(shape, gap_km):
    """A pocket gone whole, ``gap_km`` from the front that stays: a round 20 km² pocket (r =
    2.52 km) read 5.05 km, its diameter, at every sample (read from its farthest vertex), or
    near the front the gap to it, across land that never changed hands; a 40 x 30 km area
    read a mean -34.9 km, up to -49.9, more than it is wide. Fronts closing a pocket from
    all sides meet on its medial axis: it moved by its inscribed radius (the half-width)."""
    front = rect_m()
    x0 = front.bounds[2] + gap_km * 1e3
    if shape == "round":
        radius_m = np.sqrt(20e6 / np.pi)
        pocket = shapely.Point(x0 + radius_m, CENTRE.y).buffer(radius_m, quad_segs=16)
    else:
        radius_m = 15_000.0
        pocket = box(x0, CENTRE.y - 15_000, x0 + 40_000, CENTRE.y + 15_000)
    a = snap_m(shapely.union(front, pocket), "2025-01-01")
    b = snap_m(front, "2025-01-02")
    mv = loc.movement(a, b, step_km=0.5)
    on = shapely.distance(lcrs.project(mv.geometry.values), pocket) < TOUCH_M
    assert on.sum() > 25 and (mv.loc[on, "direction"] == "retreat").all()
    assert -mv.loc[on, "displacement_km"].to_numpy() == pytest.approx(radius_m / 1e3,
                                                                      rel=0.05)
    # to the centre of its inscribed circle
    to = lcrs.project(shapely.from_wkt(mv.loc[on, "to"].to_numpy()))
    assert shapely.contains(pocket, to).all()
    assert shapely.distance(to, pocket.exterior) == pytest.approx(radius_m, rel=0.01)
    assert (mv.loc[~on, "direction"] == "static").all()


KINDS = ("vanish", "appear", "hole", "bulge", "cut")


@settings(max_examples=12, deadline=None)
@given(kind=st.sampled_from(KINDS), size_km=st.floats(0.6, 6.0),
       gap_km=st.floats(-3.0, 25.0), y_km=st.floats(-10.0, 10.0))
@example(kind="vanish", size_km=2.0, gap_km=15.0, y_km=0.0)
@example(kind="appear", size_km=2.0, gap_km=15.0, y_km=0.0)
@example(kind="vanish", size_km=3.0, gap_km=1.0, y_km=0.0)
@example(kind="hole", size_km=2.0, gap_km=0.0, y_km=0.0)
def test_no_sample_moves_farther_than_the_changed_area_reaches(kind, size_km, gap_km, y_km):
    """|displacement| never exceeds the largest distance from the sample to the changed areas
    touching it (+ the touch tolerance, 1 % for geodesic against CONFORMAL distances); a
    sample no changed area touches did not move. A square pocket or hole of side 2 x
    ``size_km`` that vanished or appeared whole moved by its inscribed radius, ``size_km``,
    at every sample on it (fronts closing it from all sides meet at its centre)."""
    base = rect_m()
    x1 = base.bounds[2]
    y = CENTRE.y + y_km * 1e3
    if kind in ("vanish", "appear"):
        x = x1 + max(gap_km, 1.0) * 1e3 + size_km * 1e3
    elif kind == "hole":  # inside the 40 x 30 km area, 1 km or more from its edges
        x, y = CENTRE.x, CENTRE.y + np.clip(y_km, -(14.0 - size_km), 14.0 - size_km) * 1e3
    else:
        x = x1
    extra = box(x - size_km * 1e3, y - size_km * 1e3, x + size_km * 1e3, y + size_km * 1e3)
    ga = shapely.union(base, extra) if kind == "vanish" else base
    gb = {"vanish": base, "appear": shapely.union(base, extra),
          "bulge": shapely.union(base, extra), "cut": shapely.difference(base, extra),
          "hole": shapely.difference(base, extra)}[kind]
    a, b = snap_m(ga, "2025-01-01"), snap_m(gb, "2025-01-02")
    mv = loc.movement(a, b, step_km=0.5)
    ra, rb = lcrs.project(a.side("ru")), lcrs.project(b.side("ru"))
    changed = lcrs.polygon_parts(shapely.union(shapely.difference(ra, rb),
                                               shapely.difference(rb, ra)))
    pts = lcrs.project(mv.geometry.values)
    for p, d in zip(pts, mv["displacement_km"].to_numpy(), strict=True):
        touching = [g for g in changed if g.distance(p) <= TOUCH_M + 1.0]
        bound_m = max((_farthest_m(p, g) for g in touching), default=0.0)
        assert abs(d) * 1e3 <= bound_m * 1.01 + TOUCH_M + 1.0, (kind, p, d, bound_m)
    if kind in ("vanish", "appear", "hole"):
        whole = (mv["piece"] == APPEARED_PIECE) if kind != "vanish" else (
            shapely.distance(pts, extra) < TOUCH_M)
        assert whole.sum() > 0
        assert (mv.loc[whole, "direction"] == (
            "advance" if kind == "appear" else "retreat")).all()
        assert mv.loc[whole, "displacement_km"].abs().to_numpy() == pytest.approx(
            size_km, rel=0.01)
        assert (mv.loc[~whole, "direction"] == "static").all()


def test_a_copy_under_another_dates_name_inside_a_period_is_refused(deepstate_dir, tmp_path):
    """The reviewer's case: only each period's first and the last file were read, so a copy
    of 2025-09-01 as 2025-09-03 was counted (exit 0); every member is checked now."""
    for day in ("20250901", "20250902", "20250904", "20250905"):
        name = f"deepstatemap_data_{day}.geojson"
        (tmp_path / name).write_bytes((deepstate_dir / name).read_bytes())
    (tmp_path / "deepstatemap_data_20250903.geojson").write_bytes(
        (deepstate_dir / "deepstatemap_data_20250901.geojson").read_bytes())
    for period in ("week", "month"):
        with pytest.raises(loc.LocError, match="its name says 2025-09-03 but its layer name"):
            loc.movement_series(tmp_path, period=period)

"""One rule for area by region: stats, diff and timeline agree, and what lies outside every
region (the sea, Russia's border strip) is counted as ``outside``, never as the nearest
region."""

import pytest
import shapely
from shapely.geometry import box

import loc
from loc import geo
from loc.reference.regions import km2_by_region, region_pieces
from tests.conftest import deepstate_files, deepstate_path

PAIRS = [("20250904", "20250905"), ("20250301", "20250308"), ("20250105", "20250705")]


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_diff_per_region_equals_timeline_and_stats(a, b, deepstate_dir, tmp_path,
                                                   monkeypatch):
    monkeypatch.setenv("LOC_CACHE_DIR", str(tmp_path))
    sa, sb = loc.read(deepstate_path(a)), loc.read(deepstate_path(b))
    summary = loc.diff(sa, sb).summary
    files = [f for f in deepstate_files() if a <= f.stem[-8:] <= b]
    daily = loc.timeline(files, use_cache=False)
    pair = loc.timeline([deepstate_path(a), deepstate_path(b)], use_cache=False)
    before, after = loc.stats(sa)["occupied_km2"], loc.stats(sb)["occupied_km2"]
    assert len(summary)
    for region, row in summary.iterrows():
        col = f"{region}_km2"
        over_days = daily[col].iloc[-1] - daily[col].iloc[0]
        over_pair = pair[col].iloc[-1] - pair[col].iloc[0]
        assert over_days == pytest.approx(row["net_km2"], abs=1e-6), region
        assert over_pair == pytest.approx(row["net_km2"], abs=1e-6), region
        # the region's own area changed by exactly what the diff credits it with
        assert after[region] - before[region] == pytest.approx(row["net_km2"], abs=1e-3)
    # every region a diff names is a region group or "outside"
    assert set(summary.index) <= {*loc.stats(sa).index}


def test_six_months_credit_the_border_strip_to_outside(deepstate_dir):
    sa, sb = loc.read(deepstate_path("20250105")), loc.read(deepstate_path("20250705"))
    summary = loc.diff(sa, sb).summary
    assert summary.loc["outside", "gained_km2"] > 10  # the sea and Russia's border strip
    stats_a, stats_b = loc.stats(sa), loc.stats(sb)
    # Sumy region gained no more than its own area change (once the strip went to Sumy)
    own = stats_b.loc["sumy", "occupied_km2"] - stats_a.loc["sumy", "occupied_km2"]
    assert summary.loc["sumy", "net_km2"] == pytest.approx(own, abs=1e-3)
    # and the totals add up: regions and outside make the whole occupied area
    for s, stats in ((sa, stats_a), (sb, stats_b)):
        assert stats["occupied_km2"].sum() == pytest.approx(s.occupied_km2(), rel=1e-9)


def test_a_square_across_a_region_border_and_the_coast():
    """A square straddling Donetsk, Zaporizhzhia and the Sea of Azov is cut by the rule:
    the pieces add up to the square, and the sea part is outside."""
    square = geo.project(box(36.9, 46.8, 37.4, 47.3), geo.EQUAL_AREA)
    km2 = km2_by_region(square)
    assert set(km2) == {"donetsk", "zaporizhzhia", "outside"}
    assert sum(km2.values()) == pytest.approx(shapely.area(square) / 1e6, rel=1e-9)
    land = shapely.intersection(square, geo.project(loc.regions().union_all(),
                                                    geo.EQUAL_AREA))
    assert km2["outside"] == pytest.approx((shapely.area(square) - shapely.area(land)) / 1e6,
                                           rel=1e-4)
    pieces = region_pieces(square)
    assert set(pieces.part) == {0}


def test_projection_noise_along_a_border_stays_with_its_region():
    """A whole region given to ru is cut in the equal-area CRS: sub-metre slivers where the
    projection bends the region's lon/lat edges count for the region, not outside."""
    donetsk = loc.region("Donetsk").geometry
    km2 = km2_by_region(geo.project(donetsk, geo.EQUAL_AREA))
    assert list(km2) == ["donetsk"]
    assert km2["donetsk"] == pytest.approx(float(geo.area_km2(donetsk)), rel=1e-9)

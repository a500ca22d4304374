"""The Python API given frames and geometries in Python: in any CRS, or refused in one clear
line; never metres read as degrees, never a stale or plausible-looking figure."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import loc
from loc.errors import GeometryError, LocError


@pytest.fixture(scope="module")
def snap():
    return loc.read(loc.sample_paths()[-1])


@pytest.fixture(scope="module")
def zones(snap):
    return loc.buffer_zone(loc.freeze(snap), 10)


def _armed_in(zones):
    p = zones[zones["side"] == "ru"].geometry.iloc[0].representative_point()
    return gpd.GeoDataFrame({"event_type": ["Battles"], "event_id_cnty": ["A1"],
                             "event_date": ["2025-09-06"]}, geometry=[p], crs=4326)


@pytest.mark.parametrize("crs", [None, 3857, 32636])
def test_classify_reads_zones_and_incidents_in_their_crs(snap, zones, crs):
    """Zones in EPSG:3857 were used as degrees: an armed incident inside the buffer was
    "no violation", without a word."""
    inc = _armed_in(zones)
    f = loc.freeze(snap)
    want = loc.classify(inc, f, zones)
    assert bool(want["violation"].iloc[0]) and "buffer 10 km/ru" in want["zones"].iloc[0]
    if crs is None:  # no CRS: lon/lat numbers pass, metres are refused
        got = loc.classify(inc.set_crs(None, allow_override=True), f,
                           zones.set_crs(None, allow_override=True))
        assert bool(got["violation"].iloc[0])
        with pytest.raises(GeometryError, match="zones: coordinates are not lon/lat"):
            loc.classify(inc, f, zones.to_crs(3857).set_crs(None, allow_override=True))
        return
    got = loc.classify(inc.to_crs(crs), f, zones.to_crs(crs))
    assert list(got["zones"]) == list(want["zones"])
    assert list(got["violation"]) == list(want["violation"])


def test_classify_refuses_what_is_not_points_and_zones(snap, zones):
    f = loc.freeze(snap)
    polys = _armed_in(zones).set_geometry([shapely.box(37, 47, 37.1, 47.1)], crs=4326)
    with pytest.raises(TypeError, match="incidents must hold Point geometries"):
        loc.classify(polys, f, zones)
    with pytest.raises(TypeError, match="zones lacks the column"):
        loc.classify(_armed_in(zones), f, zones[["geometry"]])
    with pytest.raises(TypeError, match="zones must be a GeoDataFrame"):
        loc.classify(_armed_in(zones), f, "zones.geojson")


@pytest.mark.parametrize(("geom", "match"), [
    (shapely.box(4e6, 5.5e6, 4.3e6, 6.2e6), "not lon/lat"),
    (shapely.box(47, 36, 49, 39), "lat/lon swapped"),
    (shapely.Polygon([(30, 50), (np.nan, 50), (31, 51)]), "not a finite number"),
    (shapely.Point(30, 50), "holds no polygon"),
    (shapely.Polygon([(30, 50), (31, 51), (31, 50), (30, 51)]), "cannot be repaired"),
])
def test_settlements_in_checks_its_area(geom, match):
    """Metres, swapped axes and NaN gave 0 settlements and a bowtie 31, without an error."""
    with pytest.raises(GeometryError, match=match):
        loc.settlements_in(geom)
    assert loc.settlements_in(shapely.box(30.2, 50.2, 30.8, 50.6))["name"].iloc[0] == "Kyiv"


def test_people_in_counts_the_geometry_as_it_is(zones):
    """people_in copied the stored figures: a zone moved to an empty box still had
    ~640,000 people, and a zone in EPSG:3857 was not checked."""
    assert loc.people_in(zones)["population"].tolist() == sorted(
        zones["population"].tolist(), reverse=True)
    moved = zones.copy()
    moved["geometry"] = [shapely.box(37, 47, 37.01, 47.01)] * len(zones)
    assert loc.people_in(moved)["population"].tolist() == [0] * len(zones)
    metres = loc.people_in(zones.to_crs(3857))
    assert metres["population"].tolist() == loc.people_in(zones)["population"].tolist()
    assert metres["area_km2"].to_numpy() == pytest.approx(
        loc.people_in(zones)["area_km2"].to_numpy(), rel=1e-9)


def test_split_by_region_reads_the_line_in_its_crs(snap):
    """A line in EPSG:3857 gave an empty frame (0 km of line), without an error."""
    line = loc.line_of_contact(snap)
    want = loc.split_by_region(line)
    got = loc.split_by_region(line.to_crs(3857))
    assert len(got) == len(want) > 0
    assert got["length_km"].sum() == pytest.approx(want["length_km"].sum(), rel=1e-6)


def test_render_draws_zones_given_in_metres(snap, zones, tmp_path):
    """Zones in EPSG:3857 were written into the lon/lat page as metres (they vanished)."""
    pages = []
    for z in (zones, zones.to_crs(3857)):
        m = loc.render([snap], zones=z, out=tmp_path / str(len(pages)), settlements=False)
        pages.append(m.loc_version.html_path.read_bytes())
    assert pages[0] == pages[1]


def test_buffer_zone_takes_one_way_of_giving_widths(snap):
    """width_km=15 with widths={"ru": 5} was named "buffer 15 km" and drawn 5 / 0 km."""
    with pytest.raises(LocError, match="give width_km .* or widths .*not both"):
        loc.buffer_zone(snap, width_km=15, widths={"ru": 5})


@pytest.mark.parametrize("geom", [shapely.Point(37.5, 47.5),
                                  shapely.LineString([(37, 47), (38, 48)])])
def test_from_geometries_refuses_what_is_no_area(geom):
    """A point gave a snapshot with nothing occupied: "all of Ukraine held by ua"."""
    with pytest.raises(GeometryError, match="holds no polygon"):
        loc.from_geometries(geom)
    with pytest.raises(TypeError, match="the ru side must be a shapely geometry"):
        loc.from_geometries(None)
    assert loc.from_geometries(shapely.MultiPolygon()).occupied_km2() == 0.0


def test_a_snapshot_cannot_change_under_its_figures():
    """Assigning a side in place left stats and the cache key on the old geometry (8,297
    km² by one figure, 114,781 by the other)."""
    import copy
    import pickle

    s = loc.read(loc.sample_paths()[-1])
    before = loc.stats(s)["occupied_km2"].sum()
    with pytest.raises(TypeError, match="sides cannot be changed"):
        s.given["ru"] = shapely.box(37.5, 47.5, 38.5, 48.5)
    with pytest.raises(TypeError):
        s.given.update(ru=shapely.box(37.5, 47.5, 38.5, 48.5))
    assert loc.stats(s)["occupied_km2"].sum() == before
    for again in (pickle.loads(pickle.dumps(s)), copy.deepcopy(s)):
        assert again.geometry_sha256 == s.geometry_sha256
        assert again.sha256 == s.sha256 is not None


def test_a_snapshot_given_other_sides_loses_its_file_hash():
    """``dataclasses.replace`` with other sides kept the file's SHA-256, so a map manifest
    named the file's bytes for a geometry that was not in it."""
    import dataclasses

    from loc.outputs.versions import input_record

    s = loc.read(loc.sample_paths()[-1])
    moved = dataclasses.replace(s, given={"ru": shapely.box(37.5, 47.5, 38.5, 48.5)})
    assert s.sha256 is not None and moved.sha256 is None
    assert input_record(moved)["sha256"] is None
    assert dataclasses.replace(s, given=dict(s.given)).sha256 is None
    # the sides read from the file, another date or path: still that file's bytes
    assert dataclasses.replace(s, source="x").sha256 == s.sha256
    assert input_record(dataclasses.replace(s, date=s.date))["sha256"] == s.sha256
    assert loc.from_geometries(s.side("ru"), sha256="ab" * 32).sha256 == "ab" * 32


@pytest.mark.parametrize(("call", "match"), [
    (lambda: loc.check(loc.freeze(loc.sample()), "x.geojson"), "check needs a later Snapshot"),
    (lambda: loc.sector_summary(None), "movement samples must be a GeoDataFrame"),
    (lambda: loc.list_snapshots(None), "store must be a path"),
    (lambda: loc.timeline(gpd.GeoDataFrame()), "a series is files, folders, stores or"),
    (lambda: loc.read_series(gpd.GeoDataFrame()), "a series is files, folders, stores or"),
])
def test_wrong_types_are_named_not_internal_errors(call, match):
    """AttributeErrors and a misleading "no snapshot" (a frame iterates over its column
    names) for values of the wrong kind."""
    with pytest.raises(TypeError, match=match):
        call()


def test_a_snapshot_replaced_in_python_is_compared_by_its_geometry(tmp_path):
    """`dataclasses.replace(snap, given=...)` kept the file's sha256: importing it into a
    store holding that date was skipped as "already there" (20 km² more, exit 0)."""
    import dataclasses

    snap = loc.read(loc.sample_paths()[-1])
    store = tmp_path / "h.gpkg"
    loc.import_snapshots([snap], store)
    grown = dataclasses.replace(snap, given={"ru": shapely.union(
        snap.side("ru"), shapely.box(35.0, 48.4, 35.1, 48.5))})  # near Dnipro: held by ua
    assert grown.sha256 is None  # the file's hash is not inherited with other sides
    with pytest.raises(LocError, match="already holds a different snapshot"):
        loc.import_snapshots([grown], store)


def test_incidents_without_a_position_are_skipped_and_said(snap, zones):
    """An empty Point in a frame of incidents was a raw ValueError (lengths differ)."""
    f = loc.freeze(snap)
    inc = _armed_in(zones)
    inc = gpd.GeoDataFrame(pd.concat([inc, inc.set_geometry([shapely.Point()], crs=4326)]),
                           crs=4326).reset_index(drop=True)
    with pytest.warns(loc.LocWarning, match=r"1 row\(s\) without a position skipped"):
        out = loc.classify(inc, f, zones)
    assert list(out["violation"]) == [True]


def test_movement_thresholds_and_series_figures(snap):
    """A negative threshold made the four columns exceed front_km; a movement series kept
    moved_km alone, so its figures could not be added up."""
    mv = loc.movement(loc.read(loc.sample_paths()[1]), snap)
    with pytest.raises(LocError, match="threshold_km"):
        loc.sector_summary(mv, threshold_km=-1)
    series = loc.movement_series(loc.sample_paths(), period="month")
    cut = series[["moved_km", "retreat_km", "minor_km", "static_km"]].sum(axis=1)
    assert np.abs(cut - series["front_km"]).max() < 1e-9 and series["front_km"].sum() > 100

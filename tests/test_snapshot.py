import datetime as dt
import importlib
import json
import os
import warnings
import zipfile

import geopandas as gpd
import pyproj
import pytest
import shapely
from shapely.geometry import Polygon, box, mapping

import loc
from loc import geo as crs
from loc import processes
from loc.errors import DateError, GeometryError, InputError
from tests.conftest import deepstate_files, deepstate_path, repeat_warning, without_layer_name

DONBAS = box(37.0, 47.5, 38.5, 48.5)  # a box inside Donetsk region, lon/lat


def write_fc(path, features, **extra):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features, **extra}))
    return path


def feature(geom, **props):
    return {"type": "Feature", "properties": props, "geometry": mapping(geom)}


def test_sample_loads_with_date_source_and_sides():
    snap = loc.sample()
    assert snap.date == dt.date(2025, 9, 5)
    assert snap.source == "loc illustrative sample"
    assert set(snap.sides["side"]) == {"ru", "ua"}
    assert 100_000 < snap.occupied_km2() < 130_000
    # ua is Ukraine's land minus ru: the two sides do not overlap and fill Ukraine
    ru, ua = snap.side("ru"), snap.side("ua")
    assert float(crs.area_km2(shapely.intersection(ru, ua))) < 0.01
    total = float(crs.area_km2(loc.regions().union_all()))
    assert float(crs.area_km2(shapely.union(ru, ua))) == pytest.approx(total, rel=1e-3)


def test_all_shared_snapshots_load(deepstate_dir):
    files = deepstate_files()
    assert len(files) == 536
    for path in files:
        snap = loc.read(path)
        assert snap.date.strftime("%Y%m%d") in path.name
        assert snap.source == "deepstate"
        assert 100_000 < snap.occupied_km2() < 130_000, path.name


def test_occupied_area_matches_geodesic(deepstate_dir):
    """The equal-area figure equals pyproj Geod's ellipsoidal area to 0.05 % on 12 files."""
    files = deepstate_files()
    for path in files[:: len(files) // 11][:12]:
        snap = loc.read(path)
        geodesic = crs.geodesic_area_km2(snap.occupied)
        assert abs(snap.occupied_km2() - geodesic) / geodesic < 5e-4, path.name


def test_luhansk_and_crimea_shares(snap_20250905):
    df = loc.stats(snap_20250905)
    assert df.loc["luhansk", "share"] > 0.95
    assert df.loc["crimea", "share"] > 0.95
    assert 0.70 < df.loc["donetsk", "share"] < 0.80
    assert df.loc["lviv", "occupied_km2"] == 0
    # the per-region occupied areas add up to the occupied area inside Ukraine's land, and
    # with the row outside (sea, across the border) to the whole occupied area
    inside = float(crs.area_km2(shapely.intersection(snap_20250905.occupied,
                                                     loc.regions().union_all())))
    regions = df.drop(index="outside")
    assert regions["occupied_km2"].sum() == pytest.approx(inside, rel=1e-5)
    assert df["occupied_km2"].sum() == pytest.approx(snap_20250905.occupied_km2(), rel=1e-9)
    assert 1_000 < df.loc["outside", "occupied_km2"] < 3_000


def test_population_counts_are_consistent(snap_20250905):
    df = loc.stats(snap_20250905)
    everyone = loc.settlements()["population"].sum()
    counted = df[["population_ru", "population_ua", "population_contested"]].sum().sum()
    assert everyone * 0.999 < counted <= everyone
    # Luhansk's large towns are all on the occupied side
    assert df.loc["luhansk", "population_ru"] > 1_500_000
    assert df.loc["luhansk", "population_ua"] < 20_000


def test_date_from_argument_property_and_name(tmp_path):
    f = write_fc(tmp_path / "control_2025-03-02.geojson", [feature(DONBAS)])
    assert loc.read(f).date == dt.date(2025, 3, 2)
    assert loc.read(f, date="2025-03-02").date == dt.date(2025, 3, 2)
    # a date selects a snapshot; it never relabels one of another date
    with pytest.raises(DateError, match="is of 2025-03-02, not 2025-04-01"):
        loc.read(f, date="20250401")
    g = write_fc(tmp_path / "nodate.geojson", [feature(DONBAS, date="2024-12-31T10:00:00Z")])
    assert loc.read(g).date == dt.date(2024, 12, 31)
    h = write_fc(tmp_path / "x.geojson", [feature(DONBAS)])
    assert loc.read(h).date is None
    assert loc.read(h, date="2025-04-01").date == dt.date(2025, 4, 1)  # undated: taken as of


def test_side_column_and_contested(tmp_path):
    grey = box(38.5, 47.5, 38.6, 48.5)
    f = write_fc(tmp_path / "s.geojson", [feature(DONBAS, side="ru"),
                                          feature(grey, side="Grey zone")])
    snap = loc.read(f)
    assert set(snap.sides["side"]) == {"ru", "ua", "contested"}
    assert float(crs.area_km2(snap.side("contested"))) == pytest.approx(
        crs.geodesic_area_km2(grey), rel=1e-3)


def test_deepstate_api_names(tmp_path):
    feats = [
        feature(DONBAS, name="Окуповано///Occupied///geoJSON.status.occupied"),
        feature(box(38.5, 47.5, 38.6, 48.5), name="Сіра зона///Unknown///geoJSON.status.unknown"),
        feature(box(29.4, 46.6, 29.9, 47.2), name="ПМР///Transnistria///geoJSON.territories.pmr"),
        {"type": "Feature", "properties": {"name": "x///Unit///y"},
         "geometry": {"type": "Point", "coordinates": [37.5, 48.0, 0]}},
    ]
    with pytest.warns(loc.LocWarning, match="1 point.s. or line.s. left out"):
        snap = loc.read(write_fc(tmp_path / "api.geojson", feats))
    assert snap.source == "deepstate"
    assert float(crs.area_km2(snap.occupied)) == pytest.approx(
        crs.geodesic_area_km2(DONBAS), rel=1e-3)
    assert not snap.side("contested").is_empty


@pytest.mark.parametrize("driver,suffix", [
    ("GPKG", ".gpkg"), ("ESRI Shapefile", ".shp"), ("FlatGeobuf", ".fgb"), ("KML", ".kml"),
])
def test_formats_round_trip(tmp_path, driver, suffix):
    src = loc.sample()
    gdf = gpd.GeoDataFrame({"side": ["ru"]}, geometry=[src.occupied], crs="EPSG:4326")
    out = tmp_path / f"snap_20250905{suffix}"
    gdf.to_file(out, driver=driver)
    snap = loc.read(out)
    assert snap.date == dt.date(2025, 9, 5)
    assert snap.occupied_km2() == pytest.approx(src.occupied_km2(), rel=1e-4)


def test_zipped_shapefile_and_kmz(tmp_path):
    src = loc.sample()
    gdf = gpd.GeoDataFrame({"side": ["ru"]}, geometry=[src.occupied], crs="EPSG:4326")
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    gdf.to_file(shp_dir / "control.shp")
    zpath = tmp_path / "control_20250905.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        for p in shp_dir.iterdir():
            z.write(p, p.name)
    assert loc.read(zpath).occupied_km2() == pytest.approx(src.occupied_km2(), rel=1e-4)
    kml = tmp_path / "doc.kml"
    gdf.to_file(kml, driver="KML")
    kmz = tmp_path / "control_20250905.kmz"
    with zipfile.ZipFile(kmz, "w") as z:
        z.write(kml, "doc.kml")
    assert loc.read(kmz).occupied_km2() == pytest.approx(src.occupied_km2(), rel=1e-4)


def test_projected_with_crs_is_reprojected(tmp_path):
    gdf = gpd.GeoDataFrame({"side": ["ru"]}, geometry=[DONBAS], crs="EPSG:4326")
    out = tmp_path / "utm.gpkg"
    gdf.to_crs("EPSG:32637").to_file(out)
    assert loc.read(out).occupied_km2() == pytest.approx(crs.geodesic_area_km2(DONBAS), rel=1e-3)


def test_invalid_polygon_repaired_with_warning(tmp_path):
    # a square with a tiny self-intersecting loop at one corner
    ring = [(37.0, 47.5), (38.0, 47.5), (38.0, 48.5), (37.0, 48.5), (37.01, 47.49),
            (36.99, 47.49), (37.0, 47.5)]
    f = write_fc(tmp_path / "bad.geojson", [feature(Polygon(ring))])
    with pytest.warns(loc.LocWarning, match=r"repaired invalid ru polygon .* km²"):
        snap = loc.read(f)
    assert snap.occupied.is_valid
    assert float(crs.area_km2(snap.occupied)) == pytest.approx(
        crs.geodesic_area_km2(box(37, 47.5, 38, 48.5)), rel=1e-2)


def test_polygon_outside_ukraine_dropped_with_warning(tmp_path):
    far = box(10.0, 50.0, 11.0, 51.0)
    f = write_fc(tmp_path / "two.geojson", [feature(DONBAS), feature(far)])
    with pytest.warns(loc.LocWarning, match="dropped 1 polygon"):
        snap = loc.read(f)
    assert float(crs.area_km2(snap.occupied)) == pytest.approx(
        crs.geodesic_area_km2(DONBAS), rel=1e-3)


@pytest.mark.parametrize("engine", [None, "pyogrio", "fiona"])
def test_a_far_part_of_a_multipolygon_is_dropped_like_a_far_feature(tmp_path, engine):
    """One more part of the MultiPolygon, written lat/lon (or a box in Thailand), was
    counted: 124,530 km² occupied instead of 114,781, and 9,749 km² "newly occupied"."""
    parts = [DONBAS, box(47.5, 37.5, 48.5, 38.5), box(44.0, 48.0, 44.3, 48.3)]
    f = write_fc(tmp_path / "one.geojson", [feature(shapely.MultiPolygon(parts))])
    with pytest.warns(loc.LocWarning, match=r"dropped 2 polygon\(s\) lying outside Ukraine"):
        snap = loc.read(f, engine=engine)
    assert float(crs.area_km2(snap.occupied)) == pytest.approx(
        crs.geodesic_area_km2(DONBAS), rel=1e-3)
    with pytest.warns(loc.LocWarning, match=r"dropped 1 polygon"):
        api = loc.from_geometries(shapely.MultiPolygon([DONBAS, box(100, 10, 101, 11)]))
    assert api.occupied_km2() == pytest.approx(crs.geodesic_area_km2(DONBAS), rel=1e-3)
    # a part just beyond the border (a pocket held across it) stays
    near = box(40.3, 48.0, 40.5, 48.2)
    assert loc.from_geometries(shapely.MultiPolygon([DONBAS, near])).occupied_km2() > \
        api.occupied_km2()


def test_a_box_abroad_within_reach_is_said(deepstate_dir):
    """A box near Chisinau (within the hull of Ukraine's land) added 507 km² to the
    occupied area, counted as outside, without a word; DeepState's own islets and sea
    slivers (0.5 to 5 km² wholly off the land) are not worth one."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        real = loc.read(deepstate_dir / "deepstatemap_data_20251231.geojson")
    with pytest.warns(loc.LocWarning, match=r"wholly outside Ukraine's land .*, 5\d\d\.\d km²"):
        grown = loc.from_geometries(shapely.union(real.side("ru"),
                                                  box(28.6, 46.9, 28.9, 47.1)))
    assert grown.occupied_km2() - real.occupied_km2() == pytest.approx(507.3, abs=0.1)


def test_a_snapshot_shifted_off_ukraine_is_said(tmp_path):
    """A snapshot moved 5° east (into Russia) read as 114,781 km² occupied, 0 km² in every
    region and 0 km of line, without a word."""
    ru = loc.read(loc.sample_paths()[-1]).side("ru")
    with pytest.warns(loc.LocWarning) as seen:
        loc.stats(loc.from_geometries(shapely.transform(ru, lambda xy: xy + [5, 0])))
    assert any("outside every region of Ukraine" in str(w.message) for w in seen)
    with pytest.raises(GeometryError, match="every polygon lies outside Ukraine"):
        loc.from_geometries(shapely.MultiPolygon([box(41.5, 47.0, 42.0, 47.5),
                                                  box(39.0, 51.8, 40.0, 52.3)]))


ERRORS = {
    "missing": (InputError, "no such file"),
    "not_geodata": (InputError, "not a geodata file GDAL can read"),
    "empty": (GeometryError, "has no features with a readable geometry"),
    "no_polygons": (GeometryError, "has no polygons (found Point)"),
    "projected": (GeometryError, "coordinates are not lon/lat"),
    "swapped": (GeometryError, "lat/lon swapped"),
    "outside": (GeometryError, "far outside Ukraine"),
    # read flat, this 1° box at the antimeridian is a band round the world through Donetsk
    # (it was read, 829 km² "outside", with a line of contact across Ukraine)
    "antimeridian": (GeometryError, "spans 359.0° of longitude"),
    "bad_date": (DateError, "cannot parse date 'yesterday'"),
    "bad_side": (GeometryError, "unknown side value"),
}


def make_bad_file(kind, tmp_path):
    """A file with one user mistake; returns (path, extra read kwargs)."""
    p = tmp_path / f"{kind}.geojson"
    if kind == "missing":
        return tmp_path / "nope.geojson", {}
    if kind == "not_geodata":
        p.write_text("this is not geojson, just words\n")
    elif kind == "empty":
        write_fc(p, [])
    elif kind == "no_polygons":
        write_fc(p, [{"type": "Feature", "properties": {},
                      "geometry": {"type": "Point", "coordinates": [37.5, 48.0]}}])
    elif kind == "projected":
        write_fc(p, [feature(box(3_800_000, 5_300_000, 3_900_000, 5_400_000))])
    elif kind == "swapped":
        write_fc(p, [feature(box(47.5, 37.0, 48.5, 38.5))])
    elif kind == "outside":
        write_fc(p, [feature(box(-100, 30, -99, 31))])
    elif kind == "antimeridian":
        write_fc(p, [feature(shapely.Polygon([(179.5, 48.0), (-179.5, 48.0), (-179.5, 48.1),
                                              (179.5, 48.1)]))])
    elif kind == "bad_date":
        write_fc(p, [feature(DONBAS)])
        return p, {"date": "yesterday"}
    elif kind == "bad_side":
        write_fc(p, [feature(DONBAS, side="martian")])
    return p, {}


@pytest.mark.parametrize("kind", sorted(ERRORS))
def test_read_errors_name_file_and_problem(kind, tmp_path):
    path, kwargs = make_bad_file(kind, tmp_path)
    cls, text = ERRORS[kind]
    with pytest.raises(cls) as info:
        loc.read(path, **kwargs)
    message = str(info.value)
    assert text in message
    assert str(path) in message
    assert "\n" not in message


def test_read_directory_is_an_error(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        loc.read(tmp_path)


def test_real_file_date_and_license():
    snap = loc.read(deepstate_path("20240708"))
    assert snap.date == dt.date(2024, 7, 8)
    assert "no open licence" in snap.license
    assert len(snap.sha256) == 64


def test_warnings_module_is_clean():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loc.sample()


@pytest.mark.parametrize("text", ["202511", "2025111", "2025-1-5", "2025-W36-5", "2025-248",
                                  "2025-09-05x", "16 Mayo 2025", "2025-09-05T25:00"])
def test_a_date_must_match_a_form_whole(text):
    """strptime alone reads "202511" as 2025-01-01 and "2025111" as 2025-11-01: a
    truncated incident date moved the event and stretched the days the reports cover."""
    from loc.dates import parse_date

    with pytest.raises(loc.LocError, match="cannot parse date"):
        parse_date(text)


@pytest.mark.parametrize("text, want", [
    ("20250905", "2025-09-05"), ("2025-09-05", "2025-09-05"), ("16 May 2025", "2025-05-16"),
    ("5 Sep 2025", "2025-09-05"), ("2025-09-05T23:30:00Z", "2025-09-05"),
    ("2025-09-05 12:00", "2025-09-05"), ("2025-09-05T12:00:00.5+03:00", "2025-09-05")])
def test_the_date_forms(text, want):
    from loc.dates import parse_date

    assert parse_date(text).isoformat() == want


def test_a_geometry_collection_of_polygons_is_read(tmp_path):
    """KML's MultiGeometry and some exports give GeometryCollections: one of polygons was
    refused "has no polygons (found GeometryCollection)"; its polygons are the area, its
    points and lines left out with a warning."""
    a, b = shapely.box(37.0, 47.6, 37.4, 48.0), shapely.box(37.6, 47.6, 37.8, 47.8)
    gc = shapely.GeometryCollection([a, shapely.Point(37.5, 47.7), b,
                                     shapely.LineString([(37, 47), (38, 48)])])
    path = write_fc(tmp_path / "gc_20250905.geojson", [feature(gc)])
    with pytest.warns(loc.LocWarning, match="2 point.s. or line.s. left out"):
        snap = loc.read(path)
    want = loc.from_geometries(shapely.union(a, b), date="2025-09-05")
    assert snap.occupied_km2() == pytest.approx(want.occupied_km2(), rel=1e-12)
    only_lines = write_fc(tmp_path / "l_20250905.geojson", [feature(shapely.GeometryCollection(
        [shapely.LineString([(37, 47), (38, 48)])]))])
    with pytest.raises(loc.LocError, match="has no polygons"):
        loc.read(only_lines)


@pytest.mark.parametrize("geom, message", [
    (shapely.box(4e6, 5e6, 4.1e6, 5.1e6), "not lon/lat"),
    (shapely.box(48, 37, 49, 38), "lat/lon swapped"),
    (shapely.box(0, 0, 1, 1), "far outside Ukraine"),
    (shapely.Polygon([(179.5, 48), (-179.5, 48), (-179.5, 48.1), (179.5, 48.1)]),
     "across the antimeridian"),
    (shapely.Polygon([(37, 48), (38, 49), (38, 48), (37, 49)]), "cannot be repaired safely"),
])
def test_geometries_given_in_python_get_the_checks_a_file_gets(geom, message):
    """loc.from_geometries took metres (occupied NaN km²), swapped axes (9,814 km²
    "outside"), a box at 0 E 0 N (12,308 km²) and a bowtie (1 km², then a GEOS error);
    freeze exchanges given as geometries too (0 km² exchanged, no error)."""
    with pytest.raises(loc.LocError, match=message):
        loc.from_geometries(geom, date="2025-09-01")
    with pytest.raises(loc.LocError, match=message):
        loc.freeze(loc.sample(), exchanges=[(geom, "ua")])


def test_a_far_polygon_is_dropped_on_either_side_of_the_world():
    """Beside a polygon in Ukraine, a stray one at 120 E was dropped with a warning but one at
    141 W refused the file (the bounds spanned over 180°): both are dropped, and only a
    polygon that itself spans over 180° (across the antimeridian) is refused."""
    for far in (box(120.0, 40.0, 120.1, 40.1), box(-141.6, 60.0, -141.5, 60.1)):
        with pytest.warns(loc.LocWarning, match="dropped 1 polygon"):
            snap = loc.from_geometries(shapely.MultiPolygon([DONBAS, far]), date="2025-09-01")
        assert snap.side("ru").equals(DONBAS)
    across = shapely.Polygon([(179.5, 48), (-179.5, 48), (-179.5, 48.1), (179.5, 48.1)])
    with pytest.raises(GeometryError, match="spans 359.0° of longitude"):
        loc.from_geometries(shapely.MultiPolygon([DONBAS, across]), date="2025-09-01")


def test_an_overlapping_collection_is_joined_with_a_warning():
    a, b = shapely.box(37.0, 48.0, 37.5, 48.5), shapely.box(37.4, 48.0, 38.0, 48.5)
    with pytest.warns(loc.LocWarning, match="repaired invalid ru polygon"):
        snap = loc.from_geometries(shapely.GeometryCollection([a, shapely.Point(1, 1), b]))
    assert snap.occupied_km2() == pytest.approx(
        float(loc.geo.area_km2(shapely.union(a, b))), rel=1e-9)


@pytest.mark.parametrize("exchanges", [{"a": "ru"}, "x.geojson=ru", [("x",)],
                                       [(shapely.Point(37, 48), "ua")]])
def test_exchanges_of_the_wrong_shape_are_refused(exchanges):
    with pytest.raises((TypeError, loc.LocError)):
        loc.freeze(loc.sample(), exchanges=exchanges)


def test_an_archive_of_several_data_files_is_refused(tmp_path):
    """A zip of two shapefiles (the two halves of one snapshot) was read as its first one:
    half the area, exit 0; a KMZ of two KMLs and no doc.kml likewise."""
    snap = loc.read(loc.sample_paths()[-1])
    ru = snap.side("ru")
    halves = [shapely.clip_by_rect(ru, 20, 40, 36.5, 55),
              shapely.clip_by_rect(ru, 36.5, 40, 45, 55)]
    for name, part in zip(("east", "west"), halves, strict=True):
        gpd.GeoDataFrame(geometry=[part], crs=4326).to_file(tmp_path / f"{name}.shp")
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in sorted(tmp_path.glob("*.*")):
            if p != archive:
                z.write(p, p.name)
    with pytest.raises(InputError, match=r"archive holds 2 geodata files \(east.shp, west.shp\)"):
        loc.read(archive)
    one = tmp_path / "one.zip"
    with zipfile.ZipFile(one, "w") as z:
        for p in sorted(tmp_path.glob("east.*")):
            z.write(p, p.name)
        z.writestr("metadata.json", "{}")  # not data beside a shapefile
    assert loc.read(one).occupied_km2() == pytest.approx(crs.area_km2(halves[0]), rel=1e-6)


def test_layers_of_unknown_meaning_are_not_all_taken_as_occupied(tmp_path):
    """A GeoPackage with the snapshot in one layer and a reference box in another gave the
    union of both as the occupied area (116,679 km² for 114,781), exit 0."""
    snap = loc.read(loc.sample_paths()[-1])
    path = tmp_path / "two.gpkg"
    gpd.GeoDataFrame(geometry=[snap.side("ru")], crs=4326).to_file(path, layer="zzz")
    gpd.GeoDataFrame(geometry=[box(30, 49, 31, 50)], crs=4326).to_file(path, layer="aaa")
    with pytest.raises(GeometryError, match=r"holds several layers \(aaa, zzz\) and nothing "
                                            "says which side each is"):
        loc.read(path)
    one = tmp_path / "one.gpkg"
    gpd.GeoDataFrame(geometry=[snap.side("ru")], crs=4326).to_file(one, layer="zzz")
    assert loc.read(one).occupied_km2() == pytest.approx(snap.occupied_km2(), rel=1e-9)


def test_a_ua_side_over_the_ru_side_is_theirs_and_said(tmp_path):
    """A `ua` polygon drawn over the `ru` one was kept whole: the overlap was held by both
    sides (counted twice). It is taken out of `ua` with a warning; a file of `ua` only says
    that nothing is occupied."""
    path = tmp_path / "sides.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"side": "ru"},
         "geometry": mapping(box(37, 47, 38, 48))},
        {"type": "Feature", "properties": {"side": "ua"},
         "geometry": mapping(box(37.5, 47, 39, 48))}]}))
    with pytest.warns(loc.LocWarning, match=r"the ua side overlaps the ru or contested side by "
                                            r"4,188\.\d\d km²"):
        s = loc.read(path)
    assert crs.area_km2(shapely.intersection(s.side("ua"), s.side("ru"))) == 0.0
    assert s.side("ua").bounds == (38.0, 47.0, 39.0, 48.0)
    touching = loc.from_geometries(box(37, 47, 38, 48), ua=box(38, 47, 39, 48))
    assert touching.given["ua"].equals_exact(box(38, 47, 39, 48), 0)  # kept exactly
    only = tmp_path / "ua.geojson"
    only.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"side": "ua"},
         "geometry": mapping(box(37, 47, 38, 48))}]}))
    with pytest.warns(loc.LocWarning, match="every polygon is ua: nothing is Russian-held"):
        assert loc.read(only).occupied_km2() == 0.0


def test_a_shapefiles_hash_covers_every_file_gdal_reads(tmp_path):
    """A .prj moving the prime meridian by 0.5 deg moved the geometry while the recorded
    sha256 (of the .shp alone) still matched, so `loc maps verify` said OK."""
    from loc.io.hashing import read_set
    from loc.outputs.versions import check_input, input_record

    shp = tmp_path / "area_2025-09-05.shp"
    gpd.GeoDataFrame(geometry=[DONBAS], crs="EPSG:4326").to_file(shp, engine="pyogrio")
    assert {p.suffix for p in read_set(shp)} == {".shp", ".shx", ".dbf", ".prj", ".cpg"}
    manifest = tmp_path / "manifest.json"
    before = loc.read(shp)
    rec = input_record(before)
    assert check_input(rec, manifest)[1]
    shp.with_suffix(".prj").write_text(
        pyproj.CRS("+proj=longlat +datum=WGS84 +pm=0.5").to_wkt("WKT1_ESRI"))
    after = loc.read(shp)
    assert after.occupied.bounds[0] == pytest.approx(before.occupied.bounds[0] + 0.5)
    assert after.sha256 != before.sha256
    path, ok, why = check_input(rec, manifest)
    assert not ok and "differs" in why


def test_a_geojsons_hash_is_its_bytes_hash(tmp_path):
    from loc.io.hashing import file_sha256

    path = write_fc(tmp_path / "a.geojson", [feature(DONBAS)])
    (tmp_path / "a.prj").write_text("not read for a GeoJSON")
    assert loc.read(path).sha256 == file_sha256(path)


VRT = ('<OGRVRTDataSource><OGRVRTLayer name="{layer}"><SrcDataSource>{src}</SrcDataSource>'
       '</OGRVRTLayer></OGRVRTDataSource>')


@pytest.mark.parametrize("name", ["x.vrt", "x_2025-09-05.geojson", "x.txt"])
def test_a_vrt_is_refused_whatever_its_suffix(tmp_path, name):
    """A VRT is hashed alone while GDAL reads the file it names: swapping that file changed
    the figures (111,938 against 114,781 km²) and `loc maps verify` still said OK."""
    src = loc.sample_paths()[-1]
    path = tmp_path / name
    path.write_text(VRT.format(layer=src.stem, src=src))
    with pytest.raises(InputError, match="VRT.*give the data file itself") as err:
        loc.read(path)
    assert "\n" not in str(err.value) and str(path) in str(err.value)


@pytest.mark.parametrize(("text", "what"), [
    ('<OGRWFSDataSource><URL>http://example.com/wfs</URL></OGRWFSDataSource>', "WFS"),
    ('{"type": "gdal_streamed_alg", "command_line": "gdal vector pipeline ! read '
     '/vsicurl/http://example.com/a.geojson"}', "GDALG"),
])
def test_formats_that_read_elsewhere_are_refused(tmp_path, text, what):
    path = tmp_path / "x.json"
    path.write_text(text)
    with pytest.raises(InputError, match=f"{what}.*give the data file itself"):
        loc.read(path)


@pytest.mark.parametrize("crs_member", [
    {"type": "link", "properties": {"href": "http://example.com/crs.prj", "type": "proj4"}},
    {"type": "link", "properties": {"href": "crs.prj", "type": "proj4"}},
    {"type": "name", "properties": {"name": "https://example.com/crs/4326"}},
])
@pytest.mark.parametrize("engine", ["pyogrio", "fiona"])
def test_a_crs_by_link_is_refused_before_gdal_opens_the_file(tmp_path, monkeypatch,
                                                              crs_member, engine):
    """GDAL fetched a link CRS's href over HTTP (a connect to port 80) outside loc fetch."""
    from loc.io import readers

    def opened(*args, **kwargs):
        raise AssertionError("GDAL opened the file")

    monkeypatch.setattr(readers, "_read_layers", opened)
    path = write_fc(tmp_path / "a.geojson", [feature(DONBAS)], crs=crs_member)
    for read in (lambda: loc.read(path, engine=engine),
                 lambda: readers.read_features(path, engine=engine)):
        with pytest.raises(InputError, match="CRS by a link.*outside loc fetch") as err:
            read()
        assert "\n" not in str(err.value)


def test_an_ogc_crs_url_is_read_offline(tmp_path):
    path = write_fc(tmp_path / "a.geojson", [feature(DONBAS)], crs={
        "type": "name", "properties": {"name": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}})
    assert loc.read(path, engine="pyogrio").occupied_km2() > 0


@pytest.mark.parametrize("rows", ["a,b\n1,2\n", "lat,lon\n48,37\n"])
def test_a_table_without_geometry_is_refused_in_one_line(tmp_path, rows):
    from loc.io.readers import read_features

    path = tmp_path / "p_20250905.csv"
    path.write_text(rows)
    for read in (loc.read, read_features):
        with pytest.raises(GeometryError, match="has no geometry"):
            read(path)


def test_a_null_side_is_named_not_a_crash(tmp_path):
    path = write_fc(tmp_path / "a.geojson", [feature(DONBAS, side=None),
                                             feature(box(36, 47, 36.5, 47.4), side="ru")])
    with pytest.raises(GeometryError, match="unknown side value.*null"):
        loc.read(path)


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_points_and_lines_beside_polygons_are_left_out_with_a_warning(tmp_path, suffix):
    """The same rule as points and lines inside a geometry collection."""
    geoms = [DONBAS, shapely.Point(37.2, 48.0), shapely.LineString([(37, 48), (38, 48.2)])]
    path = tmp_path / f"mixed{suffix}"
    gpd.GeoDataFrame(geometry=geoms, crs="OGC:CRS84").to_file(path, engine="pyogrio")
    with pytest.warns(loc.LocWarning, match="2 point.s. or line.s. left out"):
        snap = loc.read(path)
    assert snap.occupied_km2() == pytest.approx(crs.area_km2(DONBAS))
    collection = tmp_path / "collection.geojson"
    write_fc(collection, [{"type": "Feature", "properties": {},
                           "geometry": mapping(shapely.GeometryCollection(geoms))}])
    with pytest.warns(loc.LocWarning, match="2 point.s. or line.s. left out"):
        loc.read(collection)


@pytest.mark.parametrize("kind", ["exchange_overflow", "exchange_nan_first_vertex",
                                  "exchange_nan_z_gpkg", "sites_overflow"])
def test_side_inputs_are_checked_as_snapshots_are(tmp_path, kind):
    """Exchanges and sites got GDAL's "Unrecognized number: 1e999" or "LinearRing not
    closed", or were read with a NaN z, where a snapshot gets loc's finite-number check."""
    from loc.io.readers import read_features
    from tests import hostile

    path = {**hostile.EXCHANGES, **hostile.SITES}[kind](tmp_path)
    with pytest.raises(GeometryError, match="not a finite number") as err:
        read_features(path)
    assert "\n" not in str(err.value)


KML_OVERLAY = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>37.5,47.9 37.9,47.9 37.9,48.2
37.5,48.2 37.5,47.9</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
<GroundOverlay><Icon><href>map.png</href></Icon><LatLonBox><north>49</north><south>47</south>
<east>39</east><west>36</west></LatLonBox></GroundOverlay>
</Document></kml>
"""


@pytest.mark.parametrize("engine", ["pyogrio", "fiona"])
def test_a_kml_image_overlay_is_no_area(tmp_path, engine):
    """pyogrio read a GroundOverlay's picture frame as a polygon: 49,768 km² occupied
    where fiona read 995 (the one Placemark)."""
    path = tmp_path / "overlay_20250905.kml"
    path.write_text(KML_OVERLAY)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        snap = loc.read(path, engine=engine)
    # GDAL's LIBKML driver gives the overlay (and is said); its KML driver skips it
    assert all("image overlay(s) left out" in str(w.message) for w in seen)
    assert snap.occupied_km2() == pytest.approx(
        crs.geodesic_area_km2(box(37.5, 47.9, 37.9, 48.2)), rel=1e-3)


def test_reading_a_geopackage_or_gml_changes_nothing_beside_it(tmp_path):
    """GDAL folded a GeoPackage's -wal into it (and deleted the log), so the recorded
    sha256 matched no state that was given; it wrote a .gfs beside a GML, which then
    entered the input's hash (a false FAIL once it was removed)."""
    import os
    import sqlite3

    from loc.io.hashing import input_sha256

    src = tmp_path / "src.gpkg"
    gpd.GeoDataFrame(geometry=[DONBAS], crs=4326).to_file(src, driver="GPKG")
    con = sqlite3.connect(src)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    con.execute("CREATE TABLE note (x TEXT)")
    con.execute("INSERT INTO note VALUES ('given with its log')")
    con.commit()
    given = tmp_path / "given"
    given.mkdir()
    for suffix in ("", "-wal"):  # the state delivered: the file and its unmerged log
        (given / f"x_20250905.gpkg{suffix}").write_bytes(
            (tmp_path / f"src.gpkg{suffix}").read_bytes())
    con.close()
    gml = given / "area_20250905.gml"
    gpd.GeoDataFrame({"side": ["ru"]}, geometry=[DONBAS], crs=4326).to_file(gml, driver="GML")
    for f in given.glob("*.gfs"):
        f.unlink()
    before = {p.name: p.read_bytes() for p in given.iterdir()}
    digest = input_sha256(given / "x_20250905.gpkg")
    snap = loc.read(given / "x_20250905.gpkg")
    loc.read(gml)
    assert {p.name: p.read_bytes() for p in given.iterdir()} == before
    assert snap.sha256 == digest and os.path.exists(given / "x_20250905.gpkg-wal")


# -- the date a converted or archived copy says ----------------------------------------------

_COPY = ("its name says 2025-09-07 but its layer name (\"deepstatemap_data_20250905\") says "
         "2025-09-05: which is it? (a file copied under another date's name, say)")


@pytest.mark.parametrize(("suffix", "driver"), [(".gpkg", "GPKG"), (".fgb", "FlatGeobuf"),
                                                (".kml", "KML"), (".shp", "ESRI Shapefile")])
@pytest.mark.parametrize("engine", ["pyogrio", "fiona"])
def test_a_converted_copy_keeps_its_layer_names_date(tmp_path, suffix, driver, engine):
    """The reviewer's case: 2025-09-05's file converted (its layer keeps the archive's name)
    and saved as 2025-09-07's was read as of 2025-09-07 from GeoPackage, FlatGeobuf and KML
    (refused as GeoJSON). A single layer's name is one more place a file says its date; a
    shapefile's layer is its own name, so a renamed one is no copy."""
    gdf = gpd.read_file(deepstate_path("20250905"))
    for stem in ("deepstatemap_data_20250907", "map", "deepstatemap_data_20250905"):
        (tmp_path / stem).mkdir()
        gdf.to_file(tmp_path / stem / f"{stem}{suffix}", driver=driver,
                    layer="deepstatemap_data_20250905", engine="pyogrio")
    bad = tmp_path / "deepstatemap_data_20250907" / f"deepstatemap_data_20250907{suffix}"
    undated = tmp_path / "map" / f"map{suffix}"
    good = tmp_path / "deepstatemap_data_20250905" / f"deepstatemap_data_20250905{suffix}"
    if suffix == ".shp":  # the layer is the file's name: no date but the name's
        assert loc.read(bad, engine=engine).label == "2025-09-07"
        assert loc.read(undated, engine=engine).date is None
    else:
        with pytest.raises(DateError) as got:
            loc.read(bad, engine=engine)
        assert str(got.value) == f"{bad}: {_COPY}"
        assert loc.read(undated, engine=engine).label == "2025-09-05"
    assert loc.read(good, engine=engine).label == "2025-09-05"


def test_an_archived_copy_is_refused_by_its_members_name(tmp_path):
    """A zip named without a date holding 2025-09-05's file as 2025-09-07's was read as of
    2025-09-05, its member's name unread."""
    raw = deepstate_path("20250905").read_bytes()
    path = tmp_path / "nodate.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("deepstatemap_data_20250907.geojson", raw)
    with pytest.raises(DateError) as got:
        loc.read(path)
    assert str(got.value) == (
        f"{path}: its member's name (\"deepstatemap_data_20250907.geojson\") says 2025-09-07 "
        "but its layer name (\"deepstatemap_data_20250905\") says 2025-09-05: which is it? (a "
        "file copied under another date's name, say)")
    with zipfile.ZipFile(tmp_path / "fine.zip", "w") as z:
        z.writestr("deepstatemap_data_20250905.geojson", raw)
    assert loc.read(tmp_path / "fine.zip").label == "2025-09-05"


def test_an_import_and_a_store_timeline_warn_of_the_same_bytes_on_two_dates(tmp_path,
                                                                          monkeypatch):
    """A, B, A imported into a store: the import said nothing and a timeline of the store
    could not tell (its snapshots are keyed by geometry); both now warn, naming both."""
    monkeypatch.setenv("LOC_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "plain"
    folder.mkdir()
    for day in ("20250904", "20250905"):
        raw = without_layer_name(deepstate_path(day).read_bytes())
        (folder / f"m_{day}.geojson").write_bytes(raw)
    (folder / "m_20250906.geojson").write_bytes((folder / "m_20250904.geojson").read_bytes())
    store = tmp_path / "s.gpkg"
    with pytest.warns(loc.LocWarning):
        snaps = loc.read_series(folder)  # warns too
    with warnings.catch_warnings(record=True) as caught:  # these snapshots: said already
        warnings.simplefilter("always")
        loc.import_snapshots(snaps, tmp_path / "other.gpkg")
    assert [w for w in caught if w.category is loc.LocWarning] == []
    with pytest.warns(loc.LocWarning) as caught:
        loc.import_snapshots(sorted(folder.iterdir()), store)
    assert [str(w.message) for w in caught] == [repeat_warning(
        folder / "m_20250906.geojson", folder / "m_20250904.geojson", "2025-09-04",
        folder / "m_20250905.geojson")]
    with pytest.warns(loc.LocWarning) as caught:
        loc.timeline(store)
    assert [str(w.message) for w in caught] == [repeat_warning(
        f"{store}@2025-09-06", f"{store}@2025-09-04", "2025-09-04", f"{store}@2025-09-05")]


def test_imports_in_separate_calls_are_compared_with_the_store(tmp_path):
    """A monitoring mission imports one file a day: a copy of a stored date imported on
    its own (same bytes, or the same geometry in other bytes) is warned of against the
    store, naming the stored dates; a file that makes a stored later date look like a
    copy is too; an ordinary new date, a re-import and a later unrelated import say
    nothing (the store's own repeat was warned of when it came)."""
    folder = tmp_path / "plain"
    folder.mkdir()
    days = ("20250904", "20250905", "20250906")
    for day in days:
        raw = without_layer_name(deepstate_path(day).read_bytes())
        (folder / f"m_{day}.geojson").write_bytes(raw)
    store = tmp_path / "s.gpkg"

    def imported(*paths) -> list[str]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loc.import_snapshots(list(paths), store)
        return [str(w.message) for w in caught if w.category is loc.LocWarning]

    assert imported(folder / "m_20250904.geojson") == []
    assert imported(folder / "m_20250905.geojson") == []
    assert imported(folder / "m_20250905.geojson") == []  # skipped: the same snapshot
    copy = folder / "m_20250907.geojson"
    copy.write_bytes((folder / "m_20250904.geojson").read_bytes())
    assert imported(copy) == [repeat_warning(copy, f"{store}@2025-09-04", "2025-09-04",
                                             f"{store}@2025-09-05")]
    # the same geometry in other bytes (GDAL's rewrite), one day later
    gdal = folder / "m_20250908.geojson"
    gpd.GeoDataFrame(geometry=[loc.read(folder / "m_20250905.geojson").given["ru"]],
                     crs="OGC:CRS84").to_file(gdal, driver="GeoJSON")
    assert imported(gdal) == [repeat_warning(gdal, f"{store}@2025-09-05", "2025-09-05",
                                             f"{store}@2025-09-07", geometry=True)]
    assert imported(folder / "m_20250906.geojson") == []  # a date between, unrelated
    # a late import of the day before a stored copy makes that copy a repeat of it
    other = tmp_path / "t.gpkg"
    for name in ("m_20250905.geojson", "m_20250907.geojson"):
        loc.import_snapshots([folder / name], other)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loc.import_snapshots([folder / "m_20250904.geojson"], other)
    assert [str(w.message) for w in caught if w.category is loc.LocWarning] == [
        repeat_warning(f"{other}@2025-09-07", folder / "m_20250904.geojson", "2025-09-04",
                       f"{other}@2025-09-05")]


def test_a_name_given_twice_or_a_file_both_geojson_and_api_answer_is_refused(tmp_path):
    """The reviewer's cases: a second "name" member hid the first (the last wins in GDAL and
    in loc's parser), and a FeatureCollection with a "map" member was read as an API answer,
    its layer name unread; an API answer's map names its date too."""
    raw = deepstate_path("20250905").read_text()
    twice = tmp_path / "deepstatemap_data_20250907.geojson"
    twice.write_text(raw.replace('"name": "deepstatemap_data_20250905",',
                                 '"name": "deepstatemap_data_20250905", '
                                 '"name": "deepstatemap_data_20250907",', 1))
    with pytest.raises(InputError, match=r"member 'name' given twice\)$"):
        loc.read(twice)
    doc = json.loads(raw)
    both = tmp_path / "both_20250905.geojson"
    both.write_text(json.dumps({"map": doc, **doc}))  # "map" first: read as an answer
    with pytest.raises(InputError, match=r'is GeoJSON \(type "FeatureCollection"\) and a '
                                         r"DeepStateMap API answer \(a map member\) at once"):
        loc.read(both)
    api = tmp_path / "answer_20250907.json"
    api.write_text(json.dumps({"map": doc}))
    with pytest.raises(DateError, match=r"its name says 2025-09-07 but its layer name "
                                        r'\("deepstatemap_data_20250905"\) says 2025-09-05'):
        loc.read(api)
    api.rename(tmp_path / "answer.json")
    assert loc.read(tmp_path / "answer.json").label == "2025-09-05"


def _bowtie(dx: float) -> str:
    """A GeoJSON square with a tiny loop at one corner that crosses itself (repaired, with
    a warning, on reading)."""
    x = 37.0 + dx
    ring = [[x, 47.5], [x + 1, 47.5], [x + 1, 48.5], [x, 48.5], [x + 0.01, 47.49],
            [x - 0.01, 47.49], [x, 47.5]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _shared_series(tmp_path, count: int, bad: dict[int, str]) -> list:
    paths = []
    for i in range(count):
        path = tmp_path / f"m_{(dt.date(2025, 1, 1) + dt.timedelta(days=i)):%Y%m%d}.geojson"
        text = bad.get(i) or json.dumps(mapping(
            shapely.box(37.0, 47.5, 38.0 + i * 0.001, 48.5)))
        path.write_text(text)
        paths.append(path)
    return paths


def test_a_long_series_is_read_with_workers_to_the_same_snapshots(deepstate_dir, monkeypatch):
    """A series of SHARED_READ files or more is cut into parts read by this process and
    workers: the same snapshots (geometry bytes, dates, hashes, kept digests) as one
    process reads, on a month of real files and with two, three and four parts."""
    inputs = importlib.import_module("loc.io.inputs")
    files = deepstate_files()[200:231]
    monkeypatch.setattr(processes, "cores", lambda: 1)
    here = loc.read_series(files)
    monkeypatch.setattr(inputs, "SHARED_READ", 8)
    started: list[int] = []
    real = processes.worker
    monkeypatch.setattr(processes, "worker", lambda *a: started.append(1) or real(*a))
    for cores in (2, 3, 4):
        monkeypatch.setattr(processes, "cores", lambda c=cores: c)
        started.clear()
        shared = loc.read_series(files)
        assert len(started) == cores - 1
        assert [(s.date, s.sha256, s.path, s.source, s.license, s._memo,
                 shapely.to_wkb(s.given["ru"])) for s in shared] == [
            (s.date, s.sha256, s.path, s.source, s.license, s._memo,
             shapely.to_wkb(s.given["ru"])) for s in here]


def test_a_series_read_with_workers_warns_and_fails_in_order(tmp_path, monkeypatch):
    """Warnings come in the series' order whoever read the file; the first bad file in
    the series' order is the error (one in a worker's part included); a worker that dies
    has its part read here."""
    inputs = importlib.import_module("loc.io.inputs")
    monkeypatch.setattr(inputs, "SHARED_READ", 4)
    monkeypatch.setattr(processes, "cores", lambda: 2)
    paths = _shared_series(tmp_path, 10, {1: _bowtie(0.0), 8: _bowtie(0.5)})

    def read_warnings():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            snaps = loc.read_series(paths)
        return snaps, [str(w.message) for w in caught if w.category is loc.LocWarning]

    snaps, said = read_warnings()
    assert len(snaps) == 10
    repaired = [m for m in said if "repaired" in m]
    assert [m.split(":")[0] for m in repaired] == [str(paths[1]), str(paths[8])]
    monkeypatch.setattr(processes, "cores", lambda: 1)
    assert read_warnings()[1] == said  # the same warnings one process gives
    monkeypatch.setattr(processes, "cores", lambda: 2)
    (paths[7]).write_text('{"type": "Polygon", "coordinates": [[[37, 47], [38, 47]]]}')
    with pytest.raises(loc.LocError, match=str(paths[7].name)):
        loc.read_series(paths)
    (paths[2]).write_text("not json")
    with pytest.raises(loc.LocError, match=str(paths[2].name)):  # the first in order
        loc.read_series(paths)
    paths[2].write_text(json.dumps(mapping(shapely.box(37, 47.5, 38, 48.5))))
    paths[7].write_text(json.dumps(mapping(shapely.box(37, 47.5, 38, 48.6))))

    def dies(items, engine, conn):
        os._exit(1)

    monkeypatch.setattr(inputs, "_read_worker", dies)
    died, said_then = read_warnings()
    assert [s.date for s in died] == [s.date for s in snaps]
    assert [m.split(":")[0] for m in said_then if "repaired" in m] == [str(paths[1]),
                                                                       str(paths[8])]


def _dated_boxes(folder, **boxes) -> dict:
    """GeoJSON files ``t_<day>.geojson``, one box each (lon/lat, in Donetsk region)."""
    folder.mkdir(exist_ok=True)
    out = {}
    for day, dx in boxes.items():
        path = folder / f"t_{day}.geojson"
        feature = {"type": "Feature", "properties": {},
                   "geometry": mapping(box(37.0 + dx, 47.5, 37.5 + dx, 48.0))}
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
        out[day] = path
    return out


def test_a_store_row_without_sha256_is_no_copy_and_no_crash(tmp_path):
    """NULL sha256 (a store written by other tools) read as NaN was one "digest" shared by
    every such date (two different dates named byte-identical copies), and a different
    snapshot of such a date crashed (TypeError) instead of the one-line refusal."""
    import sqlite3

    files = _dated_boxes(tmp_path / "in", **{"20250101": 0.0, "20250102": 0.2,
                                             "20250103": 0.4})
    store = tmp_path / "s.gpkg"
    loc.import_snapshots(list(files.values()), store)
    con = sqlite3.connect(store)
    for name in ("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
        # GDAL's spatial-index triggers name them; an update of another column calls none
        con.create_function(name, 1, lambda _g: None)
    con.execute("UPDATE control SET sha256 = NULL WHERE date IN ('2025-01-01', '2025-01-02')")
    con.commit()
    con.close()
    from loc.io.store import file_sha256_of

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        snaps = loc.read_series(store)
        loc.import_snapshots([store], tmp_path / "other.gpkg")
    assert [file_sha256_of(s) for s in snaps][:2] == [None, None]
    assert [str(w.message) for w in caught if w.category is loc.LocWarning] == []
    other = _dated_boxes(tmp_path / "other", **{"20250101": 1.0})
    with pytest.raises(DateError, match="already holds a different snapshot of 2025-01-01"):
        loc.import_snapshots([other["20250101"]], store)


def test_an_import_refuses_what_a_store_cannot_keep(tmp_path):
    """A snapshot with no area was reported added and nothing was written; one whose
    given ua side is empty would read back with all the land outside ru as ua."""
    store = tmp_path / "s.gpkg"
    with pytest.raises(InputError, match="gives no control area"):
        loc.import_snapshots([loc.from_geometries(shapely.MultiPolygon(), date="2025-01-02")],
                             store)
    inside = shapely.box(37.1, 47.6, 37.2, 47.7)  # within ru: taken as theirs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        empty_ua = loc.from_geometries(DONBAS, ua=inside, date="2025-01-03")
    assert empty_ua.side("ua").is_empty
    with pytest.raises(InputError, match="the ua side it gives is empty"):
        loc.import_snapshots([empty_ua], store)
    assert not store.exists()


def test_an_import_warns_a_repeat_once(tmp_path):
    """The store holds 03 = C; an import brings 01 = A, 02 = B, 04 = A: the import's own
    check and the check against the store both found "04 repeats 01"; it is said once."""
    files = _dated_boxes(tmp_path / "in", **{"20250101": 0.0, "20250102": 0.2,
                                             "20250103": 0.4})
    copy = tmp_path / "in" / "t_20250104.geojson"
    copy.write_bytes(files["20250101"].read_bytes())
    store = tmp_path / "s.gpkg"
    loc.import_snapshots([files["20250103"]], store)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loc.import_snapshots([files["20250101"], files["20250102"], copy], store)
    assert [str(w.message) for w in caught if w.category is loc.LocWarning] == [
        repeat_warning(copy, files["20250101"], "2025-01-01", files["20250102"])]


def _frozen_halfway(conn) -> None:
    """A worker that sends the start of a 100 kB message and then stops (frozen)."""
    import pickle
    import struct
    import time

    payload = pickle.dumps("x" * 100_000)
    os.write(conn.fileno(), struct.pack("!i", len(payload)) + payload[:1000])
    time.sleep(600)


def _sends_unpicklable(conn) -> None:
    """A worker whose message cannot be unpickled."""
    conn.send_bytes(b"not a pickle")


def test_a_worker_frozen_halfway_through_a_message_is_not_waited_for(monkeypatch):
    """The parent reads a message within the patience too: a worker that stops halfway
    is killed, with a warning, and its work is the parent's (never a parent that waits
    forever); a message that cannot be read raises its error."""
    import threading
    import time

    monkeypatch.setattr(processes, "STALL_S", 0.5)
    with processes.starting() as ctx:
        (proc, conn), = processes.workers(ctx, _frozen_halfway, [()])
    got: list = []

    def wait() -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got.append(processes.receive(proc, conn, 0.0))
        got.append([str(w.message) for w in caught])

    waiter = threading.Thread(target=wait, daemon=True)
    start = time.monotonic()
    waiter.start()
    waiter.join(20)
    try:
        assert not waiter.is_alive(), "the parent still waits for the frozen worker"
        assert got[0] is None and time.monotonic() - start < 10
        assert any("stopped halfway through a message" in m for m in got[1])
        assert not proc.is_alive()
    finally:
        processes.stop(proc, conn)
    with processes.starting() as ctx:
        (proc, conn), = processes.workers(ctx, _sends_unpicklable, [()])
    try:
        with pytest.raises(Exception, match="pickle|load key"):
            processes.receive(proc, conn, 0.0)
    finally:
        processes.stop(proc, conn)


def _slow_beats(beat, conn) -> None:
    """A worker that shows progress for about 1 s before it sends."""
    import time

    for _ in range(10):
        time.sleep(0.1)
        with beat.get_lock():
            beat.value += 1
    conn.send("done")
    conn.close()


def test_a_slow_worker_that_shows_progress_is_waited_for(tmp_path, monkeypatch):
    """A worker that sends nothing for longer than the patience but raises its progress
    count is healthy: it was killed and its work done again."""
    monkeypatch.setattr(processes, "STALL_S", 0.35)
    with processes.starting() as ctx:
        beat = ctx.Value("i", 0)
        (proc, conn), = processes.workers(ctx, _slow_beats, [(beat,)])
    try:
        assert processes.receive(proc, conn, 0.0, beat=lambda: beat.value) == "done"
    finally:
        processes.stop(proc, conn)
    with processes.starting() as ctx:
        beat = ctx.Value("i", 0)
        (proc, conn), = processes.workers(ctx, _slow_beats, [(beat,)])
    try:
        with pytest.warns(loc.LocWarning, match="sent nothing"):
            assert processes.receive(proc, conn, 0.0) is None  # no beat: taken to hang
    finally:
        processes.stop(proc, conn)
    # a series whose later part reads slowly (denser files, say) but steadily
    import time

    inputs = importlib.import_module("loc.io.inputs")
    monkeypatch.setattr(inputs, "SHARED_READ", 4)
    monkeypatch.setattr(processes, "cores", lambda: 2)
    monkeypatch.setattr(processes, "STALL_S", 0.8)  # a beat every 0.4 s, 2 s in all
    parent, real = os.getpid(), inputs.as_snapshot

    def slow_there(item, engine, plain):
        if os.getpid() != parent:
            time.sleep(0.4)
        return real(item, engine, plain)

    monkeypatch.setattr(inputs, "as_snapshot", slow_there)
    paths = _shared_series(tmp_path, 10, {})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert len(loc.read_series(paths)) == 10
    assert [str(w.message) for w in caught] == []


def test_workers_read_as_this_process_reads_and_leave_nothing(tmp_path, monkeypatch):
    """A worker's warnings came from the caller's line (so a filter on loc's modules let
    them through); a worker killed halfway left its temporary copies; reading undid the
    program's own gc.freeze(); a worker started before one that could not be was left
    running."""
    import gc
    import tempfile

    inputs = importlib.import_module("loc.io.inputs")
    monkeypatch.setattr(inputs, "SHARED_READ", 4)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    paths = _shared_series(tmp_path, 10, {1: _bowtie(0.0), 8: _bowtie(0.5)})

    def said(cores: int, *filters) -> list:
        monkeypatch.setattr(processes, "cores", lambda: cores)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for f in filters:
                warnings.filterwarnings(*f)
            loc.read_series(paths)
        return [(str(w.message), w.filename, w.lineno) for w in caught
                if w.category is loc.LocWarning]

    assert said(2) == said(1) and len(said(2)) == 2
    assert said(2, ("ignore", "", loc.LocWarning, r"loc(\.|$)")) == []
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        said(2)
        assert gc.get_freeze_count() > frozen // 2
    finally:
        gc.unfreeze()
    paths[0].write_text("not json")  # the error is met here while the worker reads
    with pytest.raises(loc.LocError, match=paths[0].name), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loc.read_series(paths)
    assert list(scratch.iterdir()) == []
    paths[0].write_text(json.dumps(mapping(shapely.box(37.0, 47.5, 38.0, 48.5))))
    # the second of two workers cannot start: the first is stopped, the series read here
    monkeypatch.setattr(processes, "cores", lambda: 3)
    real, started = processes.worker, []

    def second_fails(*args):
        if started:
            raise OSError("fork: Resource temporarily unavailable")
        started.append(real(*args))
        return started[-1]

    monkeypatch.setattr(processes, "worker", second_fails)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert len(loc.read_series(paths)) == 10
    assert len(started) == 1 and not started[0][0].is_alive()
    assert list(scratch.iterdir()) == []


def _read_in(paths, conn) -> None:
    conn.send(len(loc.read_series(paths)))
    conn.close()


def test_a_daemonic_process_reads_a_long_series_itself(tmp_path, monkeypatch):
    """A multiprocessing.Pool worker (a daemon) may not start processes: reading a long
    series there failed (AssertionError) instead of reading it in that process."""
    import multiprocessing

    inputs = importlib.import_module("loc.io.inputs")
    monkeypatch.setattr(inputs, "SHARED_READ", 4)
    monkeypatch.setattr(processes, "cores", lambda: 2)
    paths = _shared_series(tmp_path, 10, {})
    ctx = multiprocessing.get_context("fork")
    mine, theirs = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_read_in, args=(paths, theirs), daemon=True)
    proc.start()
    theirs.close()
    try:
        assert mine.poll(60) and mine.recv() == 10
    finally:
        proc.join(10)
        mine.close()


def test_a_run_of_a_series_checked_already_is_not_warned_again():
    """A slider's blocks (consecutive runs of the series read) are not warned of again; a
    selection that is not a run of it, or other snapshots, are."""
    from loc.io.store import warn_repeated_snapshots

    day = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(6)]
    geoms = [box(37.0, 47.5, 38.0 + i * 0.01, 48.5) for i in range(6)]
    geoms[4] = geoms[2]
    snaps = [loc.from_geometries(g, date=d) for g, d in zip(geoms, day, strict=True)]

    def warned(part) -> int:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            warn_repeated_snapshots(part)
        return sum(w.category is loc.LocWarning for w in caught)

    assert warned(snaps) == 1
    assert warned(snaps[1:5]) == 0  # a run of what was checked
    assert warned(snaps) == 0
    assert warned([snaps[0], snaps[2], snaps[3], snaps[4]]) == 1  # not a run of it
    again = [loc.from_geometries(g, date=d) for g, d in zip(geoms, day, strict=True)]
    assert warned(again[1:5]) == 1  # other objects


def test_a_store_reads_back_a_snapshot_of_no_named_source(tmp_path):
    """loc writes a snapshot's source as given, the empty one too: the check for rows
    without a source (NULL, from other tools) must not refuse loc's own store."""
    store = tmp_path / "s.gpkg"
    loc.import_snapshots([loc.from_geometries(DONBAS, date="2025-01-01", source="")], store)
    back = loc.read(f"{store}@2025-01-01")
    assert back.source == "" and back.occupied_km2() == pytest.approx(
        loc.from_geometries(DONBAS).occupied_km2())


def test_a_snapshot_built_by_hand_is_checked_as_from_geometries_checks():
    """``loc.Snapshot(given=...)`` once took anything: metres gave NaN km², a side named
    'RU' gave 0 km², a date string stayed a string and `loc.diff` then crashed in GEOS."""
    held = box(37.5, 47.5, 38.5, 48.5)
    by_hand = loc.Snapshot(given={"ru": held}, date="2025-09-05")
    built = loc.from_geometries(held, date="2025-09-05")
    assert by_hand.date == dt.date(2025, 9, 5)
    assert by_hand.occupied_km2() == pytest.approx(built.occupied_km2(), rel=1e-12)
    assert by_hand.occupied_km2() == pytest.approx(8247.0, rel=0.01)
    with pytest.raises(loc.LocError, match="unknown side.s. 'RU'"):
        loc.Snapshot(given={"RU": held})
    with pytest.raises(GeometryError, match="not lon/lat"):
        loc.Snapshot(given={"ru": crs.project(held)})
    with pytest.raises(DateError):
        loc.Snapshot(given={"ru": held}, date="someday")
    with pytest.raises(TypeError, match="not list"):
        loc.Snapshot(given=[held])
    with pytest.raises(TypeError, match="ru side"):
        loc.Snapshot(given={"contested": held})
    noon = loc.Snapshot(given={"ru": held}, date=dt.datetime(2025, 9, 5, 12))
    assert type(noon.date) is dt.date
    # a date object outside 1991..2100 is refused as the same date written as text is,
    # by hand and through from_geometries alike
    for make in (lambda d: loc.Snapshot(given={"ru": held}, date=d),
                 lambda d: loc.from_geometries(held, date=d)):
        with pytest.raises(DateError, match="1850"):
            make(dt.date(1850, 1, 1))
        with pytest.raises(DateError, match="1850"):
            make("1850-01-01")
    # contested is taken apart from ru, as from_geometries does
    both = loc.Snapshot(given={"ru": held, "contested": box(38.0, 47.5, 39.0, 48.5)})
    assert both.given["contested"].intersection(held).area < 1e-12

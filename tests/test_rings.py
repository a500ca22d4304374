"""The incremental reader behind the timeline: same geometry as GEOS, only new text parsed."""

import importlib
import json
import warnings

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import loc
from loc import geo as lcrs
from loc.io.rings import RingReader
from loc.reference.regions import NOISE_WIDTH_M, region_groups_m
from tests.conftest import deepstate_files, deepstate_path
from tests.test_timeline import GROWN, HOSTILE_SECOND, SQUARE, _fc, _rings

rings_mod = importlib.import_module("loc.io.rings")
timeline_mod = importlib.import_module("loc.analysis.timeline")
readers_mod = importlib.import_module("loc.io.readers")


def geometry_of(reader, polys):
    return shapely.multipolygons([reader.polygon(p) for p in polys])


def geojson(geom, indent=None, **props) -> bytes:
    feature = {"type": "Feature", "properties": props,
               "geometry": json.loads(shapely.to_geojson(geom))}
    return json.dumps({"type": "FeatureCollection", "features": [feature]},
                      indent=indent).encode()


@pytest.mark.parametrize("day", ["20240708", "20250108", "20250905"])
def test_real_files_read_as_geos_reads_them(day):
    raw = deepstate_path(day).read_bytes()
    reader = RingReader()
    polys = reader.read(raw)
    ref = shapely.get_geometry(shapely.from_geojson(raw), 0)
    got = geometry_of(reader, polys)
    assert len(polys) == shapely.get_num_geometries(ref)
    assert np.array_equal(shapely.get_coordinates(got), shapely.get_coordinates(ref))
    assert shapely.equals_exact(got, shapely.normalize(ref), 0) or got.equals(ref)


def test_projected_rings_equal_projecting_the_whole_file():
    raw = deepstate_path("20250905").read_bytes()
    reader = RingReader(project=lambda c: lcrs.project_coords(c, lcrs.EQUAL_AREA))
    got = geometry_of(reader, reader.read(raw))
    ref = lcrs.project(shapely.get_geometry(shapely.from_geojson(raw), 0), lcrs.EQUAL_AREA)
    assert np.array_equal(shapely.get_coordinates(got), shapely.get_coordinates(ref))
    assert shapely.area(got) == shapely.area(ref)


def test_next_day_parses_only_the_changed_text(monkeypatch):
    a = deepstate_path("20250904").read_bytes()
    b = deepstate_path("20250905").read_bytes()
    parsed = []
    real = rings_mod._parse_positions
    monkeypatch.setattr(rings_mod, "_parse_positions", lambda t: parsed.append(t) or real(t))
    reader = RingReader()
    reader.read(a)
    whole = sum(len(t) for t in parsed)
    parsed.clear()
    reader.read(a)
    assert parsed == []  # the same text again: nothing parsed
    reader.read(b)
    assert 0 < sum(len(t) for t in parsed) < whole / 5


def test_white_space_and_number_forms_do_not_matter():
    poly = shapely.Polygon([(30.5, 48.25), (31.0, 48.0), (31.25, 48.5), (30.5, 48.25)],
                           [[(30.9, 48.2), (31.0, 48.2), (31.0, 48.3), (30.9, 48.2)]])
    compact = geojson(poly)
    spaced = geojson(poly, indent="\t").replace(b"\n", b"\r\n")
    exponent = compact.replace(b"30.5", b"3.05e1").replace(b"48.25", b"4825E-2")
    for raw in (compact, spaced, exponent):
        reader = RingReader()
        got = geometry_of(reader, reader.read(raw))
        assert got.equals_exact(shapely.MultiPolygon([poly]), 0), raw[:80]


def test_z_is_dropped_and_polygon_type_read():
    raw = (b'{"type": "Polygon", "coordinates": [[[30, 48, 100], [31, 48, 100], '
           b'[31, 49, 5], [30, 48, 100]]]}')
    reader = RingReader()
    polys = reader.read(raw)
    assert geometry_of(reader, polys).equals(shapely.box(30, 48, 31, 49).intersection(
        shapely.Polygon([(30, 48), (31, 48), (31, 49)])))


@pytest.mark.parametrize("raw", [
    # two features, a point, properties the general reader must see
    b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
    b'"geometry":{"type":"Polygon","coordinates":[[[30,48],[31,48],[31,49],[30,48]]]}},'
    b'{"type":"Feature","properties":{},"geometry":null}]}',
    b'{"type":"Point","coordinates":[30,48]}',
    b'{"type":"Feature","properties":{"side":"ru"},"geometry":{"type":"Polygon",'
    b'"coordinates":[[[30,48],[31,48],[31,49],[30,48]]]}}',
    b'{"type":"Feature","properties":{"name":"///"},"geometry":{"type":"Polygon",'
    b'"coordinates":[[[30,48],[31,48],[31,49],[30,48]]]}}',
    b'{"type":"Feature","crs":{"type":"name","properties":{"name":"EPSG:3857"}},'
    b'"properties":{},"geometry":{"type":"Polygon",'
    b'"coordinates":[[[30,48],[31,48],[31,49],[30,48]]]}}',
    # a member after the coordinates, a property named coordinates
    b'{"type":"Polygon","coordinates":[[[30,48],[31,48],[31,49],[30,48]]],"bbox":[30,48,31,49]}',
    b'{"type":"Feature","properties":{"coordinates":[1]},"geometry":{"type":"Polygon",'
    b'"coordinates":[[[30,48],[31,48],[31,49],[30,48]]]}}',
    # not numbers, not finite, not closed, too short, wrong depth, empty, not JSON
    b'{"type":"Polygon","coordinates":[[[30,48],[31,48],[31,NaN],[30,48]]]}',
    b'{"type":"Polygon","coordinates":[[[30,48],[31,48],[31,1e999],[30,48]]]}',
    b'{"type":"Polygon","coordinates":[[[30,48],[31,48],[31,49],[30,48.5]]]}',
    b'{"type":"Polygon","coordinates":[[[30,48],[31,48],[30,48]]]}',
    b'{"type":"Polygon","coordinates":[[[[30,48],[31,48],[31,49],[30,48]]]]}',
    b'{"type":"MultiPolygon","coordinates":[[[30,48],[31,48],[31,49],[30,48]]]}',
    b'{"type":"Polygon","coordinates":[[[30,48],[31,48,1,2],[31,49],[30,48]]]}',
    b'{"type":"Polygon","coordinates":[[[30,48,5],[31],[31,49],[30,48]]]}',
    b'{"type":"Polygon","coordinates":[]}',
    b'{"type":"Polygon","coordinates":[[[30,48],[31,48],[31,49],[30,48]]]',
    b'{"type":"Polygon","coordinates":[[[30,,48],[31,48],[31,49],[30,48]]]}',
    b'\xff\xfe{"type":"Polygon"}',
])
def test_other_forms_are_left_to_the_general_reader(raw):
    reader = RingReader()
    assert reader.read(raw) is None


def test_a_refused_file_keeps_the_previous_one():
    ok = geojson(shapely.box(30, 48, 31, 49))
    reader = RingReader()
    polys = reader.read(ok)
    assert reader.read(b'{"type":"Point","coordinates":[30,48]}') is None
    assert geometry_of(reader, polys).equals(shapely.box(30, 48, 31, 49))


# -- validity of a file's polygons, checked against the one it follows -------------------

# boxes on a half-degree grid: they are apart, touch at a corner, share an edge or overlap;
# a bow tie is invalid alone
parts = st.one_of(
    st.tuples(st.integers(60, 66), st.integers(94, 100), st.integers(1, 2), st.integers(1, 2)
              ).map(lambda t: shapely.box(t[0] / 2, t[1] / 2, (t[0] + t[2]) / 2,
                                          (t[1] + t[3]) / 2)),
    st.tuples(st.integers(60, 66), st.integers(94, 100)).map(
        lambda t: shapely.Polygon([(t[0] / 2, t[1] / 2), (t[0] / 2 + 1, t[1] / 2 + 1),
                                   (t[0] / 2 + 1, t[1] / 2), (t[0] / 2, t[1] / 2 + 1)])))


@settings(max_examples=300, deadline=None)
@given(st.lists(parts, min_size=1, max_size=5), st.lists(st.booleans(), max_size=5),
       st.lists(parts, max_size=3))
@example([shapely.box(30, 47, 31, 48)], [True], [shapely.box(31, 48, 32, 49)])  # a corner
@example([shapely.box(30, 47, 31, 48)], [True], [shapely.box(31, 47, 32, 48)])  # an edge
@example([shapely.box(30, 47, 31, 48), shapely.box(32, 47, 33, 48)], [True, True],
         [shapely.box(30.5, 47, 32.5, 48)])  # a bridge over two kept parts
def test_polygons_are_valid_together_as_geos_says(first, keep, added):
    """A file's polygons are found valid together (some checked with the file before)
    exactly when GEOS finds their MultiPolygon valid."""
    reader, checked = RingReader(), set()
    rings_mod.valid_together(reader, reader.read(geojson(shapely.MultiPolygon(first))),
                             checked)
    kept = [g for g, k in zip(first, keep + [True] * len(first), strict=False) if k]
    second = shapely.MultiPolygon(kept + added) if kept + added else None
    if second is None:
        return
    polys = reader.read(geojson(second))
    got = rings_mod.valid_together(reader, polys, checked)
    assert got == (bool(shapely.is_valid(second)) and len(set(polys)) == len(polys))


# -- the timeline's pair figures against a plain overlay, on random edits ------------------

coords = st.tuples(st.floats(30.0, 36.0), st.floats(46.6, 50.0))
edits = st.lists(st.tuples(coords, st.floats(0.005, 0.4), st.booleans()), min_size=0,
                 max_size=4)


def base_front():
    """A ragged polygon of ~1,500 vertices over five regions (like a front)."""
    t = np.linspace(0, 2 * np.pi, 1500, endpoint=False)
    r = 1.0 + 0.08 * np.sin(37 * t) + 0.03 * np.cos(113 * t)
    x = np.round(33.0 + 3.0 * r * np.cos(t), 6)
    y = np.round(48.3 + 1.6 * r * np.sin(t), 6)
    return shapely.make_valid(shapely.Polygon(np.column_stack([x, y])))


BASE = base_front()


def edited(geom, changes):
    for (x, y), size, add in changes:
        b = shapely.Point(x, y).buffer(size, quad_segs=4)
        geom = shapely.union(geom, b) if add else shapely.difference(geom, b)
    return shapely.set_precision(geom, 1e-6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits, edits)
# a sliver half over the Dniester liman, thinner than a metre: it stays with Odesa;
# one wholly in the sea stays outside
@example([], [((32.0, 47.0), 0.125, False)])
@example([((30.0, 46.796875), 0.125, True)], [((30.0, 46.6), 0.1015625, False)])
# a valid lon/lat polygon that the projection folds onto itself (0.6 m apart)
@example([], [((31.499721774502046, 49.306514068959935), 0.3811683827327287, False)])
@example([((31.499721774502046, 49.306514068959935), 0.3811683827327287, False)], [])
def test_pair_figures_equal_a_full_overlay(first, second):
    a = edited(BASE, first)
    b = edited(a, second)
    reader = RingReader(project=lambda c: lcrs.project_coords(c, lcrs.EQUAL_AREA))
    pa, pb = reader.read(geojson(a)), reader.read(geojson(b))
    pair = timeline_mod._pair(reader, pa, pb)
    # the reference repairs what the projection folds (as loc does, locally)
    ga, gb = (shapely.make_valid(lcrs.project(g, lcrs.EQUAL_AREA)) for g in (a, b))
    gained = shapely.area(shapely.difference(gb, ga)) / 1e6
    lost = shapely.area(shapely.difference(ga, gb)) / 1e6
    assert pair["gained_km2"] == pytest.approx(gained, abs=1e-6)
    assert pair["lost_km2"] == pytest.approx(lost, abs=1e-6)
    # the regions split the changes inside them exactly; the rest is "outside", except
    # remainders thinner than NOISE_WIDTH_M on average (projection noise along a border),
    # which stay with the region of the piece they belong to (if it meets one)
    land = shapely.union_all(region_groups_m()[1])
    for side, part in (("gained", shapely.difference(gb, ga)),
                       ("lost", shapely.difference(ga, gb))):
        inside = shapely.area(shapely.intersection(part, land)) / 1e6
        rest = shapely.get_parts(shapely.difference(part, land))
        thin = (2 * shapely.area(rest) / np.maximum(shapely.length(rest), 1e-9)
                < NOISE_WIDTH_M)
        noise, thick = (shapely.area(rest[k]).sum() / 1e6 for k in (thin, ~thin))
        in_regions = sum(v for k, v in pair[side].items() if k != "outside")
        outside = pair[side].get("outside", 0.0)
        assert inside - 1e-6 <= in_regions <= inside + noise + 1e-6
        assert thick - 1e-6 <= outside <= thick + noise + 1e-6
        assert sum(pair[side].values()) == pytest.approx(pair[f"{side}_km2"], abs=1e-5)


def test_sole_region_codes():
    keys = list(region_groups_m()[0])

    def square(lon, lat, km=2.0):
        x, y = lcrs.project_coords(np.array([[lon, lat]]), lcrs.EQUAL_AREA)[0]
        return shapely.box(x, y, x + km * 1000, y + km * 1000)

    donetsk, kharkiv = square(37.8, 48.0), square(36.3, 49.9)
    sea = square(31.5, 44.8)  # the Black Sea, far from any coast
    empty = shapely.Polygon()
    ca = np.array([empty, donetsk, sea, sea, donetsk, donetsk], dtype=object)
    cb = np.array([donetsk, donetsk, sea, donetsk, kharkiv, empty], dtype=object)
    got = timeline_mod._sole_region(ca, cb)
    d, k = keys.index("donetsk"), keys.index("kharkiv")
    assert list(got) == [d, d, timeline_mod.NONE, timeline_mod.MIXED, timeline_mod.MIXED, d]
    assert k not in got


def test_a_file_outside_the_box_is_refused_and_changes_nothing():
    reader = RingReader()
    polys = reader.read(geojson(shapely.box(30, 48, 31, 49)), within=(22, 44, 40.5, 52.5))
    assert polys
    beyond = geojson(shapely.box(40, 48, 41, 49))
    assert reader.read(beyond, within=(22, 44, 40.5, 52.5)) is None
    assert geometry_of(reader, polys).equals(shapely.box(30, 48, 31, 49))
    assert reader.read(beyond) is not None  # no box: read


def test_a_polygon_the_projection_folds_is_measured_not_crashed(tmp_path):
    """A valid lon/lat polygon whose EQUAL_AREA image touches itself 0.6 m apart: the pair
    figures, the timeline and the diff give the repaired overlay's figures."""
    import loc

    a = BASE
    b = edited(BASE, [((31.499721774502046, 49.306514068959935), 0.3811683827327287, False)])
    assert b.is_valid and not lcrs.project(b, lcrs.EQUAL_AREA).is_valid
    ga, gb = (shapely.make_valid(lcrs.project(g, lcrs.EQUAL_AREA)) for g in (a, b))
    lost = shapely.area(shapely.difference(ga, gb)) / 1e6
    assert lost > 1000
    for day, g in (("20250101", a), ("20250102", b)):
        (tmp_path / f"deepstatemap_data_{day}.geojson").write_bytes(geojson(g))
    t = loc.timeline(tmp_path, use_cache=False, break_km2=1e6)  # a large edit, no break
    assert t["lost_km2"].iloc[1] == pytest.approx(lost, abs=1e-6)
    assert t["gained_km2"].iloc[1] == pytest.approx(
        shapely.area(shapely.difference(gb, ga)) / 1e6, abs=1e-6)
    d = loc.diff(loc.from_geometries(a), loc.from_geometries(b))
    assert d.lost_km2 == pytest.approx(lost, abs=1e-6)


@given(st.lists(st.text(alphabet="0123456789.-+eE", min_size=1, max_size=8), min_size=1,
                max_size=4))
@settings(max_examples=2000, deadline=None)
def test_numbers_read_as_json_reads_them(tokens):
    """Whatever the text reader's number check lets through to float() reads as JSON
    reads it (float() alone also takes +1, 01, 1. and .5, which JSON refuses), and every
    number JSON reads gets through."""
    from loc.io.rings import _json_numbers

    flat = ",".join(tokens).encode()
    try:
        as_json = json.loads("[" + ",".join(tokens) + "]")
    except ValueError:
        as_json = None
    if as_json is not None and all(isinstance(v, (int, float)) for v in as_json):
        assert _json_numbers(flat)
    try:
        values = [float(t) for t in tokens]
    except ValueError:
        return  # float() refuses it: the text reader gives the file to the general reader
    if _json_numbers(flat):
        assert as_json == values


# loc.read's plain path: a plain GeoJSON file is read without GDAL, to the same snapshot

def _fields(snap) -> tuple:
    """Everything a snapshot read from a file holds."""
    wkb = {side: shapely.to_wkb(g) for side, g in snap.given.items()}
    return (wkb, snap.date, snap.source, snap.license, snap.path, snap.sha256, snap.meta)


def _outcome(path, **kwargs):
    """A read's snapshot fields, or its refusal's type and message."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", loc.LocWarning)
            return _fields(loc.read(path, **kwargs))
    except loc.LocError as exc:
        return type(exc).__name__, str(exc)


def test_real_series_reads_as_gdal_reads_each_file():
    """Every 7th file of the archive, read as a series (each file reusing the rings of the
    one before): geometry bytes, date, source, licence and digest as GDAL's reading."""
    files = deepstate_files()[::7]
    series = loc.read_series(files)
    assert len(series) == len(files)
    for path, snap in zip(files, series, strict=True):
        assert _fields(snap) == _fields(loc.read(path, engine="pyogrio")), path.name


def _json(template: str) -> str:
    """A JSON text with SQ and GR standing for the two test rings."""
    return template.replace("SQ", json.dumps(SQUARE)).replace("GR", json.dumps(GROWN))


PLAIN_VARIANTS = {
    **HOSTILE_SECOND,
    "polygon type": json.dumps({"type": "Polygon", "coordinates": [SQUARE]}),
    "multipolygon of one part": _fc(_rings(SQUARE)),
    "with z": _fc(_rings([[*p, 5.0] for p in SQUARE])),
    "bom and crlf": "\ufeff" + _fc(_rings(GROWN)).replace("\n", "\r\n").replace(",", ",\r\n"),
    "a feature": json.dumps({"type": "Feature", "properties": None,
                             "geometry": {"type": "MultiPolygon", "coordinates": [[SQUARE]]}}),
    "ring not closed": _fc(_rings(SQUARE[:-1])),
    "three positions": _fc(_rings(SQUARE[:2] + SQUARE[:1])),
    "outside ukraine": _fc(_rings([[x + 20.0, y] for x, y in SQUARE])),
    "swapped": _fc(_rings([[y, x] for x, y in SQUARE])),
    "nan": _fc(_rings(SQUARE)).replace("37.0", "NaN", 1),
    "huge number": _fc(_rings(SQUARE)).replace("37.0", "1e999", 1),
    # a coordinates array that is not the geometry's, or not only the geometry's
    "bare geometry in a collection": json.dumps({"type": "FeatureCollection", "features": [
        {"type": "MultiPolygon", "coordinates": [[SQUARE]]}]}),
    "decoy in bbox": _json('{"type": "MultiPolygon", "bbox": {"coordinates": [[SQ]]}, '
                           '"coordin\\u0061tes": null}'),
    "decoy in id": _json('{"type": "Feature", "id": {"coordinates": [[SQ]]}, '
                         '"properties": {}, "geometry": {"type": "MultiPolygon", '
                         '"coordin\\u0061tes": [[GR]]}}'),
    "decoy in crs": _json('{"type": "FeatureCollection", "crs": {"type": "name", '
                          '"properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}, '
                          '"coordinates": [[SQ]]}, "features": [{"type": "Feature", '
                          '"properties": {}, "geometry": {"type": "MultiPolygon", '
                          '"coordin\\u0061tes": [[GR]]}}]}'),
    "coordinates twice, null last": _json('{"type": "MultiPolygon", "coordinates": [[SQ]], '
                                          '"coordin\\u0061tes": null}'),
    "coordinates twice, null first": _json('{"type": "MultiPolygon", "coordin\\u0061tes": '
                                           'null, "coordinates": [[SQ]]}'),
    "type twice": _json('{"type": "Polygon", "coordinates": [SQ], "type": "MultiPolygon"}'),
    "infinite z": json.dumps({"type": "Polygon", "coordinates": [
        [[*p, 0.0] for p in SQUARE]]}).replace("0.0]", "1e999]", 1),
    "long lead": " " * 6000 + _fc(_rings(SQUARE)),
    "two features": json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
                                                           "coordinates": [ring]}}
        for ring in (SQUARE, [[x + 2.0, y] for x, y in SQUARE])]}),
}


@pytest.mark.parametrize("name", sorted(PLAIN_VARIANTS))
def test_plain_path_reads_what_gdal_reads(tmp_path, name):
    """The same snapshot, or the same refusal, as GDAL's reading of the same file."""
    path = tmp_path / "deepstatemap_data_20250109.geojson"
    path.write_text(PLAIN_VARIANTS[name], encoding="utf-8")
    assert _outcome(path) == _outcome(path, engine="pyogrio")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits, edits, st.sampled_from([None, 1, "\t"]))
def test_a_series_read_with_reuse_equals_each_file_read_alone(tmp_path_factory, first,
                                                              second, indent):
    """Two edited fronts in a row: the second, read reusing the first's rings, is the
    snapshot GDAL reads from it."""
    folder = tmp_path_factory.mktemp("series")
    a = edited(BASE, first)
    b = edited(a, second)
    paths = [folder / "x_20250108.geojson", folder / "x_20250109.geojson"]
    for path, geom in zip(paths, (a, b), strict=True):
        path.write_bytes(geojson(geom, indent=indent))
    series = loc.read_series(folder)
    for path, snap in zip(paths, series, strict=True):
        assert _fields(snap) == _outcome(path, engine="pyogrio")


def test_plain_files_skip_gdal_and_others_do_not(tmp_path, monkeypatch):
    """The plain path is taken (it is what makes a series fast), and only for plain files."""
    calls = []
    real = readers_mod._read_layers  # GDAL's reading
    monkeypatch.setattr(readers_mod, "_read_layers",
                        lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    plain, other = tmp_path / "a_20250108.geojson", tmp_path / "b_20250108.geojson"
    plain.write_text(_fc(_rings(SQUARE)))
    other.write_text(_fc(_rings(SQUARE), '{"side": "ru"}'))
    loc.read(plain)
    assert calls == []
    loc.read(other)
    assert len(calls) == 1
    loc.read(plain, engine="pyogrio")
    assert len(calls) == 2


def test_the_depth_limit_counts_the_coordinates(tmp_path, monkeypatch):
    """A plain file nested deeper than LOC_MAX_DEPTH is refused as the general reader
    refuses it, although its text without the coordinates is shallow."""
    path = tmp_path / "x_20250109.geojson"
    path.write_text(_fc(_rings(SQUARE)))
    monkeypatch.setenv("LOC_MAX_DEPTH", "6")
    fast, general = _outcome(path), _outcome(path, engine="pyogrio")
    assert fast == general
    assert fast[0] == "LimitError"


def test_loc_engine_reads_plain_files_with_gdal(tmp_path, monkeypatch):
    calls = []
    real = readers_mod._read_layers  # GDAL's reading
    monkeypatch.setattr(readers_mod, "_read_layers",
                        lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    plain = tmp_path / "a_20250108.geojson"
    plain.write_text(_fc(_rings(SQUARE)))
    monkeypatch.setenv("LOC_ENGINE", "fiona")
    assert _fields(loc.read(plain)) == _fields(loc.read(plain, engine="pyogrio"))
    assert len(calls) == 2


@pytest.mark.parametrize("name,date,source", [
    ("deepstatemap_data_20250109.geojson", "2025-01-09", None),
    ("deepstatemap_data_20250109.geojson", "2025-01-10", None),
    ("front.geojson", "2025-01-10", None),
    ("front.geojson", None, "my source"),
    ("front_2025-13-45.geojson", None, None),
])
def test_plain_path_dates_and_sources_as_gdal_path(tmp_path, name, date, source):
    path = tmp_path / name
    path.write_text(_fc(_rings(SQUARE)))
    kwargs = {"date": date, "source": source}
    assert _outcome(path, **kwargs) == _outcome(path, engine="pyogrio", **kwargs)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0.05, 6.2), st.floats(0.2, 1.0)), min_size=3, max_size=40,
                unique_by=lambda t: round(t[0], 3)),
       st.integers(0, 1000), st.booleans(), st.integers(0, 1000))
def test_a_rings_digest_is_the_same_however_it_is_written(polar, start, backwards, moved):
    """ring_digest: a ring written from another vertex or the other way round has one
    digest; moving one vertex by 1e-3° (about 100 m) gives another."""
    from loc.io.hashing import ring_digest

    polar = sorted(polar)  # star-shaped, so a simple ring
    c = np.array([[30 + r * np.cos(a), 50 + r * np.sin(a)] for a, r in polar])
    k = start % len(c)
    other = np.roll(c, -k, axis=0)
    if backwards:
        other = other[::-1]
    closed = np.vstack([c, c[:1]])
    assert ring_digest(closed) == ring_digest(np.vstack([other, other[:1]]))
    assert ring_digest(closed) == ring_digest(c)  # closed or not
    shifted = c.copy()
    shifted[moved % len(c)] += 1e-3
    assert ring_digest(shifted) != ring_digest(c)


def test_geometry_digests_of_odd_geometries():
    """The second review's cases: a NaN vertex is hashed as written (no crash); polygons
    inside a collection of multi-parts count (two different ones were equal, empty)."""
    from loc.io.hashing import geometry_digest, ring_digest

    ring = np.array([[np.nan, 0], [1, 0], [1, 1], [np.nan, 0]])
    assert len(ring_digest(ring)) == 16
    a = shapely.GeometryCollection([shapely.MultiPolygon([shapely.box(30, 50, 31, 51)])])
    b = shapely.GeometryCollection([shapely.MultiPolygon([shapely.box(32, 50, 33, 51)])])
    assert geometry_digest(a) != geometry_digest(b)
    assert geometry_digest(a) == geometry_digest(shapely.box(30, 50, 31, 51))


def test_a_series_keeps_the_digest_its_reader_computed():
    """read_series leaves each plain file's geometry digest from its rings' digests (each
    ring digested once over the series): equal to the digest of the geometry itself on a
    month of real daily files, and for hostile plain files read one after the other (a
    ring reused, reversed, a polygon dropped), so the repeat warnings compare what each
    file holds."""
    from loc.io.hashing import SIDE_DIGEST, geometry_digest
    from loc.io.store import shape_of

    snaps = loc.read_series(deepstate_files()[100:130])
    assert len(snaps) == 30
    for s in snaps:
        assert (SIDE_DIGEST, "ru") in s._memo  # seeded by the reader, not computed later
        assert shape_of(s) == shape_of(s, ("ru",)) == geometry_digest(s.given["ru"])
    assert len({shape_of(s) for s in snaps}) > 20  # the month's geometries differ


def test_seeded_digests_of_hostile_plain_files(tmp_path):
    from loc.io.hashing import SIDE_DIGEST, geometry_digest

    a, b = shapely.box(33.0, 47.0, 33.5, 47.5), shapely.box(34.0, 47.0, 34.4, 47.3)
    texts = [shapely.to_geojson(shapely.MultiPolygon([a, b])),
             shapely.to_geojson(shapely.MultiPolygon([shapely.reverse(b), a])),
             shapely.to_geojson(a), shapely.to_geojson(shapely.MultiPolygon([b]))]
    paths = []
    for i, text in enumerate(texts):
        paths.append(tmp_path / f"x_2025010{i + 1}.geojson")
        paths[-1].write_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the repeat of the first geometry is warned of
        snaps = loc.read_series(paths)
    digests = [s._memo[(SIDE_DIGEST, "ru")] for s in snaps]
    assert digests == [geometry_digest(s.given["ru"]) for s in snaps]
    assert digests[0] == digests[1] != digests[2] != digests[3]

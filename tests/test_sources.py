import json
import time

import fiona
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from werkzeug import Response

import loc
from loc import geo as lcrs
from loc.cli import cli
from loc.io import fetch as http
from loc.sources import deepstate, isw
from tests.conftest import deepstate_files, deepstate_path


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LOC_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def api_answer(stamp="2025-09-06T20:11:03Z", ident=1757189463):
    """An answer of the shape DeepStateMap's /api/history/last gives (written by us)."""
    occupied = shapely.box(37.0, 47.5, 38.0, 48.5)
    grey = shapely.box(38.0, 47.5, 38.1, 48.5)
    free = shapely.box(36.0, 47.5, 36.5, 48.0)
    pmr = shapely.box(29.4, 46.6, 29.9, 47.2)

    def feat(geom, name):
        g = json.loads(shapely.to_geojson(geom))
        g["coordinates"] = [[[x, y, 0] for x, y in ring] for ring in g["coordinates"]]
        return {"type": "Feature", "properties": {"name": name, "description": ""},
                "geometry": g}

    return {"id": ident, "datetime": stamp, "map": {"type": "FeatureCollection", "features": [
        feat(occupied, "Окуповано ///Occupied///geoJSON.status.occupied\u00a0\n"),
        feat(grey, "Сіра зона///Unknown///geoJSON.status.unknown"),
        feat(free, "Звільнено 11.11.2022///Liberated 11.11.2022///geoJSON.status.dismissed"),
        feat(pmr, "ПМР///Transnistria///geoJSON.territories.pmr"),
        {"type": "Feature", "properties": {"name": "x///Unit///icon"},
         "geometry": {"type": "Point", "coordinates": [37.5, 48.0, 0]}},
    ]}}


@pytest.fixture()
def server(httpserver, monkeypatch, cache):
    monkeypatch.setenv("LOC_DEEPSTATE_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setattr(http, "BACKOFF_S", 0.01)
    return httpserver


def test_fetch_success_and_cache(server):
    server.expect_request("/api/history/last").respond_with_json(api_answer())
    snap, d = http.fetch_deepstate()
    assert snap.date.isoformat() == "2025-09-06"
    assert snap.source == "deepstate"
    assert snap.occupied_km2() == pytest.approx(
        lcrs.geodesic_area_km2(shapely.box(37.0, 47.5, 38.0, 48.5)), rel=1e-3)
    assert not snap.side("contested").is_empty
    # the liberated polygon is not the whole Ukrainian side
    assert float(lcrs.area_km2(snap.side("ua"))) > 500_000
    assert not d.from_cache and d.path.exists()
    ua = server.log[0][0].headers["User-Agent"]
    assert ua.startswith("loc/")
    offline, d2 = http.fetch_deepstate(offline=True)
    assert d2.from_cache and d2.sha256 == d.sha256
    assert offline.occupied_km2() == snap.occupied_km2()
    assert [e["sha256"] for e in http.list_cache()] == [d.sha256]
    assert http.clear_cache() == 2 and http.list_cache() == []


def test_fetch_by_date_uses_history(server):
    versions = [{"id": 1757000000, "datetime": "2025-09-04T10:00:00Z", "descriptionEn": "a"},
                {"id": 1757189463, "datetime": "2025-09-06T20:11:03Z", "descriptionEn": "b"}]
    server.expect_request("/api/history/public").respond_with_json(versions)
    server.expect_request("/api/history/1757000000/geojson").respond_with_json(
        api_answer("2025-09-04T10:00:00Z", 1757000000))
    snap, _ = http.fetch_deepstate("2025-09-05")
    assert snap.date.isoformat() == "2025-09-04"


def test_retry_after_500(server):
    server.expect_ordered_request("/api/history/last").respond_with_data("boom", status=500)
    server.expect_ordered_request("/api/history/last").respond_with_json(api_answer())
    snap, _ = http.fetch_deepstate()
    assert snap.date.isoformat() == "2025-09-06"
    assert len(server.log) == 2


def test_timeout(server, monkeypatch):
    def slow(request):
        time.sleep(1.0)
        return Response(json.dumps(api_answer()), content_type="application/json")

    server.expect_request("/api/history/last").respond_with_handler(slow)
    monkeypatch.setattr(http, "TIMEOUT_S", 0.2)
    monkeypatch.setattr(http, "RETRIES", 1)
    with pytest.raises(http.FetchError, match=r"timed out after 0.2 s \(retried 1 time"):
        http.get(server.url_for("/api/history/last"), timeout=0.2, retries=1, backoff=0.01)


def test_oversized_refused(server):
    server.expect_request("/api/history/last").respond_with_data("x" * 5000)
    with pytest.raises(http.FetchError, match="over the 1,000-byte limit"):
        http.get(server.url_for("/api/history/last"), max_bytes=1000)


def test_malformed_json_is_one_line(server):
    server.expect_request("/api/history/last").respond_with_data("{not json",
                                                                 content_type="text/plain")
    r = CliRunner().invoke(cli, ["fetch", "deepstate"])
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and "malformed JSON" in r.stderr


def test_offline_is_one_line(monkeypatch, cache):
    monkeypatch.setenv("LOC_DEEPSTATE_URL", "http://127.0.0.1:9")  # nothing listens there
    r = CliRunner().invoke(cli, ["fetch", "deepstate"])
    assert r.exit_code == 2
    assert r.stderr.startswith("loc: error: http://127.0.0.1:9/api/history/last: cannot "
                               "connect")
    assert r.stderr.count("\n") == 1
    r = CliRunner().invoke(cli, ["fetch", "deepstate", "--offline"])
    assert r.exit_code == 2 and "offline and not in the cache" in r.stderr


def test_api_json_file_reads(tmp_path):
    f = tmp_path / "last.json"
    f.write_text(json.dumps(api_answer()))
    snap = loc.read(f)
    assert snap.date.isoformat() == "2025-09-06" and snap.source == "deepstate"
    assert not snap.side("contested").is_empty


# -- store --------------------------------------------------------------------------------

def test_store_round_trip_and_reference(tmp_path, deepstate_dir):
    files = [f for f in deepstate_files() if "_202508" in f.name]
    store = tmp_path / "history.gpkg"
    result = loc.import_snapshots(files, store)
    assert len(result.added) == 31 and result.skipped == []
    again = loc.import_snapshots(files[:3], store)
    assert again.added == [] and len(again.skipped) == 3
    for f in files[::10]:
        original = loc.read(f)
        back = loc.read(f"{store}@{original.label}")
        assert shapely.equals_exact(back.occupied, original.occupied, tolerance=0)
        assert back.source == "deepstate" and back.meta["file_sha256"] == original.sha256
        assert back.sha256 == back.geometry_sha256  # a store's date: its geometry's hash
    # a plain GeoPackage, as QGIS sees it
    assert pyogrio.list_layers(store).tolist() == [["control", "MultiPolygon"]]
    with fiona.open(store, layer="control") as src:
        assert len(src) == 31 and src.crs.to_epsg() in (4326, None)
    listing = loc.list_snapshots(store)
    assert list(listing["date"])[:2] == ["2025-08-01", "2025-08-02"]
    with pytest.raises(loc.LocError, match="no snapshot on 2025-09-15 .*nearest: 2025-08-31"):
        loc.read(f"{store}@2025-09-15")
    r = CliRunner().invoke(cli, ["stats", f"{store}@2025-08-10", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["date"] == "2025-08-10"
    r = CliRunner().invoke(cli, ["stats", f"{store}@2020-01-01"])
    assert r.exit_code == 2 and "no snapshot on 2020-01-01" in r.stderr
    assert "nearest: 2025-08-01" in r.stderr


def test_interrupted_import_leaves_store_as_it_was(tmp_path, deepstate_dir, monkeypatch):
    files = [f for f in deepstate_files() if "_202508" in f.name]
    store = tmp_path / "history.gpkg"
    loc.import_snapshots(files[:5], store)
    before = store.read_bytes()

    def crash(*args, **kwargs):
        path = args[1]
        with open(path, "wb") as fh:  # half a file, then the process dies
            fh.write(b"SQLite format 3\x00 partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(pyogrio, "write_dataframe", crash)
    with pytest.raises(KeyboardInterrupt):
        loc.import_snapshots(files[5:], store)
    assert store.read_bytes() == before
    assert len(loc.list_snapshots(store)) == 5
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no lock, no temp


def test_a_store_copied_into_a_store_is_the_same_data():
    """A store imported into another store kept the geometry's hash where the file's was
    kept: importing the original file then was refused as "a different snapshot", and so
    was importing a store into itself. A snapshot made in memory (no file hash) was
    skipped as "already there" whatever its geometry."""
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp())
    files = loc.sample_paths()
    one, two = folder / "one.gpkg", folder / "two.gpkg"
    loc.import_snapshots(files, one)
    assert loc.import_snapshots([one], two).added == [s.label for s in map(loc.read, files)]
    assert list(loc.list_snapshots(two)["sha256"]) == list(loc.list_snapshots(one)["sha256"])
    assert loc.import_snapshots(files[:1], two).skipped == [
        f"{loc.read(files[0]).label} {loc.read(files[0]).source}"]
    assert len(loc.import_snapshots([one], one).skipped) == len(files)
    snap = loc.read(files[0])
    same = loc.from_geometries(snap.side("ru"), date=snap.date, source=snap.source)
    assert len(loc.import_snapshots([same], two).skipped) == 1
    moved = loc.from_geometries(shapely.affinity.translate(snap.side("ru"), 0.01),
                                date=snap.date, source=snap.source)
    with pytest.raises(loc.LocError, match="already holds a different snapshot.*other "
                                          "geometry"):
        loc.import_snapshots([moved], two)


def test_cli_import_list_range(tmp_path, deepstate_dir):
    store = tmp_path / "s.gpkg"
    r = CliRunner().invoke(cli, ["import", str(deepstate_dir), "--store", str(store),
                                 "--since", "2025-12-20", "--until", "2025-12-31"])
    assert r.exit_code == 0, r.output
    assert "12 snapshots added" in r.stderr
    r = CliRunner().invoke(cli, ["list", "--store", str(store)])
    assert r.stdout.splitlines()[2].startswith("2025-12-20  deepstate")
    # the store as the argument, as every other command names its input
    r2 = CliRunner().invoke(cli, ["list", str(store)])
    assert r2.exit_code == 0 and r2.stdout == r.stdout and len(r2.stdout.splitlines()) == 14
    r = CliRunner().invoke(cli, ["list", str(store), "--store", str(tmp_path / "t.gpkg")])
    assert r.exit_code == 2 and "two stores given" in r.stderr
    r = CliRunner().invoke(cli, ["list"])
    assert r.exit_code == 2 and "give the store" in r.stderr


@pytest.mark.slow
def test_import_everything(tmp_path, deepstate_dir):
    store = tmp_path / "all.gpkg"
    result = loc.import_snapshots(deepstate_files(), store)
    assert len(result.added) == 536
    back = loc.read(f"{store}@2025-01-08")
    assert shapely.equals_exact(back.occupied, loc.read(deepstate_path("20250108")).occupied,
                                tolerance=0)


# -- ISW and comparison -------------------------------------------------------------------

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>ISW</name>
{folders}
</Document></kml>"""


def folder(name, geom):
    coords = " ".join(f"{x},{y},0" for x, y in geom.exterior.coords)
    return (f"<Folder><name>{name}</name><Placemark><name>{name}</name><Polygon>"
            f"<outerBoundaryIs><LinearRing><coordinates>{coords}</coordinates></LinearRing>"
            "</outerBoundaryIs></Polygon></Placemark></Folder>")


def test_isw_kml_layers_map_to_sides(tmp_path):
    control = shapely.box(37.0, 47.5, 38.0, 48.5)
    advance = shapely.box(36.9, 47.5, 37.0, 48.5)
    claimed = shapely.box(36.5, 47.5, 36.9, 48.5)
    f = tmp_path / "isw_2025-09-05.kml"
    f.write_text(KML.format(folders="\n".join([
        folder("Assessed Russian Control", control),
        folder("Assessed Russian Advances in Ukraine", advance),
        folder("Claimed Russian Territory in Ukraine", claimed)])))
    snap = loc.read(f)
    assert snap.source == "isw" and "consent" in snap.license
    assert snap.occupied_km2() == pytest.approx(lcrs.geodesic_area_km2(control), rel=1e-3)
    assert float(lcrs.area_km2(snap.side("contested"))) == pytest.approx(
        lcrs.geodesic_area_km2(advance), rel=1e-3)
    custom = loc.read(f, names=isw.parse_mapping(["claimed=ru", "control=ru"]))
    assert custom.occupied_km2() == pytest.approx(
        lcrs.geodesic_area_km2(control) + lcrs.geodesic_area_km2(claimed), rel=1e-3)


def test_compare_sources(deepstate_dir, tmp_path):
    a = loc.read(deepstate_path("20250905"))
    other = shapely.buffer(a.occupied, 0.01, quad_segs=2)  # a coarser "other source"
    b = loc.from_geometries(other, date="2025-09-05", source="other")
    c = loc.compare(a, b)
    sym = float(lcrs.area_km2(shapely.symmetric_difference(a.occupied, other)))
    total = c.summary.sum().sum()
    assert total == pytest.approx(sym, rel=1e-4)
    assert set(c.areas["ru_in"]) <= {"a", "b"}
    assert c.summary["ru_only_in_b_km2"].sum() > c.summary["ru_only_in_a_km2"].sum()


def test_cli_fetch_store_cache_compare(server, tmp_path):
    server.expect_request("/api/history/last").respond_with_json(api_answer())
    store, raw = tmp_path / "s.gpkg", tmp_path / "last.json"
    r = CliRunner().invoke(cli, ["fetch", "deepstate", "--store", str(store), "-o", str(raw)])
    assert r.exit_code == 0, r.output
    assert "2025-09-06 deepstate" in r.stderr and "1 added" in r.stderr
    assert json.loads(raw.read_text())["id"] == 1757189463
    r = CliRunner().invoke(cli, ["cache", "list"])
    assert r.exit_code == 0 and "/api/history/last" in r.stdout
    r = CliRunner().invoke(cli, ["compare", str(raw), f"{store}@2025-09-06"])
    assert r.exit_code == 0 and "in A only 0.00 km², in B only 0.00 km²" in r.stderr
    r = CliRunner().invoke(cli, ["cache", "clear"])
    assert r.exit_code == 0 and "removed 2 files" in r.stderr


# -- the network: deadlines, redirects, answers that must never be kept --------------------

def test_a_server_dripping_bytes_hits_the_overall_deadline(server):
    def drip(request):
        def body():
            for _ in range(40):
                time.sleep(0.1)
                yield b" "
        return Response(body(), content_type="application/json")

    server.expect_request("/api/history/last").respond_with_handler(drip)
    started = time.monotonic()
    with pytest.raises(http.FetchError, match="longer than the 1 s deadline"):
        http.get(server.url_for("/api/history/last"), timeout=5, deadline_s=1.0)
    assert time.monotonic() - started < 2.5  # not the 4 s the drip would take, nor minutes


def test_redirects_stay_on_the_same_host_and_port(server):
    server.expect_request("/api/history/last").respond_with_data(
        "", status=302, headers={"Location": "http://127.0.0.1:1/elsewhere"})
    with pytest.raises(http.FetchError, match="redirected to another host or port"):
        http.get(server.url_for("/api/history/last"))
    server.clear()
    server.expect_request("/old").respond_with_data("", status=301,
                                                    headers={"Location": "/api/history/last"})
    server.expect_request("/api/history/last").respond_with_json(api_answer())
    assert json.loads(http.get(server.url_for("/old")).data)["id"] == 1757189463


@pytest.mark.parametrize("answer", [
    {"id": 1757189463, "datetime": "2025-09-06", "map": {"type": "FeatureCollection",
                                                          "features": []}},
    {"id": 1757189463, "datetime": "2025-09-06", "map": {"type": "FeatureCollection",
                                                          "features": [{"type": "Feature",
     "properties": {"name": "a///b///geoJSON.status.occupied"},
     "geometry": {"type": "Point", "coordinates": [37, 48]}}]}},
    {"error": "maintenance"},
])
def test_an_answer_without_occupied_area_is_refused_not_cached_not_stored(server, tmp_path,
                                                                           answer):
    server.expect_request("/api/history/last").respond_with_json(answer)
    store = tmp_path / "s.gpkg"
    r = CliRunner().invoke(cli, ["fetch", "deepstate", "--store", str(store)])
    assert r.exit_code == 2 and r.stderr.count("\n") == 1, r.output
    assert not store.exists()
    assert http.list_cache() == []  # never kept: --offline cannot answer with it
    r = CliRunner().invoke(cli, ["fetch", "deepstate", "--offline"])
    assert r.exit_code == 2 and "not in the cache" in r.stderr


def test_retry_after_is_respected(server):
    server.expect_ordered_request("/api/history/last").respond_with_data(
        "busy", status=429, headers={"Retry-After": "1"})
    server.expect_ordered_request("/api/history/last").respond_with_json(api_answer())
    started = time.monotonic()
    http.get(server.url_for("/api/history/last"))
    assert time.monotonic() - started >= 0.95  # waited as asked, not the 0.01 s backoff
    assert len(server.log) == 2


def test_a_retry_after_past_the_deadline_stops_the_download(server):
    """urllib3 sleeps for Retry-After inside the request, where the deadline was never
    looked at: 503 with Retry-After 100 ran 301 s against a 120 s deadline."""
    server.expect_request("/api/history/last").respond_with_data(
        "busy", status=503, headers={"Retry-After": "30"})
    started = time.monotonic()
    with pytest.raises(loc.LocError, match="asks to try again in 30 s, after the 5 s deadline"):
        http.get(server.url_for("/api/history/last"), deadline_s=5)
    assert time.monotonic() - started < 5
    assert len(server.log) == 1


def test_tries_that_time_out_stop_at_the_deadline(server):
    """Each try had its own timeout inside one request, so four tries of 30 s ran 127 s
    against the 120 s deadline. A try that could end after the deadline is not made."""
    def silent(request):
        time.sleep(2.0)
        return Response("late")

    server.expect_request("/api/history/last").respond_with_handler(silent)
    started = time.monotonic()
    with pytest.raises(loc.LocError, match="no answer within the 1.5 s deadline|timed out"):
        http.get(server.url_for("/api/history/last"), timeout=0.6, deadline_s=1.5, retries=3)
    assert time.monotonic() - started < 1.5 + 0.3


def test_a_version_id_from_the_server_is_checked_before_it_is_used(server):
    versions = [{"id": "1757000000/../../admin", "datetime": "2025-09-04T10:00:00Z"},
                {"id": 1e308, "datetime": "2025-09-03T10:00:00Z"}]
    server.expect_request("/api/history/public").respond_with_json(versions)
    with pytest.raises(loc.LocError, match="no version on or before 2025-09-05"):
        http.fetch_deepstate("2025-09-05")  # both entries dropped, no URL built from them
    with pytest.raises(loc.LocError, match="not a Unix time"):
        deepstate.version_url("http://x", "1/../admin")


def test_store_says_only_what_it_wrote(server, tmp_path):
    server.expect_request("/api/history/last").respond_with_json(api_answer())
    store = tmp_path / "s.gpkg"
    r1 = CliRunner().invoke(cli, ["fetch", "deepstate", "--store", str(store)])
    r2 = CliRunner().invoke(cli, ["fetch", "deepstate", "--store", str(store)])
    assert "1 added" in r1.stderr
    assert "already there; nothing written" in r2.stderr and "added" not in r2.stderr
    assert len(loc.list_snapshots(store)) == 1

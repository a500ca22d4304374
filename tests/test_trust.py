"""Trust: readers fuzzed, public functions refusing what a user can get wrong, map versions
that cannot be fooled, stores that lose nothing to concurrent or killed writers."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import shapely
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box, mapping

import loc
from loc.cli import cli
from loc.errors import OptionError
from loc.outputs.versions import list_versions, verify, write_index

ROOT = Path(__file__).resolve().parent.parent
GOOD = {"type": "FeatureCollection", "features": [{
    "type": "Feature", "properties": {},
    "geometry": mapping(shapely.Polygon(box(37.0, 47.5, 38.5, 48.5).exterior.coords,
                                        [box(37.5, 47.8, 37.7, 48.0).exterior.coords]))}]}
GOOD_KM2 = loc.from_geometries(shapely.geometry.shape(GOOD["features"][0]["geometry"]))\
    .occupied_km2()
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def _read_outcome(path: Path):
    """A snapshot, or a LocError: any other exception fails the test."""
    try:
        return loc.read(path)
    except loc.LocError as exc:
        assert str(path) in str(exc)
        return exc


def _positions(doc):
    """Paths (lists of keys) of every number in the document's coordinates."""
    out = []

    def walk(node, path):
        if isinstance(node, list):
            for i, child in enumerate(node):
                walk(child, [*path, i])
        elif isinstance(node, (int, float)):
            out.append(path)

    walk(doc["features"][0]["geometry"]["coordinates"], [])
    return out


def _set(doc, path, value):
    node = doc["features"][0]["geometry"]["coordinates"]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


@FUZZ
@given(st.data(), st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999"]))
def test_a_non_finite_coordinate_anywhere_is_refused(tmp_path_factory, data, literal):
    doc = json.loads(json.dumps(GOOD))
    positions = _positions(doc)
    where = data.draw(st.sampled_from(positions))
    _set(doc, where, "@@")
    text = json.dumps(doc).replace('"@@"', literal)
    path = tmp_path_factory.mktemp("nan") / "x_2025-09-06.geojson"
    path.write_text(text)
    outcome = _read_outcome(path)
    assert isinstance(outcome, loc.LocError), "a non-finite coordinate was accepted"
    # and a series holding it fails as a whole, never with another area
    good = path.parent / "x_2025-09-05.geojson"
    good.write_text(json.dumps(GOOD))
    with pytest.raises(loc.LocError):
        loc.timeline([good, path], use_cache=False)


WRONG = st.one_of(st.none(), st.booleans(), st.text(max_size=5), st.just([]),
                  st.just({}), st.lists(st.integers(), max_size=3))
"""Values of the wrong type (another number would be a different, readable polygon)."""


@FUZZ
@given(st.data())
def test_wrong_types_and_truncations_give_a_snapshot_or_one_error(tmp_path_factory, data):
    doc = json.loads(json.dumps(GOOD))
    kind = data.draw(st.sampled_from(["value", "truncate", "ring", "key"]))
    if kind == "value":
        _set(doc, data.draw(st.sampled_from(_positions(doc))), data.draw(WRONG))
    elif kind == "ring":
        rings = doc["features"][0]["geometry"]["coordinates"]
        ring = data.draw(st.integers(0, len(rings) - 1))
        rings[ring] = rings[ring][: data.draw(st.integers(0, len(rings[ring])))]
    elif kind == "key":
        target = data.draw(st.sampled_from(["type", "geometry", "features", "coordinates"]))
        value = data.draw(WRONG)
        if target in ("type", "features"):
            doc[target] = value
        elif target == "geometry":
            doc["features"][0]["geometry"] = value
        else:
            doc["features"][0]["geometry"]["coordinates"] = value
    text = json.dumps(doc)
    if kind == "truncate":
        text = text[: data.draw(st.integers(0, len(text) - 1))]
    path = tmp_path_factory.mktemp("fuzz") / "x_2025-09-06.geojson"
    path.write_text(text)
    outcome = _read_outcome(path)
    if isinstance(outcome, loc.Snapshot):
        # a result is only ever the true one: nothing in the square was invented or lost
        assert outcome.occupied_km2() <= GOOD_KM2 * (1 + 1e-9)


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from([".geojson", ".json", ".gpkg", ".kml",
                                                  ".kmz", ".zip", ".fgb", ".shp"]))
def test_random_bytes_give_one_error(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("bytes") / f"r_2025-09-06{suffix}"
    path.write_bytes(data)
    assert isinstance(_read_outcome(path), loc.LocError)


@settings(max_examples=20, deadline=None)
@given(st.integers(65, 20_000), st.sampled_from("[{"))
def test_deep_nesting_gives_one_error(depth, bracket):
    closing = "]" if bracket == "[" else "}"
    body = ('{"a": ' * depth + "1" + "}" * depth) if bracket == "{" else (
        "[" * depth + closing * depth)
    text = '{"type": "FeatureCollection", "features": ' + body + "}"
    with pytest.raises(loc.LocError, match="LOC_MAX_DEPTH"):
        loc.io.readers.read_file(_write_tmp(text))


def _write_tmp(text: str) -> Path:
    import tempfile

    fd, name = tempfile.mkstemp(suffix=".geojson")
    os.write(fd, text.encode())
    os.close(fd)
    return Path(name)


# -- public functions refuse, in one line, what a user can get wrong --------------------------

@pytest.mark.parametrize(("call", "error", "phrase"), [
    (lambda s: loc.read(None), TypeError, "path must be"),
    (lambda s: loc.timeline([]), loc.LocError, "no snapshot"),
    (lambda s: loc.check_series(loc.freeze(s), []), loc.LocError, "at least one"),
    (lambda s: loc.diff(s, None), TypeError, "b is NoneType"),
    (lambda s: loc.buffer_zone(s, width_km="5"), TypeError, "width_km must be a number"),
    (lambda s: loc.buffer_zone(s, width_km=float("nan")), loc.LocError, "finite"),
    (lambda s: loc.buffer_zone(s, width_km=-1), loc.LocError, "more than 0"),
    (lambda s: loc.protected_sites([{"name": "x", "lon": 34.5, "radius_km": 5}]),
     loc.LocError, "has no lat"),
    (lambda s: loc.render([]), loc.LocError, "nothing to render"),
    (lambda s: loc.line_of_contact(s, step_km=float("nan")), loc.LocError, "step_km"),
    (lambda s: loc.line_of_contact(s, reach_km=-5), loc.LocError, "reach_km"),
    (lambda s: loc.movement(s, s, step_km=0), loc.LocError, "step_km"),
    (lambda s: loc.freeze(s, assign={"Atlantis": "ru"}), loc.LocError, "unknown region"),
    (lambda s: loc.freeze(s, assign={"Donetsk": "both"}), loc.LocError, "side must be"),
    (lambda s: loc.freeze(s, assign=["Donetsk"]), TypeError, "assign must be a dict"),
    (lambda s: loc.stats("sample.geojson"), TypeError, "needs a Snapshot"),
    (lambda s: loc.compare("a.geojson", s), TypeError, "a is str"),
    (lambda s: loc.split_by_region("x"), TypeError, "must be a GeoDataFrame"),
    (lambda s: loc.split_by_region(s.sides), TypeError, "LineString or MultiLineString"),
    (lambda s: loc.people_in("x"), TypeError, "must be a GeoDataFrame"),
    (lambda s: loc.people_in(s.sides), TypeError, "lacks the column(s) zone"),
    (lambda s: loc.line_of_contact(s, by_region="no"), TypeError, "True or False"),
    (lambda s: loc.settlements_in(None), TypeError, "needs a shapely geometry"),
    (lambda s: loc.from_geometries(shapely.Polygon([(37, 47), (float("nan"), 47), (38, 48),
                                                    (37, 47)])), loc.LocError, "finite"),
    (lambda s: loc.from_geometries("POLYGON"), TypeError, "shapely geometry"),
    (lambda s: loc.withdrawal_belts(s, "minsk3"), loc.LocError, "presets: minsk2"),
    (lambda s: loc.read_series(["nowhere"]), loc.LocError, "no such file"),
    (lambda s: loc.region_keys(42), loc.LocError, "must be text"),
])
def test_public_functions_refuse_bad_input(call, error, phrase):
    with pytest.raises(error, match=re.escape(phrase)):
        call(loc.sample())


def test_region_groups_resolve_to_the_group():
    snap = loc.sample()
    both = loc.freeze(snap, assign={"Donbas": "ru"})
    stats = loc.stats(both.snapshot)
    assert stats.loc["donetsk", "share"] > 0.999 and stats.loc["luhansk", "share"] > 0.999
    assert both.scenario["steps"] == [{"assign": "donetsk,luhansk", "side": "ru"}]


def test_unknown_weapon_classes_warn_listing_the_known_ones(tmp_path):
    csv = tmp_path / "incidents.csv"
    csv.write_text("latitude,longitude,event_type,weapon_class\n"
                   "47.9,37.6,Shelling,artillery\n47.9,37.6,Shelling,mlrs\n")
    frozen = loc.freeze(loc.sample())
    belts = loc.withdrawal_belts(frozen, "minsk2")
    with pytest.warns(loc.LocWarning, match=r"no belt has \(artillery\).*known classes: "
                                            r"artillery_100mm, heavy_mlrs"):
        out = loc.classify(csv, frozen, belts)
    assert list(out["weapon_class"]) == ["artillery", "mlrs"]


def test_a_freeze_scenario_is_keyed_by_its_own_geometry(tmp_path, monkeypatch):
    """A changed snapshot never inherits its base's hash, so a cache keyed by content cannot
    answer for it with the base's figures."""
    monkeypatch.setenv("LOC_CACHE_DIR", str(tmp_path))
    a, b = loc.sample("2025-01-08"), loc.sample("2025-09-05")
    changed = loc.freeze(b, assign={"Donetsk": "ru"}).snapshot
    assert changed.sha256 is None and changed.meta["derived_from"] == b.sha256
    plain = loc.timeline([a, b])["occupied_km2"].iloc[-1]
    scenario = loc.timeline([a, changed])["occupied_km2"].iloc[-1]  # with a warm cache
    assert scenario == pytest.approx(changed.occupied_km2(), rel=1e-9)
    assert scenario - plain > 5_000


# -- map versions cannot be fooled -----------------------------------------------------------

def _run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture()
def version(tmp_path):
    src = tmp_path / "snap_2025-09-05.geojson"
    src.write_bytes(loc.sample_paths()[-1].read_bytes())
    r = _run("render", src, "-o", tmp_path / "maps", "--name", "t", "--no-settlements")
    assert r.exit_code == 0, r.output
    html = Path(r.stdout.strip())
    return src, html, html.with_suffix(".json")


def test_an_edited_page_fails_even_with_its_hash_in_the_manifest(version):
    src, html, manifest = version
    assert all(ok for _, ok, _ in verify(html))
    html.write_bytes(html.read_bytes().replace(b"Control areas", b"Controlled areas"))
    assert not verify(html)[0][1]
    doc = json.loads(manifest.read_text())
    doc["html"]["sha256"] = loc.io.hashing.file_sha256(html)
    manifest.write_text(json.dumps(doc))
    results = verify(html)
    assert results[0][1]  # the recorded hash now matches the page...
    assert not all(ok for _, ok, _ in results)  # ...but the version id does not
    assert any("version id recomputed" in d for _, ok, d in results if not ok)
    r = _run("maps", "verify", html)
    assert r.exit_code == 1 and "FAIL" in r.stdout


def test_an_edited_manifest_or_a_swapped_input_fails(version):
    src, html, manifest = version
    doc = json.loads(manifest.read_text())
    doc["title"] = "Something else"
    manifest.write_text(json.dumps(doc))
    assert not all(ok for _, ok, _ in verify(manifest))
    doc["title"] = "Control areas"
    manifest.write_text(json.dumps(doc))
    assert all(ok for _, ok, _ in verify(manifest))
    src.write_bytes(loc.sample_paths()[0].read_bytes())
    results = verify(manifest)
    assert [ok for what, ok, _ in results if what == str(src)] == [False]


def test_rendering_again_restores_a_tampered_version(version, tmp_path):
    src, html, manifest = version
    good = html.read_bytes()
    html.write_bytes(good + b"<!-- edited -->")
    with pytest.warns(loc.LocWarning, match="differs from what its id stands for"):
        again = loc.render(loc.read(src), out=tmp_path / "maps", name="t",
                           settlements=False,
                           options={"date": None, "since": None, "until": None, "every": 1,
                                    "assign": [], "width_km": None})
    assert again.loc_version.id == html.stem and again.loc_version.created
    assert html.read_bytes() == good and all(ok for _, ok, _ in verify(html))


def test_an_orphan_page_is_listed_and_replaced(version, tmp_path):
    src, html, manifest = version
    manifest.unlink()  # as a render killed between the page and its manifest leaves it
    r = _run("maps", "list", tmp_path / "maps")
    assert "ORPHAN" in r.stdout and html.stem in r.stdout
    r = _run("render", src, "-o", tmp_path / "maps", "--name", "t", "--no-settlements")
    assert r.exit_code == 0 and "written" in r.stderr
    assert manifest.exists() and all(ok for _, ok, _ in verify(html))
    assert "ORPHAN" not in _run("maps", "list", tmp_path / "maps").stdout


def test_a_truncated_or_missing_page_is_listed_as_such(version, tmp_path):
    """`loc maps list` and index.html showed a page truncated to 1,000 bytes as a normal
    version of the manifest's size: the size and status now come from the disk."""
    src, html, manifest = version
    folder = tmp_path / "copy" / "t"
    folder.mkdir(parents=True)
    (folder / manifest.name).write_bytes(manifest.read_bytes())
    (folder / html.name).write_bytes(html.read_bytes()[:1000])
    r = _run("maps", "list", tmp_path / "copy")
    assert r.exit_code == 0
    assert re.search(rf"t +{html.stem}  DAMAGED +2025-09-05 +1 KB", r.stdout), r.stdout
    [row] = list_versions(tmp_path / "copy")
    assert (row["status"], row["bytes"]) == ("damaged", 1000)
    index = write_index(folder).read_text()
    assert "damaged page: 1,000 bytes on disk" in index
    (folder / html.name).unlink()
    r = _run("maps", "list", tmp_path / "copy")
    assert re.search(rf"t +{html.stem}  MISSING +2025-09-05 +- ", r.stdout), r.stdout
    index = write_index(folder).read_text()
    assert "page missing" in index and f'href="{html.stem}.html"' not in index
    assert "DAMAGED" not in _run("maps", "list", html.parent.parent).stdout


def _doctored(html: Path, manifest: Path) -> Path:
    """The version's page edited, with its manifest's hash, size and id recomputed (the id
    is a plain hash: anyone can recompute it) and the files renamed to that id."""
    from loc.io.hashing import file_sha256
    from loc.outputs.versions import version_id

    doc = json.loads(manifest.read_text())
    page = html.read_bytes().replace(b"Control areas", b"Contro1 areas")
    core = {k: v for k, v in doc.items() if k not in ("id", "name", "html")}
    fake = html.with_name("fake.html")
    fake.write_bytes(page)
    vid = version_id({**core, "html_sha256": file_sha256(fake)})
    doc.update(id=vid, html={"file": f"{vid}.html", "sha256": file_sha256(fake),
                             "bytes": len(page)})
    target = fake.rename(html.with_name(f"{vid}.html"))
    target.with_suffix(".json").write_text(json.dumps(doc))
    return target


def test_verify_says_what_it_proves_and_a_rerender_finds_a_doctored_map(version):
    """A doctored page with its manifest and id recomputed verified with "INPUT: sha256
    matches", as if the page was proven to come from that input. Verify now says what it
    shows and what not, and --rerender renders the map again and compares the bytes."""
    src, html, manifest = version
    r = _run("maps", "verify", "--rerender", html)
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[-1] == (f"OK    {html}: rendered again from the recorded "
                                         "inputs and options: byte-identical")
    assert "gives this page, byte for byte" in r.stderr
    fake = _doctored(html, manifest)
    r = _run("maps", "verify", fake)
    assert r.exit_code == 0 and "FAIL" not in r.stdout  # page, manifest and id agree...
    assert f"OK    {src}: sha256 matches the manifest's record" in r.stdout
    assert "not checked: that the page was rendered from them" in r.stderr
    assert "--rerender" in r.stderr
    r = _run("maps", "verify", "--rerender", fake)  # ...but it is not what loc renders
    assert r.exit_code == 1
    assert r.stdout.splitlines()[-1].startswith(
        f"FAIL  {fake}: differs from the page rendered again from the recorded inputs and "
        f"options (version {html.stem})")
    src.write_bytes(loc.sample_paths()[0].read_bytes())  # an input changed: not rendered
    r = _run("maps", "verify", "--rerender", html)
    assert r.exit_code == 1 and "not rendered again: an input is missing or changed" in r.stdout


def test_a_rerender_is_refused_for_what_loc_render_did_not_make(tmp_path):
    """A map given zones from Python records no render loc can repeat; a report is re-run
    by loc reproduce."""
    zones = loc.buffer_zone(loc.sample(), width_km=5)
    m = loc.render(loc.sample(), zones=zones, out=tmp_path / "maps", settlements=False)
    r = _run("maps", "verify", "--rerender", m.loc_version.html_path)
    assert r.exit_code == 2 and "records no render loc can repeat" in r.stderr
    assert r.stderr.count("\n") == 1
    r = _run("maps", "verify", m.loc_version.html_path)
    assert r.exit_code == 0


@pytest.mark.parametrize("content", ["", "[]", '{"id": 5}', '{"id": "x", "inputs": "no"}',
                                     "{" * 500, '{"id": "x", "inputs": [], "html": 3}'])
def test_a_malformed_manifest_is_one_line(tmp_path, content):
    path = tmp_path / "abcdefabcdef.json"
    path.write_text(content)
    r = _run("maps", "verify", path)
    assert r.exit_code == 2 and r.stderr.startswith("loc: error: ")
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.output


def test_a_map_from_a_store_date_verifies(tmp_path):
    store = tmp_path / "history.gpkg"
    loc.import_snapshots(loc.sample_paths()[:2], store)
    r = _run("render", f"{store}@2025-01-08", "-o", tmp_path / "maps", "--no-settlements")
    assert r.exit_code == 0, r.output
    html = Path(r.stdout.strip())
    inputs = json.loads(html.with_suffix(".json").read_text())["inputs"]
    assert inputs[0]["path"] == f"{store}@2025-01-08"
    assert inputs[0]["sha256"] == loc.read(f"{store}@2025-01-08").geometry_sha256
    assert all(ok for _, ok, _ in verify(html))
    loc.import_snapshots(loc.sample_paths()[2:], store)  # the store grows: that date holds
    assert all(ok for _, ok, _ in verify(html))
    assert _run("maps", "verify", "--rerender", html).exit_code == 0
    other = tmp_path / "other.gpkg"  # the same date with another geometry in its place
    changed = loc.from_geometries(box(37, 47.5, 38, 48.5), date="2025-01-08",
                                  source="loc illustrative sample")
    loc.import_snapshots([changed], other)
    store.write_bytes(other.read_bytes())
    results = verify(html)
    assert [ok for what, ok, _ in results if "@2025-01-08" in what] == [False]


# -- stores: concurrent and killed writers ---------------------------------------------------

def _dated_copies(folder: Path, start: int, n: int) -> Path:
    """Copies of the sample's geometry (no date property), dated by their names."""
    folder.mkdir(parents=True)
    data = json.dumps({"type": "Feature", "properties": {},
                       "geometry": mapping(loc.sample().occupied)}).encode()
    for day in range(start, start + n):
        (folder / f"copy_2025{day // 28 + 1:02d}{day % 28 + 1:02d}.geojson").write_bytes(data)
    return folder


def _loc(*args, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "loc", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def test_two_concurrent_imports_both_land(tmp_path):
    a = _dated_copies(tmp_path / "a", 0, 25)
    b = _dated_copies(tmp_path / "b", 25, 25)
    store = tmp_path / "history.gpkg"
    procs = [_loc("import", a, "--store", store), _loc("import", b, "--store", store)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
        assert b"25 snapshots added" in err
    dates = list(loc.list_snapshots(store)["date"])
    assert len(dates) == 50 and len(set(dates)) == 50


def test_two_files_of_one_date_are_refused_naming_both(tmp_path):
    folder = _dated_copies(tmp_path / "a", 0, 2)
    (folder / "again_20250101.geojson").write_bytes(loc.sample_paths()[0].read_bytes())
    store = tmp_path / "s.gpkg"
    r = _run("import", folder, "--store", store)
    assert r.exit_code == 2
    assert "copy_20250101.geojson" in r.stderr and "again_20250101.geojson" in r.stderr
    assert not store.exists()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".loc-*"))


def test_killed_imports_leave_the_store_as_it_was(tmp_path):
    store = tmp_path / "history.gpkg"
    loc.import_snapshots(loc.sample_paths(), store)
    before = store.read_bytes()
    folder = _dated_copies(tmp_path / "many", 0, 80)
    started = time.monotonic()
    p = _loc("import", folder, "--store", store)
    p.communicate(timeout=300)
    full = time.monotonic() - started
    store.write_bytes(before)
    for fraction in (0.2, 0.5, 0.7, 0.85, 0.95):
        p = _loc("import", folder, "--store", store)
        time.sleep(full * fraction)
        p.send_signal(signal.SIGKILL)
        p.communicate(timeout=60)
        rows = list(loc.list_snapshots(store)["date"])  # it opens, whole
        assert {"2024-07-08", "2025-01-08", "2025-09-05"} <= set(rows)
        assert len(rows) in (3, 83)  # all or nothing
        store.write_bytes(before)
    # the next run cleans what the killed ones left, and lands
    r = _run("import", loc.sample_paths()[0], "--store", store)
    assert r.exit_code == 0
    assert _leftovers(tmp_path) == []


def test_an_import_that_adds_nothing_still_cleans_what_a_killed_one_left(tmp_path):
    """Flaky before: a kill that fell in the staging window left ``.loc-PID-….tmp``, and the
    next import, which had nothing to add, wrote nothing and so cleaned nothing."""
    store = tmp_path / "history.gpkg"
    loc.import_snapshots(loc.sample_paths(), store)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = tmp_path / f".loc-{dead.pid}-x1.tmp"
    left.write_bytes(b"half a store")
    mine = tmp_path / f".loc-{os.getpid()}-x2.tmp"  # a live writer's: kept
    mine.write_bytes(b"being written")
    r = _run("import", loc.sample_paths()[0], "--store", store)
    assert r.exit_code == 0 and "0 snapshots added, 1 already there" in r.output
    assert _leftovers(tmp_path) == [mine.name]


def test_killed_renders_leave_no_orphan_after_the_next_run(tmp_path):
    maps = tmp_path / "maps"
    files = [str(p) for p in loc.sample_paths()]
    started = time.monotonic()
    _loc("render", *files, "-o", maps, "--name", "probe").communicate(timeout=300)
    full = time.monotonic() - started
    for fraction in (0.5, 0.8, 0.9, 0.97):
        p = _loc("render", *files, "-o", maps, "--name", "killed", "--title",
                 f"kill at {fraction}")
        time.sleep(full * fraction)
        p.send_signal(signal.SIGKILL)
        p.communicate(timeout=60)
    r = _run("render", *files, "-o", maps, "--name", "killed")
    assert r.exit_code == 0, r.output
    assert _leftovers(maps) == []
    listing = _run("maps", "list", maps).stdout
    for html in (maps / "killed").glob("*.html"):
        if html.name != "index.html":
            manifest = html.with_suffix(".json")
            assert manifest.exists() or "ORPHAN" in listing  # never hidden
            if manifest.exists():
                assert all(ok for _, ok, _ in verify(html))


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8)
                    | st.floats(allow_nan=True, allow_infinity=True),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["id", "datetime", "map", "features",
                                                       "type", "geometry", "coordinates",
                                                       "properties", "name"]), inner,
                                      max_size=5), max_leaves=30)


@FUZZ
@given(JSON)
def test_deepstate_answers_of_any_shape_give_a_snapshot_or_one_error(doc):
    from loc.io.readers import snapshot_from_api

    data = json.dumps(doc, allow_nan=True).encode()
    try:
        snap = snapshot_from_api(data, "https://example.invalid/api/history/last")
    except loc.LocError as exc:
        assert "\n" not in str(exc)
    else:
        assert snap.occupied_km2() > 0 or snap.occupied.is_empty


# -- found by a hostile review ------------------------------------------------------------

@pytest.mark.parametrize("field, value", [("name", "other"), ("html.bytes", 1),
                                          ("html.file", "x.html")])
def test_manifest_fields_outside_the_id_must_still_match(version, field, value):
    src, html, manifest = version
    doc = json.loads(manifest.read_text())
    if "." in field:
        doc["html"][field.split(".")[1]] = value
    else:
        doc[field] = value
    manifest.write_text(json.dumps(doc))
    results = verify(html)
    assert not all(ok for _, ok, _ in results)
    assert _run("maps", "verify", html).exit_code == 1


def test_an_annex_is_not_made_from_a_tampered_version(version, tmp_path):
    src, html, manifest = version
    r = _run("annex", html, "-o", tmp_path / "good.pdf")
    assert r.exit_code == 0, r.output
    doc = json.loads(manifest.read_text())
    doc["options"]["assign"] = ["Donetsk=ru"]
    manifest.write_text(json.dumps(doc))
    r = _run("annex", html, "-o", tmp_path / "bad.pdf")
    assert r.exit_code == 2 and "does not verify" in r.stderr
    assert not (tmp_path / "bad.pdf").exists()


def test_compare_takes_the_earlier_date_first(tmp_path):
    a, b = loc.sample_paths()[0], loc.sample_paths()[-1]
    r = _run("render", "--compare", b, a, "-o", tmp_path / "maps")
    assert r.exit_code == 2 and "give the earlier date first to compare" in r.stderr
    assert not (tmp_path / "maps").exists() or not list((tmp_path / "maps").rglob("*.html"))


def test_a_region_given_two_sides_is_refused():
    with pytest.raises(loc.LocError, match="donetsk is assigned to ru .* and to ua"):
        loc.freeze(loc.sample(), assign={"Donetsk": "ru", "Donbas": "ua"})
    r = _run("freeze", "--assign", "Donetsk=ru", "--assign", "Donets'k=ua")
    assert r.exit_code == 2 and "give each region one side" in r.stderr


def test_crimea_is_assigned_with_sevastopol_as_stats_counts_it():
    f = loc.freeze(loc.sample(), assign={"Crimea": "ua"})
    assert f.scenario["steps"] == [{"assign": "crimea,sevastopol", "side": "ua"}]
    assert loc.stats(f.snapshot).loc["crimea", "occupied_km2"] < 1.0


def test_a_check_before_the_freeze_is_refused():
    first, last = loc.sample_paths()[0], loc.sample_paths()[-1]
    with pytest.raises(loc.LocError, match="older than the freeze"):
        loc.check(loc.freeze(loc.read(last)), loc.read(first))
    r = _run("check", "--freeze", last, "--snapshot", first)
    assert r.exit_code == 2 and "older than the freeze" in r.stderr


def test_importing_another_snapshot_of_a_stored_date_is_refused(tmp_path):
    store = tmp_path / "s.gpkg"
    first, last = loc.sample_paths()[0], loc.sample_paths()[-1]
    loc.import_snapshots([last], store)
    before = store.read_bytes()
    other = tmp_path / last.name
    other.write_text(first.read_text().replace("2024-07-08", "2025-09-05"))  # another map
    assert loc.read(other).date == loc.read(last).date
    with pytest.raises(loc.LocError, match="already holds a different snapshot"):
        loc.import_snapshots([other], store)
    assert store.read_bytes() == before
    assert loc.import_snapshots([last], store).skipped  # the same one: skipped


@pytest.mark.parametrize("engine", ["pyogrio", "fiona"])
def test_geopackages_are_the_same_bytes_a_second_later(tmp_path, engine):
    """GDAL writes the current time into a GeoPackage; loc writes a fixed one."""
    import geopandas as gpd
    import shapely

    from loc.io.writers import write_gpkg

    g = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.box(30, 48, 31, 49)], crs="OGC:CRS84")
    first = write_gpkg(tmp_path / "a.gpkg", {"loc": g}, engine=engine).read_bytes()
    time.sleep(1.1)
    assert write_gpkg(tmp_path / "b.gpkg", {"loc": g}, engine=engine).read_bytes() == first


def test_a_version_verifies_from_inside_its_folder(version, monkeypatch):
    """x.html from inside its folder has the parent ".", whose name is empty: an intact
    version failed "the folder is ''" (and a report "id recomputed as X, not X")."""
    src, html, _ = version
    monkeypatch.chdir(html.parent)
    r = _run("maps", "verify", html.name)
    assert r.exit_code == 0 and "FAIL" not in r.stdout, r.stdout
    report = html.parent.parent / "r"
    c = _run("check", "--freeze", loc.sample_paths()[0], "--snapshot", src, "-o", report)
    assert c.exit_code == 0, c.output
    (folder,) = report.iterdir()
    monkeypatch.chdir(folder)
    r = _run("maps", "verify", ".")
    assert r.exit_code == 0 and "FAIL" not in r.stdout, r.stdout


def test_a_version_verifies_through_a_link_to_its_folder(version, tmp_path):
    src, html, _ = version
    link = tmp_path / "latest"
    link.symlink_to(html.parent)
    r = _run("maps", "verify", link / html.name)
    assert r.exit_code == 0 and "FAIL" not in r.stdout, r.stdout


def test_a_page_that_was_there_stays_when_its_manifest_cannot_be_written(version):
    """Repairing a version whose manifest was lost: when the manifest cannot be written,
    the page that was there before must stay (it was deleted)."""
    src, html, manifest = version
    manifest.unlink()
    manifest.mkdir()  # the manifest's path cannot be written
    before = html.read_bytes()
    r = _run("render", src, "-o", html.parent.parent, "--name", "t", "--no-settlements")
    assert r.exit_code == 2
    assert html.read_bytes() == before


@pytest.mark.parametrize("command", [["render"], ["check", "--freeze", "SAMPLE0",
                                                  "--snapshot", "SAMPLE1"]])
def test_a_folder_output_is_never_stdout(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    args = [str(loc.sample_paths()[0]) if a == "SAMPLE0" else
            str(loc.sample_paths()[-1]) if a == "SAMPLE1" else a for a in command]
    r = _run(*args, "-o", "-")
    assert r.exit_code == 2 and "names a folder: several files cannot go to stdout" in r.stderr
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("command", [["freeze", "S"], ["line", "S"],
                                     ["zones", "S", "--width", "5"], ["diff", "S", "S"],
                                     ["compare", "S", "S"]])
@pytest.mark.parametrize("stdout", [[], ["-o", "-"]])
def test_a_geopackage_to_stdout_is_refused_before_any_work(tmp_path, monkeypatch, command,
                                                            stdout):
    """`loc freeze -o - --format gpkg` wrote a GeoPackage named "-" (exit 0), and without
    -o the refusal came after the work and its summary lines. The format is now settled
    first, in one place, for every command."""
    monkeypatch.chdir(tmp_path)
    sample = str(loc.sample_paths()[-1])
    r = _run(*[sample if a == "S" else a for a in command], *stdout, "--format", "gpkg")
    assert r.exit_code == 2
    assert r.stderr == "loc: error: a GeoPackage cannot go to stdout: give -o FILE.gpkg\n"
    assert r.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_under_a_geopackage_is_named(tmp_path, monkeypatch):
    """GDAL's SQLite named a consequence of the full disk ("no such table:
    gpkg_contents"), and loc passed it on as the reason."""
    import geopandas as gpd
    import pyogrio

    from loc.errors import OutputError
    from loc.io import writers

    def full(*_a, **_k):
        raise pyogrio.errors.FeatureError("Could not add feature to layer at index 0: "
                                          "sqlite3_exec(...) failed: no such table: "
                                          "gpkg_contents")

    class Statvfs:
        f_bavail, f_frsize = 3, 4096

    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(30, 50)], crs="OGC:CRS84")
    monkeypatch.setattr(pyogrio, "write_dataframe", full)
    with pytest.raises(OutputError, match="no such table"):  # space left: GDAL's reason
        writers.write_gpkg(tmp_path / "x.gpkg", {"x": frame}, engine="pyogrio")
    monkeypatch.setattr(writers.os, "statvfs", lambda _p: Statvfs)
    with pytest.raises(OutputError, match="no space left on the disk; nothing was written"):
        writers.write_gpkg(tmp_path / "x.gpkg", {"x": frame}, engine="pyogrio")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["line", "IN"], ["zones", "IN", "--width", "5"],
                                     ["freeze", "IN"], ["stats", "IN", "--format", "json"],
                                     ["diff", "S", "IN", "--format", "geojson"],
                                     ["timeline", "S", "IN", "--format", "json"],
                                     ["freeze", "S", "--exchange", "IN=ua",
                                      "--format", "geojson"]])
@pytest.mark.parametrize("how", ["same", "dot", "hard_link", "symlink"])
def test_an_output_that_is_an_input_is_refused(tmp_path, monkeypatch, command, how):
    """`loc zones x.geojson --width 5 -o x.geojson` replaced the snapshot by its buffers
    (exit 0), and `loc stats x.geojson` then gave 5,032 km² occupied. An -o naming an
    input, however it is reached, is now refused before anything is written (the snapshot
    is a .json file where the command writes JSON: -o's suffix must fit --format)."""
    monkeypatch.chdir(tmp_path)
    first, last = loc.sample_paths()[0], loc.sample_paths()[-1]
    snap = tmp_path / (f"{last.stem}.json" if "json" in command else last.name)
    snap.write_bytes(last.read_bytes())
    given = snap.name
    out = {"same": given, "dot": f"./{given}"}.get(how)
    if how == "hard_link":
        os.link(snap, tmp_path / "other.geojson")
        given, out = "other.geojson", snap.name
    elif how == "symlink":
        (tmp_path / "other.geojson").symlink_to(snap)
        given, out = "other.geojson", snap.name
    before = snap.read_bytes()
    args = [a.replace("IN", given) if a.startswith("IN") else str(first) if a == "S" else a
            for a in command]
    r = _run(*args, "-o", out)
    assert r.exit_code == 2, r.output
    assert r.stderr.splitlines()[-1] == (f"loc: error: -o {Path(out)} is an input of this "
                                        "command: write the result elsewhere")
    assert snap.read_bytes() == before


@pytest.mark.parametrize("command", ["timeline", "movement"])
def test_one_file_for_output_and_chart_is_refused(tmp_path, monkeypatch, command):
    """`loc timeline ... -o c.svg --chart c.svg --format csv` said "wrote c.svg" twice and
    left the CSV where the chart had been."""
    monkeypatch.chdir(tmp_path)
    paths = [str(p) for p in loc.sample_paths()]
    r = _run(command, *paths, "-o", "c.svg", "--chart", "./c.svg", "--format", "csv")
    assert r.exit_code == 2
    assert r.stderr == "loc: error: -o and --chart name one file: give each its own\n"
    assert list(tmp_path.iterdir()) == []


def test_a_check_report_records_its_belts_file(tmp_path):
    """`loc check --belts FILE -o DIR` left the belts file out of the manifest: after the
    belt distances were edited, `loc maps verify` still said every input matched."""
    first, last = loc.sample_paths()[1], loc.sample_paths()[-1]
    belts = tmp_path / "belts.toml"
    belts.write_text(Path(loc.__file__).parent.parent.joinpath(
        "data", "agreements", "minsk2.toml").read_text())
    r = _run("check", "--freeze", str(first), "--snapshot", str(last), "--belts", str(belts),
             "-o", str(tmp_path / "reports"))
    assert r.exit_code == 0, r.output
    (folder,) = (tmp_path / "reports").iterdir()
    recorded = json.loads((folder / "manifest.json").read_text())["inputs"]
    assert [i["path"] for i in recorded][-1] == str(belts)
    assert _run("maps", "verify", str(folder)).exit_code == 0
    belts.write_text(belts.read_text().replace("= 25", "= 26"))
    r = _run("maps", "verify", str(folder))
    assert r.exit_code != 0 and f"FAIL  {belts}" in r.stdout


def test_a_file_picked_from_a_folder_by_date_is_an_input(tmp_path, monkeypatch):
    """`loc zones FOLDER --date D -o FOLDER/file-of-D` replaced that snapshot (exit 0): the
    folder was noted as the input, not the file --date picked from it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s").mkdir()
    for p in loc.sample_paths():
        (tmp_path / "s" / p.name).write_bytes(p.read_bytes())
    target = tmp_path / "s" / loc.sample_paths()[-1].name
    before = target.read_bytes()
    r = _run("zones", "s", "--date", "2025-09-05", "--width", "5", "-o", f"s/{target.name}")
    assert r.exit_code == 2 and "is an input of this command" in r.stderr
    assert target.read_bytes() == before


def test_fetch_output_and_store_on_one_file_are_refused(tmp_path, monkeypatch):
    """`loc fetch deepstate -o X.gpkg --store X.gpkg` wrote the download over the store,
    then failed: the store's dates were lost."""
    from loc.io import fetch as http

    def never(*_a, **_k):
        raise AssertionError("nothing may be fetched")

    monkeypatch.setattr(http, "fetch_deepstate", never)
    monkeypatch.chdir(tmp_path)
    store = tmp_path / "h.gpkg"
    loc.import_snapshots(loc.sample_paths(), store)
    before = store.read_bytes()
    r = _run("fetch", "deepstate", "-o", "./h.gpkg", "--store", "h.gpkg")
    assert r.exit_code == 2 and "-o and --store name one file" in r.stderr
    assert store.read_bytes() == before


@pytest.mark.parametrize("where", ["under_a_file", "loop"])
def test_an_output_path_that_cannot_be_a_file_is_one_line(tmp_path, where):
    blocker = tmp_path / "a.csv"
    blocker.write_text("x")
    path = blocker / "x.gpkg" if where == "under_a_file" else tmp_path / "loop.json"
    if where == "loop":
        path.symlink_to(path.name)
    for suffix in (".gpkg", ".json"):
        out = path.with_suffix(suffix)
        if where == "loop" and not out.is_symlink():
            out.symlink_to(out.name)
        r = _run("line", "-o", out)
        assert r.exit_code in (0, 2) and "internal error" not in r.stderr, r.stderr


def test_a_store_range_sees_a_date_written_otherwise(tmp_path):
    """--since/--until compare dates as text in SQL: a date written 2025-9-5 slipped out
    of the range without a word and the timeline skipped it."""
    store = _tampered_store(tmp_path, "UPDATE control SET date = '2025-9-5' "
                                      "WHERE date = '2025-09-05'")
    r = _run("timeline", store, "--no-cache", "--since", "2024-01-01", "--until", "2025-12-31")
    assert r.exit_code == 2 and "holds a date written '2025-9-5'" in r.stderr


def test_a_save_is_all_or_nothing_and_the_index_only_a_warning(tmp_path, monkeypatch):
    """A full disk at the manifest left the page as an orphan (exit 2, "nothing was
    written"); a full disk at the index failed a version that was saved and valid."""
    from loc.errors import OutputError
    from loc.io import writers
    from loc.outputs import versions as versions_mod

    real = writers.write_atomic

    def full_at(suffix):
        def write(path, data):
            if Path(path).name.endswith(suffix):
                raise OutputError("cannot write: no space left on the disk", path)
            return real(path, data)
        return write

    maps = tmp_path / "maps"
    monkeypatch.setattr(versions_mod, "write_atomic", full_at(".json"))
    r = _run("render", "-o", maps, "--name", "s", "--no-settlements")
    assert r.exit_code == 2 and "no space left" in r.stderr
    assert [p.name for p in (maps / "s").glob("*.html") if p.name != "index.html"] == []
    monkeypatch.setattr(versions_mod, "write_atomic", full_at("index.html"))
    r = _run("render", "-o", maps, "--name", "s", "--no-settlements")
    assert r.exit_code == 0 and "index not written" in r.stderr
    page = Path(r.stdout.strip())
    assert page.is_file() and all(ok for _, ok, _ in verify(page))


def test_a_manifest_changed_outside_loc_is_listed_as_broken(tmp_path):
    """One manifest with fields of other types made loc maps list and every later render
    into the folder an internal error."""
    folder = tmp_path / "maps" / "m"
    folder.mkdir(parents=True)
    (folder / "aaaaaaaaaaaa.json").write_text('{"id":"aaaaaaaaaaaa","html":{},"data_dates":5}')
    r = _run("maps", "list", tmp_path / "maps")
    assert r.exit_code == 0 and "aaaaaaaaaaaa  BROKEN" in r.stdout
    r = _run("render", "-o", tmp_path / "maps", "--name", "m", "--no-settlements")
    assert r.exit_code == 0, r.output
    assert "broken manifest" in (folder / "index.html").read_text()


def _tampered_store(tmp_path, sql: str) -> Path:
    """A store of the sample, changed by SQL outside loc (its triggers dropped first)."""
    import sqlite3

    store = tmp_path / "s.gpkg"
    loc.import_snapshots(loc.sample_paths(), store)
    con = sqlite3.connect(store)
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
        con.execute(f'DROP TRIGGER "{name}"')
    con.execute(sql)
    con.commit()
    con.close()
    return store


@pytest.mark.parametrize("sql,message", [
    ("INSERT INTO control (geom, date, side, source, license, sha256) SELECT geom, "
     "'2025-09-05', side, source, license, sha256 FROM control WHERE date = '2025-01-08'",
     "two ru rows on 2025-09-05"),
    ("UPDATE control SET side = 'RU' WHERE date = '2025-09-05'", "has side 'RU'"),
    ("UPDATE control SET geom = NULL WHERE date = '2025-09-05'", "has no geometry"),
])
def test_a_store_changed_outside_loc_is_refused_not_guessed(tmp_path, sql, message):
    """Two rows of one date and side (the last one won), an unknown side (0 km² occupied)
    or no geometry (an internal error): each is one error line."""
    store = _tampered_store(tmp_path, sql)
    with pytest.raises(loc.LocError, match=message):
        loc.read(f"{store}@2025-09-05")
    r = _run("stats", f"{store}@2025-09-05")
    assert r.exit_code == 2 and message in r.stderr


def _rewritten_store(tmp_path, change) -> Path:
    """A store of the sample, read and written again by geopandas after ``change``."""
    import geopandas as gpd

    store = tmp_path / "s.gpkg"
    loc.import_snapshots(loc.sample_paths(), store)
    rows = gpd.read_file(store, layer="control")
    out = tmp_path / "changed.gpkg"
    change(rows).to_file(out, layer="control", driver="GPKG")
    return out


def _first_row(rows, geom):
    rows.loc[rows["date"] == "2025-09-05", "geometry"] = geom
    return rows


@pytest.mark.parametrize("change,message", [
    (lambda r: _first_row(r, shapely.Point(37, 48)), "is a Point, not an area"),
    (lambda r: _first_row(r, shapely.MultiPolygon([shapely.box(0, 0, 1, 1)])),
     "geometry lies far outside Ukraine"),
    (lambda r: _first_row(r, shapely.MultiPolygon([shapely.Polygon(
        [(37, 48), (38, 49), (38, 48), (37, 49)])])), "cannot be repaired safely"),
    (lambda r: r.to_crs(3857), "not lon/lat"),
    (lambda r: r.assign(date=r["date"].replace({"2025-09-05": "2025-09-05T12:00"})),
     "holds a date written '2025-09-05T12:00', not YYYY-MM-DD"),
])
def test_a_store_s_geometry_gets_the_checks_a_file_s_gets(tmp_path, change, message):
    """A store rewritten outside loc read back a point as 0 km² occupied, Mercator metres
    as NaN km², a far box as 12,308 km² outside and a date as text an internal error:
    each is now the one line a file with that geometry gets."""
    store = _rewritten_store(tmp_path, change)
    with pytest.raises(loc.LocError, match=message):
        loc.read(f"{store}@2025-09-05")
    r = _run("stats", f"{store}@2025-09-05")
    assert r.exit_code == 2 and message in r.stderr
    r = _run("timeline", store, "--no-cache")
    assert r.exit_code == 2 and message in r.stderr


def test_diff_and_movement_take_the_earlier_date_first():
    a, b = loc.sample("2025-01-08"), loc.sample("2025-09-05")
    for call in (lambda: loc.diff(b, a), lambda: loc.movement(b, a)):
        with pytest.raises(OptionError, match="give the earlier date first"):
            call()
    assert loc.diff(a, b).gained_km2 > 0
    r = _run("diff", loc.sample_paths()[-1], loc.sample_paths()[0])
    assert r.exit_code == 2 and "2025-09-05 is later than 2024-07-08" in r.stderr


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    out = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat_file.parent.name))
    return out


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_workers_end_with_a_killed_render(tmp_path, deepstate_dir):
    """A slider render killed by SIGKILL (or SIGTERM, as `timeout` sends) runs no
    clean-up: its workers ended up blocked on a pipe forever, holding ~170 MB each."""
    from loc import processes

    if processes.cores() < 2:
        pytest.skip("one core: a render starts no worker")
    for sig in (signal.SIGKILL, signal.SIGTERM):
        p = _loc("render", deepstate_dir, "--since", "2025-04-01", "--until", "2025-07-31",
                 "-o", tmp_path / "maps", "--name", f"k{sig}")
        deadline = time.monotonic() + 120
        kids: list[int] = []
        while not kids and p.poll() is None and time.monotonic() < deadline:
            kids = [k for k in _children(p.pid)
                    if "loc" in Path(f"/proc/{k}/cmdline").read_text(errors="replace")]
            time.sleep(0.05)
        if not kids:
            pytest.skip("the render ended before its workers could be seen")
        time.sleep(1.0)  # the workers are making their blocks
        assert p.poll() is None
        p.send_signal(sig)
        p.communicate(timeout=60)
        gone = time.monotonic() + 20
        while any(Path(f"/proc/{k}").exists() for k in kids) and time.monotonic() < gone:
            time.sleep(0.1)
        left = [k for k in kids if Path(f"/proc/{k}").exists()
                and Path(f"/proc/{k}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
        assert left == [], f"workers {left} outlived their parent (signal {sig})"


# -- Markdown from input text -------------------------------------------------------------

MD_TEXT = st.text(alphabet=st.sampled_from([*"ab1 `*_[]()!|~&<>#-+.:/\\\"'=\n",
                                             "\x1b", "\x07", "\x9b", "\u202e"]),
                  max_size=40)


@settings(max_examples=300, deadline=None)
@given(MD_TEXT)
def test_input_text_in_markdown_reads_as_written(text):
    """Text from input files goes into summary.md as md_text (prose, table cells) or
    md_code (paths): rendered, it is exactly that text, never a link, an image, emphasis,
    HTML or a second code span (a backtick closed the span early and "![t](https:/...)"
    after it made an image request); a control character (an escape sequence that drives
    a terminal showing the file) is shown as \\uXXXX, never written."""
    import html

    from loc.errors import one_line

    markdown_it = pytest.importorskip("markdown_it")
    from loc.outputs.reports import md_code, md_text

    one = one_line(text)
    assert md_text(text).isprintable() and md_code(text).isprintable()
    md = markdown_it.MarkdownIt("commonmark").enable("table").enable("strikethrough")
    page = md.render("x " + md_text(text) + " y")
    assert not re.search(r"<(?!/?p>)", page), page  # only the paragraph
    assert html.unescape(page.strip()[3:-4]) == f"x {one} y".strip() or not one
    code = md.render("x " + md_code(text) + " y")
    assert code.count("<code>") == 1 and not re.search(r"<(?!/?p>|/?code>)", code), code
    inner = html.unescape(code.split("<code>", 1)[1].split("</code>", 1)[0])
    assert inner == (one or " ")


def test_sigterm_cleans_up_as_ctrl_c_does(tmp_path):
    """SIGTERM (what timeout, systemd and docker send) was not handled: an import left
    its staging folder with a partial GeoPackage beside the store."""
    folder = _dated_copies(tmp_path / "snaps", 0, 120)
    store = tmp_path / "s.gpkg"
    p = _loc("import", folder, "--store", store)
    deadline = time.monotonic() + 60
    while p.poll() is None and time.monotonic() < deadline and not any(
            q.name.startswith(".loc-") for q in tmp_path.iterdir()):
        time.sleep(0.002)
    if p.poll() is not None:
        pytest.skip("the import ended before it could be stopped")
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 128 + signal.SIGTERM, err
    assert b"loc: interrupted; nothing half-written was left" in err
    assert [q.name for q in tmp_path.iterdir() if q.name.startswith(".loc-")] == []
    assert not store.exists() or len(loc.list_snapshots(store)) in (0, 120)


def test_one_lock_however_the_store_is_reached(tmp_path):
    """Two imports into one store, one through a link: each took the lock beside the path
    it was given, and one import's dates were lost."""
    from loc.errors import OutputError
    from loc.io.writers import locked

    (tmp_path / "real").mkdir()
    (tmp_path / "other").mkdir()
    real = tmp_path / "real" / "s.gpkg"
    link = tmp_path / "other" / "s.gpkg"
    link.symlink_to(real)
    with locked(real), pytest.raises(OutputError, match="another loc process holds"), \
            locked(link, timeout_s=0.2):
        pass


def test_a_lock_leaves_nothing_behind_and_still_excludes(tmp_path):
    """The lock file was left beside every store and map index, and kept a folder made for
    a failed write from being removed. It is now removed on release, before the lock is let
    go, and a process that waited on the removed file takes the next one: eight processes
    that each add one to a counter under the lock add eight."""
    import multiprocessing as mp

    from loc.io.writers import locked

    target = tmp_path / "counter"
    target.write_text("0")
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_count_under_lock, args=(target,)) for _ in range(8)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * 8
    assert target.read_text() == "8"
    with locked(target):
        assert (tmp_path / ".counter.lock").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counter"]


def _count_under_lock(target) -> None:
    import time

    from loc.io.writers import locked

    with locked(target):
        n = int(target.read_text())
        time.sleep(0.02)  # long enough for the others to queue on this lock file
        target.write_text(str(n + 1))


def test_a_key_pair_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    from loc.errors import OutputError
    from loc.outputs import signatures

    def full(path, data):
        raise OutputError("cannot write: no space left on the disk", path)

    monkeypatch.setattr(signatures, "write_atomic", full)
    r = _run("keygen", "--party", "alice", "-o", tmp_path / "alice.key")
    assert r.exit_code == 2 and list(tmp_path.iterdir()) == []  # no private key alone
    monkeypatch.undo()
    assert _run("keygen", "--party", "alice", "-o", tmp_path / "alice.key").exit_code == 0


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["stats"], ["regions"], ["render", "-o", "{tmp}", "--name",
                                                           "s", "--no-settlements"],
                                  ["maps", "list", "{tmp}"], ["maps", "verify", "{html}"]])
def test_a_full_standard_output_is_one_line(args, tmp_path):
    """`loc regions`, `loc render` and `loc maps list/verify` (whose OK/FAIL lines `loc
    reproduce` and `loc signatures` share) printed with click and died with an internal
    OSError on a full standard output."""
    html = ""
    if "{tmp}" in args[-1] or "{html}" in args[-1]:  # a map to list or verify
        assert _run("render", "-o", tmp_path, "--name", "s", "--no-settlements").exit_code == 0
        html = str(next(p for p in (tmp_path / "s").glob("*.html") if p.stem != "index"))
    with open("/dev/full", "wb") as full:
        p = subprocess.run([sys.executable, "-m", "loc", "-q",
                            *(a.format(tmp=tmp_path, html=html) for a in args)], cwd=ROOT,
                           stdout=full,
                           stderr=subprocess.PIPE, timeout=120)
    assert p.returncode == 2
    assert p.stderr.decode().strip() == ("loc: error: cannot write to standard output: No "
                                         "space left on device")


def test_an_interrupt_between_page_and_manifest_leaves_no_orphan(tmp_path, monkeypatch):
    from loc.outputs import versions as versions_mod

    real = versions_mod.write_atomic

    def interrupted(path, data):
        if Path(path).suffix == ".json":
            raise KeyboardInterrupt
        return real(path, data)

    monkeypatch.setattr(versions_mod, "write_atomic", interrupted)
    r = _run("render", "-o", tmp_path / "maps", "--name", "s", "--no-settlements")
    assert r.exit_code == 130
    assert [p.name for p in (tmp_path / "maps" / "s").glob("*.html")] == []


def test_a_number_written_as_text_is_refused_not_read(tmp_path):
    """Found by the fuzz test: a hole's coordinate written "0" (text) passed the quick
    numeric check (numpy reads "0" as 0) and GDAL dropped the hole: 12,445 km² where the
    file's polygon is 12,113, exit 0."""
    doc = json.loads(json.dumps(GOOD))
    doc["features"][0]["geometry"]["coordinates"][1][1][0] = "0"
    path = tmp_path / "x_2025-09-06.geojson"
    path.write_text(json.dumps(doc))
    with pytest.raises(loc.LocError, match="holds a value that is not a number"):
        loc.read(path)


def test_geojson_rings_follow_rfc_7946_and_stay_valid():
    """Every polygon written as GeoJSON had a clockwise exterior (RFC 7946 asks for
    counter-clockwise), and rounding to 6 decimals pointwise made valid polygons invalid."""
    import geopandas as gpd

    from loc.io.writers import geojson_text

    a, b = loc.read(loc.sample_paths()[1]), loc.sample()
    changes = loc.diff(a, b).changes
    near = shapely.Polygon([(30, 50), (30.5, 50), (30.5, 50.0000004), (30.0000001, 50.0000002),
                            (30.5, 50.0000008), (30.5, 50.5), (30, 50.5)])
    assert near.is_valid and not shapely.set_precision(near, 1e-6, mode="pointwise").is_valid
    frame = gpd.GeoDataFrame({"k": list(range(len(changes))) + [-1]},
                             geometry=[*changes.geometry.values, near], crs="OGC:CRS84")
    doc = json.loads(geojson_text(frame))
    shapes = [shapely.geometry.shape(f["geometry"]) for f in doc["features"]]
    assert all(s.is_valid for s in shapes)
    polys = [p for s in shapes for p in shapely.get_parts(s)]
    assert polys and all(p.exterior.is_ccw for p in polys)
    assert all(not r.is_ccw for p in polys for r in p.interiors)


def test_only_a_plain_number_escapes_the_formula_guard():
    """float() took "-inf", "\\t1" and "-1_000" as numbers, so they went into CSV cells as
    they were (a tab or CR start is a formula trigger)."""
    from loc.io.writers import safe_cell

    for kept in ("-3.5", "+2", "-1e-3", "-.5", "-7."):
        assert safe_cell(kept) == kept
    for text in ("-inf", "-nan", "+Infinity", "\t1", "\r\n-1", "-1_000", "-1 ",
                 "=1+1", "@SUM(A1)"):
        assert safe_cell(text) == "'" + text


def test_a_broken_link_or_folder_named_like_a_snapshot_is_said(tmp_path):
    """A broken link or a folder named like a dated file in a series folder was dropped
    in silence: the timeline went on without that date."""
    folder = _dated_copies(tmp_path / "snaps", 0, 3)
    (folder / "copy_20250110.geojson").symlink_to(tmp_path / "gone.geojson")
    (folder / "copy_20250111.geojson").mkdir()
    with pytest.warns(loc.LocWarning, match=r"2 entries named like geodata but not a "
                      r"readable file .* copy_20250110.geojson, copy_20250111.geojson"):
        tl = loc.timeline(folder)
    assert [d.isoformat() for d in tl.index] == ["2025-01-01", "2025-01-02", "2025-01-03"]
    r = subprocess.run([sys.executable, "-m", "loc", "timeline", folder], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "not a readable file" in r.stderr

import importlib
import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from PIL import Image

import loc
from loc import geo as lcrs
from loc import processes
from loc.cli import cli
from tests.conftest import deepstate_files, deepstate_path, repeat_warning, without_layer_name


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LOC_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def month(deepstate_dir):
    return [f for f in deepstate_files() if "_202508" in f.name]


def test_month_equals_naive_overlay(deepstate_dir, cache):
    files = month(deepstate_dir)
    assert len(files) == 31
    df = loc.timeline(files)
    prev = None
    for f, (_date, row) in zip(files, df.iterrows(), strict=True):
        g = lcrs.project(loc.read(f).occupied, lcrs.EQUAL_AREA)
        assert row["occupied_km2"] == pytest.approx(shapely.area(g) / 1e6, abs=1e-6)
        if prev is not None:
            assert row["gained_km2"] == pytest.approx(
                shapely.area(shapely.difference(g, prev)) / 1e6, abs=0.01)
            assert row["lost_km2"] == pytest.approx(
                shapely.area(shapely.difference(prev, g)) / 1e6, abs=0.01)
            assert row["days_since_prev"] == 1
        prev = g
    # per-region areas carried forward equal a fresh computation on the last date
    stats = loc.stats(loc.read(files[-1]))
    for key in ("donetsk", "zaporizhzhia", "kharkiv", "luhansk"):
        assert df[f"{key}_km2"].iloc[-1] == pytest.approx(stats.loc[key, "occupied_km2"],
                                                          abs=0.01)


def test_gaps_are_not_invented(deepstate_dir, cache):
    files = [f for f in deepstate_files() if "_2024081" in f.name or "_2024082" in f.name]
    df = loc.timeline(files)
    assert "2024-08-18" not in {str(d) for d in df.index}
    row = df.loc[[d for d in df.index if str(d) == "2024-08-20"][0]]
    assert row["days_since_prev"] == 3
    assert not df["break"].any()


def test_warm_cache_parses_nothing(deepstate_dir, cache, monkeypatch):
    files = month(deepstate_dir)[:10]
    first = loc.timeline(files)
    assert (cache / "timeline.json").exists()

    def boom(*args):
        raise AssertionError("parsed a file although the cache holds it")

    mod = importlib.import_module("loc.analysis.timeline")
    monkeypatch.setattr(mod, "_polygons_of", boom)
    monkeypatch.setattr(mod, "read_file", boom)  # nor read again to check it
    second = loc.timeline(files)
    assert second.equals(first)
    monkeypatch.setenv("LOC_MAX_VERTICES", "2000000")  # a larger limit: nothing to check
    assert loc.timeline(files).equals(first)


def test_break_is_flagged_not_reported(cache):
    a = loc.from_geometries(shapely.box(37.0, 47.5, 38.0, 48.5), date="2025-01-01")
    b = loc.from_geometries(shapely.box(33.0, 44.5, 36.0, 46.0), date="2025-01-02")
    df = loc.timeline([a, b])
    assert bool(df["break"].iloc[1])
    assert df["gained_km2"].isna().iloc[1]


def test_chart_png_and_svg(tmp_path, cache):
    from loc.outputs.chart import timeline_chart

    snaps = [loc.read(p) for p in loc.sample_paths()]
    df = loc.timeline(snaps)
    png = timeline_chart(df, tmp_path / "t.png")
    with Image.open(png) as im:
        assert im.format == "PNG" and im.size == (1210, 770)
        assert len(np.unique(np.asarray(im.convert("L")))) > 20  # not blank
    svg = timeline_chart(df, tmp_path / "t.svg").read_text()
    assert "occupied area (km²)" in svg and "daily change (km²)" in svg
    assert svg == timeline_chart(df, tmp_path / "t2.svg").read_text()  # deterministic


def test_cli_timeline(tmp_path, deepstate_dir, cache):
    files = [str(f) for f in month(deepstate_dir)[:5]]
    out = tmp_path / "t.csv"
    r = CliRunner().invoke(cli, ["timeline", *files, "--csv", str(out), "--chart",
                                 str(tmp_path / "c.png")])
    assert r.exit_code == 0, r.output
    lines = out.read_text().splitlines()
    assert lines[0].startswith("date,occupied_km2,crimea_km2,donetsk_km2")
    assert len(lines) == 6
    assert "5 dates from 2025-08-01 to 2025-08-05" in r.stderr  # a message
    assert r.stdout == ""  # the table went to -o (the old --csv still works)


def test_other_formats_give_the_same_timeline(deepstate_dir, cache, tmp_path, monkeypatch):
    import geopandas as gpd

    files = month(deepstate_dir)[:4]
    converted = []
    for i, f in enumerate(files):
        # alternate a format GDAL reads and a GeoJSON the fast reader leaves to it
        if i % 2:
            out = tmp_path / f.name.replace(".geojson", ".fgb")
            gpd.read_file(f).to_file(out, driver="FlatGeobuf")
        else:
            out = tmp_path / f.name
            gpd.read_file(f).assign(side="ru").to_file(out, driver="GeoJSON")
        converted.append(out)
    want = loc.timeline(files, use_cache=False)
    general = []
    reader = importlib.import_module("loc.io.rings").RingReader
    real = reader.from_geometry
    monkeypatch.setattr(reader, "from_geometry",
                        lambda self, g, **kw: general.append(g) or real(self, g, **kw))
    got = loc.timeline(converted, use_cache=False)
    assert len(general) == 4  # none of them went through the text reader
    assert list(got.columns) == list(want.columns)
    diff = (got.drop(columns="break") - want.drop(columns="break")).abs().max().max()
    assert diff < 1e-6
    assert want["gained_km2"].iloc[1:].gt(0).any()  # the figures compared are not all zero


def test_without_worker_processes_the_figures_are_the_same(deepstate_dir, cache, monkeypatch):
    files = month(deepstate_dir)  # 30 pairs: workers would be used
    want = loc.timeline(files, use_cache=False)
    mod = importlib.import_module("loc.analysis.timeline")

    def no_processes(*args, **kwargs):
        raise OSError(38, "Function not implemented")  # as where /dev/shm is missing

    monkeypatch.setattr(mod, "_Claims", no_processes)
    got = loc.timeline(files, use_cache=False)
    assert got.equals(want)


def test_pairs_shared_with_workers_or_not_give_the_same_figures(deepstate_dir, cache,
                                                                monkeypatch):
    """Workers claim pairs from the last on and this process from the first on: whoever
    computes a pair, the figures are the same; a worker that dies (killed, say) leaves its
    pairs to this process."""
    import os

    files = month(deepstate_dir)
    mod = importlib.import_module("loc.analysis.timeline")
    monkeypatch.setattr(mod, "IN_PROCESS", 10_000)
    here = loc.timeline(files, use_cache=False)
    monkeypatch.setattr(mod, "IN_PROCESS", 1)
    shared = loc.timeline(files, use_cache=False)
    assert shared.equals(here)
    real_work = mod._work

    def dies_after_claiming(items, missing, claims, k, conn):
        claims.high(5)  # claimed, never computed
        os._exit(1)

    monkeypatch.setattr(mod, "_work", dies_after_claiming)
    assert loc.timeline(files, use_cache=False).equals(here)

    def hangs_after_claiming(items, missing, claims, k, conn):
        claims.high(5)  # claimed, and then nothing: a deadlock, say
        time.sleep(600)

    monkeypatch.setattr(processes, "STALL_S", 0.5)
    monkeypatch.setattr(mod, "_work", hangs_after_claiming)
    with pytest.warns(loc.LocWarning, match="a worker process sent nothing for"):
        assert loc.timeline(files, use_cache=False).equals(here)
    monkeypatch.setattr(mod, "_work", real_work)


def test_snapshots_built_in_memory_are_cached_by_content(cache):
    a = loc.from_geometries(shapely.box(37.0, 47.5, 38.0, 48.5), date="2025-01-01")
    b = loc.from_geometries(shapely.box(37.0, 47.5, 38.02, 48.5), date="2025-01-02")
    c = loc.from_geometries(shapely.box(37.0, 47.5, 38.05, 48.5), date="2025-01-02")
    first = loc.timeline([a, b])["gained_km2"].iloc[1]
    second = loc.timeline([a, c])["gained_km2"].iloc[1]  # same dates, other geometry
    assert second == pytest.approx(loc.timeline([a, c], use_cache=False)["gained_km2"].iloc[1])
    assert second == pytest.approx(first * 2.5, rel=1e-3)  # 0.05° of longitude against 0.02°


def test_a_file_reaching_beyond_ukraines_box_is_read_the_general_way(cache, tmp_path):
    inside = shapely.box(37.0, 47.5, 38.0, 48.5)
    grown = shapely.box(37.0, 47.5, 38.01, 48.5)
    # east of 40.5° E (out of the box the text reader takes), within reach of Ukraine
    beyond = shapely.union(grown, shapely.box(40.55, 49.2, 40.7, 49.4))
    files = []
    for day, geom in (("01", inside), ("02", beyond), ("03", inside)):
        path = tmp_path / f"x_202501{day}.geojson"
        path.write_text(json.dumps({"type": "Feature", "properties": {},
                                    "geometry": json.loads(shapely.to_geojson(geom))}))
        files.append(path)
    df = loc.timeline(files, use_cache=False)
    a, b = lcrs.project(inside, lcrs.EQUAL_AREA), lcrs.project(beyond, lcrs.EQUAL_AREA)
    gained, lost = (shapely.area(shapely.difference(b, a)) / 1e6,
                    shapely.area(shapely.difference(a, b)) / 1e6)  # the naive way
    assert gained > 320 and lost > 0.1  # parallels bend in the projection: slivers lost
    assert list(df["gained_km2"].iloc[1:]) == pytest.approx([gained, lost], abs=1e-6)
    assert list(df["lost_km2"].iloc[1:]) == pytest.approx([lost, gained], abs=1e-6)


def test_a_file_the_general_reader_repairs_keeps_its_neighbours(cache, tmp_path):
    """The text reader reads a file, finds a polygon invalid and hands the file to the
    general reader: the file before it must stay the previous one (it was lost once, and
    the next pair failed)."""
    square = [(37.0, 47.5), (38.0, 47.5), (38.0, 48.5), (37.0, 48.5), (37.0, 47.5)]
    # the same square passing twice through one corner (a self-touching ring, repaired)
    touching = [(37.0, 47.5), (38.0, 47.5), (38.0, 48.5), (37.5, 48.5), (37.6, 48.6),
                (37.4, 48.6), (37.5, 48.5), (37.0, 48.5), (37.0, 47.5)]
    grown = [(37.0, 47.5), (38.1, 47.5), (38.1, 48.5), (37.0, 48.5), (37.0, 47.5)]
    files = []
    for day, ring in (("01", square), ("02", touching), ("03", grown)):
        path = tmp_path / f"x_202501{day}.geojson"
        path.write_text(json.dumps({"type": "Feature", "properties": {},
                                    "geometry": {"type": "Polygon", "coordinates": [ring]}}))
        files.append(path)
    assert not shapely.Polygon(touching).is_valid
    df = loc.timeline(files, use_cache=False)
    snaps = [loc.read(f) for f in files]
    for i in (1, 2):
        d = loc.diff(snaps[i - 1], snaps[i])
        assert df["gained_km2"].iloc[i] == pytest.approx(d.gained_km2, abs=1e-6)
        assert df["lost_km2"].iloc[i] == pytest.approx(d.lost_km2, abs=1e-6)
    assert df["gained_km2"].iloc[1] > 10 and df["gained_km2"].iloc[2] > 700
    history = loc.line_history(files, remember=False)
    for snap, (_, got) in zip(snaps, history.groupby("date"), strict=True):
        want = loc.line_of_contact(snap)
        assert list(got["kind"]) == list(want["kind"])
        assert got["length_km"].sum() == pytest.approx(want["length_km"].sum(), abs=1e-9)


@pytest.mark.parametrize("at", [2, 18])
def test_an_unreadable_file_is_named_whoever_reads_it(deepstate_dir, cache, tmp_path, at):
    """The third file (read by the worker, from the first on) or the nineteenth (read by
    this process, from the last on) is not GeoJSON: the error names it either way."""
    import shutil

    files = sorted(deepstate_dir.glob("deepstatemap_data_202508*.geojson"))[:20]
    copies = [shutil.copy(f, tmp_path / f.name) for f in files]
    broken = tmp_path / files[at].name
    broken.write_text("this is not a GeoJSON file")
    with pytest.raises(loc.LocError, match=files[at].name):
        loc.timeline(copies, use_cache=False)


SQUARE = [[37.0, 47.5], [38.0, 47.5], [38.0, 48.5], [37.0, 48.5], [37.0, 47.5]]
GROWN = [[37.0, 47.5], [38.1, 47.5], [38.1, 48.5], [37.0, 48.5], [37.0, 47.5]]


def _fc(rings_text: str, props: str = "{}", extra: str = "") -> str:
    return ('{"type": "FeatureCollection",' + extra + ' "features": [{"type": "Feature", '
            '"properties": ' + props + ', "geometry": {"type": "MultiPolygon", '
            '"coordinates": ' + rings_text + '}}]}')


def _rings(*rings) -> str:
    return json.dumps([[r] for r in rings])


# Each second file is one that the text reader must not read as a plain occupied area: its
# properties, CRS or number text mean something else to the general reader (they were
# counted as occupied once: a file marked Ukrainian-held gave 114,781 km² occupied).
HOSTILE_SECOND = {
    "side any case": _fc(_rings(GROWN), '{"Side": "ua"}'),
    "side escaped": _fc(_rings(GROWN), '{"s\\u0069de": "contested"}'),
    "isw layer name": _fc(_rings(GROWN), '{"name": "Assessed Russian Advances in Ukraine"}'),
    "date property": _fc(_rings(GROWN), '{"date": "2025-01-09"}'),
    "other crs": _fc(_rings(GROWN), extra=' "comment": "CRS84", "crs": {"type": "name", '
                     '"properties": {"name": "urn:ogc:def:crs:EPSG::4284"}},'),
    "escaped crs": _fc(_rings(GROWN), extra=' "c\\u0072s": {"type": "name", "properties": '
                       '{"name": "urn:ogc:def:crs:EPSG::3857"}},'),
    "space in a number": _fc(_rings(GROWN).replace("38.1", "38.1 5", 1)),
    "plus sign": _fc(_rings(GROWN).replace("38.1", "+38.1", 1)),
    "leading zero": _fc(_rings(GROWN).replace("38.1", "038.1", 1)),
    "trailing dot": _fc(_rings(GROWN).replace("47.5", "47.", 1)),
    "overlapping parts": _fc(_rings(GROWN, [[37.5, 48.0], [38.5, 48.0], [38.5, 48.8],
                                            [37.5, 48.8], [37.5, 48.0]])),
    "a part twice": _fc(_rings(GROWN, GROWN)),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_SECOND))
def test_the_text_reader_reads_nothing_the_general_reader_reads_otherwise(cache, tmp_path,
                                                                           name):
    """The timeline, line history and loc.read agree on every such file: the same figures,
    or the same refusal."""
    first, second = tmp_path / "x_20250108.geojson", tmp_path / "x_20250109.geojson"
    first.write_text(_fc(_rings(SQUARE)))
    second.write_text(HOSTILE_SECOND[name])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", loc.LocWarning)
            snaps = [loc.read(first), loc.read(second)]
    except loc.LocError as exc:
        message = str(exc)
        with pytest.raises(loc.LocError) as got:
            loc.timeline([first, second], use_cache=False)
        assert str(got.value) == message
        with pytest.raises(loc.LocError):
            loc.line_history([first, second], remember=False)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", loc.LocWarning)
        df = loc.timeline([first, second], use_cache=False, break_km2=1e9)
        history = loc.line_history([first, second], remember=False)
    occupied = float(loc.stats(snaps[1])["occupied_km2"].sum())
    assert df["occupied_km2"].iloc[1] == pytest.approx(occupied, abs=1e-6)
    d = loc.diff(snaps[0], snaps[1])
    assert df["gained_km2"].iloc[1] == pytest.approx(d.gained_km2, abs=1e-6)
    assert df["lost_km2"].iloc[1] == pytest.approx(d.lost_km2, abs=1e-6)
    want = loc.line_of_contact(snaps[1])
    got = history[history["date"] == snaps[1].date]
    assert got["length_km"].sum() == pytest.approx(want["length_km"].sum(), abs=1e-6)


def test_overlapping_parts_are_joined_not_cut_out(tmp_path):
    """A MultiPolygon whose parts overlap is repaired to their union (make_valid's default
    made the overlap a hole: land occupied on both days read as lost)."""
    a = [[37.0, 47.5], [38.0, 47.5], [38.0, 48.5], [37.0, 48.5], [37.0, 47.5]]
    b = [[37.8, 48.3], [38.2, 48.3], [38.2, 48.6], [37.8, 48.6], [37.8, 48.3]]
    path = tmp_path / "x_20250109.geojson"
    path.write_text(_fc(_rings(a, b)))
    with pytest.warns(loc.LocWarning, match="repaired"):
        snap = loc.read(path)
    union = shapely.union(shapely.Polygon(a), shapely.Polygon(b))
    assert snap.side("ru").equals(union)
    assert snap.side("ru").contains(shapely.Point(37.9, 48.4))  # in both parts


def test_figures_do_not_depend_on_what_the_cache_holds(cache):
    """A run warmed by another --since gives the CSV a fresh cache gives (cached file
    figures were sums from an earlier start)."""
    files = deepstate_files()[:40]
    loc.timeline(files, since="2024-07-10")
    warmed = loc.timeline(files, since="2024-07-25")
    for p in cache.glob("*"):
        p.unlink()
    fresh = loc.timeline(files, since="2024-07-25")
    pd.testing.assert_frame_equal(warmed, fresh, check_exact=True)


VERSION = importlib.import_module("loc.analysis.timeline").CACHE_VERSION


@pytest.mark.parametrize("text", [f'{{"version": {VERSION}}}',
                                  f'{{"version": {VERSION}, "files": {{}}, "pairs": '
                                  '{"a:b": {"gained_km2": "1e9"}}, "checked": {}}',
                                  f'{{"version": {VERSION}, "files": {{}}, "pairs": {{}}, '
                                  '"checked": {"k": {"names": [], "limits": [0, 1, 1], '
                                  '"warnings": []}}}', "{not json"])
def test_a_broken_cache_is_set_aside_with_a_warning(cache, text):
    files = deepstate_files()[:3]
    want = loc.timeline(files, use_cache=False)
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "timeline.json").write_text(text)
    with pytest.warns(loc.LocWarning, match="timeline cache"):
        got = loc.timeline(files)
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_a_cache_that_cannot_be_written_is_a_warning(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("LOC_CACHE_DIR", str(tmp_path / "file" / "cache"))
    files = deepstate_files()[:3]
    with pytest.warns(loc.LocWarning, match="timeline cache not written"):
        got = loc.timeline(files)
    pd.testing.assert_frame_equal(got, loc.timeline(files, use_cache=False), check_exact=True)


def test_a_cache_changed_since_loc_wrote_it_is_not_used(cache):
    """A cached figure changed by 5,000 km² (still a number, the right shape) moved the last
    date's total by as much, without a word; the cache now carries a digest of its
    figures."""
    files = loc.sample_paths()
    want = loc.timeline(files, use_cache=False)
    loc.timeline(files)  # writes the cache
    path = cache / "timeline.json"
    doc = json.loads(path.read_text())
    key = sorted(doc["pairs"])[0]
    doc["pairs"][key]["gained_km2"] += 5000
    path.write_text(json.dumps(doc))
    with pytest.warns(loc.LocWarning, match="changed since loc wrote it"):
        got = loc.timeline(files)
    assert got.equals(want)
    assert loc.timeline(files).equals(want)  # and the cache was written again, whole


def test_a_cache_path_that_is_a_pipe_is_neither_read_nor_written(cache):
    import os

    cache.mkdir(parents=True)
    os.mkfifo(cache / "timeline.json")
    files = loc.sample_paths()
    with pytest.warns(loc.LocWarning, match="timeline cache is not a file"):
        got = loc.timeline(files)
    assert got.equals(loc.timeline(files, use_cache=False))


def test_a_failed_output_takes_its_chart_back(cache, tmp_path):
    """--chart was written before -o, so a failed -o left the chart while the command said
    nothing was written; a chart that was there before is put back as it was."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    chart = tmp_path / "c.png"
    files = [str(p) for p in loc.sample_paths()]
    r = CliRunner().invoke(cli, ["timeline", *files, "--chart", str(chart), "-o",
                                 str(blocker / "t.csv")])
    assert r.exit_code == 2 and not chart.exists()
    chart.write_bytes(b"the old chart")
    r = CliRunner().invoke(cli, ["timeline", *files, "--chart", str(chart), "-o",
                                 str(blocker / "t.csv")])
    assert r.exit_code == 2 and chart.read_bytes() == b"the old chart"
    r = CliRunner().invoke(cli, ["movement", *files, "--chart", str(chart), "-o",
                                 str(blocker / "m.csv")])
    assert r.exit_code == 2 and chart.read_bytes() == b"the old chart"


# -- a warm cache gives the verdict of a cold run: errors, warnings, figures ---------------

# a square passing twice through one point of its top edge: a self-intersecting ring,
# repaired with a warning (the area changes by some 8.7 km²); each file a little wider
BOWTIE = [[37.0, 47.5], [38.0, 47.5], [38.0, 48.5], [37.55, 48.5], [37.45, 48.52],
          [37.45, 48.48], [37.55, 48.5], [37.0, 48.5], [37.0, 47.5]]


def _invalid_series(folder, count: int) -> list:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(count):
        ring = [[x + 0.01 * i if x == 38.0 else x, y] for x, y in BOWTIE]
        path = folder / f"x_202501{i + 1:02d}.geojson"
        path.write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": {
            "type": "Polygon", "coordinates": [ring]}}))
        files.append(path)
    return files


def _timeline_warnings(*args, **kwargs) -> tuple[pd.DataFrame, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = loc.timeline(*args, **kwargs)
    return df, [str(w.message) for w in caught if issubclass(w.category, loc.LocWarning)]


def test_a_file_renamed_against_its_date_is_refused_with_a_warm_cache(cache, tmp_path):
    """A file whose name says another date than its date property was refused without the
    cache and accepted with it (its figures put on the name's date): a hit never read the
    file."""
    folder = tmp_path / "series"
    folder.mkdir()
    (folder / "x_20250101.geojson").write_text(_fc(_rings(SQUARE)))
    dated = folder / "x_20250103.geojson"
    dated.write_text(_fc(_rings(GROWN), '{"date": "2025-01-03"}'))
    loc.timeline(folder)  # right name: fills the cache
    dated.rename(folder / "x_20250102.geojson")
    with pytest.raises(loc.LocError) as cold:
        loc.timeline(folder, use_cache=False)
    assert "its name says 2025-01-02 but its date property says 2025-01-03" in str(cold.value)
    with pytest.raises(loc.LocError) as warm:
        loc.timeline(folder)
    assert str(warm.value) == str(cold.value)


def test_a_warm_cache_keeps_the_size_limits(cache, tmp_path, monkeypatch):
    files = _invalid_series(tmp_path / "inv", 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", loc.LocWarning)
        want = loc.timeline(files)  # fills the cache
        monkeypatch.setenv("LOC_MAX_VERTICES", "5")
        with pytest.raises(loc.LocError) as cold:
            loc.timeline(files, use_cache=False)
        assert "over the limit of 5" in str(cold.value)
        with pytest.raises(loc.LocError) as warm:
            loc.timeline(files)
        assert str(warm.value) == str(cold.value)
        monkeypatch.delenv("LOC_MAX_VERTICES")
        assert loc.timeline(files).equals(want)


def test_repairs_are_reported_with_or_without_the_cache(cache, tmp_path):
    """The first run said "repaired invalid ru polygon ... area changed by ..." for each
    file, the second (from the cache) nothing; moved elsewhere, the files are named where
    they are now."""
    files = _invalid_series(tmp_path / "inv", 3)
    cold, said = _timeline_warnings(files, use_cache=False)
    assert len(said) == 3 and all("repaired invalid ru polygon" in w and "area changed by"
                                  in w for w in said)
    first, said_first = _timeline_warnings(files)
    warm, said_warm = _timeline_warnings(files)
    assert said_first == said_warm == said
    assert warm.equals(cold) and first.equals(cold)
    moved = tmp_path / "moved"
    (tmp_path / "inv").rename(moved)
    _, said_moved = _timeline_warnings(moved)
    assert said_moved == [w.replace(str(tmp_path / "inv"), str(moved)) for w in said]


@pytest.mark.parametrize("in_process", [10_000, 1])
def test_each_repair_is_reported_once(cache, tmp_path, monkeypatch, in_process):
    """A cold timeline reported the repair of the first file twice (its measure and its
    pair read it), and with worker processes the file where they met twice (the worker's
    warnings, in the library, were lost): once each, in date order."""
    monkeypatch.setattr(importlib.import_module("loc.analysis.timeline"), "IN_PROCESS",
                        in_process)
    files = _invalid_series(tmp_path / "inv", 14)
    _, said = _timeline_warnings(files, use_cache=False)
    assert [w.split(":")[0] for w in said] == [str(f) for f in files]


def test_a_break_is_a_change_too_large_for_the_days_it_took(cache):
    """break_km2 is per day of gap: a change of 1,600 km² is a break from one day to the
    next, not across two days (a 198-day gap read as a break and lost its 2,528 km²)."""
    a = loc.from_geometries(shapely.box(37.0, 47.5, 38.0, 48.5), date="2025-01-01")
    one = loc.from_geometries(shapely.box(37.0, 47.5, 38.2, 48.5), date="2025-01-02")
    two = loc.from_geometries(shapely.box(37.0, 47.5, 38.2, 48.5), date="2025-01-03")
    gained = loc.diff(a, one).gained_km2
    assert 1000 < gained < 2000
    df = loc.timeline([a, one], use_cache=False)
    assert bool(df["break"].iloc[1]) and df["gained_km2"].isna().iloc[1]
    df = loc.timeline([a, two], use_cache=False)
    assert not df["break"].iloc[1]
    assert df["gained_km2"].iloc[1] == pytest.approx(gained, abs=1e-6)
    assert bool(loc.timeline([a, two], use_cache=False, break_km2=700)["break"].iloc[1])


def test_cli_a_long_gap_is_not_a_break_and_breaks_are_counted_apart(cache):
    from tests.conftest import deepstate_path

    a, b = deepstate_path("20240912"), deepstate_path("20250329")
    r = CliRunner().invoke(cli, ["timeline", "--no-cache", str(a), str(b), "--format", "csv"])
    assert r.exit_code == 0, r.output
    row = r.stdout.splitlines()[2].split(",")
    header = r.stdout.splitlines()[0].split(",")
    got = dict(zip(header, row, strict=True))
    d = loc.diff(loc.read(a), loc.read(b))
    assert got["days_since_prev"] == "198" and got["break"] == "False"
    assert float(got["gained_km2"]) == pytest.approx(d.gained_km2, abs=0.01)  # 2,528.51
    assert float(got["lost_km2"]) == pytest.approx(d.lost_km2, abs=0.01)  # 14.96
    assert "newly occupied 2,528.5 km², no longer occupied 15.0 km², occupied" in r.stderr
    r = CliRunner().invoke(cli, ["timeline", "--no-cache", str(a), str(b), "--break-km2", "5",
                                 "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[2].endswith(",198,True")
    assert ("(1 gaps, 1 breaks); newly occupied 0.0 km², no longer occupied 0.0 km² (not "
            "counting the change at 1 break), occupied 110,000.8 -> 112,514.4 km²") in r.stderr


def test_cli_a_renamed_file_is_refused_with_a_warm_cache(cache, tmp_path):
    """The reviewer's case on a real file: a copy of 2025-09-03 with its date property,
    named for 2025-09-02 after a run that cached it under its right name."""
    from tests.conftest import deepstate_path

    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "deepstatemap_data_20250901.geojson").write_bytes(
        deepstate_path("20250901").read_bytes())
    doc = json.loads(deepstate_path("20250903").read_text())
    doc["features"][0]["properties"] = {"date": "2025-09-03"}
    (folder / "X_20250903.geojson").write_text(json.dumps(doc))
    assert CliRunner().invoke(cli, ["timeline", str(folder)]).exit_code == 0
    (folder / "X_20250903.geojson").rename(folder / "X_20250902.geojson")
    cold = CliRunner().invoke(cli, ["timeline", str(folder), "--no-cache"])
    warm = CliRunner().invoke(cli, ["timeline", str(folder)])
    assert cold.exit_code == warm.exit_code == 2
    assert "its name says 2025-09-02 but its date property says 2025-09-03" in cold.stderr
    assert warm.stderr == cold.stderr and warm.stdout == cold.stdout == ""


def test_cli_table_keeps_a_column_of_zeros(cache, tmp_path):
    """A week without losses dropped lost_km2 from the table, so 0 lost read as not
    computed."""
    bump = [[37.0, 47.5], [38.0, 47.5], [38.1, 48.0], [38.0, 48.5], [37.0, 48.5],
            [37.0, 47.5]]  # the square and more: nothing lost
    (tmp_path / "x_20250101.geojson").write_text(_fc(_rings(SQUARE)))
    (tmp_path / "x_20250102.geojson").write_text(_fc(_rings(bump)))
    r = CliRunner().invoke(cli, ["timeline", str(tmp_path / "x_20250101.geojson"),
                                 str(tmp_path / "x_20250102.geojson"), "--no-cache"])
    assert r.exit_code == 0, r.output
    header, _, first, second = r.stdout.splitlines()
    assert header.split()[-2:] == ["gained_km2", "lost_km2"]
    assert second.split()[-1] == "0.0" and float(second.split()[-2].replace(",", "")) > 300
    # the first date's change is not computed: its cells are left empty
    assert len(first.split()) == len(header.split()) - 2 == len(second.split()) - 2


# -- a file changed while the timeline reads it --------------------------------------------

def _changed_between_hash_and_read(monkeypatch, target, new: bytes) -> None:
    """The file ``target`` reads as ``new`` from now on, but hashes as it is on disk: as if
    it were replaced after loc hashed it (and put back after loc read it). ``new``, another
    day's file, carries the target's layer name, so that only the hash can tell."""
    import re
    from pathlib import Path

    rings = importlib.import_module("loc.io.rings")
    real = rings.plain_bytes
    new, n = re.subn(rb'"name": "[^"]*"', f'"name": "{Path(target).stem}"'.encode(), new,
                     count=1)
    assert n == 1

    def changed(path):
        return new if Path(path) == Path(target) else real(path)

    for name in ("loc.io.rings", "loc.io.readers", "loc.analysis.timeline"):
        monkeypatch.setattr(importlib.import_module(name), "plain_bytes", changed)


@pytest.mark.parametrize(("in_process", "at"), [(10_000, 0), (10_000, 7), (1, 2), (1, 12)])
def test_a_file_changed_while_it_is_read_is_an_error_not_cached(deepstate_dir, cache,
                                                               monkeypatch, in_process, at):
    """The reviewer's case: a file replaced between its hashing and its reading (and put
    back later) had the figures of the new content cached under the old content's hash,
    and every later warm run showed them (2024-12-15 occupied 84,228.1 km², Crimea 0, a
    break). With a cache, the files are hashed before they are read: whoever reads it (the
    first date's measure, this process, a worker), the run stops with one line naming the
    file and caches nothing."""
    mod = importlib.import_module("loc.analysis.timeline")
    monkeypatch.setattr(mod, "IN_PROCESS", in_process)
    files = month(deepstate_dir)[:14]
    want = loc.timeline(files, use_cache=False)
    loc.timeline(month(deepstate_dir)[20:23])  # a cache with pairs: files hashed first
    before = (cache / "timeline.json").read_bytes()
    other = month(deepstate_dir)[25].read_bytes()  # another day's content
    with monkeypatch.context() as m:
        _changed_between_hash_and_read(m, files[at], other)
        with pytest.raises(loc.LocError) as got:
            loc.timeline(files)
    assert str(got.value) == f"{files[at]}: changed while loc read it: run again"
    assert (cache / "timeline.json").read_bytes() == before  # nothing cached
    assert loc.timeline(files).equals(want)  # the file as it is (put back): right figures
    assert loc.timeline(files).equals(want)  # and warm


@pytest.mark.parametrize(("in_process", "at"), [(10_000, 0), (1, 2), (1, 12)])
def test_with_nothing_cached_a_file_is_keyed_by_what_was_read(deepstate_dir, cache, tmp_path,
                                                             monkeypatch, in_process, at):
    """With nothing cached, each file is hashed as it is read, once: a file replaced before
    its reading gives the figures of what was read, cached under that content's hash, and
    the file put back gives its own figures."""
    import re

    mod = importlib.import_module("loc.analysis.timeline")
    monkeypatch.setattr(mod, "IN_PROCESS", in_process)
    files = month(deepstate_dir)[:14]
    want = loc.timeline(files, use_cache=False)
    other = month(deepstate_dir)[25].read_bytes()
    copies = []
    for j, f in enumerate(files):
        copies.append(tmp_path / f.name)
        copies[-1].write_bytes(re.sub(rb'"name": "[^"]*"', f'"name": "{f.stem}"'.encode(),
                                      other, count=1) if j == at else f.read_bytes())
    replaced = loc.timeline(copies, use_cache=False)
    assert not replaced.equals(want)  # the replaced content changes the figures
    with monkeypatch.context() as m:
        _changed_between_hash_and_read(m, files[at], other)
        got = loc.timeline(files)
    assert got.equals(replaced)
    assert loc.timeline(files).equals(want)  # the file as it is: its own figures
    assert loc.timeline(files).equals(want)  # and warm


def test_a_file_the_general_reader_read_changed_is_an_error_not_cached(cache, tmp_path,
                                                                      monkeypatch):
    """The same for a file read by the general reader: its snapshot's SHA-256 must be the
    key (hashed first where a cache holds pairs), whether the change came before the
    reading or during GDAL's."""
    files, others = [], []
    for day, ring in (("01", SQUARE), ("02", GROWN), ("03", SQUARE)):
        path = tmp_path / f"x_202501{day}.geojson"
        path.write_text(_fc(_rings(ring), '{"side": "ru"}'))  # a property: GDAL reads it
        files.append(path)
        if day != "03":  # two dates of other content
            others.append(tmp_path / f"y_202502{day}.geojson")
            others[-1].write_text(_fc(_rings(ring[::-1])))
    want = loc.timeline(files, use_cache=False)
    loc.timeline(others)  # a cache with pairs: the files are hashed before they are read
    before = (cache / "timeline.json").read_bytes()
    mod = importlib.import_module("loc.analysis.timeline")
    real = mod.read_file
    with monkeypatch.context() as m:  # replaced after hashing: read as the third file
        m.setattr(mod, "read_file",
                  lambda p, *a, **k: real(files[2] if p == files[1] else p, *a, **k))
        with pytest.raises(loc.LocError, match=r"x_20250102\.geojson: changed while loc "
                                               "read it: run again$"):
            loc.timeline(files)
    assert (cache / "timeline.json").read_bytes() == before
    readers = importlib.import_module("loc.io.readers")
    read_checked = readers._read_checked
    original = files[1].read_bytes()

    def changes_while_gdal_reads(path, *args):
        got = read_checked(path, *args)
        if path == files[1]:
            path.write_text(_fc(_rings(SQUARE), '{"side": "ru"}'))
        return got

    with monkeypatch.context() as m:
        m.setattr(readers, "_read_checked", changes_while_gdal_reads)
        for run in (loc.read, loc.timeline):  # the snapshot's hash is of what GDAL read
            files[1].write_bytes(original)
            with pytest.raises(loc.LocError, match="x_20250102.geojson: changed while loc "
                                                   "read it"):
                run(files[1] if run is loc.read else files)
    assert (cache / "timeline.json").read_bytes() == before
    files[1].write_bytes(original)  # put back
    assert loc.timeline(files).equals(want)


def test_cli_a_file_changed_while_it_is_read_is_one_line(deepstate_dir, cache, monkeypatch):
    files = month(deepstate_dir)[:3]
    loc.timeline(month(deepstate_dir)[10:12])  # a cache with pairs: files hashed first
    before = (cache / "timeline.json").read_bytes()
    _changed_between_hash_and_read(monkeypatch, files[1], files[2].read_bytes())
    r = CliRunner().invoke(cli, ["timeline", *map(str, files)])
    assert r.exit_code == 2
    assert r.stderr == f"loc: error: {files[1]}: changed while loc read it: run again\n"
    assert (cache / "timeline.json").read_bytes() == before


def test_a_whole_region_appearing_across_a_sparse_gap_is_a_break(cache):
    """break_km2 × days_since_prev let any change through across a long gap: a source that
    starts mapping Crimea (+27,151.7 km²) 32 days later was read as a gain. The allowance
    stops growing after BREAK_DAYS (7) days; 198 days of ordinary change (2,528 km²) stay
    no break."""
    from tests.conftest import deepstate_path

    crimea = shapely.union_all(loc.regions().loc[["crimea", "sevastopol"]].geometry.values)
    first = loc.read(deepstate_path("20241215"))
    without = loc.from_geometries(shapely.difference(first.occupied, crimea),
                                  date="2024-12-15")
    later = loc.read(deepstate_path("20250116"))
    df = loc.timeline([without, later], use_cache=False)
    assert df["days_since_prev"].iloc[1] == 32
    assert bool(df["break"].iloc[1]) and df["gained_km2"].isna().iloc[1]
    gained = loc.timeline([without, later], use_cache=False, break_km2=1e9)["gained_km2"]
    assert 27_000 < gained.iloc[1] < 32_000  # under 1,000 km² × 32 days
    a, b = loc.read(deepstate_path("20240912")), loc.read(deepstate_path("20250329"))
    df = loc.timeline([a, b], use_cache=False)
    assert df["days_since_prev"].iloc[1] == 198 and not df["break"].iloc[1]
    assert df["gained_km2"].iloc[1] == pytest.approx(loc.diff(a, b).gained_km2, abs=1e-6)
    assert 2_500 < df["gained_km2"].iloc[1] < 7_000  # over 1,000 km², under a week's
    mod = importlib.import_module("loc.analysis.timeline")
    assert mod.BREAK_DAYS == 7


# -- a file copied under another date's name -----------------------------------------------

def _copied_under(folder, deepstate_dir, days: list[str], copy: tuple[str, str]):
    """Real archive files of ``days`` in ``folder``, and the file of ``copy[0]`` copied
    byte for byte as ``copy[1]``'s (its layer name still says ``copy[0]``)."""
    folder.mkdir()
    for day in days:
        name = f"deepstatemap_data_{day}.geojson"
        (folder / name).write_bytes((deepstate_dir / name).read_bytes())
    bad = folder / f"deepstatemap_data_{copy[1]}.geojson"
    bad.write_bytes((deepstate_dir / f"deepstatemap_data_{copy[0]}.geojson").read_bytes())
    return bad


@pytest.mark.parametrize("in_process", [10_000, 1])
@pytest.mark.parametrize("copy", [("20250905", "20250907"), ("20250905", "20250903")])
def test_a_copy_under_another_dates_name_is_refused_cold_and_warm(deepstate_dir, cache,
                                                                 tmp_path, monkeypatch,
                                                                 in_process, copy):
    """The stop-27 case: 2025-09-05's file copied as 2025-09-07's was put on 2025-09-07
    (114,781.4 km², gained 2.0, lost 8.3), exit 0. Its layer name still says 2025-09-05:
    every reader (this process, a worker, the general reader, a warm cache) refuses it
    with one line naming both dates."""
    monkeypatch.setattr(importlib.import_module("loc.analysis.timeline"), "IN_PROCESS",
                        in_process)
    folder = tmp_path / "hz"
    bad = _copied_under(folder, deepstate_dir, ["20250904", "20250905", "20250906"], copy)
    day = f"{copy[1][:4]}-{copy[1][4:6]}-{copy[1][6:]}"
    want = (f"{bad}: its name says {day} but its layer name "
            '("deepstatemap_data_20250905") says 2025-09-05: which is it? (a file copied '
            "under another date's name, say)")
    for use_cache in (False, True, True):
        with pytest.raises(loc.LocError) as got:
            loc.timeline(folder, use_cache=use_cache)
        assert str(got.value) == want
    bad.unlink()
    loc.timeline(folder)  # the cache now holds every other file and pair
    bad.write_bytes((folder / "deepstatemap_data_20250905.geojson").read_bytes())
    with pytest.raises(loc.LocError) as got:
        loc.timeline(folder)
    assert str(got.value) == want
    for engine in (None, "pyogrio", "fiona"):
        with pytest.raises(loc.LocError) as got:
            loc.read(bad, engine=engine)
        assert str(got.value) == want
    with pytest.raises(loc.LocError):
        loc.read_series(folder)
    r = CliRunner().invoke(cli, ["timeline", str(folder)])
    assert r.exit_code == 2 and r.stderr == f"loc: error: {want}\n" and r.stdout == ""


def test_a_file_named_without_a_date_takes_its_layer_names(deepstate_dir, tmp_path):
    """A layer name is one more place a file says its date: a real file renamed map.geojson
    is still of 2025-09-05, read without GDAL or with it."""
    path = tmp_path / "map.geojson"
    path.write_bytes((deepstate_dir / "deepstatemap_data_20250905.geojson").read_bytes())
    for engine in (None, "pyogrio"):
        assert loc.read(path, engine=engine).label == "2025-09-05"
    with pytest.raises(loc.LocError, match="is of 2025-09-05, not 2025-09-06"):
        loc.read(path, date="2025-09-06")
    hostile = tmp_path / "x_20250906.geojson"  # a layer name is shown escaped
    hostile.write_bytes(path.read_bytes().replace(b'"deepstatemap_data_20250905"',
                                                  b'"\\u001b[31m\\n20250905"'))
    with pytest.raises(loc.LocError) as got:
        loc.read(hostile)
    assert str(got.value) == (f"{hostile}: its name says 2025-09-06 but its layer name "
                              '("\\u001b[31m 20250905") says 2025-09-05: which is it? (a '
                              "file copied under another date's name, say)")


def test_the_same_bytes_on_a_later_date_with_another_between_is_a_warning(
        deepstate_dir, cache, tmp_path):
    """Without a layer name the copy cannot be refused, but its bytes are those of a file
    of another date with a different file between (A, B, A): a warning names both, in
    the timeline (cold and warm) and in any series read; A, A (no change) is none."""
    folder = tmp_path / "plain"
    folder.mkdir()
    for day in ("20250904", "20250905", "20250906"):
        raw = (deepstate_dir / f"deepstatemap_data_{day}.geojson").read_bytes()
        (folder / f"m_{day}.geojson").write_bytes(without_layer_name(raw))
    (folder / "m_20250907.geojson").write_bytes((folder / "m_20250905.geojson").read_bytes())
    want = repeat_warning(folder / "m_20250907.geojson", folder / "m_20250905.geojson",
                          "2025-09-05", folder / "m_20250906.geojson")
    for _ in range(2):  # cold, then warm
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = loc.timeline(folder)
        assert [str(w.message) for w in caught if w.category is loc.LocWarning] == [want]
        assert df.loc[pd.Timestamp("2025-09-07").date(), "occupied_km2"] == pytest.approx(
            df.loc[pd.Timestamp("2025-09-05").date(), "occupied_km2"], abs=1e-6)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loc.read_series(folder)
    assert [str(w.message) for w in caught if w.category is loc.LocWarning] == [want]
    (folder / "m_20250906.geojson").unlink()  # 05, 07: the same map on two dates in a row
    (folder / "m_20250904.geojson").write_bytes((folder / "m_20250905.geojson").read_bytes())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loc.timeline(folder)
        loc.read_series(folder)
    assert [w for w in caught if w.category is loc.LocWarning] == []


# -- a copy whose layer name was edited too --------------------------------------------------

def _renamed_copy(folder: Path, day: str, as_day: str, gpkg: bool = False) -> Path:
    """``day``'s real file copied as ``as_day``'s with its layer name edited too (so no
    two of its dates disagree); as a GeoPackage converted by GDAL, if ``gpkg``."""
    import geopandas as gpd

    raw = deepstate_path(day).read_bytes().replace(
        f"deepstatemap_data_{day}".encode(), f"deepstatemap_data_{as_day}".encode())
    out = folder / f"deepstatemap_data_{as_day}.geojson"
    out.write_bytes(raw)
    if gpkg:
        gdf = gpd.read_file(out)
        out.unlink()
        out = out.with_suffix(".gpkg")
        gdf.to_file(out, layer=f"deepstatemap_data_{as_day}", driver="GPKG")
    return out


@pytest.mark.parametrize("gpkg", [False, True])
@pytest.mark.parametrize("in_process", [10_000, 1])
@pytest.mark.parametrize("of", ["20250820", "20250827"])  # the first date, a middle one
def test_a_copy_whose_layer_name_was_edited_too_is_a_warning(deepstate_dir, cache, tmp_path,
                                                             monkeypatch, in_process, gpkg,
                                                             of):
    """The stop-28 case: 2025-09-05's file saved as 2025-09-07's with its layer name edited
    to match gave a 2025-09-07 row of 2025-09-05's figures, exit 0, no word (its bytes
    differ from every other file's). Its geometry is that of an earlier date with
    another between: a warning names both, cold and warm, in this process and in workers,
    read without GDAL or converted to a GeoPackage, in a series read, an import and the
    CLI."""
    monkeypatch.setattr(importlib.import_module("loc.analysis.timeline"), "IN_PROCESS",
                        in_process)
    folder = tmp_path / "f"
    folder.mkdir()
    days = [f"202508{d:02d}" for d in range(20, 32)] + ["20250901"]  # 13: workers, if 1
    for day in days:
        (folder / f"deepstatemap_data_{day}.geojson").write_bytes(
            deepstate_path(day).read_bytes())
    copy = _renamed_copy(folder, of, "20250902", gpkg)
    first = folder / f"deepstatemap_data_{of}.geojson"
    day = f"{of[:4]}-{of[4:6]}-{of[6:]}"
    want = repeat_warning(copy, first, day, folder / "deepstatemap_data_20250901.geojson",
                          geometry=True)
    for _ in range(2):  # cold, then warm (nothing read: the figures are all cached)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = loc.timeline(folder)
        assert [str(w.message) for w in caught if w.category is loc.LocWarning] == [want]
        assert df.loc[pd.Timestamp("2025-09-02").date(), "occupied_km2"] == pytest.approx(
            df.loc[pd.Timestamp(day).date(), "occupied_km2"], abs=1e-6)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        snaps = loc.read_series(folder)
    assert [str(w.message) for w in caught if w.category is loc.LocWarning] == [want]
    with warnings.catch_warnings(record=True) as caught:  # the same snapshots again: said
        warnings.simplefilter("always")  # once is enough
        loc.timeline(snaps)
    assert [w for w in caught if w.category is loc.LocWarning] == []
    store = tmp_path / "s.gpkg"
    with pytest.warns(loc.LocWarning) as caught:
        loc.import_snapshots(sorted(folder.iterdir()), store)
    assert [str(w.message) for w in caught] == [want]
    with pytest.warns(loc.LocWarning) as caught:
        loc.timeline(store)
    assert [str(w.message) for w in caught] == [repeat_warning(
        f"{store}@2025-09-02", f"{store}@{day}", day, f"{store}@2025-09-01", geometry=True)]
    with pytest.warns(loc.LocWarning) as caught:  # the line of each date: 2025-09-02's is
        loc.line_history(folder)  # that date's line (no bytes hashed here)
    assert [str(w.message) for w in caught] == [want.replace(" in other bytes", "")]
    r = CliRunner().invoke(cli, ["timeline", str(folder)])
    assert r.exit_code == 0 and f"loc: warning: {want}\n" in r.stderr
    renamed = copy.rename(copy.with_name("x_20250902" + copy.suffix))  # figures cached, the
    with pytest.warns(loc.LocWarning) as caught:  # name new: read again, the general way
        loc.timeline(folder)
    assert [str(w.message) for w in caught] == [want.replace(str(copy), str(renamed))]


def test_no_file_of_the_archive_warns_of_a_repeat(deepstate_dir, cache):
    """Of the 536 real files, 67 have the geometry of the day before (nothing changed) and
    none the geometry or bytes of an earlier date with another between: no warning, cold
    or warm."""
    files = deepstate_files()
    assert len(files) >= 500
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = loc.timeline(files)
        assert [str(w.message) for w in caught if w.category is loc.LocWarning] == []
        assert len(df) == len(files)


def _repeat_warnings(run) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run()
    return [str(w.message) for w in caught if w.category is loc.LocWarning]


@pytest.mark.parametrize("form", ["rfc7946", "rings", "source"])
def test_a_copy_in_another_form_is_a_warning(deepstate_dir, cache, tmp_path, form):
    """The reviewer's misses: GDAL's RFC 7946 output (rings the other way round, its layer
    named after the new file), rings from another vertex and polygons in another order,
    and a copy carrying another source: the same geometry, recognised, in the timeline,
    a series read and a line history."""
    import pyogrio

    folder = tmp_path / "f"
    folder.mkdir()
    for day in ("20250904", "20250905", "20250906"):
        (folder / f"deepstatemap_data_{day}.geojson").write_bytes(
            deepstate_path(day).read_bytes())
    copy = folder / "deepstatemap_data_20250907.geojson"
    if form == "rfc7946":
        pyogrio.write_dataframe(pyogrio.read_dataframe(deepstate_path("20250905")), copy,
                                driver="GeoJSON", layer_options={"RFC7946": "YES"})
        assert b'"name": "deepstatemap_data_20250907"' in copy.read_bytes()
    else:
        doc = json.loads(deepstate_path("20250905").read_text())
        doc["name"] = "deepstatemap_data_20250907"
        geom = doc["features"][0]["geometry"]
        if form == "rings":
            geom["coordinates"] = [[ring[3:-1] + ring[:4] for ring in poly]
                                   for poly in geom["coordinates"][::-1]]
        else:
            doc["features"][0]["properties"] = {"source": "deepstate-mirror"}
        copy.write_text(json.dumps(doc))
    want = repeat_warning(copy, folder / "deepstatemap_data_20250905.geojson", "2025-09-05",
                          folder / "deepstatemap_data_20250906.geojson", geometry=True)
    assert _repeat_warnings(lambda: loc.timeline(folder)) == [want]
    assert _repeat_warnings(lambda: loc.line_history(folder)) == [
        want.replace(" in other bytes", "")]
    if form == "source":  # its source's first snapshot, of a date after the original's
        want = repeat_warning(copy, folder / "deepstatemap_data_20250905.geojson",
                              "2025-09-05", None, geometry=True)
    assert _repeat_warnings(lambda: loc.read_series(folder)) == [want]


def test_snapshots_among_files_are_compared_with_them(deepstate_dir, cache, tmp_path):
    """A series of files and snapshots read one by one (loc.read checks no series): the
    copy among files is compared with a snapshot's geometry, in the timeline and the line
    history."""
    folder = tmp_path / "f"
    folder.mkdir()
    files = []
    for day in ("20250904", "20250905", "20250906"):
        files.append(folder / f"deepstatemap_data_{day}.geojson")
        files[-1].write_bytes(deepstate_path(day).read_bytes())
    copy = _renamed_copy(folder, "20250905", "20250907")
    mixed = [files[0], loc.read(files[1]), files[2], copy]
    want = repeat_warning(copy, files[1], "2025-09-05", files[2], geometry=True)
    assert _repeat_warnings(lambda: loc.timeline(mixed)) == [want]
    assert _repeat_warnings(lambda: loc.line_history(mixed)) == [
        want.replace(" in other bytes", "")]
    alone = [loc.read(f) for f in [*files, copy]]  # each read alone: checked as a series
    assert _repeat_warnings(lambda: loc.timeline(alone)) == [want]
    assert _repeat_warnings(lambda: loc.timeline(alone)) == []  # said once


def test_a_check_stopped_halfway_is_made_again(tmp_path):
    """A check of a series stopped by its first warning (warnings as errors) did not count
    as made: the same snapshots checked again warn again."""
    snaps = [loc.from_geometries(shapely.box(37, 48, 37.1 + 0.1 * (k % 2), 48.1),
                                 date=f"2025-09-0{k + 1}") for k in range(3)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", loc.LocWarning)
        with pytest.raises(loc.LocWarning):
            loc.timeline(snaps, use_cache=False)
    assert len(_repeat_warnings(lambda: loc.timeline(snaps, use_cache=False))) == 1


def test_a_hostile_file_name_is_escaped_in_the_cli(deepstate_dir, cache, tmp_path):
    """A file name with an escape sequence (a terminal title, a cursor move) is shown
    escaped in the CLI's warning line, never sent to the terminal."""
    folder = tmp_path / "f"
    folder.mkdir()
    for day in ("20250904", "20250905", "20250906"):
        (folder / f"m_{day}.geojson").write_bytes(
            without_layer_name(deepstate_path(day).read_bytes()))
    (folder / "m\x1b]0;x\x07\x1b[2K_20250907.geojson").write_bytes(
        (folder / "m_20250905.geojson").read_bytes())
    r = CliRunner().invoke(cli, ["timeline", str(folder)])
    assert r.exit_code == 0
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr
    assert "m\\u001b]0;x\\u0007\\u001b[2K_20250907.geojson: its bytes are those of" in r.stderr


def test_with_nothing_cached_a_file_read_from_two_contents_is_an_error(deepstate_dir):
    """A file read twice (where this process and a worker meet) from two contents has no
    one key: the run stops, naming it, whichever reading came first."""
    mod = importlib.import_module("loc.analysis.timeline")
    files = month(deepstate_dir)[:3]
    items = [(None, f) for f in files]
    digests = {0: {"a" * 64}, 1: {"b" * 64, mod._key(files[1])}, 2: {"c" * 64}}
    keys = mod._keys_read(items, digests)
    assert keys[0] == "a" * 64 and keys[2] == "c" * 64
    with pytest.raises(loc.LocError, match=f"{files[1].name}: changed while loc read it"):
        mod._same_content(items, keys, digests)
    digests[1] = {mod._key(files[1])}
    mod._same_content(items, mod._keys_read(items, digests), digests)  # one content: fine


def test_warnings_met_in_worker_processes_are_given_here(tmp_path, cache, monkeypatch):
    """A warning met while computing a pair reaches the caller whichever process computed
    it (a worker's were once printed by the worker only, out of the caller's reach)."""
    mod = importlib.import_module("loc.analysis.timeline")
    files = []
    for day in range(1, 16):
        path = tmp_path / f"x_202501{day:02d}.geojson"
        geom = shapely.box(37.0, 47.5, 38.0 + day / 100, 48.5)
        path.write_text(json.dumps({"type": "Feature", "properties": {},
                                    "geometry": json.loads(shapely.to_geojson(geom))}))
        files.append(path)
    real_pair = mod._pair

    def pair_that_warns(reader, a, b):
        figures = real_pair(reader, a, b)
        warnings.warn(f"pair gained {figures['gained_km2']:.6f} km²", RuntimeWarning,
                      stacklevel=1)
        return figures

    monkeypatch.setattr(mod, "_pair", pair_that_warns)
    monkeypatch.setattr(mod, "IN_PROCESS", 1)
    monkeypatch.setattr(processes, "cores", lambda: 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = loc.timeline(files, use_cache=False)
    given = sorted(str(w.message) for w in caught if w.category is RuntimeWarning)
    assert given == sorted(f"pair gained {v:.6f} km²" for v in df["gained_km2"].iloc[1:])
    assert len(given) == 14

import json

import pytest
from click.testing import CliRunner

import loc
from loc.cli import cli
from tests.conftest import deepstate_path
from tests.test_snapshot import ERRORS, make_bad_file


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], prog_name="loc")
    return result


def test_version_and_help():
    r = run("--version")
    assert r.exit_code == 0 and loc.__version__ in r.output
    r = run("--help")
    assert r.exit_code == 0 and "stats" in r.output and "illustrative" in r.output


def test_stats_on_sample_table():
    r = run("stats")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith("2025-09-05  source: loc illustrative sample")
    keys = [ln.split()[0] for ln in lines[3:]]
    assert {"crimea", "donetsk", "luhansk", "zaporizhzhia", "kherson"} <= set(keys)
    assert "lviv" not in keys


def test_stats_json_shape_on_real_file():
    r = run("stats", deepstate_path("20250905"), "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["date"] == "2025-09-05"
    assert doc["source"] == "deepstate"
    assert 114_000 < doc["occupied_km2"] < 116_000
    assert "sevastopol" not in doc["regions"]
    for key in ("crimea", "donetsk", "luhansk", "zaporizhzhia", "kherson", "kharkiv"):
        reg = doc["regions"][key]
        assert reg["occupied_km2"] == pytest.approx(reg["area_km2"] * reg["share"], rel=1e-6)
        assert {"area_km2", "occupied_km2", "share", "population_ru", "population_ua"} <= set(reg)
    assert doc["regions"]["luhansk"]["share"] > 0.95


def test_stats_csv_and_output_file(tmp_path):
    out = tmp_path / "s.csv"
    r = run("stats", "--format", "csv", "-o", out)
    assert r.exit_code == 0
    head = out.read_text().splitlines()[0].split(",")
    assert head[:4] == ["region", "name", "area_km2", "occupied_km2"]


@pytest.mark.parametrize("kind", sorted(ERRORS))
def test_cli_errors_one_line_exit_2(kind, tmp_path):
    path, kwargs = make_bad_file(kind, tmp_path)
    args = ["stats", path] + (["--date", kwargs["date"]] if "date" in kwargs else [])
    r = run(*args)
    assert r.exit_code == 2
    assert isinstance(r.exception, SystemExit)
    err = r.stderr.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("loc: error: ") and str(path) in err[0]
    assert ERRORS[kind][1] in err[0]
    assert "Traceback" not in r.output
    assert r.stdout == ""


def test_cli_warning_is_one_line_on_stderr(tmp_path):
    from shapely.geometry import box

    from tests.test_snapshot import DONBAS, feature, write_fc

    f = write_fc(tmp_path / "two.geojson", [feature(DONBAS), feature(box(10, 50, 11, 51))])
    r = run("stats", f, "--format", "json")
    assert r.exit_code == 0
    assert r.stderr.startswith("loc: warning: ") and "dropped 1 polygon" in r.stderr
    json.loads(r.stdout)


def test_regions_command():
    r = run("regions")
    assert r.exit_code == 0
    assert len(r.output.splitlines()) == 28  # 27 regions and the group Donbas
    assert any(ln.startswith("donetsk") and "Donets'k" in ln for ln in r.output.splitlines())


@pytest.mark.parametrize("args, phrase", [
    (["zones", "--width", "5km"], "'5km' is not a valid float"),
    (["line", "--noise-km2", "abc"], "'abc' is not a valid float"),
    (["render", "--nope"], "No such option '--nope'"),
    (["nosuch"], "No such command 'nosuch'"),
    (["compare"], "Missing argument 'A'"),
])
def test_a_value_click_refuses_is_one_line_too(args, phrase):
    """Options click itself refuses (a unit after a number, an unknown option) printed
    click's three-line usage block; every refusal is one line and exit code 2."""
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("loc: error: ") and phrase in lines[0]
    assert "--help)" in lines[0] and r.stdout == ""


@pytest.mark.parametrize(("args", "message"), [
    (["--name", ""], "map name '' must be 1-64 letters"),
    (["--date", "2025-09-05", "--since", "2025-01-01"], "--date picks one snapshot"),
    (["--date", "2025-09-05", "--every", "2"], "--date picks one snapshot"),
])
def test_render_refuses_options_it_would_ignore(tmp_path, args, message):
    """`--name ""` fell back to the default name, and `--date` with `--since` ignored
    `--since` but recorded it in the manifest (another id for the same map)."""
    r = run("render", *args, "-o", str(tmp_path), "--no-settlements")
    assert r.exit_code == 2 and message in r.stderr and len(r.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("args", "line"), [
    (["zones", "--width", "-5"], "loc: error: --width must be more than 0 and at most 500"),
    (["line", "--noise-km2", "1000"], "loc: error: --noise-km2 must be at least 0 and at "
                                      "most 100"),
    (["diff", "SAMPLE0", "SAMPLE1", "--min-km2", "-1"], "loc: error: --min-km2 must be at "
                                                        "least 0"),
])
def test_a_value_refused_is_named_as_the_option_given(args, line):
    """Range errors named the API's parameter (`width_km must be ...`) for `--width`."""
    paths = [str(p) for p in loc.sample_paths()]
    r = run(*[paths[0] if a == "SAMPLE0" else paths[-1] if a == "SAMPLE1" else a
              for a in args])
    assert r.exit_code == 2 and r.stderr.startswith(line), r.stderr


def test_render_compares_two_dates_of_a_series(tmp_path):
    """`loc render SERIES --compare DATE DATE` was refused ("give no SERIES"), and the README
    called --compare's arguments "two dates"."""
    paths = [str(p) for p in loc.sample_paths()]
    folder = tmp_path / "series"
    folder.mkdir()
    for p in loc.sample_paths():
        (folder / p.name).write_bytes(p.read_bytes())
    by_dates = run("render", str(folder), "--compare", "2024-07-08", "2025-09-05", "-o",
                   str(tmp_path / "a"), "--name", "c", "--no-settlements")
    by_files = run("render", "--compare", paths[0], paths[-1], "-o", str(tmp_path / "b"),
                   "--name", "c", "--no-settlements")
    assert by_dates.exit_code == 0 and by_files.exit_code == 0, by_dates.output
    (a,), (b,) = ((tmp_path / x / "c").glob("[0-9a-f]*.html") for x in "ab")
    assert a.read_text().count("2025-09-05") == b.read_text().count("2025-09-05") > 0
    r = run("render", str(folder), "--compare", "2024-07-08", "2025-01-01")
    assert r.exit_code == 2 and "2025-01-01" in r.stderr


@pytest.mark.parametrize(("args", "out", "line"), [
    (["line", "SAMPLE", "--format", "json"], "y.gpkg",
     "--format json does not fit -o y.gpkg: give -o a .json file, or leave --format out"),
    (["line", "SAMPLE", "--format", "gpkg"], "y.csv",
     "--format gpkg does not fit -o y.csv: give -o a .gpkg file, or leave --format out"),
    (["stats", "SAMPLE", "--format", "json"], "x.csv",
     "--format json does not fit -o x.csv: give -o a .json file, or leave --format out"),
    (["stats", "SAMPLE", "--format", "table"], "x.json",
     "--format table does not fit -o x.json: give -o a .txt file, or leave --format out"),
])
def test_format_and_suffix_must_agree(tmp_path, args, out, line):
    """`-o y.gpkg --format json` wrote JSON into y.gpkg, `-o y.csv --format gpkg` SQLite into
    y.csv: a suffix naming another format than --format is an error."""
    sample = str(loc.sample_paths()[-1])
    r = run(*[sample if a == "SAMPLE" else a for a in args], "-o", tmp_path / out)
    assert r.exit_code == 2 and r.stderr == f"loc: error: {line}\n", r.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("args", "out", "start"), [
    (["stats", "SAMPLE", "--format", "json"], "x.txt", "{"),  # .txt names no format
    (["line", "SAMPLE", "--format", "geojson"], "x.json", '{"type": "FeatureCollection"'),
    (["stats", "SAMPLE"], "x.txt", "region"),
])
def test_a_suffix_that_fits_or_names_no_format_keeps_format(tmp_path, args, out, start):
    sample = str(loc.sample_paths()[-1])
    r = run("-q", *[sample if a == "SAMPLE" else a for a in args], "-o", tmp_path / out)
    assert r.exit_code == 0, r.output
    assert (tmp_path / out).read_text().lstrip().startswith(start)


@pytest.fixture
def sample_folder(tmp_path):
    folder = tmp_path / "series"
    folder.mkdir()
    for p in loc.sample_paths():
        (folder / p.name).write_bytes(p.read_bytes())
    return folder


@pytest.mark.parametrize(("args", "hint"), [
    (["annex", "FOLDER", "-o", "a.pdf"], "give one snapshot file of it, or STORE.gpkg@DATE"),
    (["diff", "FOLDER", "SAMPLE"], "give one snapshot file of it, or STORE.gpkg@DATE"),
    (["check", "--freeze", "FOLDER", "--snapshot", "SAMPLE"],
     "give one snapshot file of it, or STORE.gpkg@DATE"),
    (["line", "FOLDER"], "give one snapshot file of it, or --date YYYY-MM-DD to pick one"),
    (["render", "--compare", "FOLDER", "SAMPLE"],
     "give one snapshot file of it or STORE.gpkg@DATE, or give it as the SERIES and two of "
     "its dates to --compare"),
])
def test_a_folder_for_one_snapshot_names_what_the_command_takes(sample_folder, monkeypatch,
                                                                 args, hint):
    """annex, diff and check said "give one snapshot file, or a date to pick one" of a
    folder, but have no --date."""
    monkeypatch.chdir(sample_folder.parent)
    sample = str(loc.sample_paths()[-1])
    r = run(*[sample if a == "SAMPLE" else "series" if a == "FOLDER" else a for a in args])
    assert r.exit_code == 2 and r.stderr == f"loc: error: series: is a directory: {hint}\n"
    assert sorted(p.name for p in sample_folder.parent.iterdir()) == ["series"]


def test_render_compare_of_a_series_takes_dates(tmp_path):
    """`loc render A --compare A B` said "cannot parse date '/tmp/.../deepstatemap_'" (a
    truncated path, as if it were a date)."""
    a, b = (str(p) for p in loc.sample_paths()[::2])
    r = run("render", a, "--compare", a, b, "-o", tmp_path)
    assert r.exit_code == 2
    assert r.stderr == (f"loc: error: --compare {a!r} is not a date: with a SERIES, --compare "
                        "takes two of its dates (YYYY-MM-DD); without one, two snapshots "
                        "(FILE or STORE.gpkg@DATE)\n")
    assert list(tmp_path.iterdir()) == []

"""Every command that reads an input refuses a hostile one the same way: exit code 2, one
stderr line naming the file and the problem, no traceback, nothing written, a store left
byte for byte as it was (see ``tests/hostile.py`` for the corpus)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import loc
from loc.cli import cli
from tests import hostile

SAMPLE = [str(p) for p in loc.sample_paths()]
SNAPSHOT_COMMANDS = {
    "stats": ["stats", "{f}"],
    "line": ["line", "{f}", "-o", "{out}/line.geojson"],
    "freeze": ["freeze", "{f}", "-o", "{out}/freeze.gpkg"],
    "zones": ["zones", "{f}", "--width", "5", "-o", "{out}/zones.geojson"],
    "diff_a": ["diff", "{f}", SAMPLE[-1]],
    "diff_b": ["diff", SAMPLE[-1], "{f}", "--format", "geojson", "-o", "{out}/d.geojson"],
    "diff_lines": ["diff", SAMPLE[-1], "{f}", "--lines"],
    "render": ["render", "{f}", "-o", "{out}"],
    "render_compare": ["render", "--compare", SAMPLE[-1], "{f}", "-o", "{out}"],
    "check_freeze": ["check", "--freeze", "{f}", "--snapshot", SAMPLE[-1], "-o", "{out}"],
    "check_later": ["check", "--freeze", SAMPLE[0], "--snapshot", "{f}", "-o", "{out}"],
    "import": ["import", "{f}", "--store", "{store}"],
    "timeline": ["timeline", SAMPLE[1], "{f}", "-o", "{out}/t.csv", "--no-cache"],
    "movement": ["movement", SAMPLE[0], SAMPLE[1], "{f}", "-o", "{out}/m.csv"],
    "compare": ["compare", "{f}", SAMPLE[-1]],
}
OTHER_COMMANDS = {
    "incidents": (hostile.INCIDENTS, ["check", "--freeze", SAMPLE[0], "--snapshot", SAMPLE[1],
                                      "--incidents", "{f}", "-o", "{out}"]),
    "sites": (hostile.SITES, ["zones", "--sites", "{f}", "-o", "{out}/z.geojson"]),
    "exchange": (hostile.EXCHANGES, ["freeze", "--exchange", "{f}=ru", "-o",
                                     "{out}/f.gpkg"]),
    "belts": (hostile.BELTS, ["zones", "--belts", "{f}", "-o", "{out}/z.geojson"]),
    "check_belts": (hostile.BELTS, ["check", "--freeze", SAMPLE[0], "--snapshot", SAMPLE[1],
                                    "--belts", "{f}", "-o", "{out}"]),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    files = {kind: build(folder) for kind, (build, _) in hostile.SNAPSHOTS.items()}
    for table in (hostile.INCIDENTS, hostile.SITES, hostile.EXCHANGES, hostile.BELTS):
        files.update({kind: build(folder) for kind, build in table.items()})
    store = tmp_path_factory.mktemp("store") / "store.gpkg"
    loc.import_snapshots(SAMPLE[:2], store)
    return files, store


@pytest.fixture(autouse=True)
def small_limits(monkeypatch, tmp_path):
    """Bombs of 20 MB against a limit of 8 MB: the same code path as the default 128 MB."""
    monkeypatch.setenv("LOC_MAX_BYTES", str(8 << 20))
    monkeypatch.setenv("LOC_CACHE_DIR", str(tmp_path / "cache"))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refused(args: list[str], path: Path, tmp_path: Path, store: Path, phrase: str = ""):
    out = tmp_path / "out"
    out.mkdir()
    work = tmp_path / "store.gpkg"
    work.write_bytes(store.read_bytes())
    before = _digest(work)
    argv = [a.format(f=path, out=out, store=work) for a in args]
    r = CliRunner().invoke(cli, argv, catch_exceptions=True)
    where = f"{' '.join(argv)}\nstdout: {r.stdout!r}\nstderr: {r.stderr!r}"
    assert r.exit_code == 2, where
    assert not isinstance(r.exception, Exception) or isinstance(r.exception, SystemExit), where
    lines = r.stderr.strip().splitlines()
    errors = [ln for ln in lines if not ln.startswith("loc: warning: ")]
    assert len(errors) == 1 and errors[0].startswith("loc: error: "), where
    assert str(path) in errors[0], where
    assert phrase.lower() in errors[0].lower(), where
    assert "Traceback" not in r.output, where
    assert r.stdout == "", where
    assert [p.name for p in out.rglob("*")] == [], where  # nothing written, not even temps
    assert _digest(work) == before, where
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".loc-")], where


@pytest.mark.parametrize("command", sorted(SNAPSHOT_COMMANDS))
@pytest.mark.parametrize("kind", sorted(hostile.SNAPSHOTS))
def test_hostile_snapshot_is_refused(corpus, kind, command, tmp_path):
    files, store = corpus
    _refused(SNAPSHOT_COMMANDS[command], files[kind], tmp_path, store,
             hostile.SNAPSHOTS[kind][1])


@pytest.mark.parametrize(("command", "kind"), [
    (command, kind) for command, (table, _) in sorted(OTHER_COMMANDS.items())
    for kind in sorted(table)])
def test_hostile_side_input_is_refused(corpus, command, kind, tmp_path):
    files, store = corpus
    _refused(OTHER_COMMANDS[command][1], files[kind], tmp_path, store)


def test_corpus_size():
    """At least 60 hostile inputs, of every class."""
    total = (len(hostile.SNAPSHOTS) + len(hostile.INCIDENTS) + len(hostile.SITES)
             + len(hostile.EXCHANGES) + len(hostile.BELTS))
    assert total >= 60


def test_a_bare_store_is_refused_where_one_snapshot_is_needed(corpus, tmp_path):
    _, store = corpus
    for args in (["stats", str(store)], ["line", str(store)], ["diff", str(store), SAMPLE[0]]):
        r = CliRunner().invoke(cli, args)
        assert r.exit_code == 2
        assert "is a store holding 2 dates (2024-07-08..2025-01-08)" in r.stderr
        assert "@YYYY-MM-DD" in r.stderr
    with pytest.raises(loc.LocError, match="holds 2 dates|holding 2 dates"):
        loc.read(store)
    # where a series is read, the store is all its dates
    r = CliRunner().invoke(cli, ["timeline", str(store), "--format", "json", "--no-cache"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["dates"] == 2


def test_a_date_that_is_not_there_names_the_nearest(tmp_path):
    r = CliRunner().invoke(cli, ["stats", "--date", "2020-01-01"])
    assert r.exit_code == 2 and "no snapshot on 2020-01-01" in r.stderr
    assert "nearest: 2024-07-08" in r.stderr
    r = CliRunner().invoke(cli, ["stats", "--date", "2025-02-01"])
    assert "nearest: 2025-01-08 and 2025-09-05" in r.stderr
    r = CliRunner().invoke(cli, ["stats", "--date", "2025-02-30"])
    assert r.exit_code == 2 and "cannot parse date '2025-02-30'" in r.stderr
    r = CliRunner().invoke(cli, ["stats", "--date", "9999-01-01"])
    assert r.exit_code == 2 and "outside 1991..2100" in r.stderr


@pytest.mark.parametrize("kind", ["nan_x", "zip_bomb", "deep_nesting", "bowtie"])
def test_real_process_exit_code(corpus, kind, tmp_path):
    files, _ = corpus
    r = subprocess.run([sys.executable, "-m", "loc", "stats", str(files[kind])],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path,
                       env={**__import__("os").environ, "LOC_MAX_BYTES": str(8 << 20)})
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("loc: error: ")


def test_the_default_byte_limit_refuses_a_real_bomb(tmp_path, monkeypatch):
    monkeypatch.delenv("LOC_MAX_BYTES")
    bomb = hostile._zip(tmp_path, "big_bomb", "kmz", {"doc.kml": b" " * (200 << 20)})
    assert bomb.stat().st_size < 1 << 20  # a small file
    with pytest.raises(loc.LocError, match="inflates to more than 134,217,728 bytes"):
        loc.read(bomb)


def test_limits_can_be_raised(tmp_path, monkeypatch):
    big = hostile._geojson(tmp_path, "big", hostile._fc([hostile.mapping(hostile.DONBAS)]))
    monkeypatch.setenv("LOC_MAX_BYTES", "100")
    with pytest.raises(loc.LocError, match="over the 100-byte limit .*LOC_MAX_BYTES"):
        loc.read(big)
    monkeypatch.setenv("LOC_MAX_BYTES", "1000000")
    monkeypatch.setenv("LOC_MAX_VERTICES", "4")
    with pytest.raises(loc.LocError, match="5 vertices, over the limit of 4"):
        loc.read(big)
    monkeypatch.setenv("LOC_MAX_VERTICES", "5")
    assert loc.read(big).occupied_km2() > 0
    monkeypatch.setenv("LOC_MAX_VERTICES", "lots")
    with pytest.raises(loc.LocError, match="LOC_MAX_VERTICES='lots' is not a whole number"):
        loc.read(big)


# -- outputs that are not regular files ---------------------------------------------------

def _line_csv(*extra):
    return CliRunner().invoke(cli, ["-q", "line", "--format", "csv", *extra])


def test_an_output_that_is_a_pipe_a_device_or_a_link_is_written_into(tmp_path):
    """-o onto a named pipe, a device or a symbolic link writes through it, as a shell
    redirection does: loc replaced such a path by a plain file (as root, /dev/full itself),
    and a reader of the pipe got nothing."""
    import os
    import stat
    import threading

    want = _line_csv().stdout_bytes
    assert len(want) > 1000
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    r = _line_csv("-o", str(fifo))
    reader.join(30)
    assert r.exit_code == 0 and got == [want]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    real, link = tmp_path / "real.csv", tmp_path / "link.csv"
    real.write_text("old")
    link.symlink_to(real)
    assert _line_csv("-o", str(link)).exit_code == 0
    assert link.is_symlink() and real.read_bytes() == want
    r = _line_csv("-o", "-")
    assert r.stdout_bytes == want and not Path("-").exists()
    full = tmp_path / "full"
    try:
        os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # /dev/full, here
    except PermissionError:
        pytest.skip("making a device node needs root")
    r = _line_csv("-o", str(full))
    assert r.exit_code == 2 and "no space left" in r.stderr
    assert stat.S_ISCHR(os.lstat(full).st_mode)
    r = CliRunner().invoke(cli, ["zones", "--width", "5", "--format", "gpkg", "-o", str(full)])
    assert r.exit_code == 2 and "needs a regular file" in r.stderr


def test_a_failed_write_leaves_no_folder_it_made(tmp_path, monkeypatch):
    """A write that failed (a full disk) left the folders made for it: `-o a/b/c/t.csv`
    said nothing was written and left a/b/c."""
    import errno
    import os

    from loc.errors import OutputError
    from loc.io import writers

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writers.os, "replace", full)
    with pytest.raises(OutputError, match="no space left"):
        writers.write_atomic(tmp_path / "a" / "b" / "c" / "t.csv", "x")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "kept").mkdir()
    with pytest.raises(OutputError):
        writers.write_atomic(tmp_path / "kept" / "new" / "t.csv", "x")
    assert [p.name for p in tmp_path.iterdir()] == ["kept"]  # only what it made goes
    monkeypatch.undo()
    assert writers.write_atomic(tmp_path / "a" / "b" / "t.csv", "x").read_text() == "x"
    assert os.path.isdir(tmp_path / "a" / "b")


# -- writes that cannot or must not happen ------------------------------------------------

def test_a_feature_output_never_replaces_a_store(corpus, tmp_path):
    """`loc line X -o history.gpkg` replaced the store by the line layer (exit 0, and `loc
    list` then failed): every command writing a GeoPackage refuses a store, through a link
    too, and the store stays byte for byte; an import still adds to it."""
    _, store = corpus
    work = tmp_path / "history.gpkg"
    work.write_bytes(store.read_bytes())
    (tmp_path / "link.gpkg").symlink_to(work)
    before = _digest(work)
    for args in (["line", SAMPLE[-1], "-o", work], ["freeze", SAMPLE[-1], "-o", work],
                 ["zones", SAMPLE[-1], "--width", "5", "-o", tmp_path / "link.gpkg"],
                 ["diff", SAMPLE[0], SAMPLE[-1], "--format", "gpkg", "-o", work]):
        r = CliRunner().invoke(cli, ["-q", *map(str, args)])
        assert r.exit_code == 2, r.output
        assert r.stderr.strip().splitlines() == [
            f"loc: error: {args[-1]}: is a loc store: refusing to replace it (write the result "
            "elsewhere; loc import adds snapshots to a store)"]
        assert _digest(work) == before
    r = CliRunner().invoke(cli, ["-q", "import", SAMPLE[-1], "--store", str(work)])
    assert r.exit_code == 0, r.output
    assert len(loc.list_snapshots(work)) == 3


def _limited(args: list[str], kib: int, cwd: Path) -> subprocess.CompletedProcess:
    """``loc ARGS`` in a process whose files may grow to ``kib`` KiB (``ulimit -f``)."""
    import os

    script = ("import resource, sys; hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1];"
              f"resource.setrlimit(resource.RLIMIT_FSIZE, ({kib << 10}, hard));"
              f"from loc.cli import main; sys.argv = ['loc', *{args!r}]; main()")
    root = str(Path(loc.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": root, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=env)


def test_a_write_over_the_file_size_limit_says_so_and_leaves_no_folder(tmp_path):
    """Under `ulimit -f`, a render failed but left the folders locked() had made for it
    (mm/ and mm/NAME/, empty), and a GeoPackage's error was GDAL's SQL ("sqlite3_exec(INSERT
    INTO gpkg_contents ..."): the reason is now the limit, and nothing is left."""
    r = _limited(["-q", "render", SAMPLE[-1], "--no-settlements", "-o", "mm/maps"], 50,
                 tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "cannot write: the file size limit was reached (ulimit -f: 50 KiB); nothing was " \
           "written" in r.stderr
    assert list(tmp_path.iterdir()) == []
    r = _limited(["-q", "line", SAMPLE[-1], "-o", "out/l.gpkg"], 20, tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr == ("loc: error: out/l.gpkg: cannot write: the file size limit was "
                        "reached (ulimit -f: 20 KiB) or the disk is full; nothing was "
                        "written\n")
    assert list(tmp_path.iterdir()) == []


def test_a_gdal_error_is_said_without_its_sql(tmp_path, monkeypatch):
    """GDAL's errors carried the SQL statement (and fiona's the whole record) it failed
    on; the reason is said without them."""
    import geopandas as gpd
    import shapely

    from loc.errors import OutputError
    from loc.io import writers

    def failed(*_a, **_k):
        raise RuntimeError("GDAL Error: sqlite3_exec(INSERT INTO t (a) VALUES ('x')) failed: "
                           "disk I/O error. Failed to write record: fiona.Feature(id='0')")

    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(30, 50)], crs="OGC:CRS84")
    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", failed)
    with pytest.raises(OutputError) as info:
        writers.write_gpkg(tmp_path / "x.gpkg", {"x": frame})
    assert str(info.value).endswith("x.gpkg: cannot write: GDAL Error: disk I/O error. Failed "
                                    "to write record; nothing was written")


@pytest.mark.parametrize("args", [["annex", SAMPLE[-1], "-o", "afile/x.svg"],
                                  ["line", SAMPLE[-1], "-o", "afile/x.geojson"],
                                  ["check", "--freeze", SAMPLE[0], "--snapshot", SAMPLE[-1],
                                   "-o", "afile"],
                                  ["render", SAMPLE[-1], "--no-settlements", "-o", "afile/m"]])
def test_a_file_where_a_folder_belongs_is_named(tmp_path, monkeypatch, args):
    """`-o afile/x.svg` (or `check -o afile`) with `afile` a plain file said "cannot write:
    File exists"; the file in the way is named."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("mine")
    r = CliRunner().invoke(cli, ["-q", *args])
    assert r.exit_code == 2, r.output
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("loc: error: afile")
    assert r.stderr.endswith(": cannot write: afile is a file, not a folder; nothing was "
                             "written\n"), r.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["afile"]
    assert (tmp_path / "afile").read_text() == "mine"

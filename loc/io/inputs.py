"""What a user names as input: one snapshot (a file, ``STORE.gpkg@DATE``), or a series (a
folder, a store, a list of files or snapshots), selected by date.

One meaning of a date everywhere: ``date=`` selects the snapshot of exactly that date (a
date that is not there is an error naming the nearest ones); ``since``/``until`` select a
range of a series. A bare store where one snapshot is needed is refused (it holds many).
"""

from __future__ import annotations

import datetime as dt
import os
import time
import warnings
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from loc import processes
from loc.dates import date_from_name, find_date, parse_date
from loc.errors import DateError, InputError, LocWarning, OptionError
from loc.geo import UKRAINE_BBOX
from loc.io.readers import VECTOR_SUFFIXES, read_file
from loc.io.rings import PlainReader
from loc.io.store import (
    is_store,
    read_store,
    read_store_series,
    split_reference,
    store_dates,
    warn_repeated_snapshots,
)
from loc.model import Snapshot

Item = Path | Snapshot
"""A member of a series: a file (read when needed) or a snapshot."""


def _check_type(path) -> None:
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a file path (str or Path), not {type(path).__name__}")


def read(path: str | Path, date=None, source: str | None = None, names=None,
         engine: str | None = None) -> Snapshot:
    """Read one snapshot: a control-area file or ``STORE.gpkg@YYYY-MM-DD``.

    Reads any vector format GDAL reads (GeoJSON, GeoPackage, Shapefile also zipped, KML/KMZ,
    FlatGeobuf) and the JSON of DeepStateMap's API (``{"id", "datetime", "map"}``). Sides
    come from a ``side`` column (``ru``/``ua``/``contested``), from DeepStateMap layer names
    (``"uk///en///key"``), from ISW layer names (see :mod:`loc.sources.isw`), or, when the
    file has none of these, every polygon is taken as Russian-controlled (the DeepState
    archive's form). Z is dropped and geometry reprojected to lon/lat (OGC:CRS84); invalid
    polygons are repaired only where that changes the area by under 10 % (with a warning);
    polygons wholly outside Ukraine are dropped with a warning. Non-finite coordinates are
    refused.

    Parameters
    ----------
    path : str or Path
        A file, ``STORE.gpkg@YYYY-MM-DD``, or a folder or store together with ``date``.
    date : str or datetime.date, optional
        Selects the snapshot of that date (from a folder or store). A file must be of that
        date, or undated (it is then taken as of that date).
    source : str, optional
        A source name; else a ``source`` property, ``deepstate`` for DeepState files,
        ``isw`` for ISW layers, ``file`` otherwise.
    names : sequence of (pattern, side), optional
        How layer or placemark names map to sides (case-insensitive regular expressions,
        first match wins; side None drops the layer); default
        :data:`loc.sources.isw.DEFAULT_MAPPING`.
    engine : {"pyogrio", "fiona"}, optional
        GDAL binding (default :func:`loc.config.engine`).

    Returns
    -------
    Snapshot
        The snapshot, with ``path`` and ``sha256`` of what was read.

    Raises
    ------
    LocError
        One line naming the file and the problem.

    Examples
    --------
    >>> import loc
    >>> snap = loc.read(loc.sample_paths()[-1])
    >>> snap.date
    datetime.date(2025, 9, 5)
    """
    _check_type(path)
    text = str(path)
    ref = split_reference(text)
    if ref is not None and not Path(text).exists():
        store, day = ref
        if date is not None and parse_date(date) != parse_date(day, text):
            raise DateError(f"names {day} but the date asked for is {parse_date(date)}", text)
        return read_store(store, day, source=source, engine=engine)
    p = Path(text)
    if is_store(p):
        if date is not None:
            return read_store(p, date, source=source, engine=engine)
        dates = store_dates(p, engine=engine)
        span = f"{dates[0]}..{dates[-1]}" if dates else "no dates"
        raise InputError(f"is a store holding {len(dates)} dates ({span}): read one with "
                         f"{p.name}@YYYY-MM-DD", p)
    if p.is_dir():
        if date is None:
            raise InputError("is a directory: give one snapshot file, or a date to pick one",
                             p)
        when = parse_date(date)
        items = series(p)
        return as_snapshot(items[find_date([d for d, _ in items], when, text)][1],
                           engine=engine)
    return read_file(p, date=date, source=source, names=names, engine=engine)


def tidy_path(path: str | Path) -> str:
    """An input's path in one form however it was typed, as loc reads, names and records it,
    so that the same files give the same report id (``./x``, ``x/``, ``.//x`` and ``$PWD/x`` are all
    ``x``). A path given relative to the working folder, or absolute inside it, is recorded
    relative to it with ``/`` (the folder as the system names it, or as ``$PWD`` does through
    a link); an absolute path outside it stays absolute. ``..`` is kept
    as given (through a link it is not the parent the text names), links are not followed
    (the layout is the party's own), ``STORE.gpkg@DATE`` keeps its date and bundled data its
    ``loc:`` prefix (untouched). Parties who run from folders laid out alike get the same bytes.

    Parameters
    ----------
    path : str or Path
        The path as given.

    Returns
    -------
    str
        The tidy form.

    Examples
    --------
    >>> import os
    >>> tidy_path("./data//x.geojson/")
    'data/x.geojson'
    >>> tidy_path(os.path.join(os.getcwd(), "x.geojson"))
    'x.geojson'
    >>> tidy_path("history.gpkg@2025-09-05")
    'history.gpkg@2025-09-05'
    """
    text = str(path)
    ref = split_reference(text)
    if ref is not None:
        return f"{tidy_path(ref[0])}@{ref[1]}"
    given = Path(text)  # without "." parts, doubled separators and a trailing one
    if given.is_absolute() and os.pardir not in given.parts:
        for here in _working_folders():
            if given.is_relative_to(here):
                return given.relative_to(here).as_posix()  # the working folder itself: "."
    return given.as_posix()


def _working_folders() -> list[Path]:
    """The working folder as the system gives it, and as the shell names it (``$PWD``,
    through a link) when that is the same folder."""
    here = [Path(os.getcwd())]
    pwd = os.environ.get("PWD")
    if pwd and os.path.isabs(pwd) and Path(pwd) != here[0]:
        try:
            if os.path.samefile(pwd, here[0]):
                here.append(Path(pwd))
        except OSError:
            pass
    return here


def as_snapshot(item: Item, engine: str | None = None, plain: PlainReader | None = None
                ) -> Snapshot:
    """A series member as a snapshot (a file is read).

    Parameters
    ----------
    item : Path or Snapshot
        A member of :func:`series`.
    engine : {"pyogrio", "fiona"}, optional
        GDAL binding.
    plain : PlainReader, optional
        The reader of plain GeoJSON files of the series (see
        :func:`loc.io.readers.read_file`).

    Returns
    -------
    Snapshot
        The snapshot.
    """
    if isinstance(item, Snapshot):
        return item
    if plain is not None and isinstance(item, Path):
        return read_file(item, engine=engine, plain=plain)
    return read(item, engine=engine)


def read_items(items: Iterable[Item], engine: str | None = None) -> list[Snapshot]:
    """Series members as snapshots, in order: files are read one after the other, a plain
    GeoJSON file reusing what the one before held (a daily series reads at the cost of what
    changed).

    Parameters
    ----------
    items : iterable of Path or Snapshot
        Members of :func:`series`.
    engine : {"pyogrio", "fiona"}, optional
        GDAL binding.

    Returns
    -------
    list of Snapshot
        The snapshots.
    """
    items = list(items)
    cores = processes.cores()
    shared = cores > 1 and len(items) >= SHARED_READ and all(
        isinstance(x, Path) for x in items)
    workers = _start_reading(items, cores, engine) if shared else None
    snaps = (_read_part(items, engine) if workers is None
             else _read_shared(items, engine, *workers))
    warn_repeated_snapshots(snaps)
    return snaps


SHARED_READ = 64
"""A series of this many files or more is read by this process and worker processes
(one per core but one), each a consecutive part of it; a shorter one here (starting a
worker costs more than it saves)."""


def _parts(count: int, share: int) -> list[range]:
    """``count`` positions cut into ``share`` consecutive parts of nearly equal size."""
    edges = [round(i * count / share) for i in range(share + 1)]
    return [range(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def _read_part(items: list, engine: str | None, beat=None) -> list[Snapshot]:
    """Members read one after the other, a plain file reusing the rings of the one
    before; ``beat`` (a shared counter) is raised after each."""
    plain = PlainReader(UKRAINE_BBOX)
    out = []
    for item in items:
        out.append(as_snapshot(item, engine, plain))
        if beat is not None:
            with beat.get_lock():
                beat.value += 1
    return out


def _start_reading(items: list, cores: int, engine: str | None):
    """Workers (forked) reading the later parts of a series, each with a progress count;
    None where processes cannot be started (the series is then read here)."""
    parts = _parts(len(items), cores)
    try:
        with processes.starting() as ctx:
            beats = [ctx.Value("i", 0) for _ in parts[1:]]
            procs = processes.workers(ctx, _read_worker,
                                      [(items[p.start:p.stop], engine, beat)
                                       for p, beat in zip(parts[1:], beats, strict=True)])
    except (OSError, ImportError, NotImplementedError):
        return None
    return parts, procs, beats


def _read_worker(items: list, engine: str | None, beat, conn) -> None:
    """A worker: read its part (raising ``beat`` after each member), and send back the
    snapshots (or the error that stopped it) with the warnings given meanwhile, for the
    parent to give in order."""
    with processes.recording() as caught:
        try:
            snaps, got = _read_part(items, engine, beat), None
        except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
            snaps, got = [], exc
    try:
        for at in range(0, len(snaps), SENT_AT_ONCE):  # a few at a time: the parent's
            conn.send(("part", snaps[at:at + SENT_AT_ONCE]))  # memory holds one message
        conn.send(("error" if got is not None else "ok", got, processes.caught(caught)))
    finally:
        conn.close()


SENT_AT_ONCE = 8
"""Snapshots a reading worker sends in one message."""


def _count(beat) -> int:
    """A shared counter's value."""
    return int(beat.value)


def _read_shared(items: list, engine: str | None, parts: list[range], procs: list,
                 beats: list) -> list[Snapshot]:
    """A series read here (its first part) and by the workers (the others), in order: the
    workers' warnings are given after this part's, as if read here, and the first error
    met in the series' order is raised (a worker that died, or made no progress for long,
    has its part read here)."""
    try:
        start = time.monotonic()
        snaps = _read_part(items[parts[0].start:parts[0].stop], engine)
        own = time.monotonic() - start
        for part, (proc, conn), beat in zip(parts[1:], procs, beats, strict=True):
            theirs: list[Snapshot] = []
            while (got := processes.receive(proc, conn, own, beat=partial(_count, beat))
                   ) is not None and got[0] == "part":
                theirs += got[1]
            if got is None:  # the worker died or hangs: its part is read here
                snaps += _read_part(items[part.start:part.stop], engine)
                continue
            status, error, caught = got
            processes.replay(caught)
            if status == "error":
                raise error
            snaps += theirs
    finally:
        for proc, conn in procs:
            processes.stop(proc, conn)
    return snaps


def folder_files(folder: Path) -> list[Path]:
    """The geodata files directly inside a folder (by suffix, see
    :data:`loc.io.readers.VECTOR_SUFFIXES`), sorted by name. An entry named so that is not
    a readable file (a broken link, a folder) is not read, with a warning naming it.

    Parameters
    ----------
    folder : pathlib.Path
        The folder.

    Returns
    -------
    list of pathlib.Path
        The files.
    """
    found: list[Path] = []
    odd: list[str] = []  # a broken link or a folder named like a snapshot
    for f in sorted(folder.iterdir()):
        if not f.name.startswith(".") and f.suffix.lower() in VECTOR_SUFFIXES:
            if f.is_file():
                found.append(f)
            else:
                odd.append(f.name)
    if odd:
        warnings.warn(f"{folder}: {len(odd)} entr{'y' if len(odd) == 1 else 'ies'} named "
                      f"like geodata but not a readable file (a broken link, a folder) not "
                      f"read: {', '.join(odd[:5])}{' ...' if len(odd) > 5 else ''}",
                      LocWarning, stacklevel=2)
    if not found:
        raise InputError("folder holds no geodata files (" + ", ".join(VECTOR_SUFFIXES) + ")",
                         folder)
    return found


def series(sources, *, since=None, until=None, every: int = 1,
           engine: str | None = None) -> list[tuple[dt.date, Item]]:
    """The dated members of a series, oldest first.

    Parameters
    ----------
    sources : str, Path, Snapshot, or an iterable of them
        Files, folders (every geodata file directly inside), stores (every date), and
        ``STORE.gpkg@DATE`` references or snapshots. Files are dated by the date in their
        name (read only when the name has none).
    since, until : str or datetime.date, optional
        First and last date kept.
    every : int
        Keep every n-th member (the last is always kept).
    engine : {"pyogrio", "fiona"}, optional
        GDAL binding.

    Returns
    -------
    list of (datetime.date, Path or Snapshot)
        The members.

    Raises
    ------
    DateError
        For a member without a date, two members of one date (both are named), or no member
        in the range.
    """
    if isinstance(sources, (str, Path, Snapshot)):
        sources = [sources]
    if not isinstance(sources, Iterable) or hasattr(sources, "columns"):  # a frame iterates
        # over its column names, which read as "no snapshot"
        raise TypeError(f"a series is files, folders, stores or snapshots, not "
                        f"{type(sources).__name__}")
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise OptionError(f"every must be a whole number of 1 or more, not {every!r}")
    lo = parse_date(since) if since is not None else None
    hi = parse_date(until) if until is not None else None
    if lo and hi and lo > hi:
        raise DateError(f"since {lo} is after until {hi}")

    def keep(day: dt.date) -> bool:
        return (lo is None or day >= lo) and (hi is None or day <= hi)

    out: list[tuple[dt.date, Item, str]] = []
    for src in sources:
        if isinstance(src, Snapshot):
            if src.date is None:
                raise DateError("a snapshot without a date cannot be placed in a series",
                                src.path)
            if keep(src.date):
                out.append((src.date, src, str(src.path or "a snapshot")))
            continue
        _check_type(src)
        text = str(src)
        p = Path(text)
        if split_reference(text) is not None and not p.exists():
            snap = read(text, engine=engine)
            if snap.date is not None and keep(snap.date):
                out.append((snap.date, snap, text))
            continue
        if not p.exists():
            raise InputError("no such file, folder or store", p)
        if is_store(p):
            for snap in read_store_series(p, lo, hi, engine=engine):
                assert snap.date is not None
                out.append((snap.date, snap, str(snap.path)))
            continue
        for f in folder_files(p) if p.is_dir() else [p]:
            day = date_from_name(f.name)
            if day is None:
                day = read_file(f, engine=engine).date
            if day is None:
                raise DateError("no date in the file name or properties: name files "
                                "*_YYYYMMDD.* for a series", f)
            if keep(day):
                out.append((day, f, str(f)))
    out.sort(key=lambda t: t[0])
    for (d1, _, w1), (d2, _, w2) in zip(out, out[1:], strict=False):
        if d1 == d2:
            raise DateError(f"{w1} and {w2} are both of {d1.isoformat()}: give one snapshot "
                            "per date")
    if not out:
        span = (f" between {lo} and {hi}" if lo and hi else f" from {lo} on" if lo
                else f" up to {hi}" if hi else "")
        raise DateError(f"no snapshot{span}")
    picked = out[::every]
    if picked[-1] is not out[-1]:
        picked.append(out[-1])
    return [(d, item) for d, item, _ in picked]


def read_series(sources, *, since=None, until=None, every: int = 1,
                engine: str | None = None) -> list[Snapshot]:
    """The snapshots of a series, oldest first (see :func:`series`).

    Parameters
    ----------
    sources : str, Path, Snapshot, or an iterable of them
        Files, folders, stores, references or snapshots.
    since, until : str or datetime.date, optional
        First and last date kept.
    every : int
        Keep every n-th snapshot (the last is always kept).
    engine : {"pyogrio", "fiona"}, optional
        GDAL binding.

    Returns
    -------
    list of Snapshot
        One per date.

    Examples
    --------
    >>> import loc
    >>> [s.label for s in loc.read_series(loc.sample_paths(), since="2025-01-01")]
    ['2025-01-08', '2025-09-05']
    """
    return read_items((item for _, item in series(sources, since=since, until=until,
                                                  every=every, engine=engine)), engine)


def pick(items: list[tuple[dt.date, Item]], date) -> tuple[dt.date, Item]:
    """The member of a series of exactly ``date``.

    Parameters
    ----------
    items : list of (datetime.date, Path or Snapshot)
        From :func:`series`.
    date : str or datetime.date
        The date.

    Returns
    -------
    (datetime.date, Path or Snapshot)
        The member.

    Raises
    ------
    DateError
        When no member is of that date (the nearest are named).
    """
    when = parse_date(date)
    return items[find_date([d for d, _ in items], when)]

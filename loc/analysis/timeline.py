"""Control over time: occupied km² per date and region, and daily gains and losses.

Consecutive files are read with a :class:`loc.rings.RingReader`, which parses and projects
(to the EQUAL_AREA CRS) only the coordinate text a file does not share with the previous
one. Two dates are compared only where their boundaries differ: polygons both hold are
skipped, and in the others only the segments outside the text chunks both hold are matched;
windows around the changed segments are clipped and differenced (see :mod:`loc.diff`).
Worker processes (one per core but one) are started first and claim pairs from the last
date back, while this process measures the first date from the file it reads first and
claims pairs from there on, until the two meet; a short series is computed here alone.
A window inside one region counts whole
for that region; one across region boundaries is cut by region; outside every region (sea,
abroad) it counts as ``outside``, as in :func:`loc.stats` and :func:`loc.diff` (one rule,
:func:`loc.reference.regions.km2_by_region`). The occupied area and the per-region areas
are measured in full on the first date and carried forward with the changes. Results are
cached by content (a file's SHA-256, a snapshot's geometry hash) in a JSON file under the
user cache folder, so a second run only hashes the files. With the figures the cache keeps,
for each file content, what reading it found beyond them (:func:`_record`): the names and
size limits it was read under, and its warnings; a file met under another name or tighter
limits is read again, so a warm run refuses and warns exactly as a cold one. Every
reading of a file hashes the bytes it parsed (a plain file's bytes are read once, hashed and
parsed; the general reader records its snapshot's SHA-256), and those hashes are the keys
the figures are cached under (with nothing cached, the files are not hashed apart; with a
cache, the keys hashed first must be the hashes of what was read): a file changed while
loc read it (replaced, then put back) is an error, never figures of one content cached
under the hash of another.
"""

from __future__ import annotations

import json
import math
import time
import warnings
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import shapely

from loc import checks, config, geo, processes
from loc.analysis.diff import clip_windows, segment_windows, windowed_difference
from loc.errors import LocError, LocWarning
from loc.geo import polygon_parts
from loc.io.hashing import bytes_sha256, input_sha256
from loc.io.inputs import Item, series
from loc.io.readers import file_date, read_file
from loc.io.rings import (
    Polygon,
    RingReader,
    changed_segments,
    plain_bytes,
    read_plain,
    shape_digest,
)
from loc.io.store import shape_of, warn_repeated_series
from loc.io.writers import write_atomic
from loc.model import Snapshot
from loc.reference.regions import (
    MISSION_REGIONS,
    OUTSIDE,
    km2_by_region,
    region_groups_m,
)

CACHE_VERSION = 10  # 8: a record of a file read under a name must mean its dates agreed,
# layer name included (a cache of 7 may hold a file copied under another date's name);
# 9, 10: a record holds the digest of the file's geometry (see warn_repeated)
BREAK_KM2 = 1_000.0
"""A change larger than this (km²) per day between two dates, for up to
:data:`BREAK_DAYS` days (``BREAK_KM2 × min(days_since_prev, BREAK_DAYS)``), is a break in
the series (a source that starts or stops mapping a whole area, e.g. Crimea before
September 2022: some 27,000 km²), not a gain or loss. So 1,000 km² from one day to the next,
7,000 km² across a week's gap or any longer one: 198 days of ordinary change (2,528 km²) is
no break, and a whole region appearing between monthly snapshots still is."""
BREAK_DAYS = 7
"""Days of gap beyond which the allowance of :data:`BREAK_KM2` stops growing (a week)."""
LIMITS = ("vertices", "bytes", "depth")
"""The size limits of :mod:`loc.config` a file is read under (see :func:`_record`)."""
NAMES_KEPT = 16
"""Names a file's content is remembered under (the latest; another is read again)."""
_HERE = "\0"
"""What stands for the file's path at the start of a warning kept in the cache."""


def _load_cache(path: Path) -> dict:
    """The cache, or an empty one: when there is none, it is of another version, or (with
    a warning) it cannot be read or is not of the form loc writes."""
    empty = {"version": CACHE_VERSION, "files": {}, "pairs": {}, "checked": {}}
    if path.exists() and not path.is_file():  # a folder or a pipe: never read, never written
        warnings.warn(f"{path}: timeline cache is not a file; computing afresh", LocWarning,
                      stacklevel=3)
        return {**empty, "unwritable": True}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return empty
    except (OSError, ValueError) as exc:
        warnings.warn(f"{path}: timeline cache not read ({exc}); computing afresh",
                      LocWarning, stacklevel=3)
        return empty
    if not isinstance(doc, dict) or doc.get("version") != CACHE_VERSION:
        return empty
    if not _cache_form(doc):
        warnings.warn(f"{path}: timeline cache is not of the form loc writes; computing "
                      "afresh", LocWarning, stacklevel=3)
        return empty
    if doc.get("digest") != _digest(doc):
        warnings.warn(f"{path}: timeline cache was changed since loc wrote it (its digest "
                      "does not match); computing afresh", LocWarning, stacklevel=3)
        return empty
    return doc


def _digest(cache: dict) -> str:
    """The SHA-256 of a cache's figures, written with them: a cache edited or damaged
    since (a figure changed, still a number) is not used."""
    return bytes_sha256(json.dumps({"files": cache["files"], "pairs": cache["pairs"],
                                    "checked": cache["checked"]},
                                   sort_keys=True, separators=(",", ":")).encode())


def _cache_form(doc: dict) -> bool:
    """Whether a cache holds what loc writes: exact measures of files and figures of pairs,
    every number finite, and what reading each file found (:func:`_record`)."""
    def number(v) -> bool:
        return isinstance(v, float | int) and not isinstance(v, bool) and math.isfinite(v)

    def figures(d) -> bool:
        return isinstance(d, dict) and all(number(v) for v in d.values())

    def texts(v) -> bool:
        return isinstance(v, list) and all(isinstance(t, str) for t in v)

    files, pairs, checked = doc.get("files"), doc.get("pairs"), doc.get("checked")
    return (isinstance(files, dict) and isinstance(pairs, dict) and isinstance(checked, dict)
            and all(isinstance(e, dict)
                    and set(e) == {"names", "limits", "warnings", "geometry"}
                    and texts(e["names"]) and texts(e["warnings"])
                    and (e["geometry"] is None or isinstance(e["geometry"], str))
                    and isinstance(e["limits"], list) and len(e["limits"]) == len(LIMITS)
                    and all(isinstance(v, int) and not isinstance(v, bool) and v > 0
                            for v in e["limits"])
                    for e in checked.values())
            and all(isinstance(e, dict) and set(e) == {"occupied_km2", "regions"}
                    and number(e["occupied_km2"]) and figures(e["regions"])
                    for e in files.values())
            and all(isinstance(e, dict) and set(e) == {"gained_km2", "lost_km2", "gained", "lost"}
                    and number(e["gained_km2"]) and number(e["lost_km2"])
                    and figures(e["gained"]) and figures(e["lost"]) for e in pairs.values()))


def _polygons_of(reader: RingReader, item, valid: set) -> tuple[list[Polygon], str | None]:
    """The occupied polygons of a file or snapshot, as ring keys of ``reader``, and the
    SHA-256 of what was read (None for a snapshot).

    A plain file whose polygons make one valid lon/lat MultiPolygon is read by ``reader``
    alone (:func:`loc.io.rings.read_plain`; ``valid`` holds the polygons of the last file
    found valid), from bytes read once, which are hashed too; any other goes to the general
    reader, which repairs it within its limit or refuses it, as :func:`loc.read` does, and
    records the SHA-256 of what it read.
    """
    if isinstance(item, Snapshot):
        return reader.from_geometry(item.side("ru")), None
    raw = plain_bytes(item)
    if raw is not None:
        polys = read_plain(reader, item, geo.UKRAINE_BBOX, valid, raw=raw)
        if polys is not None:
            file_date(str(item), item.name, reader.layer)  # its dates agree, as read_file's
            return polys, input_sha256(item, raw)
    snap = read_file(item)
    return reader.from_geometry(snap.side("ru")), snap.sha256


def timeline(source: str | Path | Snapshot | Iterable, *, since=None, until=None,
             use_cache: bool = True, break_km2: float = BREAK_KM2,
             progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """One row per date: occupied km², per-region occupied km², gains and losses.

    Parameters
    ----------
    source : folder, store, path, or iterable of paths or Snapshots
        The snapshots (dates from the file names or the snapshots); see
        :func:`loc.read_series`.
    since, until : str or datetime.date, optional
        First and last date.
    use_cache : bool
        Read and write the cache (keyed by content) in :func:`loc.config.cache_dir`. The
        result, the errors and the warnings are the same either way: a file the cache
        holds is read again when it is met under a name or within size limits it was not
        read under, and the warnings its reading gave (a repair, say) are given again.
    break_km2 : float
        A change larger than this per day between two dates, for up to
        :data:`BREAK_DAYS` (7) days of gap (``break_km2 × min(days_since_prev, 7)``: by
        default 1,000 km² from one day to the next, 7,000 km² across a week's gap or any
        longer one, so a source that starts mapping Crimea between monthly snapshots is a
        break) is flagged ``break`` and its gain and loss are left empty.
    progress : callable, optional
        Called with 1 after each snapshot (e.g. a progress bar's ``update``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``date``; columns ``occupied_km2`` (whole occupied geometry, EQUAL_AREA
        CRS), ``<region>_km2`` for the five mission regions and every other region with any
        occupied area (``crimea`` includes Sevastopol), ``outside_km2`` (the sea, across the
        state border), ``gained_km2`` (newly occupied since the previous date),
        ``lost_km2``, ``days_since_prev`` and ``break``. Missing days are not invented: the
        next row's ``days_since_prev`` says how long the gap was.

    Raises
    ------
    LocError
        For an empty series, an undated snapshot, two snapshots of one date, a file
        that cannot be read (named), or one that changed while loc read it (its hash is
        not that of the bytes read: run again; nothing is cached).

    Warns
    -----
    LocWarning
        Once for each file and problem, in date order (a polygon repaired, with the area
        it changed), whether the file was read or its figures came from the cache.

    Examples
    --------
    >>> import loc
    >>> df = loc.timeline(loc.sample_paths(), use_cache=False)
    >>> [str(d) for d in df.index]
    ['2024-07-08', '2025-01-08', '2025-09-05']
    """
    checks.number(break_km2, "break_km2", lo=0, lo_open=True)
    items = series(source, since=since, until=until)
    cache_path = config.cache_dir() / "timeline.json"
    cache = (_load_cache(cache_path) if use_cache
             else {"files": {}, "pairs": {}, "checked": {}})
    keys: list[str] = []
    first: dict = {}
    records: dict[int, dict] = {}  # what reading each file found, by position
    digests: dict[int, set[str | None]] = {}  # SHA-256 of each reading, by position
    try:
        if cache["pairs"]:
            keys.extend(_key(item) for _, item in items)
            missing = [i for i in range(1, len(items))
                       if f"{keys[i - 1]}:{keys[i]}" not in cache["pairs"]]
            measure = "regions" not in cache["files"].get(keys[0], {})
        else:  # nothing cached: every file is read, and its key is the hash of what was read
            missing, measure = list(range(1, len(items))), True
        computed = _compute_pairs(items, missing, progress, first if measure else None,
                                  records=records, digests=digests)
        if not keys:
            keys.extend(_keys_read(items, digests))
        dirty = _checked(items, keys, records, cache["checked"], digests)
        _same_content(items, keys, digests)
    except BaseException:
        _show(items, records)  # what the files read so far gave, then the error
        raise
    _show(items, records)
    warn_repeated_series([(day, item, key, records.get(j, {}).get("geometry"))
                          for j, ((day, item), key) in enumerate(zip(items, keys, strict=True))])
    dirty = dirty or bool(computed)
    for i, figures in computed.items():
        cache["pairs"][f"{keys[i - 1]}:{keys[i]}"] = figures
    rows: list[dict] = []
    prev_regions = None
    for i, ((date, _), key) in enumerate(zip(items, keys, strict=True)):
        # the first date is measured in full (the cache keeps such exact measures only);
        # each later one is the date before plus its gains less its losses, so the figures
        # depend on the series asked for, never on what earlier runs left in the cache
        pair: dict | None = cache["pairs"][f"{keys[i - 1]}:{key}"] if i else None
        if pair is None:
            entry = cache["files"].get(key)
            if entry is None:
                entry = cache["files"][key] = {
                    "occupied_km2": first["occupied_km2"],
                    "regions": {k: v for k, v in first["regions"].items() if v > 1e-9}}
                dirty = True
        else:
            regions: dict[str, float] = dict(prev_regions or {})
            for k, v in pair["gained"].items():
                regions[k] = regions.get(k, 0.0) + v
            for k, v in pair["lost"].items():
                regions[k] = max(regions.get(k, 0.0) - v, 0.0)
            entry = {"occupied_km2": rows[-1]["occupied_km2"] + pair["gained_km2"]
                     - pair["lost_km2"],
                     "regions": {k: v for k, v in regions.items() if v > 1e-9}}
        rows.append(_row(date, entry, pair, items[i - 1][0] if i else None, break_km2))
        prev_regions = entry["regions"]
        if progress and i not in computed:
            progress(1)
    if use_cache and dirty and not cache.pop("unwritable", False):
        try:
            cache["digest"] = _digest(cache)
            write_atomic(cache_path, json.dumps(cache, separators=(",", ":")))
        except LocError as exc:  # the figures stand; only the next run is slower
            warnings.warn(f"timeline cache not written ({exc})", LocWarning, stacklevel=2)
    return _frame(rows)


def _limits() -> list[int]:
    """The size limits files are read under now (:data:`LIMITS`)."""
    return [config.limit(k) for k in LIMITS]


T = TypeVar("T")


def _record(item: Path, read: Callable[[], T], records: dict[int, dict], j: int) -> T:
    """``read()``, the reading of the file ``item`` (the ``j``-th of the series), keeping in
    ``records[j]`` (unless a record is there already) what it found beyond the figures: the
    file's name and the size limits it was read under, and the :class:`LocWarning` texts
    it gave, held back here for :func:`_show` (other warnings pass on). A failed read keeps
    its warnings too, to be shown before its error."""
    caught: list = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            return read()
    finally:
        origin, kept = str(item), []
        for w in caught:
            if issubclass(w.category, LocWarning):
                text = str(w.message)
                kept.append(_HERE + text[len(origin):] if text.startswith(origin + ": ")
                            else text)
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        records.setdefault(j, {"names": [item.name], "limits": _limits(), "warnings": kept})


def _keys_read(items: list, digests: dict[int, set[str | None]]) -> list[str]:
    """The cache keys of a series every file of which was read: a file's key is the
    SHA-256 of the bytes it was read from (hashed while reading, so the figures are cached
    under the content they were computed from). A file read from two contents (twice) is
    hashed now, and :func:`_same_content` refuses it; a snapshot's key is :func:`_key`'s."""
    keys = []
    for j, (_, item) in enumerate(items):
        seen = digests.get(j, set())
        one = next(iter(seen)) if len(seen) == 1 else None
        keys.append(one if one is not None and not isinstance(item, Snapshot) else _key(item))
    return keys


def _same_content(items: list, keys: list[str], digests: dict[int, set[str | None]]) -> None:
    """Make sure each file was read as it was hashed: every reading's SHA-256 (of the bytes
    parsed, or the one the general reader recorded) is the file's key, else the figures
    (and what reading found) would be cached under the hash of another content."""
    for j in sorted(digests):
        if digests[j] != {keys[j]}:
            raise LocError("changed while loc read it: run again", items[j][1])


def _checked(items: list, keys: list[str], records: dict[int, dict], checked: dict,
             digests: dict[int, set[str | None]]) -> bool:
    """Make sure every file of the series has been read, in this run or an earlier one,
    as it is met now, and keep what each reading found in the cache's ``checked``
    (whether that changed is returned).

    A file this run did not read (its pairs and measure were cached) is taken as read
    when the cache's record of its content holds its name (the date in the name must
    agree with the file's own; an archive's name gives its source) and size limits no
    tighter than the present ones (a file within a limit is within any larger one); any
    other is read now, by the general reader, which refuses it as a cold run does, and
    the record is updated (and the SHA-256 its snapshot records goes to ``digests``)."""
    now = _limits()
    dirty = False
    for j, (_, item) in enumerate(items):
        if isinstance(item, Snapshot):
            continue
        rec = records.get(j)
        old = checked.get(keys[j])
        if rec is None:
            if old is not None and _covers(old, item.name, now):
                records[j] = old
                continue
            snap = _record(item, partial(read_file, item), records, j)
            digests.setdefault(j, set()).add(snap.sha256)
            rec = records[j]
            rec.setdefault("geometry", shape_of(snap, ("ru",)))
        shape = rec.get("geometry") or (old or {}).get("geometry")
        if old is None or old["warnings"] != rec["warnings"]:
            new = {"names": [item.name], "limits": rec["limits"], "warnings": rec["warnings"],
                   "geometry": shape}
        elif _covers(old, item.name, rec["limits"]):
            continue  # what the cache says already
        else:  # one more name: each of them read within the larger of the limits
            names = [n for n in old["names"] if n != item.name][-(NAMES_KEPT - 1):]
            new = {"names": [*names, item.name],
                   "limits": [max(a, b) for a, b in zip(old["limits"], rec["limits"],
                                                        strict=True)],
                   "warnings": rec["warnings"], "geometry": shape}
        checked[keys[j]] = new
        dirty = True
    return dirty


def _covers(record: dict, name: str, limits: list[int]) -> bool:
    """Whether a cache's record of a file's content covers reading it as ``name`` under
    ``limits``: that name among its names, no limit tighter than one it was read under (a
    file within a limit is within any larger one), and the digest of its geometry."""
    return name in record["names"] and record.get("geometry") is not None and all(
        a <= b for a, b in zip(record["limits"], limits, strict=True))


def _show(items: list, records: dict[int, dict]) -> None:
    """The warnings of each file read (or taken from the cache), once each, in date
    order."""
    for j in sorted(records):
        item = items[j][1]
        for text in records[j]["warnings"]:
            if text.startswith(_HERE):
                text = str(item) + text[len(_HERE):]
            warnings.warn(text, LocWarning, stacklevel=3)


CHUNK = 8
"""Pairs a worker process claims at a time when there are several workers (one worker
claims them one by one)."""
IN_PROCESS = 12
"""Fewer pairs to compute than this are computed in this process: starting a worker
(and reading its first file in full) costs more than it can save."""


class _Claims:
    """The pairs still to compute, shared by this process and its workers: this process
    claims from the low end (it measures the first date from the file it reads first),
    workers from the high end, until the two meet. A worker that gets no core computes
    fewer pairs; nothing waits for it but its last claim."""

    def __init__(self, ctx, count: int) -> None:
        self.lock = ctx.Lock()
        self.lo = ctx.Value("i", 0, lock=False)
        self.hi = ctx.Value("i", count, lock=False)

    def low(self) -> int | None:
        """One position from the low end, or None when none is left."""
        with self.lock:
            if self.lo.value >= self.hi.value:
                return None
            self.lo.value += 1
            return self.lo.value - 1

    def high(self, k: int) -> range | None:
        """Up to ``k`` positions from the high end, highest first, or None when none are
        left."""
        with self.lock:
            lo, hi = self.lo.value, self.hi.value
            if lo >= hi:
                return None
            self.hi.value = hi - min(k, hi - lo)
            return range(hi - 1, self.hi.value - 1, -1)

    def stop(self) -> None:
        """Leave nothing more to claim."""
        with self.lock:
            self.lo.value = self.hi.value


class _Walker:
    """Computes pairs with one ring reader, reading each file once while it walks the
    series forward (this process) or backward (a worker)."""

    def __init__(self, items: list, forward: bool, records: dict[int, dict],
                 digests: dict[int, set[str | None]]) -> None:
        self.items = items
        self.forward = forward
        self.records = records  # what reading each file found (see _record)
        self.digests = digests  # the SHA-256 of each reading of a file
        self.reader = RingReader(project=lambda c: geo.project_coords(c, geo.EQUAL_AREA))
        self.held: dict[int, list[Polygon]] = {}  # the reader's last two files
        self.valid: set = set()  # polygons of the last file found valid

    def _read(self, j: int) -> None:
        item = self.items[j][1]

        def read() -> list[Polygon]:
            polys, digest = _polygons_of(self.reader, item, self.valid)
            self.digests.setdefault(j, set()).add(digest)
            return polys

        if isinstance(item, Snapshot):
            polys = _polygons_of(self.reader, item, self.valid)[0]
        else:
            polys = _record(item, read, self.records, j)
            self.records[j].setdefault("geometry", shape_digest(self.reader, polys))
        last = max(self.held) if self.forward and self.held else (
            min(self.held) if self.held else None)
        self.held = {k: v for k, v in self.held.items() if k == last}
        self.held[j] = polys

    def measure(self, j: int) -> dict:
        """Occupied km² of the ``j``-th snapshot in total (EQUAL_AREA CRS) and per region
        group, by the rule :func:`loc.stats` uses, measured in full from its polygons (as
        read for its pairs: a file that is not plain and valid is read, and repaired or
        refused, the general way)."""
        if j not in self.held:
            self._read(j)
        parts = [self.reader.polygon(p) for p in self.held[j]]
        whole = shapely.multipolygons(parts) if parts else shapely.MultiPolygon()
        return {"occupied_km2": float(shapely.area(whole)) / 1e6,
                "regions": km2_by_region(whole)}

    def pair(self, i: int) -> dict:
        """The pair ``(i - 1, i)``."""
        order = (i - 1, i) if self.forward else (i, i - 1)
        for j in order:
            if j not in self.held:
                self._read(j)
        return _pair(self.reader, self.held[i - 1], self.held[i])


def _work(items: list, missing: list[int], claims: _Claims, k: int, conn) -> None:
    """A worker process: claim pairs from the high end and send back what was computed (or
    the error that stopped it), with what reading each file found (see :func:`_record`),
    the SHA-256 of each file read, for the parent to compare with its keys, and the other
    warnings it met, for the parent to give (:func:`loc.processes.replay`)."""
    out: list = []
    records: dict[int, dict] = {}
    digests: dict[int, set[str | None]] = {}
    value: list | BaseException
    with processes.recording() as found:  # besides the files' own: replayed by the parent
        try:
            walker = _Walker(items, forward=False, records=records, digests=digests)
            while (got := claims.high(k)) is not None:
                out.extend((missing[pos], walker.pair(missing[pos])) for pos in got)
            status, value = "ok", out
        except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
            status, value = "error", exc
    try:
        conn.send((status, value, records, digests, processes.caught(found)))
    finally:
        conn.close()


def _compute_pairs(items: list, missing: list[int], progress, first: dict | None,
                   records: dict[int, dict],
                   digests: dict[int, set[str | None]]) -> dict[int, dict]:
    """Pairs ``(i - 1, i)`` for each ``i`` in ``missing``, and (unless ``first`` is None)
    the first date's measure (:meth:`_Walker.measure`) into ``first``. For files, worker
    processes (one per core but one, started first) claim pairs from the last on while
    this process measures the first date from the file it reads first and claims pairs
    from the first on, until they meet: the work is shared out as it goes, however busy
    the cores are. Snapshot objects and short series are computed here. What reading each
    file found, wherever it was read, goes to ``records`` (the first reading of a file:
    every reading finds the same), and the SHA-256 of every reading to ``digests``."""
    cores = processes.cores()
    files_only = not any(isinstance(x, Snapshot) for _, x in items)
    workers = (_start(items, missing, cores - 1)
               if cores > 1 and files_only and len(missing) >= IN_PROCESS else None)
    out: dict[int, dict] = {}
    walker = _Walker(items, forward=True, records=records, digests=digests)
    if workers is None:
        if first is not None:
            first.update(walker.measure(0))
        for i in missing:
            out[i] = walker.pair(i)
            if progress:
                progress(1)
        return out
    claims, procs = workers
    try:
        start = time.monotonic()
        if first is not None:
            first.update(walker.measure(0))
        while (pos := claims.low()) is not None:
            out[missing[pos]] = walker.pair(missing[pos])
            if progress:
                progress(1)
        own = time.monotonic() - start
        for proc, conn in procs:
            got = processes.receive(proc, conn, own)
            if got is None:  # the worker died or hangs: its pairs are computed below
                continue
            status, value, found, read, given = got
            processes.replay(given)
            for j, rec in found.items():
                mine = records.setdefault(j, rec)
                if "geometry" in rec:  # the parent's first reading may not have built rings
                    mine.setdefault("geometry", rec["geometry"])
            for j, seen in read.items():
                digests.setdefault(j, set()).update(seen)
            if status == "error":
                raise value
            out.update(value)
            if progress:
                progress(len(value))
    finally:
        claims.stop()
        for proc, conn in procs:  # every answer is in, or no longer wanted
            processes.stop(proc, conn)
    lost = [i for i in missing if i not in out]
    if lost:
        walker = _Walker(items, forward=True, records=records, digests=digests)
        for i in lost:
            out[i] = walker.pair(i)
    return out


def _start(items: list, missing: list[int], count: int):
    """Start ``count`` worker processes (forked; spawned where fork is missing) on the
    pairs; None where processes cannot be started (no /dev/shm, say): then the pairs are
    computed here."""
    # build the shared lookups once here: forked workers inherit them
    region_groups_m()
    geo.project(shapely.Point(32.0, 48.5), geo.EQUAL_AREA)
    try:
        with processes.starting() as ctx:
            claims = _Claims(ctx, len(missing))
            k = 1 if count == 1 else CHUNK
            procs = processes.workers(ctx, _work,
                                      [(items, missing, claims, k) for _ in range(count)])
    except (OSError, ImportError, NotImplementedError):
        return None
    return claims, procs


def _pair(reader: RingReader, a: list[Polygon], b: list[Polygon]) -> dict:
    """Gains and losses (km²) from the polygons ``a`` to ``b`` (read by ``reader`` into the
    EQUAL_AREA CRS, as the naive way projects whole files), in total and by region.

    Only polygons not in both files are compared segment by segment (every boundary
    segment of a polygon present in both is in both boundaries), and of their rings only
    the segments outside the chunks (and, in other chunks, the pieces) of text both files
    hold. The windows around the changed segments are clipped from every polygon whose box
    meets one.
    """
    sa, sb = changed_segments(reader, a, b)
    windows = segment_windows(sa, sb)
    if not windows:
        return {"gained_km2": 0.0, "lost_km2": 0.0, "gained": {}, "lost": {}}
    a_near, b_near = _near(reader, a, windows), _near(reader, b, windows)
    ca, cb = clip_windows(a_near, windows), clip_windows(b_near, windows)
    try:
        return _window_pair(ca, cb, shapely.difference(cb, ca))
    except shapely.errors.GEOSException:  # an invalid input: repaired in windowed_difference
        return _parts_pair(*windowed_difference(a_near, b_near, windows=windows))


def _parts_pair(gained: list, lost: list) -> dict:
    """A pair's figures from its gained and lost parts (EQUAL_AREA CRS)."""
    g, lo = polygon_parts(gained), polygon_parts(lost)
    return {"gained_km2": float(shapely.area(g).sum()) / 1e6 if len(g) else 0.0,
            "lost_km2": float(shapely.area(lo).sum()) / 1e6 if len(lo) else 0.0,
            "gained": km2_by_region(g), "lost": km2_by_region(lo)}


def _window_pair(ca: np.ndarray, cb: np.ndarray, gained: np.ndarray) -> dict:
    """A pair's figures from the earlier and later area clipped to each window and the
    gained part of each window (EQUAL_AREA CRS).

    In each window the lost area is the gained area less the change of occupied area
    (gained − lost = area(b) − area(a)), so the lost parts are cut out only in windows
    that do not lie inside one region, where they are needed to split the areas by region.
    """
    keys = region_groups_m()[0]
    g_m2 = shapely.area(gained)
    l_m2 = g_m2 - (shapely.area(cb) - shapely.area(ca))
    l_m2[l_m2 < 1e-3] = 0.0  # rounding of the subtraction (windows hold up to ~1e10 m²)
    by_side: dict[str, dict[str, float]] = {"gained": {}, "lost": {}}
    out: dict = {"gained_km2": float(g_m2.sum()) / 1e6, "lost_km2": float(l_m2.sum()) / 1e6,
                 **by_side}
    region = _sole_region(ca, cb)
    for w in np.flatnonzero((region >= 0) | (region == NONE)):
        key = keys[region[w]] if region[w] >= 0 else OUTSIDE
        for side, m2 in (("gained", g_m2[w]), ("lost", l_m2[w])):
            if m2 > 0:
                out[side][key] = out[side].get(key, 0.0) + m2 / 1e6
    mixed = np.flatnonzero(region == MIXED)
    if len(mixed):
        lost = shapely.difference(ca[mixed], cb[mixed])
        for side, parts in (("gained", gained[mixed]), ("lost", lost)):
            for k, v in km2_by_region(parts).items():
                out[side][k] = out[side].get(k, 0.0) + v
    return out


MIXED, NONE, EMPTY = -1, -2, -3
""":func:`_sole_region` codes: the window meets several regions; it meets none; (one side's
part) is empty."""


def _sole_region(ca: np.ndarray, cb: np.ndarray) -> np.ndarray:
    """For each window, the index of the region group whose interior holds both clipped
    parts (or the one that is not empty), ``NONE`` if they meet no region (sea, abroad),
    else ``MIXED``."""
    _, geoms, tree = region_groups_m()
    n = len(ca)
    parts = np.concatenate([ca, cb])
    hit_p, hit_r = tree.query(parts)
    inside = shapely.contains_properly(geoms[hit_r], parts[hit_p])  # prepared regions
    meets = inside | shapely.intersects(geoms[hit_r], parts[hit_p])
    region = np.full(2 * n, NONE)
    region[hit_p[meets]] = MIXED
    region[hit_p[inside]] = hit_r[inside]
    region[shapely.is_empty(parts)] = EMPTY
    ra, rb = region[:n], region[n:]
    one = np.where(ra == EMPTY, rb, np.where((rb == EMPTY) | (ra == rb), ra, MIXED))
    return np.where(one == EMPTY, NONE, one)


def _near(reader: RingReader, polys: list[Polygon], windows: list) -> shapely.Geometry:
    """The polygons whose boxes meet a window, as one projected (Multi)Polygon."""
    w = np.asarray(windows)[None, :, :]
    pb = np.array([reader.ring(p[0]).xy_bounds for p in polys]).reshape(-1, 1, 4)
    meets = ((w[..., 0] <= pb[..., 2]) & (pb[..., 0] <= w[..., 2])
             & (w[..., 1] <= pb[..., 3]) & (pb[..., 1] <= w[..., 3])).any(axis=1)
    near = [reader.polygon(p) for p, m in zip(polys, np.atleast_1d(meets), strict=True) if m]
    if len(near) == 1:
        return near[0]
    return shapely.multipolygons(near) if near else shapely.MultiPolygon()


def _row(date, entry: dict, pair: dict | None, prev_date, break_km2: float) -> dict:
    row = {"date": date, "occupied_km2": entry["occupied_km2"],
           **{f"{k}_km2": v for k, v in entry["regions"].items()}}
    if pair is None:
        row.update(gained_km2=np.nan, lost_km2=np.nan, days_since_prev=np.nan,
                   **{"break": False})
        return row
    days = (date - prev_date).days
    # km² per day of gap, up to a week: a whole region appearing is a break at any gap
    big = max(pair["gained_km2"], pair["lost_km2"]) > break_km2 * min(days, BREAK_DAYS)
    row.update(gained_km2=np.nan if big else pair["gained_km2"],
               lost_km2=np.nan if big else pair["lost_km2"],
               days_since_prev=days, **{"break": big})
    return row


def _key(item: Item) -> str:
    """The cache key of a snapshot: its file's SHA-256, or for a snapshot (built in memory,
    changed by a freeze, or read from a store) the SHA-256 of its geometry, never a hash it
    inherited."""
    if isinstance(item, Snapshot):
        return "geom:" + item.geometry_sha256
    return input_sha256(item)


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows).set_index("date")
    outside = f"{OUTSIDE}_km2"
    region_cols = [c for c in df.columns if c.endswith("_km2")
                   and c not in ("occupied_km2", "gained_km2", "lost_km2", outside)]
    mission = [f"{k}_km2" for k in MISSION_REGIONS]
    others = sorted(c for c in region_cols if c not in mission)
    for c in [*mission, outside]:
        if c not in df:
            df[c] = 0.0
    df[[*mission, *others, outside]] = df[[*mission, *others, outside]].fillna(0.0)
    df = df[["occupied_km2", *mission, *others, outside, "gained_km2", "lost_km2",
             "days_since_prev", "break"]]
    df["days_since_prev"] = df["days_since_prev"].astype("Int64")
    df["break"] = df["break"].astype(bool)
    return df

"""The line of contact of every date of a series, computed incrementally.

Consecutive snapshots differ in a few places, so most of one date's line is the previous
date's. :func:`line_history` reads the series with a :class:`~loc.io.rings.RingReader`
(parsing and projecting, to the CONFORMAL CRS, only the coordinate text a file does not share
with the previous one). Each date's boundary is sampled as :func:`loc.line_of_contact`
samples it, an edge the previous date had keeping its samples; the edges one date has and the
other lacks (and every edge of a ring too small to sample that only one date has) are boxed
into windows that hold every change (:func:`loc.analysis.diff.boxes_around`). A sample the previous
date had keeps its class unless it needs rays (it lies within reach of the coast or the state
border) and a change lies within :attr:`LineOptions.depends_m` of it, the farthest its rays,
the test for thick land and its direction along the ring can see. The others are classified
afresh, against the thick land held by others, which is recomputed only in the tiles a change
came near. The pieces are then cut and assembled exactly as for one date, so the history
equals :func:`loc.line_of_contact` date by date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from loc import geo as lcrs
from loc.analysis.diff import boxes_around, changed_windows
from loc.analysis.line import (
    CORE_RADIUS_M,
    TILE_M,
    Ground,
    LineBuilder,
    LineOptions,
    oriented_ring,
    others_of,
    rows_frame,
)
from loc.io.inputs import series
from loc.io.readers import read_file
from loc.io.rings import Polygon, RingReader, read_plain, shape_digest
from loc.io.store import warn_repeated_series
from loc.model import Snapshot
from loc.reference.regions import regions_at

ROW_KEYS = ("piece", "kind", "region", "length_km", "geometry")


def _near_boxes(pts: np.ndarray, boxes: np.ndarray, dist: float) -> np.ndarray:
    """Whether each point lies within ``dist`` (m) of one of the boxes ``(k, 4)``.

    Only points within ``dist`` of the boxes' common bounds are measured (any other is
    farther than ``dist`` from each box).
    """
    out = np.zeros(len(pts), dtype=bool)
    if len(boxes) == 0 or len(pts) == 0:
        return out
    lo, hi = boxes[:, :2].min(axis=0) - dist, boxes[:, 2:].max(axis=0) + dist
    todo = np.flatnonzero(((pts >= lo) & (pts <= hi)).all(axis=1))
    for x0, y0, x1, y1 in boxes:
        if not len(todo):
            break
        p = lcrs.take_rows(pts, todo)
        dx = np.maximum(np.maximum(x0 - p[:, 0], p[:, 0] - x1), 0.0)
        dy = np.maximum(np.maximum(y0 - p[:, 1], p[:, 1] - y1), 0.0)
        near = np.hypot(dx, dy) <= dist
        out[todo[near]] = True
        todo = todo[~near]
    return out


def _tiles_apart(tiles: dict, boxes: np.ndarray, pad: float) -> dict:
    """The tiles (of :data:`TILE_M`, keyed by their ``(i, j)``) that no box comes within
    ``pad`` (m) of."""
    if not tiles or not len(boxes):
        return dict(tiles)
    keys = list(tiles)
    ij = np.array(keys, dtype=float).reshape(-1, 2) * TILE_M - pad
    near = _boxes_meet(np.hstack([ij, ij + TILE_M + 2 * pad]), boxes)
    return {keys[i]: tiles[keys[i]] for i in np.flatnonzero(~near).tolist()}


def _boxes_meet(query: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Whether each box of ``query`` ``(m, 4)`` meets (or touches) one of ``boxes``
    ``(k, 4)``."""
    q = np.asarray(query, dtype=float).reshape(-1, 4)[:, None, :]
    meets = ((boxes[None, :, 0] <= q[..., 2]) & (q[..., 0] <= boxes[None, :, 2])
             & (boxes[None, :, 1] <= q[..., 3]) & (q[..., 1] <= boxes[None, :, 3]))
    return np.any(meets, axis=1)


def _edges(v: np.ndarray) -> np.ndarray:
    """The edges ``x0, y0, x1, y1`` of a ring's vertices (closing vertex dropped), the
    last back to the first."""
    return np.hstack([v, np.roll(v, -1, axis=0)])


class _LastDate:
    """Values of rows of exact floats (segments, points) met on the last date, for the
    next: a row is found by its hash and confirmed by its floats."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.h = np.array([], dtype=np.uint64)
        self.rows = np.empty((0, width))
        self.values = np.array([], dtype=float)
        self.seen: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def get(self, rows: np.ndarray, compute: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """The value of each row: kept from the last date, or ``compute(rows)`` for the
        rows not met there; kept for the next date."""
        h = lcrs.row_hashes(rows)
        values = np.empty(len(rows))
        hit = np.zeros(len(rows), dtype=bool)
        if len(self.h) and len(rows):
            pos = lcrs.lookup(self.h, h)
            hit = (self.h[pos] == h) & (self.rows[pos].view(np.uint64)
                                        == np.ascontiguousarray(rows).view(np.uint64)).all(axis=1)
            values[hit] = self.values[pos[hit]]
        if not hit.all():
            values[~hit] = compute(rows[~hit])
        self.seen.append((h, rows, values))
        return values

    def next_date(self) -> None:
        """Keep only the rows met since the last call."""
        if self.seen:
            h = np.concatenate([a for a, _, _ in self.seen])
            order = np.argsort(h)
            self.h = h[order]
            self.rows = np.concatenate([b for _, b, _ in self.seen]).reshape(-1, self.width)[order]
            self.values = np.concatenate([c for _, _, c in self.seen])[order]
            self.seen = []


class _Lengths:
    """Geodesic lengths (km, WGS 84) of lon/lat lines, each segment measured once: the
    segments of the lines of the last date are kept for the next."""

    def __init__(self) -> None:
        self.memo = _LastDate(4)

    def __call__(self, line) -> float:
        xy = shapely.get_coordinates(line)
        km = self.memo.get(np.hstack([xy[:-1], xy[1:]]), lambda s: lcrs.GEOD.inv(
            s[:, 0], s[:, 1], s[:, 2], s[:, 3])[2] / 1e3)
        return float(km.sum())


class _Places:
    """:func:`~loc.reference.regions.regions_at` of lon/lat points, each point placed once:
    the points of the last date are kept for the next."""

    def __init__(self) -> None:
        self.memo = _LastDate(2)

    def __call__(self, pts: np.ndarray) -> np.ndarray:
        return self.memo.get(np.asarray(pts, dtype=float), regions_at).astype(int)


class _Noise:
    """Whether pieces are border noise on a date (:meth:`LineBuilder.noise_box`): a piece
    the last date had keeps its answer unless a change came into the box it depended
    on."""

    def __init__(self, builder: LineBuilder, ground: Ground, last: dict,
                 boxes: np.ndarray | None) -> None:
        self.builder, self.ground, self.last, self.boxes = builder, ground, last, boxes
        self.kept: dict = {}

    def __call__(self, key: bytes, piece) -> bool:
        hit = self.last.get(key)
        if hit is None or self.boxes is None or _boxes_meet(hit[1], self.boxes)[0]:
            hit = self.builder.noise_box(piece, self.ground)
        self.kept[key] = hit
        return hit[0]


@dataclass
class _Changes:
    """What sampling a date found of its changes since the date before (see
    :meth:`_History.windows`)."""

    new_edges: list[np.ndarray]  # per ring, the edges (CONFORMAL) the previous date lacks
    found: list[np.ndarray]  # the previous date's edges found (see _Date.reuse)
    tiny: set  # keys of the rings too small to sample


class _Date:
    """What one date leaves for the next: its rings' samples and their classes."""

    def __init__(self, polys: list[Polygon], others_m, rings: list, contact: np.ndarray,
                 needs_rays: np.ndarray, tiles: dict, rows: dict,
                 tiny: frozenset = frozenset()) -> None:
        self.polys = polys
        self.tiny = tiny  # keys of its rings too small to sample (see oriented_ring)
        self.rows = rows  # its line's rows (taken whole by a date with the same rings)
        self.others_m = others_m
        self.contact = contact
        self.needs_rays = needs_rays
        self.tiles = tiles
        self.rings: dict = {}  # (ring key, exterior) -> (vertices, RingSamples, offset)
        at = 0
        for key, xy, samples in rings:
            self.rings[key] = (xy, samples, at)
            at += len(samples.ll)
        self._index: tuple | None = None

    def _vertices(self) -> tuple:
        """Every ring's vertices, hashed and sorted for lookups (built when first asked)."""
        if self._index is None:
            parts = list(self.rings.values())
            xy = np.concatenate([v for v, _, _ in parts]) if parts else np.empty((0, 2))
            sizes = np.array([len(v) for v, _, _ in parts], dtype=int)
            ring = np.repeat(np.arange(len(parts)), sizes)
            local = np.arange(len(xy)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
            h = lcrs.row_hashes(xy)
            order = np.argsort(h)
            self._index = (xy, ring, local, sizes, order, h[order], parts)
        return self._index

    def reuse(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                             np.ndarray] | None:
        """For the edges of a ring not seen whole on this date, where each edge's samples
        are among this date's (an edge whose two ends are consecutive vertices of one of
        its rings): (first sample per edge or -1, lon/lat samples, CONFORMAL samples, and
        the positions among :meth:`_vertices` of the first ends of this date's edges
        found); None when no edge is found."""
        vx, ring, local, sizes, order, sorted_h, parts = self._vertices()
        if not len(sorted_h):
            return None
        h = lcrs.row_hashes(xy)
        pos = lcrs.lookup(sorted_h, h)
        idx = order[pos]
        hit = (sorted_h[pos] == h) & np.all(lcrs.take_rows(vx, idx) == xy, axis=1)
        nxt = np.roll(idx, -1)
        same = (hit & np.roll(hit, -1) & (ring[idx] == ring[nxt])
                & (local[nxt] == (local[idx] + 1) % sizes[ring[idx]]))
        start = np.full(len(xy), -1)
        for r in np.unique(ring[idx[same]]):
            on = same & (ring[idx] == r)
            _, samples, offset = parts[r]
            start[on] = offset + samples.first[local[idx[on]]]
        if not (start >= 0).any():
            return None
        return start, self.ll, self.m, idx[same]

    def edges_apart(self, keys: set, found: list[np.ndarray]) -> list[np.ndarray]:
        """The edges (CONFORMAL segments, per ring in walking order) of this date's
        sampled rings that another date does not have: those of its rings not among
        ``keys`` (the other date's rings) whose first ends are not in ``found`` (positions
        among :meth:`_vertices`, see :meth:`reuse`)."""
        vx, ring, local, sizes, order, sorted_h, parts = self._vertices()
        hit = np.zeros(len(vx), dtype=bool)
        if found:
            hit[np.concatenate(found)] = True
        out, at = [], 0
        for key, (_, samples, _) in self.rings.items():
            n = len(samples.first)
            if key not in keys:
                edges = _edges(lcrs.take_rows(samples.m, samples.first))
                out.append(lcrs.take_rows(edges, ~hit[at:at + n]))
            at += n
        return out

    @property
    def ll(self) -> np.ndarray:
        """Lon/lat of every sample, in ring order."""
        return _joined(self, "ll")

    @property
    def m(self) -> np.ndarray:
        """CONFORMAL coordinates of every sample, in ring order."""
        return _joined(self, "m")


def _joined(date: _Date, name: str) -> np.ndarray:
    """One attribute of every ring's samples of a date, concatenated (kept once built)."""
    cache = date.__dict__.setdefault("_joined", {})
    if name not in cache:
        parts = [getattr(r, name) for _, r, _ in date.rings.values()]
        cache[name] = np.concatenate(parts) if parts else np.empty((0, 2))
    return cache[name]


def _normals(rings: list, todo: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The normals at the samples ``todo[idx]`` of the rings' samples put end to end
    (:meth:`~loc.analysis.line.RingSamples.normals` of each ring, in order)."""
    at = todo[idx]
    ends = np.cumsum([len(r.ll) for r in rings])
    which = np.searchsorted(ends, at, side="right")
    out = np.empty((len(at), 2))
    for r in np.unique(which):
        on = which == r
        out[on] = rings[r].normals(at[on] - (ends[r] - len(rings[r].ll)))
    return out


class _History:
    """The incremental computation over one series."""

    def __init__(self, options: LineOptions) -> None:
        self.options = options
        self.builder = LineBuilder(options)
        self.reader = RingReader(project=lambda c: lcrs.project_coords(c, lcrs.CONFORMAL))
        self.prev: _Date | None = None
        self.valid: set = set()  # polygons of the last file found valid (lon/lat)
        self.pieces: dict = {}  # ring key -> (contact bytes, pieces)
        self.known: dict = {}  # piece coordinates -> (length_km, regions, reaches inland)
        self.lengths = _Lengths()
        self.places = _Places()
        self.noise: dict = {}  # piece coordinates -> (border noise, box it depended on)

    def read(self, item) -> tuple[list[Polygon], object, Snapshot | None]:
        """The occupied polygons of a series member as ring keys, the land held by others
        if the source gave it (CONFORMAL), and the snapshot if one was read."""
        if not isinstance(item, Snapshot):
            polys = read_plain(self.reader, item, lcrs.UKRAINE_BBOX, self.valid)
            if polys is not None:
                return polys, None, None
            item = read_file(Path(item))  # validates, repairs (and warns) or refuses
            return self.reader.from_geometry(item.side("ru")), others_of(item), item
        return self.reader.from_geometry(item.side("ru")), others_of(item), item

    def ring_samples(self, polys: list[Polygon]) -> tuple[list[tuple], _Changes]:
        """Samples of every ring of the date large enough to count, in polygon order:
        ``(cache key, vertices, RingSamples, index of each sample among the previous
        date's samples or -1)``, and what sampling found of the changes since then. A
        ring the previous date had is taken whole; in another, the edges the previous
        date had keep their samples."""
        prev = self.prev
        out = []
        changes = _Changes([], [], set())
        for poly in polys:
            for k, key in enumerate(poly):
                cache_key = (key, k == 0)
                seen = prev.rings.get(cache_key) if prev is not None else None
                if seen is not None:
                    xy, samples, offset = seen
                    out.append((cache_key, xy, samples, offset + np.arange(len(samples.ll))))
                    continue
                ring = self.reader.ring(key)
                xy = oriented_ring(ring.lonlat, exterior=k == 0)
                if xy is None:
                    changes.tiny.add(key)
                    continue
                # the reader projected the vertices already
                xy_m = np.asarray(ring.xy[:-1] if np.array_equal(xy, ring.lonlat[:-1])
                                  else ring.xy[-2::-1])
                reuse = prev.reuse(xy) if prev is not None else None
                samples = self.builder.samples(xy, xy_m, reuse=None if reuse is None
                                               else reuse[:3])
                edges = _edges(xy_m)
                changes.new_edges.append(edges if reuse is None
                                         else lcrs.take_rows(edges, reuse[0] < 0))
                src = np.full(len(samples.ll), -1)
                if reuse is not None:
                    changes.found.append(reuse[3])
                    edge = np.repeat(np.arange(len(xy)), np.diff(np.append(samples.first,
                                                                           len(samples.ll))))
                    start = reuse[0][edge]
                    known = start >= 0
                    src[known] = start[known] + (np.arange(len(src)) - samples.first[edge])[known]
                out.append((cache_key, xy, samples, src))
        return out, changes

    def windows(self, rings: list[tuple], changes: _Changes, others_m) -> np.ndarray:
        """Boxes (CONFORMAL) holding every change since the previous date: around the
        edges of the sampled rings one date has and the other lacks (``rings`` and
        ``changes`` from :meth:`ring_samples`), every edge of a ring too small to sample
        that one date has, and the changes of the land held by others."""
        prev = self.prev
        assert prev is not None
        gone = prev.edges_apart({key for key, *_ in rings}, changes.found)
        small = [self.reader.ring(key).segments for key in prev.tiny ^ changes.tiny]
        boxes = boxes_around(*gone, *changes.new_edges, *small)
        if others_m is not None or prev.others_m is not None:
            empty = shapely.MultiPolygon()
            boxes += changed_windows(empty if prev.others_m is None else prev.others_m,
                                     empty if others_m is None else others_m)
        return np.array(boxes, dtype=float).reshape(-1, 4)

    def shape(self) -> str:
        """The :func:`loc.io.rings.shape_digest` of the date read last."""
        assert self.prev is not None
        return shape_digest(self.reader, self.prev.polys)

    def date(self, item) -> tuple[dict[str, list], Snapshot | None]:
        """The line of contact of the next member of the series."""
        polys, others_m, snap = self.read(item)
        prev = self.prev
        if (prev is not None and polys == prev.polys and others_m is None
                and prev.others_m is None):
            return prev.rows, snap  # the same rings: the same line
        rings, changes = self.ring_samples(polys)
        if not rings:
            self.noise = {}  # the answers belong to the date they were given for
            self.prev = _Date(polys, others_m, [], np.array([], dtype=bool),
                              np.array([], dtype=bool), {}, {c: [] for c in ROW_KEYS},
                              tiny=frozenset(changes.tiny))
            return self.prev.rows, snap
        ru_m = shapely.multipolygons([self.reader.polygon(p) for p in polys])
        shapely.prepare(ru_m)
        m = np.concatenate([r.m for _, _, r, _ in rings])
        hit = np.concatenate([src for *_, src in rings])
        contact = np.zeros(len(m), dtype=bool)
        needs_rays = np.zeros(len(m), dtype=bool)
        if self.prev is None:
            todo = np.arange(len(m))
            tiles: dict = {}
            boxes = None
        else:
            boxes = self.windows(rings, changes, others_m)
            old = hit >= 0
            contact[old] = self.prev.contact[hit[old]]
            needs_rays[old] = self.prev.needs_rays[hit[old]]
            stale = old & needs_rays
            stale[stale] = _near_boxes(lcrs.take_rows(m, stale), boxes,
                                       self.options.depends_m)
            todo = np.flatnonzero(~old | stale)
            # a tile's thick land depends on the land held by others within 2 radii of it
            tiles = _tiles_apart(self.prev.tiles, boxes, 2 * CORE_RADIUS_M + 200.0)
        ground = Ground(ru_m, others_m, tiles=tiles)
        if len(todo):
            samples = [r for _, _, r, _ in rings]
            contact[todo], needs_rays[todo] = self.builder.classify(
                lcrs.take_rows(m, todo), partial(_normals, samples, todo), ground)
        pieces: list[np.ndarray] = []
        at = 0
        kept: dict = {}
        for key, _, ring, _ in rings:
            part = contact[at:at + len(ring.ll)]
            at += len(ring.ll)
            flags = part.tobytes()
            hit_pieces = self.pieces.get(key)
            if hit_pieces is None or hit_pieces[0] != flags:
                hit_pieces = (flags, self.builder.pieces(ring, part))
            kept[key] = hit_pieces
            pieces.extend(hit_pieces[1])
        self.pieces = kept
        noise = _Noise(self.builder, ground, self.noise, boxes)
        rows = self.builder.rows(pieces, ground, known=self.known, length=self.lengths,
                                 places=self.places, noise=noise)
        self.noise = noise.kept
        self.lengths.memo.next_date()
        self.places.memo.next_date()
        if len(self.known) > 4 * len(rows["piece"]) + 64:  # keep what the next date may meet
            keys = (shapely.get_coordinates(g).tobytes() for g in rows["geometry"])
            self.known = {k: self.known[k] for k in keys}
        self.prev = _Date(polys, others_m, [(k, xy, r) for k, xy, r, _ in rings], contact,
                          needs_rays, ground.tiles, rows, tiny=frozenset(changes.tiny))
        return rows, snap


def line_history(source: str | Path | Snapshot | Iterable, *, since=None, until=None,
                 step_km: float = 0.5, reach_km: float = 5.0, gap_km: float = 1.0,
                 channel_km: float = 5.0, noise_km2: float = 0.1,
                 progress: Callable[[int, int], None] | None = None,
                 remember: bool = True) -> gpd.GeoDataFrame:
    """The line of contact of every date of a series, as one frame.

    Equal date by date to :func:`loc.line_of_contact` of each snapshot, at a fraction of the
    cost: only what changed from one date to the next is reclassified.

    Parameters
    ----------
    source : folder, store, path, or iterable of paths or Snapshots
        The series (dates from the file names or the snapshots); see
        :func:`loc.read_series`.
    since, until : str or datetime.date, optional
        First and last date.
    step_km, reach_km, gap_km, channel_km, noise_km2 : float
        As in :func:`loc.line_of_contact`.
    progress : callable, optional
        Called as ``progress(done, total)`` after each date.
    remember : bool
        Let each snapshot in the series remember its line (False saves the memory of one
        frame per date when only this frame is wanted).

    Returns
    -------
    geopandas.GeoDataFrame
        Lon/lat (OGC:CRS84) LineStrings, one row per date and piece: ``date``
        (:class:`datetime.date`) and the columns of :func:`loc.line_of_contact` (``piece``,
        ``kind``, ``region``, ``length_km`` geodesic, ``label``), by date then piece. A
        snapshot in the series gets its line remembered, so a later
        :func:`loc.line_of_contact` of it costs nothing.

    Raises
    ------
    LocError
        For an empty series, an undated snapshot, two snapshots of one date, or a file
        that cannot be read (named).

    Warns
    -----
    LocWarning
        For a member whose geometry is, vertex for vertex, that of an earlier date with another
        between (:func:`loc.io.store.warn_repeated_series`).

    Examples
    --------
    >>> import loc
    >>> h = loc.line_history(loc.sample_paths())
    >>> [str(d) for d in h["date"].unique()]
    ['2024-07-08', '2025-01-08', '2025-09-05']
    >>> h.groupby("date")["kind"].first().tolist()
    ['main', 'main', 'main']
    >>> {str(day): len(line) for day, line in h.groupby("date")}  # one frame per date
    {'2024-07-08': 2, '2025-01-08': 2, '2025-09-05': 2}
    """
    options = LineOptions(step_km=step_km, reach_km=reach_km, gap_km=gap_km,
                          channel_km=channel_km, noise_km2=noise_km2)
    items = series(source, since=since, until=until)
    history = _History(options)
    rows: dict[str, list] = {c: [] for c in ROW_KEYS}
    dates: list[dt.date] = []
    shapes = []  # each member's geometry
    for done, (day, item) in enumerate(items, 1):
        day_rows, snap = history.date(item)
        shapes.append((day, item, None, None if isinstance(item, Snapshot)
                       else history.shape()))
        if progress is not None:
            progress(done, len(items))
        if snap is not None and remember:
            snap.memo(options.key, partial(rows_frame, day_rows))
        for c in ROW_KEYS:
            rows[c].extend(day_rows[c])
        dates.extend([day] * len(day_rows["piece"]))
    warn_repeated_series(shapes)
    return rows_frame(rows, date=np.array(dates, dtype=object))

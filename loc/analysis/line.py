"""The line of contact: where Russian-held land meets land held by others.

The boundary of the ``ru`` side is cut into the parts that face land held by the other side
(``ua`` or ``contested``). Coasts and the state border are not line of contact, but sources draw
them differently: the occupied polygon's coastline is off Natural Earth's by up to several km,
so a plain boundary difference leaves ~100 slivers along the Azov and Black Sea coasts and the
Dnipro. loc decides each stretch of boundary by looking outward from it:

1. The boundary is sampled every ``step_km`` (each edge cut into equal parts no longer than
   the step, measured in the CONFORMAL CRS).
2. A sample outside Ukraine's land (sea, a river mouth, or Russia) is *edge*. A sample on land
   farther than ``reach_km`` from the sea and the state border is *contact*: nothing but land
   lies within reach.
3. Other samples cast five rays outward (normal and ±25°, ±50°), probing every few hundred
   metres. A ray that leaves Russian-held land and then meets it again, or meets nothing but
   land within ``reach_km``, votes *contact* (a narrow Ukrainian salient, or open land). A ray
   that meets water or a foreign country (anything off Ukraine's land) looks on across it for
   up to ``channel_km``: thick land held by the other side there (the far bank of a river or
   channel) votes *contact*, anything else (open sea, Russian-held land again, thin slivers)
   votes *edge*. The majority decides.
4. A sample whose rays vote contact only because of land right beyond it must also have thick
   land held by others within 1.5 km (it survives an opening by 1.5 km): a coastal sliver
   between two coastlines is not a front. Land across water counts only when it is thick.
5. Edge gaps shorter than ``gap_km`` inside a contact stretch are closed; contact stretches
   are the pieces.
6. A piece that only bounds a sliver of Russian-held land crossing the state border or the
   coast (the part of that sliver on Ukraine's land is under ``noise_km2``) is
   ``border-noise``: reported, but not line of contact (no zone is drawn on it).

Each piece keeps the source's own vertices (lon/lat, OGC:CRS84), walks with Russian-held land on
its left (north to south along the main front), and has a geodesic length (WGS 84).

:class:`LineBuilder` holds these steps; :func:`line_of_contact` runs them on one snapshot and
:func:`loc.line_history` over a series, reclassifying only the samples near what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from loc import checks
from loc import geo as lcrs
from loc.geo import clip_box, polygon_parts
from loc.io.readers import lonlat_frame
from loc.model import Snapshot
from loc.reference.regions import OUTSIDE, regions_at, registry, ukraine

RAY_ANGLES_DEG = (-50.0, -25.0, 0.0, 25.0, 50.0)
CORE_RADIUS_M = 1500.0
"""Opening radius (m) that separates thick land held by others from slivers."""
MIN_RING_KM2 = 0.05
"""Rings enclosing less than this (km²) are smoothing artefacts, not control areas."""
LABEL = "line of contact"
NOISE_LABEL = "border noise (not line of contact)"
"""The labels of pieces: of the line of contact, and of border noise."""
MAIN, POCKET, NOISE = "main", "pocket", "border-noise"
"""The kinds of piece: the main front, other pieces, and border noise (not line of contact)."""
TOUCH_M = 1.0
"""A piece bounds a part of the Russian-held land it lies within this distance of (m)."""


MIN_STEP_KM = 0.05
"""The finest sampling step (km) along a line: 50 m (a finer one multiplies the samples,
and the memory, without telling a front apart better)."""


@dataclass(frozen=True)
class LineOptions:
    """Validated options of the line of contact (see :func:`line_of_contact`).

    Attributes
    ----------
    step_km, reach_km, gap_km, channel_km, noise_km2 : float
        As in :func:`line_of_contact`.
    """

    step_km: float = 0.5
    reach_km: float = 5.0
    gap_km: float = 1.0
    channel_km: float = 5.0
    noise_km2: float = 0.1

    def __post_init__(self) -> None:
        for name, lo, hi in (("step_km", MIN_STEP_KM, 10), ("reach_km", 0.5, 50),
                             ("gap_km", 0, 50),
                             ("channel_km", 0, 50), ("noise_km2", 0, 100)):
            object.__setattr__(self, name, checks.number(getattr(self, name), name, lo=lo,
                                                         hi=hi))

    @property
    def key(self) -> tuple:
        """The options as a hashable key (for caches)."""
        return ("line", self.step_km, self.reach_km, self.gap_km, self.channel_km,
                self.noise_km2)

    @property
    def depends_m(self) -> float:
        """How far (m, CONFORMAL CRS) from a sample the geometry that decides it may lie: its
        rays, the opening that tells thick land from slivers, and the ring around it that
        gives its direction. A sample farther than this from every change keeps its class."""
        ray = (self.reach_km + self.channel_km) * 1e3
        return ray + 3 * CORE_RADIUS_M + max(self.step_km * 1e3, 500.0) + 100.0


@lcrs.per_thread()
def land_conformal() -> tuple[BaseGeometry, BaseGeometry]:
    """Ukraine's land and its outline (coast and state border), CONFORMAL CRS, prepared
    (each thread its own: see :func:`loc.geo.prepared_copy`).

    Returns
    -------
    (shapely.MultiPolygon, shapely.MultiLineString)
        Land and outline, metres.
    """
    land = lcrs.project(ukraine(), lcrs.CONFORMAL)
    outline = shapely.boundary(land)
    shapely.prepare(land)
    shapely.prepare(outline)
    return land, outline


@lcrs.per_thread(maxsize=8)
def _inland(reach_m: float) -> BaseGeometry:
    """Land farther than ``reach_m`` from the coast and the state border (CONFORMAL),
    prepared (each thread its own)."""
    inner = shapely.buffer(land_conformal()[0], -reach_m, quad_segs=8)
    shapely.prepare(inner)
    return inner


def opening(geom_m: BaseGeometry) -> BaseGeometry:
    """The thick part of a CONFORMAL area: what survives an opening by
    :data:`CORE_RADIUS_M` (erosion, then dilation), prepared.

    Parameters
    ----------
    geom_m : shapely geometry
        Polygons, CONFORMAL metres.

    Returns
    -------
    shapely geometry
        The opened area (slivers narrower than 3 km removed).
    """
    core = shapely.buffer(shapely.buffer(geom_m, -CORE_RADIUS_M, quad_segs=2), CORE_RADIUS_M,
                          quad_segs=2)
    shapely.prepare(core)
    return core


TILE_M = 100_000.0
"""Side (m, CONFORMAL CRS) of the grid tiles in which the thick land held by others is
computed: a tile's opening depends only on the land within 3 km of it, so the single line and
the history compute the same figures, and the history recomputes only tiles near a change."""


class Ground:
    """What the samples of one date are classified against (CONFORMAL CRS).

    Parameters
    ----------
    ru_m : shapely geometry
        The Russian-held area, prepared.
    others_m : shapely geometry, optional
        The land held by others; default Ukraine's land less ``ru_m`` (the usual case: a
        source that gives only the occupied area).
    tiles : dict, optional
        Thick land already computed for this geometry, by tile (kept by the history for the
        tiles no change came near); filled in place.
    """

    def __init__(self, ru_m: BaseGeometry, others_m: BaseGeometry | None = None,
                 tiles: dict | None = None) -> None:
        self.ru_m = ru_m
        self.others_m = others_m
        self.tiles: dict = {} if tiles is None else tiles

    @classmethod
    def of(cls, snapshot: Snapshot) -> Ground:
        """The ground of a whole snapshot.

        Parameters
        ----------
        snapshot : Snapshot
            The snapshot.

        Returns
        -------
        Ground
            Its Russian-held area and the land held by others (Ukraine's land less the
            Russian-held area, unless the source gave the other sides).
        """
        ru_m = lcrs.project(snapshot.side("ru"), lcrs.CONFORMAL)
        shapely.prepare(ru_m)
        return cls(ru_m, others_of(snapshot))

    def others(self, box: tuple[float, float, float, float]) -> BaseGeometry:
        """The land held by others inside a box (CONFORMAL).

        Parameters
        ----------
        box : tuple of float
            ``(xmin, ymin, xmax, ymax)``, metres.

        Returns
        -------
        shapely geometry
            Polygons.
        """
        if self.others_m is not None:
            return clip_box(self.others_m, box)
        return shapely.difference(clip_box(land_conformal()[0], box), clip_box(self.ru_m, box))

    def core_near(self, pts_m: np.ndarray, radius_m: float) -> BaseGeometry:
        """The thick land held by others (:func:`opening`), exact within ``radius_m`` of the
        points, prepared.

        Parameters
        ----------
        pts_m : numpy.ndarray
            ``(n, 2)`` CONFORMAL points.
        radius_m : float
            How far from them it is needed, metres.

        Returns
        -------
        shapely geometry
            The thick land, in tiles of :data:`TILE_M`.
        """
        lo = np.floor((pts_m - radius_m) / TILE_M).astype(int)
        hi = np.floor((pts_m + radius_m) / TILE_M).astype(int)
        need: set[tuple[int, int]] = set()
        for i0, j0, i1, j1 in np.unique(np.hstack([lo, hi]), axis=0).tolist():
            need.update((i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1))
        parts = []
        for tile in sorted(need):
            if tile not in self.tiles:
                self.tiles[tile] = self._tile_core(*tile)
            parts.extend(self.tiles[tile])
        core = shapely.multipolygons(parts) if parts else shapely.MultiPolygon()
        shapely.prepare(core)
        return core

    def _tile_core(self, i: int, j: int) -> list:
        box = (i * TILE_M, j * TILE_M, (i + 1) * TILE_M, (j + 1) * TILE_M)
        pad = 2 * CORE_RADIUS_M + 100.0
        grown = (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)
        return list(polygon_parts(clip_box(opening(self.others(grown)), box)))


def others_of(snapshot: Snapshot) -> BaseGeometry | None:
    """The land held by others in a snapshot (CONFORMAL), or None when it is Ukraine's land
    less the Russian-held area (the source gave only that).

    Parameters
    ----------
    snapshot : Snapshot
        The snapshot.

    Returns
    -------
    shapely geometry or None
        The ``ua`` and ``contested`` sides, projected, when the source gave either.
    """
    if "ua" not in snapshot.given and snapshot.side("contested").is_empty:
        return None
    others = shapely.union(snapshot.side("ua"), snapshot.side("contested"))
    return lcrs.project(others, lcrs.CONFORMAL)


@dataclass
class RingSamples:
    """A ring of the Russian-held boundary sampled for classification.

    Attributes
    ----------
    ll : numpy.ndarray
        ``(n, 2)`` lon/lat samples in ring order (closing sample dropped).
    m : numpy.ndarray
        The same in the CONFORMAL CRS.
    original : numpy.ndarray
        True where a sample is a vertex of the source.
    seg_m : numpy.ndarray
        Length (m) of the segment from each sample to the next (the last closes the ring).
    first : numpy.ndarray
        Index of the first sample of each edge (edge ``i`` runs from vertex ``i`` to the
        next); its samples run to the next edge's first.
    along : numpy.ndarray
        Distance (m) along the ring of each sample and of the closing one, from the first.
    tangent_m : float
        Half the span (m) along the ring over which a sample's direction is taken.
    """

    ll: np.ndarray
    m: np.ndarray
    original: np.ndarray
    seg_m: np.ndarray
    first: np.ndarray
    along: np.ndarray
    tangent_m: float

    def normals(self, idx: np.ndarray | None = None) -> np.ndarray:
        """Unit vectors pointing away from the Russian-held side at some samples: the
        direction of the chord from ``tangent_m`` before each to ``tangent_m`` after it
        along the ring, turned right. Each depends on its own sample only, so the normals
        of a few samples are those of the whole ring at them.

        Parameters
        ----------
        idx : numpy.ndarray, optional
            Sample positions (default: every sample).

        Returns
        -------
        numpy.ndarray
            ``(k, 2)`` normals (CONFORMAL CRS).
        """
        s = self.along[:-1] if idx is None else self.along[idx]
        closed = np.vstack([self.m, self.m[:1]])
        total = self.along[-1]

        def at(pos: np.ndarray) -> np.ndarray:
            pos = np.mod(pos, total)
            return np.column_stack([np.interp(pos, self.along, closed[:, 0]),
                                    np.interp(pos, self.along, closed[:, 1])])

        tangent = at(s + self.tangent_m) - at(s - self.tangent_m)
        tangent /= np.maximum(np.linalg.norm(tangent, axis=1), 1e-9)[:, None]
        return np.column_stack([tangent[:, 1], -tangent[:, 0]])  # right side: away from ru


def oriented_ring(xy: np.ndarray, exterior: bool) -> np.ndarray | None:
    """A lon/lat ring turned so that its polygon lies on its left, closing vertex dropped;
    None for a ring enclosing less than :data:`MIN_RING_KM2`.

    Parameters
    ----------
    xy : numpy.ndarray
        ``(n, 2)`` or ``(n, 3)`` ring coordinates, lon/lat, closed.
    exterior : bool
        Whether the ring is a polygon's exterior (else a hole).

    Returns
    -------
    numpy.ndarray or None
        ``(n - 1, 2)`` coordinates.

    Examples
    --------
    >>> ring = np.array([[37.0, 48.0], [37.0, 48.1], [37.1, 48.1], [37.1, 48.0], [37.0, 48.0]])
    >>> oriented_ring(ring, exterior=True).tolist()  # clockwise given, counter-clockwise out
    [[37.1, 48.0], [37.1, 48.1], [37.0, 48.1], [37.0, 48.0]]
    """
    xy = np.asarray(xy, dtype=float)[:-1, :2]
    if len(xy) < 3:
        return None
    x, y = xy[:, 0], xy[:, 1]
    twice = float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))
    if (twice >= 0) != exterior:
        xy = xy[::-1]
    # km² roughly (degrees at the ring's latitude); measured only when near the limit
    rough = abs(twice) / 2 * 111.32 ** 2 * np.cos(np.radians(y.mean()))
    if rough < 2 * MIN_RING_KM2 and (rough < MIN_RING_KM2 / 2
                                     or lcrs.area_km2(shapely.Polygon(xy)) < MIN_RING_KM2):
        return None
    return np.ascontiguousarray(xy)


def rings_of(geom: BaseGeometry) -> list[np.ndarray]:
    """Every ring (exteriors and holes) of a lon/lat (Multi)Polygon, as
    :func:`oriented_ring` gives them (tiny rings dropped).

    Parameters
    ----------
    geom : shapely geometry
        Polygons, lon/lat.

    Returns
    -------
    list of numpy.ndarray
        ``(n, 2)`` lon/lat arrays.
    """
    out = []
    for poly in polygon_parts(geom):
        for k, ring in enumerate(shapely.get_rings(poly)):
            xy = oriented_ring(shapely.get_coordinates(ring), exterior=k == 0)
            if xy is not None:
                out.append(xy)
    return out


class LineBuilder:
    """The steps of the line of contact for fixed options: sample rings, classify samples,
    cut pieces, and assemble the frame.

    Parameters
    ----------
    options : LineOptions
        The options.
    """

    def __init__(self, options: LineOptions) -> None:
        self.options = options
        self.step_m = options.step_km * 1e3
        self.reach_m = options.reach_km * 1e3
        self.channel_m = options.channel_km * 1e3
        self.gap_m = options.gap_km * 1e3
        near = [150.0, 300.0, 600.0, *np.arange(1000.0, self.reach_m + 1.0, 500.0)]
        far = np.arange(self.reach_m + 500.0, self.reach_m + self.channel_m + 1.0, 500.0)
        self.dists = np.unique(np.array([d for d in near if d <= self.reach_m] + list(far)))
        self.in_reach = self.dists <= self.reach_m
        angles = np.radians(RAY_ANGLES_DEG)
        self.rot = np.stack([np.cos(angles), np.sin(angles)], axis=1)

    # -- sampling ------------------------------------------------------------------------

    def samples(self, xy: np.ndarray, xy_m: np.ndarray | None = None,
                reuse: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
                ) -> RingSamples:
        """Samples of one oriented lon/lat ring (see :func:`oriented_ring`): each edge cut
        into equal parts no longer than the step (CONFORMAL CRS), so an edge's samples
        depend on that edge only.

        Parameters
        ----------
        xy : numpy.ndarray
            ``(n, 2)`` lon/lat, polygon on the left, closing vertex dropped.
        xy_m : numpy.ndarray, optional
            The same vertices in the CONFORMAL CRS, if already projected.
        reuse : (numpy.ndarray, numpy.ndarray, numpy.ndarray), optional
            Samples of the same edges computed before: for each edge the index of its first
            sample in the lon/lat and CONFORMAL arrays given (or -1 for an edge not met
            before), and those arrays. Copied, not recomputed.

        Returns
        -------
        RingSamples
            The samples.
        """
        nxt = np.roll(xy, -1, axis=0)
        vm = lcrs.project_coords(xy, lcrs.CONFORMAL) if xy_m is None else xy_m
        edge_m = _closed_steps(vm)
        n = np.maximum(1, np.ceil(edge_m / self.step_m).astype(int))
        i = np.repeat(np.arange(len(xy)), n)
        first = np.cumsum(n) - n
        offset = np.arange(len(i)) - first[i]
        original = offset == 0
        ll = np.empty((len(i), 2))
        m = np.empty_like(ll)
        new = np.ones(len(i), dtype=bool)
        if reuse is not None:
            start, ll_src, m_src = reuse
            at_start = start[i]
            new = at_start < 0
            old = np.flatnonzero(~new)
            src = at_start[old] + offset[old]
            lcrs.put_rows(ll, old, lcrs.take_rows(ll_src, src))
            lcrs.put_rows(m, old, lcrs.take_rows(m_src, src))
        fresh = np.flatnonzero(new)
        k = i[fresh]
        t = offset[fresh] / n[k]
        lcrs.put_rows(ll, fresh, lcrs.take_rows(xy, k) + (
            lcrs.take_rows(nxt, k) - lcrs.take_rows(xy, k)) * t[:, None])
        vertex = np.flatnonzero(new & original)
        lcrs.put_rows(m, vertex, lcrs.take_rows(vm, i[vertex]))
        inner = np.flatnonzero(new & ~original)
        lcrs.put_rows(m, inner, lcrs.project_coords(lcrs.take_rows(ll, inner),
                                                      lcrs.CONFORMAL))
        seg = _closed_steps(m)
        return RingSamples(ll=ll, m=m, original=original, seg_m=seg, first=first,
                           along=np.concatenate([[0.0], np.cumsum(seg)]),
                           tangent_m=max(self.step_m, 500.0))

    # -- classification ------------------------------------------------------------------

    def near_outline(self, pts_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where samples are on Ukraine's land, and which of those lie within reach of the
        coast or the state border (they need rays); depends on the position only.

        Parameters
        ----------
        pts_m : numpy.ndarray
            ``(n, 2)`` CONFORMAL samples.

        Returns
        -------
        (numpy.ndarray, numpy.ndarray)
            Boolean masks ``on_land`` and ``near``.
        """
        land, _ = land_conformal()
        x, y = pts_m[:, 0], pts_m[:, 1]
        far = shapely.contains_xy(_inland(self.reach_m), x, y)
        on_land = far.copy()
        rest = np.flatnonzero(~far)
        on_land[rest] = shapely.contains_xy(land, x[rest], y[rest])
        return on_land, on_land & ~far

    def classify(self, pts_m: np.ndarray, normals: Callable[[np.ndarray], np.ndarray],
                 ground: Ground) -> tuple[np.ndarray, np.ndarray]:
        """Contact (True) or edge (False) for samples (CONFORMAL metres), and which of them
        needed rays (their class depends on the geometry around them, not only on where they
        are).

        Parameters
        ----------
        pts_m : numpy.ndarray
            ``(n, 2)`` samples.
        normals : callable
            ``normals(idx)``: the ``(k, 2)`` outward unit normals at the samples ``idx``
            (e.g. :meth:`RingSamples.normals`); asked only for samples that need rays.
        ground : Ground
            The date's geometry.

        Returns
        -------
        (numpy.ndarray, numpy.ndarray)
            Boolean ``contact`` and ``near`` (see :meth:`near_outline`), one per sample.
        """
        on_land, near = self.near_outline(pts_m)
        contact = on_land & ~near
        todo = np.flatnonzero(near)
        if len(todo):
            contact[todo] = self._rays(lcrs.take_rows(pts_m, todo), normals(todo), ground)
        return contact, near

    def _rays(self, pts: np.ndarray, normal: np.ndarray, ground: Ground) -> np.ndarray:
        """The ray vote (steps 3 and 4 of the module docstring) for samples near the coast
        or the state border. Probes are tested distance by distance, only on rays not yet
        decided."""
        land, _ = land_conformal()
        core = ground.core_near(pts, self.dists[-1] + CORE_RADIUS_M)
        thick = shapely.dwithin(core, shapely.points(pts), CORE_RADIUS_M)
        k = len(pts)
        c, s = self.rot[:, 0], self.rot[:, 1]
        dx = normal[:, None, 0] * c[None, :] - normal[:, None, 1] * s[None, :]
        dy = normal[:, None, 0] * s[None, :] + normal[:, None, 1] * c[None, :]
        dx, dy = dx.ravel(), dy.ravel()
        ox, oy = np.repeat(pts[:, 0], len(c)), np.repeat(pts[:, 1], len(c))
        # ray state: 0 still in ru, 1 out on others' land, 2 across water or abroad since
        # ``wet``; decided rays get a vote: 1 contact by the land beyond, 2 contact across
        # water, -1 edge
        state = np.zeros(len(dx), dtype=np.int8)
        vote = np.zeros(len(dx), dtype=np.int8)
        wet = np.zeros(len(dx))
        active = np.arange(len(dx))
        for d, in_reach in zip(self.dists, self.in_reach, strict=True):
            if not in_reach:
                # beyond reach only rays looking across water go on; open land was contact
                on = active[state[active] == 1]
                vote[on] = 1
                active = active[state[active] == 2]
            if not len(active):
                break
            px, py = ox[active] + dx[active] * d, oy[active] + dy[active] * d
            in_ru = shapely.contains_xy(ground.ru_m, px, py)
            in_land = np.zeros(len(active), dtype=bool)
            off = ~in_ru
            in_land[off] = shapely.contains_xy(land, px[off], py[off])
            st = state[active]
            # leaving ru, onto land or into water
            leave = (st == 0) & off
            state[active[leave & in_land]] = 1
            to_water = (leave & ~in_land) | ((st == 1) & off & ~in_land)
            state[active[to_water]] = 2
            wet[active[to_water]] = d
            vote[active[(st == 1) & in_ru]] = 1  # back in ru: a narrow salient
            across = st == 2
            vote[active[across & in_ru]] = -1  # ru again: a bay, not a river
            far_land = np.flatnonzero(across & in_land)
            if len(far_land):
                hit = shapely.contains_xy(core, px[far_land], py[far_land])
                vote[active[far_land[hit]]] = 2
            too_far = across & (d - wet[active] >= self.channel_m) & (vote[active] == 0)
            vote[active[too_far]] = -1
            active = active[vote[active] == 0]
        vote[active[state[active] == 1]] = 1  # open land to the end of the probes
        vote[active[state[active] == 2]] = -1
        cast = (state > 0).reshape(k, -1).sum(axis=1)
        votes = vote.reshape(k, -1)
        score = np.where(thick[:, None], votes > 0, votes == 2).sum(axis=1)
        # a sample whose every ray stays in ru sits in a notch: contact if the land is thick
        return np.where(cast > 0, score > cast / 2.0, thick)

    # -- pieces --------------------------------------------------------------------------

    def pieces(self, ring: RingSamples, contact: np.ndarray) -> list[np.ndarray]:
        """The contact stretches of a ring as lon/lat arrays (source vertices, and the
        samples where a stretch starts or ends).

        Parameters
        ----------
        ring : RingSamples
            The ring's samples.
        contact : numpy.ndarray
            Their classification.

        Returns
        -------
        list of numpy.ndarray
            ``(k, 2)`` lon/lat arrays, walking with Russian-held land on the left.
        """
        seg_contact = contact & np.roll(contact, -1)  # a segment is contact when both ends are
        seg_contact = _close_gaps(seg_contact, ring.seg_m, self.gap_m)
        n = len(ring.ll)
        out = []
        for start, length in _runs(seg_contact):
            idx = (start + np.arange(length + 1)) % n
            keep = ring.original[idx].copy()
            keep[0] = keep[-1] = True
            out.append(lcrs.take_rows(ring.ll, idx[keep]))
        return out

    def rows(self, pieces: list[np.ndarray], ground: Ground, known: dict | None = None,
             length: Callable[[LineString], float] = lcrs.geodesic_length_km,
             places: Callable[[np.ndarray], np.ndarray] = regions_at,
             noise: Callable[[bytes, LineString], bool] | None = None) -> dict[str, list]:
        """The rows of the line of contact (see :func:`rows_frame`) from the pieces of every
        ring.

        Parameters
        ----------
        pieces : list of numpy.ndarray
            Lon/lat pieces (:meth:`pieces`).
        ground : Ground
            The date's geometry (for border noise).
        known : dict, optional
            Figures of pieces met before, by their coordinates' bytes: ``(length_km,
            regions, reaches inland)``; updated in place.
        length : callable
            The geodesic length (km) of a lon/lat line.
        places : callable
            The registry position of the region holding each of ``(n, 2)`` lon/lat points
            (:func:`~loc.reference.regions.regions_at`).
        noise : callable, optional
            ``noise(key, piece)``: whether a piece that does not reach inland is border
            noise (default: :meth:`noise_box` on ``ground``); ``key`` is its coordinates'
            bytes.

        Returns
        -------
        dict
            Lists ``piece``, ``kind``, ``region``, ``length_km`` and ``geometry`` (lon/lat
            LineStrings), in the order of :func:`line_of_contact`.
        """
        lines = _merge([LineString(p) for p in pieces if len(p) >= 2])
        known = {} if known is None else known
        if noise is None:
            def noise(_key: bytes, piece: LineString) -> bool:
                return self.noise_box(piece, ground)[0]
        figures = []
        keys = []
        for g in lines:
            key = shapely.get_coordinates(g).tobytes()
            hit = known.get(key)
            if hit is None:
                hit = known[key] = (length(g), ",".join(_regions_along(g, places)),
                                    self._inland(g))
            figures.append(hit)
            keys.append(key)
        is_noise = np.array([not f[2] and noise(k, g)
                             for g, f, k in zip(lines, figures, keys, strict=True)], dtype=bool)
        lengths = np.array([f[0] for f in figures], dtype=float)
        order = np.lexsort((-lengths, is_noise)) if len(lines) else np.array([], dtype=int)
        return {"piece": list(range(len(lines))),
                "kind": [NOISE if is_noise[i] else (MAIN if j == 0 else POCKET)
                         for j, i in enumerate(order)],
                "region": [figures[i][1] for i in order],
                "length_km": [float(lengths[i]) for i in order],
                "geometry": [lines[i] for i in order]}

    def _inland(self, line: LineString) -> bool:
        """Whether a piece reaches farther inland than the reach from the coast and the
        state border (then it is no border noise, whatever the date's geometry)."""
        if self.options.noise_km2 <= 0:
            return True  # no piece is noise
        inland = _inland(self.reach_m)
        ll = shapely.get_coordinates(line)
        some = lcrs.project_coords(ll[::64], lcrs.CONFORMAL)  # most pieces are found here
        if shapely.contains_xy(inland, some[:, 0], some[:, 1]).any():
            return True
        xy = lcrs.project_coords(ll, lcrs.CONFORMAL)
        return bool(shapely.contains_xy(inland, xy[:, 0], xy[:, 1]).any())

    def noise_box(self, line: LineString, ground: Ground
                  ) -> tuple[bool, tuple[float, float, float, float]]:
        """Whether a piece that does not reach inland (:meth:`_inland`) only bounds a
        sliver of Russian-held land crossing the coast or the state border (under
        ``noise_km2`` on Ukraine's land), and the box (CONFORMAL) outside which the
        Russian-held area played no part in the answer.

        Parameters
        ----------
        line : shapely.LineString
            The piece (lon/lat).
        ground : Ground
            The date's geometry.

        Returns
        -------
        (bool, tuple of float)
            Border noise or not, and ``(xmin, ymin, xmax, ymax)``.
        """
        xy = lcrs.project_coords(shapely.get_coordinates(line), lcrs.CONFORMAL)
        line_m = shapely.linestrings(xy)
        limit = self.options.noise_km2 * 1e6
        x0, y0 = xy.min(axis=0)
        x1, y1 = xy.max(axis=0)
        pad = 1000.0
        while True:
            box = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
            land, outline = land_conformal()
            held = polygon_parts(shapely.intersection(clip_box(ground.ru_m, box),
                                                      clip_box(land, box)))
            touched = held[shapely.dwithin(held, line_m, TOUCH_M)] if len(held) else held
            area = float(shapely.area(touched).sum()) if len(touched) else 0.0
            if 0 < area < 2 * limit:  # CONFORMAL areas are within 0.3 % of true areas
                area = float(shapely.area(lcrs.project(touched, lcrs.EQUAL_AREA,
                                                       lcrs.CONFORMAL)).sum())
            if area >= limit:
                return False, box
            inner = (box[0] + TOUCH_M, box[1] + TOUCH_M, box[2] - TOUCH_M, box[3] - TOUCH_M)
            b = shapely.bounds(touched) if len(touched) else np.empty((0, 4))
            whole = ((b[:, 0] > inner[0]) & (b[:, 1] > inner[1]) & (b[:, 2] < inner[2])
                     & (b[:, 3] < inner[3])).all()
            if whole:
                return bool(len(touched)) and bool(
                    shapely.dwithin(outline, touched, TOUCH_M).any()), box
            pad *= 4


def _closed_steps(xy: np.ndarray) -> np.ndarray:
    """Length of the step from each point of a closed ring to the next (the last to the
    first), in the points' units."""
    x, y = xy[:, 0], xy[:, 1]
    dx, dy = np.empty(len(xy)), np.empty(len(xy))
    np.subtract(x[1:], x[:-1], out=dx[:-1])
    np.subtract(y[1:], y[:-1], out=dy[:-1])
    if len(xy):
        dx[-1], dy[-1] = x[0] - x[-1], y[0] - y[-1]
    return np.hypot(dx, dy)


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True in a circular boolean array as (start, length), starts in [0, n)."""
    n = len(flags)
    if flags.all():
        return [(0, n)]
    if not flags.any():
        return []
    shift = int(np.flatnonzero(~flags)[0])
    rolled = np.roll(flags, -shift)
    edges = np.diff(np.concatenate([[0], rolled.astype(int), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(int((a + shift) % n), int(b - a)) for a, b in zip(starts, ends, strict=True)]


def _close_gaps(flags: np.ndarray, seg_m: np.ndarray, gap_m: float) -> np.ndarray:
    """Turn False runs shorter than ``gap_m`` (arc length) between True runs into True."""
    out = flags.copy()
    if out.all() or not out.any():
        return out
    n = len(flags)
    for start, length in _runs(~flags):
        idx = (start + np.arange(length)) % n
        if seg_m[idx].sum() < gap_m:
            out[idx] = True
    return out


def line_of_contact(snapshot: Snapshot, *, step_km: float = 0.5, reach_km: float = 5.0,
                    gap_km: float = 1.0, channel_km: float = 5.0, noise_km2: float = 0.1,
                    by_region: bool = False) -> gpd.GeoDataFrame:
    """The line of contact of a snapshot, as lon/lat lines.

    Computed once per snapshot and options (later calls return a copy).

    Parameters
    ----------
    snapshot : Snapshot
        Control areas; the line is the edge of the ``ru`` side facing land held by others.
    step_km : float
        Sampling step along the boundary, km (CONFORMAL CRS); 0.05 to 10.
    reach_km : float
        How far outward (km) the boundary looks for the sea or a foreign country; coastal and
        border slivers narrower than this are not line of contact. 0.5 to 50.
    gap_km : float
        Edge gaps shorter than this (km) inside a contact stretch are closed; 0 to 50.
    channel_km : float
        How far (km) across water (a river, a channel; anything off Ukraine's land) the
        boundary looks for thick land held by the other side; 0 to 50 (0: never across).
    noise_km2 : float
        A piece that only bounds a sliver of Russian-held land crossing the state border or
        the coast, with less than this on Ukraine's land (km², EQUAL_AREA CRS), is
        ``border-noise``; 0 to 100 (0: never).
    by_region : bool
        If True, split every piece by region (one row per piece and region).

    Returns
    -------
    geopandas.GeoDataFrame
        Lon/lat (OGC:CRS84) LineStrings with columns ``piece`` (0 is the main front),
        ``kind`` (``main``, ``pocket``, or ``border-noise`` for pieces that are not line of
        contact), ``region`` (region keys along the piece, comma-separated; one key when
        ``by_region``), ``length_km`` (geodesic, WGS 84) and ``label``. Line of contact
        first, longest first; then border noise, longest first.

    Examples
    --------
    >>> import loc
    >>> line = loc.line_of_contact(loc.sample())
    >>> line.iloc[0]["kind"]
    'main'
    """
    if not isinstance(snapshot, Snapshot):
        raise TypeError(f"line_of_contact needs a Snapshot, not {type(snapshot).__name__}")
    checks.flag(by_region, "by_region")
    options = LineOptions(step_km=step_km, reach_km=reach_km, gap_km=gap_km,
                          channel_km=channel_km, noise_km2=noise_km2)
    line = snapshot.memo(options.key, lambda: _line(snapshot, options)).copy()
    return split_by_region(line) if by_region else line


def _line(snapshot: Snapshot, options: LineOptions) -> gpd.GeoDataFrame:
    ru = snapshot.side("ru")
    if ru.is_empty:
        return empty_line()
    builder = LineBuilder(options)
    ground = Ground.of(snapshot)
    pieces = []
    for xy in rings_of(ru):
        ring = builder.samples(xy)
        pieces.extend(builder.pieces(ring, builder.classify(ring.m, ring.normals, ground)[0]))
    return rows_frame(builder.rows(pieces, ground))


def rows_frame(rows: dict[str, list], **extra) -> gpd.GeoDataFrame:
    """The line of contact frame from rows (:meth:`LineBuilder.rows`, or several dates'
    rows joined), with ``extra`` columns first.

    Parameters
    ----------
    rows : dict
        Lists ``piece``, ``kind``, ``region``, ``length_km``, ``geometry``.
    **extra
        Columns to put first (e.g. ``date``), one value per row.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``*extra``, ``piece``, ``kind``, ``region``, ``length_km``, ``label``;
        lon/lat (OGC:CRS84).
    """
    n = len(rows["piece"])
    columns = {**extra,
               "piece": np.asarray(rows["piece"], dtype=int),
               "kind": np.asarray(rows["kind"], dtype=object),
               "region": np.asarray(rows["region"], dtype=object),
               "length_km": np.asarray(rows["length_km"], dtype=float),
               "label": np.array([NOISE_LABEL if k == NOISE else LABEL for k in rows["kind"]],
                                 dtype=object)}
    geometry = np.asarray(rows["geometry"], dtype=object) if n else np.array([], dtype=object)
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries(geometry, crs="OGC:CRS84"),
                            crs="OGC:CRS84")


def empty_line() -> gpd.GeoDataFrame:
    """A line of contact with no pieces (the columns of :func:`line_of_contact`).

    Returns
    -------
    geopandas.GeoDataFrame
        No rows, lon/lat.
    """
    return rows_frame({c: [] for c in ("piece", "kind", "region", "length_km", "geometry")})


def contact_only(line: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The pieces of a line that are line of contact (``border-noise`` left out).

    Parameters
    ----------
    line : geopandas.GeoDataFrame
        From :func:`line_of_contact` (or a freeze line).

    Returns
    -------
    geopandas.GeoDataFrame
        The rows whose ``kind`` is not ``border-noise``.

    Examples
    --------
    >>> import loc
    >>> len(contact_only(loc.line_of_contact(loc.sample()))) >= 1
    True
    """
    if "kind" not in line:
        return line
    return line[line["kind"] != NOISE]


def _merge(lines: list[LineString]) -> list[LineString]:
    """Join pieces whose ends meet, keeping the walking direction (shapely's directed
    line merge)."""
    if len(lines) < 2:
        return list(lines)
    merged = shapely.line_merge(shapely.multilinestrings(lines), directed=True)
    return [g for g in shapely.get_parts(merged) if not g.is_empty]


STEP_DEG = 0.01
"""Largest spacing (degrees, about 1 km) of the points at which a piece's regions are
found."""


def along_points(xy: np.ndarray, step_deg: float = STEP_DEG) -> np.ndarray:
    """Points along a lon/lat line: each vertex, and on each segment longer than
    ``step_deg`` equally spaced points between its ends, so that each point depends on
    its own segment only (a line that changed in a few places keeps its other points).

    Parameters
    ----------
    xy : numpy.ndarray
        ``(n, 2)`` lon/lat vertices.
    step_deg : float
        Largest spacing, degrees.

    Returns
    -------
    numpy.ndarray
        ``(m, 2)`` points in walking order, the first and last vertices included.

    Examples
    --------
    >>> along_points(np.array([[30.0, 48.0], [30.025, 48.0]])).tolist()
    [[30.0, 48.0], [30.008333333333333, 48.0], [30.016666666666666, 48.0], [30.025, 48.0]]
    """
    if len(xy) < 2:
        return np.asarray(xy, dtype=float).reshape(-1, 2)
    start, end = xy[:-1], xy[1:]
    n = np.maximum(1, np.ceil(np.hypot(*(end - start).T) / step_deg)).astype(int)
    seg = np.repeat(np.arange(len(n)), n)
    t = (np.arange(len(seg)) - np.repeat(np.cumsum(n) - n, n)) / n[seg]
    a, b = lcrs.take_rows(start, seg), lcrs.take_rows(end, seg)
    pts = a + (b - a) * t[:, None]
    return np.vstack([pts, xy[-1:]])


def _regions_along(line: LineString,
                   places: Callable[[np.ndarray], np.ndarray] = regions_at) -> list[str]:
    """Region keys the line passes through, in walking order (at :func:`along_points`; a
    point in no region, off a coast, takes the nearest)."""
    found = places(along_points(shapely.get_coordinates(line)))
    _, first = np.unique(found, return_index=True)
    return list(registry()["key"].to_numpy()[found[np.sort(first)]])


def split_by_region(line: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Split line pieces by region: one row per piece and region with a non-empty part.

    Crimea and Sevastopol stay apart here; group them with ``regions()['group']``.

    Parameters
    ----------
    line : geopandas.GeoDataFrame
        Pieces from :func:`line_of_contact` (lon/lat).

    Returns
    -------
    geopandas.GeoDataFrame
        The same columns, ``region`` one key, ``length_km`` of the part (geodesic); every
        row a non-empty (Multi)LineString.

    Examples
    --------
    >>> import loc
    >>> parts = loc.split_by_region(loc.line_of_contact(loc.sample()))
    >>> "donetsk" in set(parts["region"])
    True
    """
    line = lonlat_frame(checks.frame(line, "the line", ("geometry",),
                                     ("LineString", "MultiLineString")), "the line")
    reg = registry()
    rows = []
    for rec, geom in zip(line.drop(columns="geometry").to_dict(orient="records"),
                         line.geometry.values, strict=True):
        parts = shapely.intersection(geom, reg.geometry.values)
        for key, part in zip(reg["key"], parts, strict=True):
            part = shapely.line_merge(part) if part.geom_type == "MultiLineString" else part
            lines = [p for p in shapely.get_parts(part)
                     if p.geom_type == "LineString" and not p.is_empty]
            if not lines:
                continue
            geom_r = shapely.multilinestrings(lines) if len(lines) > 1 else lines[0]
            rows.append({**rec, "region": key,
                         "length_km": lcrs.geodesic_length_km(geom_r), "geometry": geom_r})
    if not rows:
        return line.iloc[:0].copy()
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs="OGC:CRS84")


def length_by_region(line: gpd.GeoDataFrame) -> pd.Series:
    """Line of contact length per region group (``crimea`` includes Sevastopol), with the
    rest (off a coast, across the border) as ``outside``; border noise is left out.

    Parameters
    ----------
    line : geopandas.GeoDataFrame
        Pieces from :func:`line_of_contact`.

    Returns
    -------
    pandas.Series
        km (geodesic, WGS 84) per group key, named ``line_km``.
    """
    line = contact_only(line)
    parts = split_by_region(line)
    if parts.empty:
        return pd.Series(dtype=float, name="line_km")
    group = parts["region"].map(registry()["group"])
    out = parts.groupby(group)["length_km"].sum().rename("line_km")
    rest = float(line["length_km"].sum() - out.sum())
    if rest > 1e-3:
        out.loc[OUTSIDE] = rest
    return out

"""Front movement: how far and where the line of contact moved between dates.

The earlier line is sampled every ``step_km`` (CONFORMAL CRS). For each sample the nearest
point of the later line is found in the CONFORMAL CRS and the distance between the two is
measured on the WGS 84 ellipsoid (:class:`pyproj.Geod`). The sign says which way the front
went: positive when the sample now lies inside the later Russian-held area (an advance into
land held by Ukraine), negative when it does not (a retreat). Samples within ``static_m`` of
the later line did not move.

The front cannot move farther than the territory that changed hands reaches. The changed
areas (``gained``: Russian-held later and not earlier; ``lost``: the reverse; CONFORMAL CRS)
are cut into connected parts. A sample's *reach* is the largest distance from it to the
parts of its own kind (gained for an advance, lost for a retreat) that touch it (within
:data:`TOUCH_M`): the distance to their farthest vertex. A sample whose nearest point of the
later line is farther than its reach (plus :data:`TOUCH_M`), or none of whose parts touch
the later line (a pocket that vanished, a strip given up to the border or coast), was
matched to some other front across land that did not change hands: it moved to the nearest
point of its parts' boundary that is not the earlier line (the border or coast it withdrew
to, the far side of a strip). With no changed part touching it (the line there changed
kind, not hands) it did not move.

A part bounded by one line alone (a pocket that vanished whole, bounded by the earlier
line; a pocket that appeared whole or a new hole, bounded by the later one) has no such
side. Fronts closing a pocket from all sides meet on its medial axis, so every sample on it
moved by the radius of the part's maximum inscribed circle (CONFORMAL CRS, measured on the
ellipsoid from its centre to its rim): the radius of a round pocket, the half-width of an
elongated one. A sample on a pocket that vanished moved to the circle's centre.

Where a front is new (a changed part the earlier line does not touch: a gained one is a new
pocket or an incursion across the state border, a lost one a hole that appeared inside
Russian-held land or ground given up where the earlier line did not run, such as a spit
bounded by the coast), the earlier line has no sample there: the later line is
sampled too (``piece`` :data:`APPEARED_PIECE`), and each of its samples on such a part
moved from the nearest point of the part's boundary that is not the later line (the border
it came from, the coast given up) or, for a part bounded by the later line alone, from the
centre of its inscribed circle by its radius. On a gained part that is an advance, on a
lost part a retreat.

Nearest points understate a thrust narrower than twice its depth: the samples on the
earlier line across its base find the later line on its flanks, at most half its width
away. So each changed part the earlier line touches also gets, in each sector it spans
(cut by region, or by the named axes' Voronoi cells), the sample of its deepest point
(``piece`` :data:`DEEPEST_PIECE`): the point farthest from the earlier line and from the
part's border or coast (its boundary on neither line), as :func:`loc.check` measures a
breach's depth (found to within :data:`loc.geo.DEPTH_STEP_M` in the CONFORMAL CRS and
measured on the ellipsoid from the nearest point of those), standing for no km of line
and placed in its sector, with the settlement nearest that point. A sector's largest
advance is then how far the ground taken reaches beyond the earlier front, however narrow
the thrust; a sector the earlier front does not run through but where ground was taken
across its edge has that depth and no mean.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from loc import checks
from loc import geo as lcrs
from loc.analysis.diff import windowed_difference
from loc.analysis.history import line_history
from loc.analysis.line import MIN_STEP_KM, contact_only, line_of_contact
from loc.errors import OptionError
from loc.io.inputs import read_items, series
from loc.model import Snapshot, earlier_first
from loc.reference.regions import region_groups, regions_at, registry
from loc.reference.settlements import nearest
from loc.reference.settlements import table as settlements_table

STATIC_M = 50.0
"""Displacements under this (m) are 'did not move' (vertex noise between two drawings)."""

TOUCH_M = 10.0
"""A changed area this close to a sample (m, CONFORMAL CRS) touches it. The lines keep their
polygons' own vertices, so a sample lies on the boundary of what changed to within cm."""

APPEARED_PIECE = -1
"""``piece`` of the samples of a new front, sampled on the later line: one that appeared
(an advance) or one behind ground given up where the earlier line did not run (a
retreat). They lie on no piece of the earlier line."""


DEEPEST_PIECE = -2
"""``piece`` of the sample of a changed part's deepest point (see the module notes): at the
nearest point of the part's boundary not on the later line, moved to the point farthest
from there; ``length_km`` 0 (it stands for no km of line, so the km still add up)."""


def _samples(line: gpd.GeoDataFrame, step_km: float,
             geoms_m: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points about every ``step_km`` along each piece (CONFORMAL CRS; at least one a
    piece, in the middle of equal parts), their piece numbers, and the km of line each
    stands for (the piece's geodesic ``length_km`` over its number of samples).
    ``geoms_m``: the pieces already in the CONFORMAL CRS."""
    if geoms_m is None:
        geoms_m = lcrs.project(line.geometry.values)
    if len(geoms_m) == 0:
        return np.array([], dtype=object), np.array([], dtype=int), np.array([])
    length = shapely.length(geoms_m)
    n = np.maximum(1, np.floor(length / (step_km * 1e3)).astype(int))
    owner = np.repeat(np.arange(len(geoms_m)), n)
    k = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    pts = _along(geoms_m, owner, (k + 0.5) * length[owner] / n[owner])
    return (pts, line["piece"].to_numpy()[owner],
            (line["length_km"].to_numpy(dtype=float) / n)[owner])


def _along(lines: np.ndarray, owner: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Points at distance ``d`` along ``lines[owner]`` (shapely's
    ``line_interpolate_point``, for many distances along many lines at once: it walks the
    line for every point)."""
    parts, part_of = shapely.get_parts(lines, return_index=True)
    xy, at = shapely.get_coordinates(parts, return_index=True)
    line_of = part_of[at]
    seg = np.hypot(*np.diff(xy, axis=0).T) * (at[1:] == at[:-1])  # no jump between parts
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    first = np.searchsorted(line_of, np.arange(len(lines)))
    last = np.searchsorted(line_of, np.arange(len(lines)), side="right") - 1
    m = cum[first[owner]] + d
    j = np.clip(np.searchsorted(cum, m, side="right") - 1, first[owner],
                np.maximum(first[owner], last[owner] - 1))
    s = np.where(seg[np.minimum(j, len(seg) - 1)] > 0, seg[np.minimum(j, len(seg) - 1)], 1.0)
    t = np.clip((m - cum[j]) / s, 0.0, 1.0)[:, None]
    nxt = np.minimum(j + 1, len(xy) - 1)
    return shapely.points(xy[j] + t * (xy[nxt] - xy[j]))


def _changed(ra_m, rb_m) -> tuple[np.ndarray, np.ndarray]:
    """The connected parts of what changed hands, CONFORMAL CRS: (gained, lost) polygons."""
    gained, lost = windowed_difference(ra_m, rb_m)
    return lcrs.polygon_parts(np.array(gained, dtype=object)), lcrs.polygon_parts(
        np.array(lost, dtype=object))


def _touching(pts_m: np.ndarray, parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (point, part) of the points and the ``parts`` within :data:`TOUCH_M` of each
    other (CONFORMAL CRS)."""
    if len(pts_m) == 0 or len(parts) == 0:
        return np.array([], dtype=int), np.array([], dtype=int)
    pi, pc = shapely.STRtree(parts).query(pts_m, predicate="dwithin", distance=TOUCH_M)
    return pi, pc


def _reach(pts_m: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """How far each point's changed territory reaches: the distance (m, CONFORMAL CRS) from
    the point to the farthest vertex of the ``parts`` within :data:`TOUCH_M` of it (0 with
    none). The farthest point of a polygon from a point is a vertex of its convex hull:
    only those are measured."""
    xy = shapely.get_coordinates(pts_m)
    reach = np.zeros(len(xy))
    pi, pc = _touching(pts_m, parts)
    if len(pi) == 0:
        return reach
    hull_xy, owner = shapely.get_coordinates(shapely.convex_hull(parts), return_index=True)
    count = np.bincount(owner, minlength=len(parts))
    start = np.cumsum(count) - count
    n = count[pc]  # every hull vertex of each touching part, against its point
    row = np.repeat(pi, n)
    vertex = hull_xy[np.repeat(start[pc], n) + np.arange(n.sum()) - np.repeat(
        np.cumsum(n) - n, n)]
    d2 = ((vertex - xy[row]) ** 2).sum(axis=1)
    np.maximum.at(reach, row, d2)
    return np.sqrt(reach)


def _base(pts_m: np.ndarray, parts: np.ndarray,
          lines_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the front at each point went when the other line does not say (CONFORMAL CRS).

    The nearest point of the changed ``parts`` touching it whose boundary is not on
    ``lines_m`` (the line the point lies on): the state border or the coast it withdrew to
    or advanced from, the far side of a strip. A part bounded by that line alone (a pocket
    that vanished or appeared whole, a new hole) has no such side: fronts closing it from
    all sides meet on its medial axis, so the front moved by the radius of its maximum
    inscribed circle, to (or from) the circle's centre; of several such parts the widest.

    Returns ``(to, rim)``, x/y arrays: the point, and where the displacement is a circle's
    radius the point of that circle on the part's boundary (its distance from ``to`` is the
    radius), else NaN. A point no part touches keeps its place (did not move)."""
    out = shapely.get_coordinates(pts_m)
    rim = np.full(out.shape, np.nan)
    pi, pc = _touching(pts_m, parts)
    best = np.full(len(pts_m), np.inf)  # distance to the nearest border or coast side
    widest = np.full(len(pts_m), -1.0)  # radius of the widest whole part, if no side
    tree = shapely.STRtree(lines_m) if len(lines_m) else None
    for c in np.unique(pc):
        part = parts[c]
        ring = _off_line(part, lines_m, tree)
        at = pi[pc == c]
        if ring.is_empty:  # bounded by the line alone: its maximum inscribed circle
            circle = shapely.get_coordinates(shapely.maximum_inscribed_circle(
                part, tolerance=TOUCH_M / 10))
            r = float(np.hypot(*(circle[1] - circle[0])))
            wider = np.isinf(best[at]) & (r > widest[at])
            widest[at[wider]] = r
            out[at[wider]], rim[at[wider]] = circle[0], circle[1]
            continue
        to = shapely.get_point(shapely.shortest_line(pts_m[at], ring), 1)
        d = shapely.distance(pts_m[at], to)
        better = d < best[at]
        best[at[better]] = d[better]
        out[at[better]] = shapely.get_coordinates(to[better])
        rim[at[better]] = np.nan
    return out, rim


def _off_line(part, lines_m: np.ndarray, tree: shapely.STRtree | None):
    """The boundary of a changed part (CONFORMAL CRS) that is not on ``lines_m`` (farther
    than :data:`TOUCH_M` from it; ``tree`` indexes them, None for no lines): its border,
    coast or far side, or the other line."""
    ring = shapely.boundary(part)
    on = tree.query(part, predicate="dwithin", distance=TOUCH_M) if tree else []
    if len(on):
        x0, y0, x1, y1 = part.bounds
        near = shapely.clip_by_rect(shapely.union_all(lines_m[on]), x0 - 2 * TOUCH_M,
                                    y0 - 2 * TOUCH_M, x1 + 2 * TOUCH_M, y1 + 2 * TOUCH_M)
        ring = shapely.difference(ring, shapely.buffer(near, TOUCH_M))
    return ring


def _sector_cells(names: list[str] | None, axes_m: np.ndarray | None,
                  bounds: tuple[float, float, float, float]) -> list[tuple[str, object]]:
    """Where each sector lies around ``bounds``, ``(sector, CONFORMAL polygon)``, for
    cutting changed areas as :func:`movement` places samples: the region groups meeting
    the box (what lies in none, abroad or at sea, is left over), or with ``names`` the
    named axes' Voronoi cells (each sample belongs to the nearest axis; one axis: None,
    everywhere)."""
    x0, y0, x1, y1 = bounds
    if names is not None and axes_m is not None:
        if len(axes_m) == 1:
            return [(names[0], None)]
        pad = 2 * max(x1 - x0, y1 - y0, 1e5)
        cells = shapely.get_parts(shapely.voronoi_polygons(
            shapely.multipoints(axes_m), extend_to=shapely.box(x0 - pad, y0 - pad, x1 + pad,
                                                               y1 + pad), ordered=True))
        # the cell of each axis (two axes at one place share the first's)
        return [(names[i], c) for c in cells
                for i in [int(np.flatnonzero(shapely.intersects(c, axes_m))[0])]]
    groups, _ = region_groups()
    box_ll = lcrs.unproject(shapely.box(x0, y0, x1, y1))
    return [(str(key), lcrs.project(g)) for key, g in groups.items()
            if shapely.intersects(g, box_ll)]


def _deepest(parts: np.ndarray, line_a, lb_m: np.ndarray, cells: list, by_region: bool,
             min_m: float) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
    """The deepest point of each of the changed ``parts`` (CONFORMAL CRS) in each sector it
    spans (``cells``, :func:`_sector_cells`; ``by_region``: what lies in no region is a
    piece of its own): the point farthest from the earlier line ``line_a`` (one geometry)
    and from the part's border or
    coast (its boundary on neither line), the nearest point of those to it, and the
    sector (None for what lies in no region: placed by its point), as ``(foot, deepest,
    sectors)``. A part bounded by the later line alone is left to its
    inscribed circle (see :func:`_base`), and one smaller across than ``min_m`` (m: it
    cannot reach that far) is not measured; the point is sought where the part is wider
    than :data:`TOUCH_M` (a difference of two drawings can leave a spike of no width along
    an edge, whose tip is no ground taken)."""
    foot: list = []
    far: list = []
    where: list[str | None] = []
    if not len(parts):
        return np.array(foot, dtype=object), np.array(far, dtype=object), where
    tree_b = shapely.STRtree(lb_m) if len(lb_m) else None
    for part in parts:
        x0, y0, x1, y1 = part.bounds
        r = float(np.hypot(x1 - x0, y1 - y0))  # no point of it is farther from its base
        if r < min_m:
            continue
        off = _off_line(part, lb_m, tree_b)  # the earlier line's stretch, the border, coast
        body = shapely.buffer(shapely.buffer(part, -TOUCH_M / 2, quad_segs=2), TOUCH_M / 2,
                              quad_segs=2)
        if off.is_empty or body.is_empty:
            continue
        reach = lcrs.LineReach(shapely.union(off, shapely.clip_by_rect(
            line_a, x0 - r, y0 - r, x1 + r, y1 + r)))
        pieces: list[tuple[str | None, object]] = []
        taken = []
        for name, cell in cells:
            if cell is None:
                pieces.append((name, body))
            elif shapely.intersects(cell, body):
                pieces.append((name, shapely.intersection(body, cell)))
                taken.append(cell)
        if by_region:  # what lies in no region (abroad, at sea): placed by its point
            pieces.append((None, shapely.difference(body, shapely.union_all(taken))
                           if taken else body))
        for home, piece in pieces:
            if shapely.is_empty(piece) or shapely.area(piece) <= 0:
                continue
            _, (x, y) = reach.farthest(piece)
            far.append(shapely.Point(x, y))
            foot.append(shapely.points(reach.nearest(np.array([[x, y]])))[0])
            where.append(home)
    return np.array(foot, dtype=object), np.array(far, dtype=object), where


def _moved_m(p_ll: np.ndarray, q_ll: np.ndarray, rim_m: np.ndarray) -> np.ndarray:
    """Geodesic displacement (m) from ``p_ll`` to ``q_ll`` (lon/lat points), or, where
    ``rim_m`` (CONFORMAL x/y, NaN elsewhere) is given, the geodesic radius from ``q_ll``
    (a circle's centre) to it."""
    dist = lcrs.geodesic_m(p_ll, q_ll)
    circle = np.flatnonzero(~np.isnan(rim_m[:, 0]))
    if len(circle):
        dist[circle] = lcrs.geodesic_m(q_ll[circle],
                                   lcrs.unproject(shapely.points(rim_m[circle])))
    return dist


def _axes(names: Iterable[str]) -> tuple[list[str], np.ndarray]:
    """Settlements named as sector axes: (names, CONFORMAL points)."""
    t = settlements_table()
    lower = t["name"].str.casefold()
    out_names, pts = [], []
    for name in names:
        hit = t[lower == str(name).strip().casefold()]
        if hit.empty:
            close = difflib.get_close_matches(str(name), sorted(set(t["name"])), n=3,
                                              cutoff=0.7)
            hint = f": did you mean {', '.join(close)}?" if close else ""
            raise OptionError(f"unknown settlement '{name}' for a sector axis{hint}")
        best = hit.sort_values("population", ascending=False).iloc[0]
        out_names.append(str(best["name"]))
        pts.append(shapely.Point(best["lon"], best["lat"]))
    return out_names, lcrs.project(np.array(pts, dtype=object))


def movement(a, b, step_km: float = 1.0, sectors: str | list[str] = "region",
             threshold_km: float = 0.5, static_m: float = STATIC_M) -> gpd.GeoDataFrame:
    """Displacement of the line of contact from snapshot ``a`` to the later ``b``.

    Parameters
    ----------
    a, b : Snapshot
        Earlier and later snapshot.
    step_km : float
        Sampling step along the earlier line (km, CONFORMAL CRS), 0.05 to 100.
    sectors : "region" or list of settlement names
        Sectors by region (Crimea with Sevastopol), or by named axes: each sample belongs to
        the nearest of these settlements.
    threshold_km : float
        Kept in ``attrs`` for :func:`sector_summary` (front that moved more than this).
    static_m : float
        Displacements under this many metres are set to 0 (did not move).

    Returns
    -------
    geopandas.GeoDataFrame
        One lon/lat point per sample with ``piece``, ``length_km`` (the km of the earlier
        line the sample stands for: its piece's geodesic length over the piece's number of
        samples, so they add up to the line's length), ``distance_km`` (geodesic, ≥ 0),
        ``displacement_km`` (signed: + advance, − retreat; never farther than the changed
        area touching the sample reaches, and across a pocket bounded by one line alone
        its inscribed radius, see the module notes), ``direction`` (``advance``,
        ``retreat``, ``static``), ``region``, ``sector``, ``settlement`` (nearest) and a
        ``to`` column holding where the sample went (lon/lat, WKT): the matched point of
        the later line, or the point of the changed area it is bounded by (the centre of
        a vanished pocket's inscribed circle), or the sample itself when it did not move.
        A new front (a changed area the earlier line does not touch) adds samples with
        ``piece`` -1 (:data:`APPEARED_PIECE`): the point it moved from (the border or
        coast, or the centre of a whole pocket's or hole's inscribed circle), the km of
        the later line each stands for as ``length_km``, and its point on the later line
        as ``to``; an advance on a gained area, a retreat on a lost one. Each changed
        area the earlier line touches adds, per sector it spans, the sample of its
        deepest point (``piece`` -2, :data:`DEEPEST_PIECE`, ``length_km`` 0): from the
        nearest point of the earlier line or the area's border or coast to its point
        farthest from them (``to``), in that point's sector. The ``attrs`` hold the
        dates, step and threshold.

    Examples
    --------
    >>> import loc
    >>> mv = loc.movement(loc.read(loc.sample_paths()[1]), loc.sample())
    >>> sorted(set(mv["direction"]))
    ['advance', 'retreat', 'static']
    """
    for name, snap in (("a", a), ("b", b)):
        if not isinstance(snap, Snapshot):
            raise TypeError(f"movement needs two Snapshots: {name} is {type(snap).__name__}")
    earlier_first(a, b, "measure movement")
    checks.number(step_km, "step_km", lo=MIN_STEP_KM, hi=100)
    checks.number(threshold_km, "threshold_km", lo=0)
    checks.number(static_m, "static_m", lo=0)
    names: list[str] | None = None
    axes_m = None
    if isinstance(sectors, str):
        if sectors != "region":
            raise OptionError("sectors must be 'region' or a list of settlement names")
    else:
        if isinstance(sectors, dict) or not isinstance(sectors, Iterable):
            raise TypeError("sectors must be 'region' or a list of settlement names, not "
                            f"{type(sectors).__name__}")
        names, axes_m = _axes(sectors)
        if not names:
            raise OptionError("sectors: give 'region' or one settlement name or more")
        # an axis named twice (or two at one place) is one sector: the first name given
        _, first = np.unique(shapely.get_coordinates(axes_m), axis=0, return_index=True)
        keep = np.sort(first)
        names, axes_m = [names[i] for i in keep], axes_m[keep]
    la, lb = contact_only(line_of_contact(a)), contact_only(line_of_contact(b))
    la_m, lb_m = lcrs.project(la.geometry.values), lcrs.project(lb.geometry.values)
    pts_m, piece, weight = _samples(la, step_km, la_m)
    cols = ["piece", "length_km", "distance_km", "displacement_km", "direction", "region",
            "sector", "settlement", "to"]
    if len(pts_m) == 0 and lb.empty:
        return gpd.GeoDataFrame(columns=[*cols, "geometry"], geometry="geometry",
                                crs="OGC:CRS84")
    gained, lost = _changed(lcrs.project(a.side("ru")), lcrs.project(b.side("ru")))
    p_ll = lcrs.unproject(pts_m)
    pc = shapely.get_coordinates(p_ll)
    ru_b = lcrs.prepared_copy(b.side("ru"))
    inside = shapely.contains_xy(ru_b, pc[:, 0], pc[:, 1])
    if lb.empty:  # no later line: every sample is measured by its changed area
        near_m, gap_m = pts_m.copy(), np.full(len(pts_m), np.inf)
    else:
        line_b = shapely.union_all(lb_m)
        near_m = shapely.get_point(shapely.shortest_line(pts_m, line_b), 1)
        gap_m = shapely.distance(pts_m, near_m)
    rim_m = np.full((len(pts_m), 2), np.nan)
    # the front cannot move farther than the changed territory reaches: a sample matched
    # beyond its reach, or whose changed parts do not reach the later line at all (a pocket
    # that vanished, a strip given up to the border or coast), moved to its parts' base
    # (or by a whole pocket's inscribed radius), none when no changed area touches it.
    # Only samples that moved at all are looked at.
    for parts, side in ((gained, inside), (lost, ~inside)):
        at = np.flatnonzero(side & (gap_m > TOUCH_M))
        if len(at) == 0:
            continue
        meets_b = _touching(parts, lb_m)[0]
        ti, tc = _touching(pts_m[at], parts)
        on_b = np.zeros(len(at), dtype=bool)
        on_b[ti[np.isin(tc, meets_b)]] = True
        beyond = at[(gap_m[at] > _reach(pts_m[at], parts) + TOUCH_M) | ~on_b]
        if len(beyond):
            to, rim_m[beyond] = _base(pts_m[beyond], parts, la_m)
            near_m[beyond] = shapely.points(to)
    q_ll = lcrs.unproject(near_m)
    dist_m = _moved_m(p_ll, q_ll, rim_m)
    piece = np.asarray(piece, dtype=int)
    # a front that appeared (a gained part the earlier line does not touch) or a new front
    # behind territory given up (a lost part it does not touch: a hole, a cut-off spit) has
    # no sample on the earlier line: the later line's samples on it advanced from, or
    # retreated from, its base (or by a whole pocket's or hole's inscribed radius)
    fresh = [(parts, np.isin(np.arange(len(parts)), _touching(parts, la_m)[0]), adv)
             for parts, adv in ((gained, True), (lost, False))]
    # the later line's pieces along a new front (only those are sampled)
    along = np.unique(np.concatenate([_touching(parts[~touch], lb_m)[1]
                                      for parts, touch, _ in fresh]))
    if len(along):
        r_m, _, r_km = _samples(lb.iloc[along], step_km, lb_m[along])
        taken = np.zeros(len(r_m), dtype=bool)
        for parts, touch, adv in fresh:
            ri, rc = _touching(r_m, parts)
            keep = np.zeros(len(r_m), dtype=bool)
            keep[ri] = True
            keep[ri[touch[rc]]] = False  # on a part the earlier line's samples measure
            keep &= ~taken
            taken |= keep
            if not keep.any():
                continue
            start, rim = _base(r_m[keep], parts[~touch], lb_m)
            start_m = shapely.points(start)
            start_ll, end_ll = lcrs.unproject(start_m), lcrs.unproject(r_m[keep])
            p_ll = np.concatenate([p_ll, start_ll])
            q_ll = np.concatenate([q_ll, end_ll])
            pts_m = np.concatenate([pts_m, start_m])
            # a whole pocket's radius runs from its centre (the start) to its rim
            dist_m = np.concatenate([dist_m, _moved_m(end_ll, start_ll, rim)])
            inside = np.concatenate([inside, np.full(int(keep.sum()), adv)])
            piece = np.concatenate([piece, np.full(int(keep.sum()), APPEARED_PIECE)])
            weight = np.concatenate([weight, r_km[keep]])
    # the deepest point of each changed part the earlier line touches: a thrust narrower
    # than twice its depth is deeper than any sample's nearest point of the later line
    placed: list[str | None] = []  # the sector of each deepest point, where it is known
    touched = np.concatenate([parts[touch] for parts, touch, _ in fresh])
    if len(touched):  # the sectors around every area measured, and the earlier line, once
        cells = _sector_cells(names, axes_m, shapely.total_bounds(touched))
        line_a = shapely.union_all(la_m)
    for parts, touch, adv in fresh:
        if not touch.any():
            continue
        foot_m, far_m, where = _deepest(parts[touch], line_a, lb_m, cells, axes_m is None,
                                        static_m)
        if not len(foot_m):
            continue
        placed.extend(where)
        foot_ll, far_ll = lcrs.unproject(foot_m), lcrs.unproject(far_m)
        p_ll = np.concatenate([p_ll, foot_ll])
        q_ll = np.concatenate([q_ll, far_ll])
        pts_m = np.concatenate([pts_m, foot_m])
        dist_m = np.concatenate([dist_m, lcrs.geodesic_m(foot_ll, far_ll)])
        inside = np.concatenate([inside, np.full(len(foot_m), adv)])
        piece = np.concatenate([piece, np.full(len(foot_m), DEEPEST_PIECE)])
        weight = np.concatenate([weight, np.zeros(len(foot_m))])
    dist_m = np.where(dist_m < static_m, 0.0, dist_m)
    signed = np.where(inside, dist_m, -dist_m) / 1e3 + 0.0  # + 0.0 turns -0.0 into 0.0
    direction = np.where(dist_m == 0, "static", np.where(inside, "advance", "retreat"))
    # a sample is placed where it is; a deepest point's sample in the sector of the piece
    # of its area it is the deepest point of (areas are cut by sector), or where that point
    # is (what lies in no region)
    deepest = piece == DEEPEST_PIECE
    regions = registry()["group"].to_numpy()[regions_at(np.where(deepest, q_ll, p_ll))]
    if axes_m is None or names is None:
        sector = regions.copy()
    else:
        sector = np.array(names, dtype=object)[shapely.STRtree(axes_m).nearest(pts_m)]
    at = np.flatnonzero(deepest)
    for k, home in zip(at.tolist(), placed, strict=True):
        if home is not None:
            sector[k] = home
            if axes_m is None:
                regions[k] = home
    near_sett = nearest(np.where(deepest, q_ll, p_ll))["name"].to_numpy()
    gdf = gpd.GeoDataFrame({
        "piece": piece, "length_km": weight, "distance_km": dist_m / 1e3,
        "displacement_km": signed,
        "direction": direction, "region": regions, "sector": sector,
        "settlement": near_sett, "to": shapely.to_wkt(q_ll, rounding_precision=6),
    }, geometry=p_ll, crs="OGC:CRS84")
    gdf.attrs.update({"from": a.label, "to": b.label, "step_km": step_km,
                      "threshold_km": threshold_km})
    return gdf


def sector_summary(mv: gpd.GeoDataFrame, threshold_km: float | None = None) -> pd.DataFrame:
    """Per sector: km of front, mean (weighted by the km of line each sample stands for)
    and max advance, and the front cut four ways: km that advanced more than the
    threshold, km that retreated more than it, km that moved less than it either way, km
    that did not move (under ``static_m``); deepest advance first. The four add up to
    ``front_km``, and the fronts to the geodesic length of the earlier line's contact
    pieces plus the new fronts (the later line's km along changed areas the earlier line
    does not touch: new pockets and holes, ground given up to the coast, see
    :func:`movement`), whatever the step; a sector's share is placed by its samples, so it
    is right to within about one step at each end of the sector.

    Parameters
    ----------
    mv : geopandas.GeoDataFrame
        Samples from :func:`movement`.
    threshold_km : float, optional
        Movement that counts as moved (default: the one recorded in ``mv.attrs``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``sector``: ``front_km``, ``mean_advance_km``, ``max_advance_km``,
        ``moved_km``, ``retreat_km``, ``minor_km``, ``static_km``, ``deepest_near``.

    Examples
    --------
    >>> import loc
    >>> s = loc.sector_summary(loc.movement(loc.read(loc.sample_paths()[1]), loc.sample()))
    >>> cut = s[["moved_km", "retreat_km", "minor_km", "static_km"]].sum(axis=1)
    >>> bool(((cut - s["front_km"]).abs() < 1e-6).all())
    True
    """
    checks.frame(mv, "movement samples", ("sector", "displacement_km", "length_km",
                                          "direction", "settlement"))
    threshold = checks.number(
        mv.attrs.get("threshold_km", 0.5) if threshold_km is None else threshold_km,
        "threshold_km", lo=0)
    rows = []
    for sector, g in mv.groupby("sector", sort=True):
        d = g["displacement_km"]
        km = g["length_km"].to_numpy(dtype=float)  # each sample's km of line
        deepest = g.loc[d.idxmax()] if len(g) else None
        rows.append({
            "sector": sector, "front_km": float(km.sum()),
            # a sector the front does not run through (ground taken across its edge from
            # the next one) has no mean
            "mean_advance_km": float(np.average(d, weights=km)) if km.sum() > 0 else np.nan,
            "max_advance_km": float(d.max()),
            "moved_km": float(km[(d > threshold).to_numpy()].sum()),
            "retreat_km": float(km[(d < -threshold).to_numpy()].sum()),
            "minor_km": float(km[((d.abs() <= threshold) & (g["direction"] != "static"))
                                 .to_numpy()].sum()),
            "static_km": float(km[(g["direction"] == "static").to_numpy()].sum()),
            "deepest_near": deepest["settlement"] if deepest is not None else "",
        })
    df = pd.DataFrame(rows).set_index("sector") if rows else pd.DataFrame()
    return df.sort_values("max_advance_km", ascending=False) if len(df) else df


def movement_series(snapshots, period: str = "month", step_km: float = 1.0,
                    sectors: str | list[str] = "region", *, since=None,
                    until=None) -> pd.DataFrame:
    """Advance per period and sector over a series of snapshots.

    The first snapshot of each period (``week`` or ``month``) is compared with the first of
    the next (and the last snapshot closes the series). Only the snapshots used are read,
    and their lines of contact are computed once each, one after the other with
    :func:`loc.line_history` (only what changed since the previous one is recomputed).

    Parameters
    ----------
    snapshots : folder, store, or iterable of paths or Snapshots
        The series (see :func:`loc.read_series`).
    period : {"week", "month"}
        The period.
    step_km : float
        Sampling step along the earlier line (km).
    sectors : "region" or list of settlement names
        See :func:`movement`.
    since, until : str or datetime.date, optional
        First and last date.

    Returns
    -------
    pandas.DataFrame
        One row per period and sector: ``start``, ``end``, ``days``, ``sector``, the
        :func:`sector_summary` figures ``front_km``, ``mean_advance_km``,
        ``max_advance_km``, ``moved_km``, ``retreat_km``, ``minor_km``, ``static_km``, and
        ``km_per_day`` (mean advance per day).

    Examples
    --------
    >>> import loc
    >>> ms = loc.movement_series(loc.sample_paths(), period="month")
    >>> list(ms.columns[:4])
    ['start', 'end', 'days', 'sector']
    """
    checks.choice(period, "period", ("week", "month"))
    dated = series(snapshots, since=since, until=until)
    if len(dated) < 2:
        raise OptionError("a movement series needs at least two dated snapshots")
    # every member is read, not only those compared: each one counted is checked (a file
    # copied under another date's name is refused), at about 3 ms a daily file
    snaps = read_items(s for _, s in dated)
    firsts, seen = [], set()
    for (when, _), snap in zip(dated, snaps, strict=True):
        key = (when.isocalendar()[0], when.isocalendar()[1]) if period == "week" else (
            when.year, when.month)
        if key not in seen:
            seen.add(key)
            firsts.append(snap)
    if firsts[-1] is not snaps[-1]:
        firsts.append(snaps[-1])
    del snaps  # only the compared ones are kept while their lines are computed
    line_history(firsts)  # each snapshot remembers its line: movement() finds it there
    rows = []
    for a, b in zip(firsts[:-1], firsts[1:], strict=True):
        assert a.date is not None and b.date is not None  # a series is dated
        summary = sector_summary(movement(a, b, step_km=step_km, sectors=sectors))
        days = (b.date - a.date).days
        for sector, r in summary.iterrows():
            rows.append({"start": a.date, "end": b.date, "days": days, "sector": sector,
                         **{c: r[c] for c in SERIES_FIGURES},
                         "km_per_day": r["mean_advance_km"] / max(days, 1)})
    return pd.DataFrame(rows, columns=["start", "end", "days", "sector", *SERIES_FIGURES,
                                       "km_per_day"])


SERIES_FIGURES = ("front_km", "mean_advance_km", "max_advance_km", "moved_km", "retreat_km",
                  "minor_km", "static_km")
""":func:`sector_summary` columns a movement series keeps per period and sector."""

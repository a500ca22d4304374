"""A printable map annex: the line of control on paper, in the form of real ceasefire annexes.

One page (A4 or A3, portrait or landscape) with the map in the CONFORMAL CRS (Lambert
conformal conic 46/51 N: shapes and directions true, scale error under 0.16 % over Ukraine),
a graticule, a scale bar, a north arrow, a legend, the title and date, sources and licences,
the note that the line is a line of control and not an international border, and a table of
the line's turning points (lat/lon and MGRS), numbered on the map, under a heading per
piece of the line (its kind, its points, and whether it is closed). A PDF continues the
table on further pages when it does not fit the first; SVG and PNG stack those pages in one
image.

Output is deterministic: fixed metadata (no creation date), fixed SVG ids, so the same
inputs and options give the same bytes.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import matplotlib
import mgrs as mgrs_lib
import numpy as np
import shapely

from loc import __version__
from loc import geo as lcrs
from loc.analysis.freeze import FREEZE_LABEL, Freeze
from loc.errors import OptionError
from loc.outputs.palette import (
    BORDER,
    LAND,
    NEIGHBOUR,
    PALETTE_NAME,
    PURPLE,
    RIVER,
    SEA,
    VERMILLION,
    WATER,
)
from loc.reference.context import ATTRIBUTION as CONTEXT_ATTRIBUTION
from loc.reference.context import context
from loc.reference.regions import registry, ukraine
from loc.reference.settlements import table as settlements_table

PAPERS_MM = {"a4": (210.0, 297.0), "a3": (297.0, 420.0)}
FORMATS = ("pdf", "svg", "png")
NOTE = ("The line shown is a line of control (not an international border). It records "
        "positions on the date shown and prejudges no claim to territory.")
PNG_DPI = 200
_MGRS = mgrs_lib.MGRS()


@dataclass
class TurningPoints:
    """The listed points of the line.

    Attributes
    ----------
    table : geopandas.GeoDataFrame
        ``no``, ``piece`` (the line's piece id), ``kind`` (the piece's kind, e.g. ``main``
        or ``pocket``; empty when the line has none), ``closed`` (whether the piece is a
        closed ring: its last point joins its first), ``lat``, ``lon`` (5 decimals),
        ``mgrs`` (1 m), ``km`` (distance along the piece, geodesic); lon/lat points.
    spacing_km : float
        The spacing asked for.
    """

    table: gpd.GeoDataFrame
    spacing_km: float


def mgrs_text(lat: float, lon: float) -> str:
    """A position in MGRS at 1 m, spaced as printed (``37U DP 26184 82830``).

    Parameters
    ----------
    lat, lon : float
        Degrees (WGS 84).

    Returns
    -------
    str
        The MGRS reference.

    Examples
    --------
    >>> mgrs_text(48.5942, 37.9989)
    '37U DP 26184 82830'
    """
    m = _MGRS.toMGRS(lat, lon, MGRSPrecision=5)
    m = m.decode() if isinstance(m, bytes) else str(m)
    return f"{m[:-12]} {m[-12:-10]} {m[-10:-5]} {m[-5:]}"


def _is_ring(xy_m: np.ndarray) -> bool:
    """Whether the vertices of a piece close on themselves (a pocket drawn round)."""
    return len(xy_m) > 3 and np.array_equal(xy_m[0], xy_m[-1])


def _listed(xy_m: np.ndarray, along: np.ndarray, spacing_km: float) -> list[tuple[int, float]]:
    """Indices of the vertices of one piece to list, with their distance along it (km): the
    Douglas-Peucker vertices (a twentieth of the spacing), then a vertex about every
    ``spacing_km`` where two are farther apart along it (each at most doubles how far the
    polyline through them may stray: a tenth of the spacing in all); a closed piece (a
    pocket) is listed once round, from its start, with three points at least so that it
    can be drawn again."""
    closed = _is_ring(xy_m)
    simple = shapely.get_coordinates(shapely.simplify(shapely.LineString(xy_m)
                                                      if len(xy_m) > 1 else
                                                      shapely.Point(xy_m[0]),
                                                      spacing_km * 50.0,
                                                      preserve_topology=False))
    # the simplified vertices are a subset of the piece's, in order: find their indices
    idx, j = [], 0
    for v in simple:
        while j < len(xy_m) and not np.array_equal(xy_m[j], v):
            j += 1
        if j < len(xy_m):
            idx.append(j)
    last = len(xy_m) - 1
    turns = sorted({0, last, *idx})
    keep: list[int] = []
    for a, b in zip(turns[:-1], turns[1:], strict=True):
        keep.append(a)
        # a long stretch without a turn: a vertex at about every spacing along it
        for k in range(1, int((along[b] - along[a]) // spacing_km) + 1):
            at = int(np.searchsorted(along, along[a] + k * spacing_km))
            if keep[-1] < at < b and along[b] - along[at] >= spacing_km / 2:
                keep.append(at)
    if closed:
        if len(keep) < 3:  # a pocket shorter than a few spacings: three points round it
            keep = sorted({0, *(int(np.searchsorted(along, along[last] * f)) for f in
                                (1 / 3, 2 / 3))} - {last})
    elif last > 0:
        keep.append(last)
    return [(i, float(along[i])) for i in keep]


def turning_points(line: gpd.GeoDataFrame, spacing_km: float = 5.0) -> TurningPoints:
    """Points of a line to list in an annex, from which it can be drawn again: the vertices
    where it turns, one about every ``spacing_km`` along straighter stretches, and the ends
    of every piece.

    The line is simplified (Douglas-Peucker, a twentieth of the spacing, in the CONFORMAL
    CRS), which keeps a subset of its own vertices; where two of them are more than the
    spacing apart along the line, a vertex about every spacing between them is listed too.
    The polyline through the listed points of an open piece stays within a tenth of the
    spacing of the line (500 m for 5 km). Every listed point is a vertex of the line, so it
    lies on it (to the rounding of the printed coordinates, about 1 m). A closed piece (a
    pocket) is listed once round, with three points at least.

    Parameters
    ----------
    line : geopandas.GeoDataFrame
        Pieces of a line (lon/lat), e.g. a freeze line.
    spacing_km : float
        The spacing along the line, km: a tenth of it is how close the listed points
        follow the line.

    Returns
    -------
    TurningPoints
        The points, numbered along each piece in order, the pieces one after the other:
        the polyline of a piece never joins the next piece's first point, and that of a
        closed piece goes back from its last point to its first.
    """
    if not (isinstance(spacing_km, (int, float)) and 0.1 <= spacing_km <= 500):
        raise OptionError(f"spacing {spacing_km!r} km: give 0.1 to 500 km")
    rows: list[dict] = []
    pieces = line["piece"].to_numpy() if "piece" in line else np.arange(len(line)) + 1
    kinds = line["kind"].to_numpy() if "kind" in line else np.full(len(line), "")
    for piece, kind, geom in zip(pieces, kinds, line.geometry.values, strict=True):
        for part in shapely.get_parts(geom):
            src = shapely.get_coordinates(part)  # lon/lat vertices of the source line
            if len(src) == 0:
                continue
            xy_m = shapely.get_coordinates(lcrs.project(part))
            steps = lcrs.GEOD.inv(src[:-1, 0], src[:-1, 1], src[1:, 0], src[1:, 1])[2]
            along = np.concatenate([[0.0], np.cumsum(steps)]) / 1e3  # geodesic, km
            closed = _is_ring(xy_m)
            for j, km in _listed(xy_m, along, spacing_km):
                rows.append({"piece": int(piece), "kind": str(kind), "closed": closed,
                             "lon": float(src[j, 0]), "lat": float(src[j, 1]),
                             "km": float(km)})
    for i, r in enumerate(rows):
        r["no"] = i + 1
        r["lat"], r["lon"] = round(r["lat"], 5), round(r["lon"], 5)
        r["mgrs"] = mgrs_text(r["lat"], r["lon"])
    cols = ["no", "piece", "kind", "closed", "lat", "lon", "mgrs", "km"]
    gdf = gpd.GeoDataFrame([{c: r[c] for c in cols} for r in rows], columns=cols,
                           geometry=gpd.points_from_xy([r["lon"] for r in rows],
                                                       [r["lat"] for r in rows]),
                           crs="OGC:CRS84")
    return TurningPoints(gdf, float(spacing_km))


def _fmt_lat(v: float) -> str:
    return f"{abs(v):.5f}° {'N' if v >= 0 else 'S'}"


def _fmt_lon(v: float) -> str:
    return f"{abs(v):.5f}° {'E' if v >= 0 else 'W'}"


def _plot_geoms(ax, geoms, **kw) -> None:
    from matplotlib.collections import LineCollection, PatchCollection
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath

    polys, lines = [], []
    for g in shapely.get_parts(np.asarray(geoms, dtype=object)):
        if g is None or g.is_empty:
            continue
        if g.geom_type == "Polygon":
            verts, codes = [], []
            for ring in [g.exterior, *g.interiors]:
                c = np.asarray(ring.coords)[:, :2]
                verts.append(c)
                codes += [MPath.MOVETO] + [MPath.LINETO] * (len(c) - 2) + [MPath.CLOSEPOLY]
            polys.append(PathPatch(MPath(np.concatenate(verts), codes)))
        elif g.geom_type == "LineString":
            lines.append(np.asarray(g.coords)[:, :2])
    if polys:
        ax.add_collection(PatchCollection(polys, match_original=False,
                                          **{k: v for k, v in kw.items() if k != "color"}))
    if lines:
        ax.add_collection(LineCollection(lines, **{k: v for k, v in kw.items()
                                                   if k not in ("facecolor", "edgecolor")}))


def _nice(value: float) -> float:
    exp = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 5, 10):
        if m * exp >= value:
            return m * exp
    return 10 * exp


def annex(freeze: Freeze, out: str | Path | None = None, *, fmt: str | None = None,
          paper: str = "a4", orientation: str = "landscape", spacing_km: float = 5.0,
          title: str | None = None, sources: list[str] | None = None) -> bytes:
    """Write the printable annex of a freeze line.

    Parameters
    ----------
    freeze : Freeze
        The freeze (its line, adopted areas and date).
    out : str or Path, optional
        File to write (its suffix gives the format unless ``fmt`` does).
    fmt : {"pdf", "svg", "png"}, optional
        Format (default from ``out``, else pdf).
    paper : {"a4", "a3"}
        Paper size.
    orientation : {"landscape", "portrait"}
        Orientation.
    spacing_km : float
        Least spacing of the listed turning points along the line.
    title : str, optional
        Title (default "Map annex: line of control on DATE").
    sources : list of str, optional
        Source and licence lines (default: the snapshot's source and licence and loc's
        bundled data).

    Returns
    -------
    bytes
        The file's bytes (also written to ``out`` when given).
    """
    if fmt is None:
        fmt = Path(out).suffix.lower().lstrip(".") if out is not None else "pdf"
    if fmt not in FORMATS:
        raise OptionError(f"annex format '{fmt}': use pdf, svg or png")
    if paper not in PAPERS_MM:
        raise OptionError(f"paper '{paper}': use a4 or a3")
    if orientation not in ("landscape", "portrait"):
        raise OptionError(f"orientation '{orientation}': use landscape or portrait")
    if freeze.line.empty:
        raise OptionError("the freeze has no line of control to print")
    points = turning_points(freeze.line, spacing_km)
    snap = freeze.snapshot
    date = snap.label
    title = title or f"Map annex: line of control on {date}"
    if sources is None:
        sources = [f"Control areas: {snap.source} ({snap.license or 'licence not stated'})"
                   + (f", input sha256 {snap.sha256}" if snap.sha256 else ""),
                   "Regions: Natural Earth (public domain); " + CONTEXT_ATTRIBUTION,
                   "Settlements: GeoNames (CC BY 4.0)",
                   f"Made with loc {__version__}; colours: {PALETTE_NAME}"]
    pages = _draw(freeze, points, fmt, paper, orientation, title, date, sources)
    if out is not None:
        from loc.io.writers import write_atomic

        write_atomic(Path(out), pages)
    return pages


def _draw(freeze: Freeze, points: TurningPoints, fmt: str, paper: str, orientation: str,
          title: str, date: str, sources: list[str]) -> bytes:
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    w_mm, h_mm = PAPERS_MM[paper]
    if orientation == "landscape":
        w_mm, h_mm = h_mm, w_mm
    scale = w_mm / 297.0 if orientation == "landscape" else h_mm / 297.0
    rc: dict = {"pdf.fonttype": 42, "svg.fonttype": "none", "svg.hashsalt": "loc-annex",
          "font.family": "DejaVu Sans", "font.size": 7 * scale, "path.simplify": False,
          # every text is printed as written: "$5 and $6" in a source's name is no formula
          "text.parse_math": False, "text.usetex": False}
    rows = points.table
    if orientation == "landscape":
        map_box, table_box = [0.02, 0.14, 0.62, 0.76], [0.66, 0.14, 0.32, 0.76]
    else:
        map_box, table_box = [0.04, 0.42, 0.92, 0.48], [0.04, 0.12, 0.92, 0.28]
    more_box = [0.03, 0.06, 0.94, 0.86]
    (first_rows, first_cols), (more_rows, more_cols) = (
        _table_capacity(b, w_mm, h_mm, scale) for b in (table_box, more_box))
    columns = _table_columns(rows, itertools.chain(itertools.repeat(first_rows, first_cols),
                                                   itertools.repeat(more_rows)))
    extra = max(0, math.ceil((len(columns) - first_cols) / more_cols))
    # PDF: one figure per page; SVG and PNG: the pages stacked in one figure
    stacked = fmt != "pdf"
    n_pages = 1 + extra if stacked else 1
    with plt.rc_context(rc):
        figs = [plt.figure(figsize=(w_mm / 25.4, h_mm * n_pages / 25.4))]
        page = _Page(figs[0], 0, n_pages)
        ax = figs[0].add_axes(page.box(map_box))
        _map(ax, freeze, rows, scale)
        page.text(0.02, 0.975, title, fontsize=13 * scale, fontweight="bold", va="top")
        page.text(0.02, 0.945, f"Date of the control areas: {date} · line: {FREEZE_LABEL}",
                  fontsize=8.5 * scale, va="top")
        page.text(0.02, 0.105, NOTE, fontsize=7.5 * scale, fontweight="bold", va="top")
        page.text(0.02, 0.08, "Sources and licences: " + " · ".join(sources),
                  fontsize=6 * scale, va="top", wrap=True)
        page.text(0.02, 0.035, "Projection: Lambert conformal conic, standard parallels 46° N "
                  "and 51° N (WGS 84); coordinates WGS 84 lat/lon and MGRS (1 m). Turning "
                  f"points where the line turns and about every {points.spacing_km:g} km along "
                  "straighter stretches, numbered along each piece of the line; the table "
                  "gives each piece under its own heading. Draw each piece through its own "
                  "points only, never from the last point of one piece to the first of the "
                  "next; a closed piece is a ring: its last point joins its first. The line "
                  f"drawn so stays within {points.spacing_km * 100:g} m of the line.",
                  fontsize=6 * scale, va="top", wrap=True)
        _table(page, table_box, columns[:first_cols], scale, w_mm, h_mm)
        for k in range(extra):
            if stacked:
                page = _Page(figs[0], k + 1, n_pages)
            else:
                figs.append(plt.figure(figsize=(w_mm / 25.4, h_mm / 25.4)))
                page = _Page(figs[-1], 0, 1)
            page.text(0.02, 0.975, f"{title}: turning points (continued, page {k + 2})",
                      fontsize=10 * scale, fontweight="bold", va="top")
            page.text(0.02, 0.03, NOTE, fontsize=7 * scale, va="bottom")
            start = first_cols + k * more_cols
            _table(page, more_box, columns[start:start + more_cols], scale, w_mm, h_mm)
        buf = io.BytesIO()
        if fmt == "pdf":
            from matplotlib.backends.backend_pdf import PdfPages

            meta = {"Title": title, "Author": "loc", "Subject": NOTE,
                    "Creator": f"loc {__version__}", "Producer": "loc (matplotlib)",
                    "CreationDate": None, "ModDate": None}
            with PdfPages(buf, metadata=meta) as pdf:
                for f in figs:
                    pdf.savefig(f)
        elif fmt == "svg":
            figs[0].savefig(buf, format="svg", metadata={"Date": None,
                                                         "Creator": f"loc {__version__}"})
        else:
            figs[0].savefig(buf, format="png", dpi=PNG_DPI,
                            metadata={"Software": f"loc {__version__}"})
        for f in figs:
            plt.close(f)
    return buf.getvalue()


class _Page:
    """Positions on one page of a figure that may hold several pages stacked."""

    def __init__(self, fig, index: int, count: int) -> None:
        self.fig, self.index, self.count = fig, index, count

    def y(self, y: float) -> float:
        return (self.count - 1 - self.index + y) / self.count

    def box(self, b) -> tuple[float, float, float, float]:
        return (b[0], self.y(b[1]), b[2], b[3] / self.count)

    def text(self, x: float, y: float, text: str, **kw) -> None:
        self.fig.text(x, self.y(y), text, **kw)


ROW_MM, COLUMN_MM = 2.7, 62.0
"""Height of a table row and width of a column group (mm, A4; scaled for A3)."""


def _table_capacity(box, w_mm: float, h_mm: float, scale: float) -> tuple[int, int]:
    """How many rows fit one column group of a table box (page fractions), under its
    header row, and how many column groups fit side by side."""
    per_col = max(5, int(box[3] * h_mm / (ROW_MM * scale)) - 1)
    cols = max(1, int(box[2] * w_mm / (COLUMN_MM * scale)))
    return per_col, cols


def piece_heading(point, continued: bool = False) -> str:
    """The heading row of a piece in the coordinate table.

    Parameters
    ----------
    point : namedtuple
        A row of :attr:`TurningPoints.table` with the piece's first and last point
        numbers as ``first`` and ``last``.
    continued : bool
        Whether the piece goes on from the column (or page) before.

    Returns
    -------
    str
        ``Piece ID (KIND[, closed]): points FIRST–LAST``, or ``Piece ID (KIND[, closed]),
        continued: FIRST–LAST``.

    Examples
    --------
    >>> from collections import namedtuple
    >>> P = namedtuple("P", "piece kind closed first last")
    >>> piece_heading(P(5, "pocket", True, 711, 714))
    'Piece 5 (pocket, closed): points 711–714'
    >>> piece_heading(P(0, "main", False, 1, 633), continued=True)
    'Piece 0 (main), continued: 1–633'
    """
    what = ", ".join([point.kind] * bool(point.kind) + ["closed"] * bool(point.closed))
    name = f"Piece {point.piece}" + (f" ({what})" if what else "")
    span = f"{point.first}–{point.last}"
    return f"{name}, continued: {span}" if continued else f"{name}: points {span}"


Line = tuple[str, ...]
"""A row of the printed coordinate table: ``("head", text)`` (a piece's heading),
``("point", no, lat, lon, MGRS)`` or ``("close", text)`` (under a closed piece's last
point: it joins the first)."""


def _table_columns(rows: gpd.GeoDataFrame, heights: Iterator[int]) -> list[list[Line]]:
    """The coordinate table in column groups of the given heights (rows under the header):
    a heading before the first point of each piece and again at the top of a column the
    piece goes on in, and under the last point of a closed piece the row saying it joins
    the first. A heading never ends a column, nor a closing row begins one."""
    ends = rows.groupby("piece", sort=False)["no"].agg(first="min", last="max")
    columns: list[list[Line]] = []
    room, piece = 0, None
    for r in rows.join(ends, on="piece").itertuples():
        starts = r.piece != piece
        closes = bool(r.closed) and r.no == r.last
        if room < 1 + starts + closes:
            columns.append([])
            room = next(heights)
        head = starts or not columns[-1]
        if head:
            columns[-1].append(("head", piece_heading(r, continued=not starts)))
        columns[-1].append(("point", f"{r.no}", _fmt_lat(r.lat), _fmt_lon(r.lon), r.mgrs))
        if closes:
            columns[-1].append(("close", f"{r.last} joins {r.first}: the piece is closed"))
        room -= 1 + head + closes
        piece = r.piece
    return columns


def _table(page: _Page, box, columns: list[list[Line]], scale: float, w_mm: float,
           h_mm: float) -> None:
    """Draw column groups of the coordinate table (:func:`_table_columns`) side by side."""
    row_h = ROW_MM * scale / h_mm
    col_w = COLUMN_MM * scale / w_mm
    header = ("no", "lat", "lon", "MGRS")
    offsets = (0.0, 0.09, 0.34, 0.59)
    page.text(box[0], box[1] + box[3] + 0.005, "Coordinate table: turning points of the "
              "line of control (WGS 84)", fontsize=7.5 * scale, fontweight="bold",
              va="bottom")
    for k, column in enumerate(columns):
        x0 = box[0] + k * col_w
        y = box[1] + box[3] - row_h
        for h, o in zip(header, offsets, strict=True):
            page.text(x0 + o * col_w, y, h, fontsize=5.8 * scale, fontweight="bold",
                      family="DejaVu Sans Mono")
        for what, *cells in column:
            y -= row_h
            if what == "point":
                for text, o in zip(cells, offsets, strict=True):
                    page.text(x0 + o * col_w, y, text, fontsize=5.5 * scale,
                              family="DejaVu Sans Mono")
            else:
                page.text(x0 + (what == "close") * offsets[1] * col_w, y, cells[0],
                          fontsize=5.5 * scale, fontweight="bold" if what == "head" else
                          "normal", fontstyle="italic" if what == "close" else "normal")


def _map(ax, freeze: Freeze, rows: gpd.GeoDataFrame, scale: float) -> None:
    line_m = lcrs.project(freeze.line.geometry.values)
    x0, y0, x1, y1 = shapely.bounds(shapely.union_all(line_m))
    pad = 0.08 * max(x1 - x0, y1 - y0)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    bb = ax.get_position()
    fw, fh = ax.figure.get_figwidth() * bb.width, ax.figure.get_figheight() * bb.height
    if (x1 - x0) / (y1 - y0) < fw / fh:
        cx, half = (x0 + x1) / 2, (y1 - y0) * fw / fh / 2
        x0, x1 = cx - half, cx + half
    else:
        cy, half = (y0 + y1) / 2, (x1 - x0) * fh / fw / 2
        y0, y1 = cy - half, cy + half
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_facecolor(SEA)
    ax.set_xticks([])
    ax.set_yticks([])
    view = shapely.box(x0, y0, x1, y1)
    clip = lcrs.unproject(view.buffer((x1 - x0) * 0.05)).envelope

    def draw(geoms, **kw):
        g = lcrs.project(shapely.intersection(np.asarray(geoms, dtype=object), clip))
        _plot_geoms(ax, g, **kw)

    draw(context("country", "fine").geometry.values, facecolor=NEIGHBOUR, edgecolor=BORDER,
         linewidth=0.4)
    draw([ukraine()], facecolor=LAND, edgecolor="#777777", linewidth=0.5)
    draw(context("lake", "fine").geometry.values, facecolor=WATER, edgecolor=RIVER,
         linewidth=0.3)
    draw(context("river", "fine").geometry.values, color=RIVER, linewidth=0.6)
    draw(shapely.boundary(registry().geometry.values), color="#9a9a9a", linewidth=0.35,
         linestyle=(0, (4, 2)))
    draw([freeze.snapshot.side("ru")], facecolor=VERMILLION, alpha=0.28, edgecolor="none")
    draw([freeze.snapshot.side("contested")], facecolor="#999999", alpha=0.4,
         edgecolor="none")
    _plot_geoms(ax, line_m, color=PURPLE, linewidth=1.6, linestyle=(0, (5, 2.5)))
    # settlements for orientation: the largest in view
    t = settlements_table()
    t = t[t["population"] >= 50_000]
    pts = lcrs.project(t.geometry.values)
    inside = shapely.contains(view, pts)
    for name, p in zip(t["name"][inside], pts[inside], strict=True):
        ax.plot(p.x, p.y, "o", ms=2.2 * scale, mfc="white", mec="#222222", mew=0.6)
        ax.annotate(name, (p.x, p.y), xytext=(3, 2), textcoords="offset points",
                    fontsize=5.2 * scale, color="#333333")
    # turning points: all marked, numbered at a spacing that keeps numbers apart
    tp = lcrs.project(rows.geometry.values)
    txy = shapely.get_coordinates(tp)
    # under the line (zorder 2), so that the line stays visible through dense points
    ax.plot(txy[:, 0], txy[:, 1], "o", ms=0.9 * scale, color="#000000", zorder=1.5)
    step = max(1, math.ceil(len(rows) / 60))
    label_m = np.array(LABEL_MM) * scale * (x1 - x0) / (fw * 25.4)
    for k in _numbered(rows, txy, step, label_m):
        ax.annotate(str(rows["no"].iloc[k]), tuple(txy[k]), xytext=(2, -6),
                    textcoords="offset points", fontsize=4.8 * scale, color="#000000",
                    zorder=6)
    _graticule(ax, (x0, y0, x1, y1), scale)
    _scale_bar(ax, (x0, y0, x1, y1), scale)
    _north_arrow(ax, (x0, y0, x1, y1), scale)
    _legend(ax, scale, step)


LABEL_MM = (3.4, 2.0)
"""Width and height of a turning point's number on the map (mm, A4; scaled for A3)."""


def _numbered(rows: gpd.GeoDataFrame, xy: np.ndarray, step: int,
              label_m: np.ndarray) -> list[int]:
    """Which turning points are numbered on the map: the ends of every piece (a closed
    piece's first point only: its last is next to it), then one in ``step``, each only
    where its number does not overlap one already placed (``label_m``: a number's width
    and height in map metres)."""
    piece = rows["piece"]
    ends = (piece != piece.shift()) | ((piece != piece.shift(-1)) & ~rows["closed"])
    order = [*np.flatnonzero(ends.to_numpy()), *range(0, len(rows), step)]
    kept: list[int] = []
    for k in dict.fromkeys(order):
        if all((np.abs(xy[k] - xy[j]) >= label_m).any() for j in kept):
            kept.append(int(k))
    return kept


def _graticule(ax, box, scale: float) -> None:
    x0, y0, x1, y1 = box
    ll = shapely.get_coordinates(lcrs.unproject(shapely.points(
        [[x0, y0], [x0, y1], [x1, y0], [x1, y1], [(x0 + x1) / 2, y0], [(x0 + x1) / 2, y1]])))
    lon0, lon1 = ll[:, 0].min() - 1, ll[:, 0].max() + 1
    lat0, lat1 = ll[:, 1].min() - 1, ll[:, 1].max() + 1
    step = 1.0 if (lon1 - lon0) > 6 else 0.5
    view = shapely.box(x0, y0, x1, y1)
    # meridians labelled at the bottom edge, parallels at the left edge
    for axis, lo, hi, other, unit in ((0, lon0, lon1, (lat0, lat1), "E"),
                                      (1, lat0, lat1, (lon0, lon1), "N")):
        for value in np.arange(math.floor(lo), hi + step, step):
            across = np.linspace(*other, 60)
            xy = (np.column_stack([np.full(60, value), across]) if axis == 0 else
                  np.column_stack([across, np.full(60, value)]))
            g = shapely.intersection(lcrs.project(shapely.LineString(xy)), view)
            if g.is_empty:
                continue
            _plot_geoms(ax, [g], color="#5a7d95", linewidth=0.3, alpha=0.7)
            end = min(shapely.get_coordinates(g), key=lambda c: c[1 - axis])
            at, offset = ((end[0], y0), (0, 2)) if axis == 0 else ((x0, end[1]), (2, 1))
            ax.annotate(f"{value:g}°{unit}", at, xytext=offset, textcoords="offset points",
                        fontsize=5 * scale, color="#2f4f65",
                        ha="center" if axis == 0 else "left")


def _scale_bar(ax, box, scale: float) -> None:
    x0, y0, x1, y1 = box
    length = _nice((x1 - x0) / 5)
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    h = 0.008 * (y1 - y0)
    for i in range(4):
        ax.add_patch(matplotlib.patches.Rectangle((bx + i * length / 4, by), length / 4, h,
                                                  facecolor="#000000" if i % 2 == 0 else
                                                  "#ffffff", edgecolor="#000000",
                                                  linewidth=0.4, zorder=7))
    for frac in (0, 0.5, 1):
        ax.text(bx + frac * length, by + 1.8 * h, f"{frac * length / 1e3:g}",
                fontsize=5.5 * scale, ha="center", zorder=7)
    ax.text(bx + length + 0.01 * (x1 - x0), by, "km", fontsize=5.5 * scale, zorder=7)


def _north_arrow(ax, box, scale: float) -> None:
    x0, y0, x1, y1 = box
    px, py = x1 - 0.06 * (x1 - x0), y1 - 0.13 * (y1 - y0)
    ll = shapely.get_coordinates(lcrs.unproject(shapely.Point(px, py)))[0]
    up = shapely.get_coordinates(lcrs.project(shapely.Point(ll[0], ll[1] + 0.2)))[0]
    d = np.array([up[0] - px, up[1] - py])
    d = d / np.linalg.norm(d) * 0.07 * (y1 - y0)
    ax.annotate("", xy=(px + d[0], py + d[1]), xytext=(px, py),
                arrowprops={"arrowstyle": "-|>", "color": "#000000", "lw": 1.2}, zorder=7)
    ax.text(px + d[0] * 1.25, py + d[1] * 1.25, "N", fontsize=8 * scale, ha="center",
            va="center", fontweight="bold", zorder=7)


def _legend(ax, scale: float, step: int) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Line2D([], [], color=PURPLE, lw=1.6, linestyle=(0, (5, 2.5)),
                      label=FREEZE_LABEL.capitalize()),
               Patch(facecolor=VERMILLION, alpha=0.28, label="Russian-controlled (adopted)"),
               Patch(facecolor=LAND, edgecolor="#777777", label="Ukrainian-controlled"),
               Line2D([], [], color="#9a9a9a", lw=0.6, linestyle=(0, (4, 2)),
                      label="Region boundary"),
               Line2D([], [], color="#000000", marker="o", lw=0, ms=2,
                      label=f"Turning point (numbered: ends of pieces, about one in {step}"
                      " where there is room)" if step > 1 else
                      "Turning point (numbered where there is room)"),
               Line2D([], [], color="#222222", marker="o", mfc="white", lw=0, ms=3,
                      label="Settlement (50,000+)"),
               Patch(facecolor=NEIGHBOUR, edgecolor=BORDER, label="Neighbouring country"),
               Patch(facecolor=WATER, edgecolor=RIVER, label="Sea, lake, river")]
    ax.legend(handles=handles, loc="lower right", fontsize=5.5 * scale, framealpha=0.92,
              title="Legend", title_fontsize=6.5 * scale)

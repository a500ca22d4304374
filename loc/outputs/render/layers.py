"""Map layers: each analysis plugs in as a :class:`Layer` of features with properties.

A layer has an ``id`` (layers of several dates share one id and one entry in the layer
control; the slider shows one date at a time), a title, a kind (``polygon``, ``line``,
``point`` or ``arrow``), a Leaflet style, and features: lon/lat geometry with a tooltip and
popup rows written for people (labels, units, thousands separators, lists de-duplicated).
Colours come from :mod:`loc.outputs.palette` (Okabe-Ito and Paul Tol's muted, colour-blind
safe).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from loc import geo as lcrs
from loc.analysis.freeze import FREEZE_LABEL
from loc.analysis.movement import sector_summary
from loc.analysis.stats import stats
from loc.outputs.palette import (
    BELTS,
    BLACK,
    BLUE,
    BORDER,
    GREY,
    LAND,
    NEIGHBOUR,
    PURPLE,
    RIVER,
    TEAL,
    VERMILLION,
    WATER,
    WINE,
    ZONES,
)
from loc.outputs.render.encode import encode_polyline
from loc.reference.context import FINE_FROM_ZOOM, context
from loc.reference.regions import registry, ukraine
from loc.reference.settlements import other_names
from loc.reference.settlements import table as settlements_table

SIDE_TITLES = {"ru": "Russian-controlled", "ua": "Ukrainian-controlled",
               "contested": "Contested (grey zone)"}
SIDE_STYLES = {
    "ru": {"color": VERMILLION, "weight": 1, "fillColor": VERMILLION, "fillOpacity": 0.35},
    "ua": {"color": BLUE, "weight": 0.5, "fillColor": BLUE, "fillOpacity": 0.06},
    "contested": {"color": GREY, "weight": 1, "fillColor": GREY, "fillOpacity": 0.5,
                  "dashArray": "4 3"},
}
REGION_TOLERANCE_DEG = 0.006
"""Simplification of the boundaries between regions (coverage-preserving, ~600 m): they
only frame the data. Their outer boundary is not simplified: it is the outline of Ukraine's
land that the context and the ``ua`` side draw, and the page stores it once."""
LIST_FOLD = 8
"""Lists in popups show this many items, the rest folded behind "N more"."""

Row = tuple[str, "str | list[str]"]


@dataclass
class Feature:
    """One feature of a map layer.

    Attributes
    ----------
    geometry : object
        Lon/lat geometry (a ``[lat, lon]`` array for points).
    title : str
        Its tooltip.
    rows : list
        Popup rows (label, value).
    radius : float, optional
        Marker radius, pixels.
    colour : str, optional
        Its own fill colour.
    ref : str, optional
        The reference a findings table row points at.
    """

    geometry: object
    title: str
    rows: list[Row] = field(default_factory=list)
    radius: float | None = None
    colour: str | None = None
    ref: str | None = None


@dataclass
class Layer:
    """One layer of a map (see the module docstring).

    Attributes
    ----------
    id : str
        Layers of several dates share one id and one entry in the layer control.
    title : str
        Its name in the layer control (inserted as text).
    kind : {"polygon", "line", "point"}
        What its features are.
    style : dict
        Leaflet path options.
    features : list of Feature
        Its features.
    visible : bool
        Shown when the map opens.
    date : str, optional
        The date it belongs to (sliders show one date at a time).
    min_zoom, max_zoom : int, optional
        Zoom range it is shown at.
    legend : dict, optional
        Its legend entry.
    control : bool
        Listed in the layer control.
    interactive : bool
        Takes mouse events.
    label : str, optional
        Text repeated along a line.
    pane : str, optional
        Drawing order (default from the id and kind).
    """

    id: str
    title: str
    kind: str
    style: dict
    features: list[Feature]
    visible: bool = True
    date: str | None = None
    min_zoom: int | None = None
    max_zoom: int | None = None
    legend: dict | None = None
    control: bool = True
    interactive: bool = True
    label: str | None = None
    pane: str | None = None


def fmt_km2(value: float) -> str:
    """An area for people.

    Parameters
    ----------
    value : float
        km².

    Returns
    -------
    str
        E.g. ``'1,107.7 km²'`` (two decimals under 10 km²).

    Examples
    --------
    >>> fmt_km2(1107.74), fmt_km2(0.456)
    ('1,107.7 km²', '0.46 km²')
    """
    return f"{value:,.2f} km²" if abs(value) < 10 else f"{value:,.1f} km²"


def fmt_km(value: float) -> str:
    """A length for people (``'24.8 km'``).

    Parameters
    ----------
    value : float
        km.

    Returns
    -------
    str
        One decimal, thousands separated.
    """
    return f"{value:,.1f} km"


def fmt_count(value) -> str:
    """A count with thousands separators (``'709,230'``).

    Parameters
    ----------
    value : int or float
        The count.

    Returns
    -------
    str
        The formatted count.
    """
    return f"{int(round(float(value))):,}"


def name_list(value, sep: str = ",") -> list[str]:
    """Names from a text of names separated by ``sep``, or a list, de-duplicated in order.

    Parameters
    ----------
    value : str or list
        ``"Kupiansk, Kupiansk, Izium"`` or a list.
    sep : str
        What separates the names in a text (``";"`` between zones, whose names hold commas).

    Returns
    -------
    list of str
        ``['Kupiansk', 'Izium']``.

    Examples
    --------
    >>> name_list("Komar, Myrne, Komar, ")
    ['Komar', 'Myrne']
    >>> name_list("Belt: Tornado-S, Uragan/ua;buffer/ua", ";")
    ['Belt: Tornado-S, Uragan/ua', 'buffer/ua']
    """
    items = value if isinstance(value, (list, tuple)) else str(value or "").split(sep)
    return list(dict.fromkeys(s.strip() for s in map(str, items) if s.strip()))


def _side(value) -> str:
    return SIDE_TITLES.get(str(value), str(value))


FIELDS: dict[str, tuple[str, Callable]] = {
    "zone": ("zone", str), "kind": ("kind", str), "side": ("side", _side),
    "from_side": ("held before by", _side), "to_side": ("now held by", _side),
    "advanced": ("side that advanced", _side), "id": ("id", str),
    "region": ("region", lambda v: ", ".join(name_list(str(v).replace("|", ",")))),
    "width_km": ("depth", lambda v: fmt_km(float(v))),
    "width_m": ("narrowest width", lambda v: f"{float(v):,.0f} m"),
    "area_km2": ("area", lambda v: fmt_km2(float(v))), "km2": ("area", lambda v: fmt_km2(float(v))),
    "depth_km": ("depth beyond the frozen line", lambda v: fmt_km(float(v))),
    "distance_km": ("distance to the line", lambda v: f"{float(v):+,.1f} km"),
    "population": ("population", fmt_count), "settlement": ("settlement", str),
    "settlements": ("settlements", name_list), "largest": ("largest settlements", name_list),
    "zones": ("zones", lambda v: name_list(v, ";")),
    "weapon_class": ("weapon class", lambda v: str(v).replace("_", " ")),
    "rule": ("rule broken", str), "violation": ("violation", lambda v: "yes" if v else "no"),
    "uncertain": ("location", lambda v: "uncertain" if v else "exact"),
    "event_id_cnty": ("event", str), "event_id": ("event", str), "event_date": ("date", str),
    "date": ("date", str), "first_seen": ("first seen", str), "last_seen": ("last seen", str),
    "standing": ("status", lambda v: "standing" if v else "ended"),
    "event_type": ("type", str), "sub_event_type": ("sub-type", str),
    "type": ("type", str), "notes": ("notes", str), "fatalities": ("fatalities", fmt_count),
    "geo_precision": ("location precision (1 exact, 3 region)", fmt_count),
    "actor1": ("actor", str), "location": ("place", str), "source": ("source", str),
}
"""Popup label and formatter of each known column; unknown columns are left out of popups."""


def people_rows(rec: dict, columns: list[str] | None = None) -> list[Row]:
    """Popup rows for people from a record: known columns only, each with its label and
    unit, empty values and repeated labels dropped; a value its formatter cannot read (text
    where a number belongs, from an input file) is shown as written.

    Parameters
    ----------
    rec : dict
        A row's attributes.
    columns : list of str, optional
        Which columns, in order (default: the record's, in its order).

    Returns
    -------
    list of (str, str or list of str)
        ``(label, value)``; a list value is folded in the popup after :data:`LIST_FOLD`.

    Examples
    --------
    >>> rec = {"from_side": "ua", "km2": 707645.0, "width_m": 12.0}
    >>> people_rows(rec)  # doctest: +NORMALIZE_WHITESPACE
    [('held before by', 'Ukrainian-controlled'), ('area', '707,645.0 km²'),
     ('narrowest width', '12 m')]
    >>> people_rows({"geo_precision": "unknown", "fatalities": "~500"})
    [('location precision (1 exact, 3 region)', 'unknown'), ('fatalities', '~500')]
    """
    rows: list[Row] = []
    seen = set()
    for key in columns or list(rec):
        if key not in FIELDS or key not in rec:
            continue
        value = rec[key]
        if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
            continue
        label, fmt = FIELDS[key]
        if label in seen:
            continue
        seen.add(label)
        try:
            text = fmt(value)
        except (TypeError, ValueError, OverflowError):  # "n/a" where a number belongs: as is
            text = " ".join(str(value).split())[:200]
        if text != [] and text != "":
            rows.append((label, text))
    return rows


def _legend_fill(style: dict, label: str) -> dict:
    """A legend entry drawn like the fill: same colour, opacity, outline and dash."""
    return {"swatch": "fill", "color": style.get("color"), "fill": style.get("fillColor"),
            "opacity": style.get("fillOpacity", 0.2), "weight": style.get("weight", 1),
            "dash": bool(style.get("dashArray")), "label": label}


def context_layers() -> list[Layer]:
    """The muted context under the data: Ukraine's land, neighbouring countries, lakes and
    reservoirs and rivers (Natural Earth), coarse up to zoom 7 and finer from zoom 8. They
    take no mouse events; one entry ("Context") in the layer control.

    Returns
    -------
    list of Layer
        The context layers, bottom first.
    """
    out = [Layer(id="context", title="Context (Natural Earth)", kind="polygon",
                 style={"stroke": False, "fillColor": LAND, "fillOpacity": 1.0},
                 features=[Feature(ukraine(), "Ukraine")], interactive=False,
                 pane="context")]
    styles = {
        "country": ("polygon", {"color": BORDER, "weight": 0.8, "fillColor": NEIGHBOUR,
                                "fillOpacity": 1.0}),
        "lake": ("polygon", {"color": RIVER, "weight": 0.5, "fillColor": WATER,
                             "fillOpacity": 1.0}),
        "river": ("line", {"color": RIVER, "weight": 1.2, "opacity": 0.9}),
    }
    for kind in ("country", "lake", "river"):
        for level, lo, hi in (("coarse", None, FINE_FROM_ZOOM - 1),
                              ("fine", FINE_FROM_ZOOM, None)):
            part = context(kind, level)
            if part.empty:
                continue
            feats = [Feature(g, str(n or "")) for n, g in zip(part["name"], part.geometry,
                                                               strict=True)]
            lk, style = styles[kind]
            out.append(Layer(id="context", title="Context (Natural Earth)", kind=lk,
                             style=style, features=feats, min_zoom=lo, max_zoom=hi,
                             interactive=False,
                             pane="context" if kind == "country" else "water"))
    return out


def context_labels() -> list[list]:
    """Labels of the neighbouring countries and seas: ``[lat, lon, text, kind]``.

    Returns
    -------
    list of list
        One per label.
    """
    out = []
    for kind in ("country-label", "sea-label"):
        part = context(kind)
        out += [[round(g.y, 4), round(g.x, 4), str(n), kind.split("-")[0]]
                for n, g in zip(part["name"], part.geometry, strict=True)]
    return out


PLACE_TIERS = ((100_000, 0), (10_000, 8), (2_500, 10))
"""(least population, first zoom level) of each tier of place names: cities always, towns
from zoom 8, smaller places from zoom 10."""


def places() -> dict:
    """Settlements for place names, popups and search, as compact columns: the map runtime
    labels them by zoom without overlaps and tells who holds each on the date shown.

    Returns
    -------
    dict
        ``names`` (joined by ``|``), ``coords`` (one polyline string, lat/lon at 1e-5°),
        ``popRegion`` (one polyline string of ``(population, region)`` pairs, region an
        index into ``regions`` or -1), ``tiers`` (``[least population, first zoom]``,
        largest first), ``regions`` (names) and ``alt`` (``{index: other names joined by
        |}``, for search); places largest first.

    Raises
    ------
    ValueError
        If a bundled name holds the separator ``|`` (the settlements build refuses it).

    Examples
    --------
    >>> p = places()
    >>> p["names"].split("|")[0], p["tiers"][0]
    ('Kyiv', [100000, 0])
    """
    t = settlements_table()
    t = t[t["population"] >= PLACE_TIERS[-1][0]].sort_values(["population", "geonameid"],
                                                               ascending=[False, True])
    reg = registry()
    keys = list(reg["key"])
    q = np.round(t[["lat", "lon"]].to_numpy() * 1e5).astype(np.int64)
    alt = other_names()
    names = [str(n) for n in t["name"]]
    if any("|" in n for n in names):
        raise ValueError("a settlement name holds '|', the separator of the names column")
    region = [keys.index(r) if r in keys else -1 for r in t["region"]]
    pop_region = np.column_stack([t["population"].to_numpy(dtype=np.int64),
                                  np.asarray(region, dtype=np.int64)])
    return {
        "names": "|".join(names),
        "coords": encode_polyline(q),
        "popRegion": encode_polyline(pop_region),
        "tiers": [list(t) for t in PLACE_TIERS],
        "regions": [str(n) for n in reg["name"]],
        "alt": {str(i): "|".join(alt[g]) for i, g in enumerate(t["geonameid"]) if g in alt},
    }


def control_layers(snapshot, memo: dict | None = None) -> list[Layer]:
    """The sides of a snapshot, one layer each (``ru``, ``ua``, ``contested``).

    Each side is drawn as the geometry it is measured from (:meth:`Snapshot.side`): the
    ``ua`` area is Ukraine's land (or the ``ua`` side the source gives) minus the other
    sides, one overlay that gives both its outline and its km², so its edge along the front
    is exactly the ``ru`` edge and its border that of the context's land.

    Parameters
    ----------
    snapshot : Snapshot
        The snapshot.
    memo : dict, optional
        Kept by the caller from one date of a series to the next: a snapshot whose sides
        are those of the one before (same :attr:`Snapshot.geometry_sha256`) reuses their
        drawn shapes and areas (a country-sized overlay).

    Returns
    -------
    list of Layer
        One per side present.
    """
    key = snapshot.geometry_sha256 if memo is not None else None
    shapes = memo.get(key) if memo is not None else None
    if shapes is None:
        shapes = []
        for side in ("ru", "contested", "ua"):
            geom = snapshot.side(side)
            if not geom.is_empty:
                shapes.append((side, geom, float(lcrs.area_km2(geom))))
        if memo is not None:
            memo.clear()
            memo[key] = shapes
    date = snapshot.date.isoformat() if snapshot.date else None
    layers = []
    for side, geom, area in shapes:
        rows: list[Row] = [("side", SIDE_TITLES[side]), ("date", snapshot.label),
                           ("area", fmt_km2(area)), ("source", snapshot.source)]
        if snapshot.license:
            rows.append(("licence", snapshot.license))
        layers.append(Layer(
            id=f"side-{side}", title=SIDE_TITLES[side], kind="polygon",
            style=SIDE_STYLES[side], date=date,
            features=[Feature(geom, f"{SIDE_TITLES[side]}: {fmt_km2(area)}", rows)],
            legend=_legend_fill(SIDE_STYLES[side], SIDE_TITLES[side])))
    return layers


def line_layer(line: gpd.GeoDataFrame | list[tuple[dict, BaseGeometry]], *,
               date: str | None = None, layer_id: str = "line",
               title: str = "Line of contact", style: dict | None = None,
               label: str | None = None, visible: bool = True) -> Layer:
    """Pieces of a line of contact (or freeze line) as one layer.

    Parameters
    ----------
    line : geopandas.GeoDataFrame or list of (dict, shapely geometry)
        Pieces (``piece``, ``kind``, ``region``, ``length_km``, ``label``), or their rows
        (:func:`line_rows`).
    date : str, optional
        The date (slider maps).
    layer_id, title : str
        Layer id and title.
    style : dict, optional
        Leaflet style.
    label : str, optional
        Text repeated along the line itself.
    visible : bool
        Shown when the page opens.

    Returns
    -------
    Layer
        The layer.
    """
    style = style or {"color": BLACK, "weight": 2.5}
    features = []
    kinds = {"main": "main front", "pocket": "pocket", "front": "front"}
    for rec, geom in (line if isinstance(line, list) else _records(line)):
        name = str(rec.get("label", title))
        km = float(rec.get("length_km", 0.0))
        rows: list[Row] = [("what", name), ("piece", f"{rec.get('piece', '')}"),
                           ("kind", kinds.get(str(rec.get("kind", "")),
                                              str(rec.get("kind", "")))),
                           ("regions", name_list(str(rec.get("region", "")).replace("|", ","))),
                           ("length", fmt_km(km))]
        if date:
            rows.insert(1, ("date", date))
        features.append(Feature(geom, f"{name}: {fmt_km(km)}", rows))
    return Layer(id=layer_id, title=title, kind="line", style=style, features=features,
                 date=date, label=label, visible=visible,
                 legend={"swatch": "line", "color": style["color"],
                         "weight": style.get("weight", 2), "dash": style.get("dashArray"),
                         "label": title})


FREEZE_STYLE = {"color": PURPLE, "weight": 3.5, "dashArray": "10 6"}
"""The freeze line: reddish purple (Okabe-Ito), dashed."""


def freeze_layers(freeze) -> list[Layer]:
    """The freeze line, labelled along the line as a line of control (not an international
    border).

    Parameters
    ----------
    freeze : Freeze
        The freeze.

    Returns
    -------
    list of Layer
        One layer.
    """
    return [line_layer(freeze.line, layer_id="freeze-line", title=FREEZE_LABEL.capitalize(),
                       style=FREEZE_STYLE, label=FREEZE_LABEL)]


def zone_layers(zones: gpd.GeoDataFrame) -> list[Layer]:
    """Zones (buffers, belts, protected sites) by ``kind``; belts one layer per weapon class,
    each with its own colour and dash pattern, outlined over a light fill so that nested
    belts stay apart.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        ``zone`` (name), ``kind`` and figures (``area_km2``, ``population``, ``side``, ...).

    Returns
    -------
    list of Layer
        The layers.
    """
    if "kind" not in zones:
        zones = zones.assign(kind="zone")
    out = []
    for kind in dict.fromkeys(zones["kind"]):
        part = zones[zones["kind"] == kind]
        if kind != "belt":
            out.append(_fill_layer(f"zone-{kind}", f"Zones: {kind}", part,
                                   ZONES.get(kind, GREY), _zone_title, opacity=0.25,
                                   legend=f"Zone: {kind}"))
            continue
        classes = list(dict.fromkeys(part["zone"]))
        for i, name in enumerate(classes):
            colour, dash = BELTS[i % len(BELTS)]
            out.append(_fill_layer(f"zone-belt-{i}", f"Belt: {name}", part[part["zone"] == name],
                                   colour, _zone_title, opacity=0.08, weight=2.5, dash=dash,
                                   legend=f"Belt: {name}"))
    return out


def _zone_title(rec: dict) -> str:
    side = f" ({rec['side']} side)" if rec.get("side") else ""
    area = f": {fmt_km2(float(rec['area_km2']))}" if "area_km2" in rec else ""
    return f"{rec.get('zone', 'zone')}{side}{area}"


def change_layers(changes: gpd.GeoDataFrame, title_suffix: str = "",
                  titles: tuple[str, str] = ("Newly occupied", "No longer occupied"),
                  ref: str | None = None) -> list[Layer]:
    """Areas that changed hands: to ``ru`` (``titles[0]``) and from ``ru`` (``titles[1]``,
    to ``ua`` or to a grey zone).

    Parameters
    ----------
    changes : geopandas.GeoDataFrame
        Changes (``to_side``, ``km2``, ...).
    title_suffix : str
        Added to the titles (e.g. the dates).
    titles : (str, str)
        Titles of the two layers.
    ref : str, optional
        A column whose value each feature is referred to by (a findings panel's rows).

    Returns
    -------
    list of Layer
        Two layers.
    """
    # newly occupied: to ru; no longer occupied: to ua or to the grey zone
    to_ru = (changes["to_side"] == "ru").to_numpy() if len(changes) else None
    return [_fill_layer(f"change-{key}", title + title_suffix,
                        changes[to_ru == gained] if len(changes) else changes,
                        colour, lambda rec, t=title: f"{t}: {fmt_km2(float(rec.get('km2', 0)))}",
                        opacity=0.7, legend=title, ref=ref)
            for key, gained, title, colour in (("ru", True, titles[0], WINE),
                                               ("ua", False, titles[1], TEAL))]


def _records(gdf: gpd.GeoDataFrame):
    """``(attributes, geometry)`` of each row (attributes as Python values, as
    ``to_dict(orient="records")`` gives them, column by column: a slider does this for
    every date)."""
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    records = [dict(zip(cols, row, strict=True))
               for row in zip(*(gdf[c].tolist() for c in cols), strict=True)]
    if not cols:
        records = [{} for _ in range(len(gdf))]
    return zip(records, gdf.geometry.values, strict=True)


def line_rows(line: gpd.GeoDataFrame) -> list[tuple[dict, BaseGeometry]]:
    """The pieces of a line as :func:`line_layer` takes them: ``(attributes, geometry)``
    per row, in order (a slider takes every date's from one frame).

    Parameters
    ----------
    line : geopandas.GeoDataFrame
        Pieces of a line of contact.

    Returns
    -------
    list of (dict, shapely geometry)
        One pair per row.
    """
    return list(_records(line))


def _fill_layer(layer_id: str, title: str, part: gpd.GeoDataFrame, colour: str, label,
                *, weight: float = 1.5, opacity: float, legend: str | None = None,
                dash: str | None = None, pane: str | None = None,
                ref: str | None = None) -> Layer:
    """Filled polygons, one feature per row with ``label(attributes)`` as its tooltip and
    the known attributes in its popup (see :func:`people_rows`)."""
    feats = [Feature(g, label(rec), people_rows(rec), ref=str(rec[ref]) if ref else None)
             for rec, g in _records(part)]
    style = {"color": colour, "weight": weight, "fillColor": colour, "fillOpacity": opacity}
    if dash:
        style["dashArray"] = dash
    return Layer(id=layer_id, title=title, kind="polygon", style=style, features=feats,
                 legend=_legend_fill(style, legend or title), pane=pane)


def region_layer(snapshot=None) -> Layer:
    """Region outlines (Natural Earth, simplified ~600 m), with figures when a snapshot is
    given.

    Parameters
    ----------
    snapshot : Snapshot, optional
        For the figures in the popups.

    Returns
    -------
    Layer
        The layer.
    """
    reg = registry()
    geoms = shapely.coverage_simplify(reg.geometry.values, REGION_TOLERANCE_DEG,
                                      simplify_boundary=False)
    figures = stats(snapshot) if snapshot is not None else None
    feats = []
    for key, name, geom in zip(reg["key"], reg["name"], geoms, strict=True):
        rows: list[Row] = [("region", name)]
        if figures is not None:
            s = figures.loc[reg.loc[key, "group"]]
            rows += [("area", fmt_km2(s["area_km2"])),
                     ("occupied", f"{fmt_km2(s['occupied_km2'])} ({100 * s['share']:.1f} %)"),
                     ("line of contact", fmt_km(s["line_km"]))]
            if key == "sevastopol" or key == "crimea":
                rows.append(("note", "figures for Crimea with Sevastopol"))
        feats.append(Feature(geom, name, rows))
    return Layer(id="regions", title="Regions", kind="polygon",
                 style={"color": "#6b6b6b", "weight": 0.8, "fillOpacity": 0.0,
                        "fill": True, "fillColor": "#ffffff"},
                 features=feats,
                 legend={"swatch": "line", "color": "#6b6b6b", "weight": 1,
                         "label": "Region boundary (Natural Earth)"})


def snapshot_layers(snapshot,
                    line: gpd.GeoDataFrame | list[tuple[dict, BaseGeometry]] | None = None,
                    memo: dict | None = None) -> list[Layer]:
    """Control areas and (optionally) the line of contact of one snapshot.

    Parameters
    ----------
    snapshot : Snapshot
        The snapshot.
    line : geopandas.GeoDataFrame or list of (dict, shapely geometry), optional
        Its line of contact, or its rows (:func:`line_rows`); None: no line layer.
    memo : dict, optional
        As in :func:`control_layers` (a series' dates in order).

    Returns
    -------
    list of Layer
        The layers.
    """
    layers = control_layers(snapshot, memo)
    if line is not None:
        date = snapshot.date.isoformat() if snapshot.date else None
        layers.append(line_layer(line, date=date))
    return layers


def movement_layer(mv: gpd.GeoDataFrame) -> Layer:
    """Front movement as one arrow per sector and direction: from the earlier line to the
    later one at the sample that moved most, with the sector's figures of
    :func:`loc.sector_summary` (as ``loc diff --lines`` prints them). Advances are wine,
    retreats teal; a sector and direction whose largest movement is under the movement's
    threshold (``mv.attrs["threshold_km"]``) gets no arrow.

    Parameters
    ----------
    mv : geopandas.GeoDataFrame
        :func:`loc.movement` samples (with the ``to`` column).

    Returns
    -------
    Layer
        The layer (kind ``arrow``: a line whose last vertex is the head).
    """
    feats = []
    summary = sector_summary(mv)
    threshold = float(mv.attrs.get("threshold_km", 0.5))
    moved = mv[mv["direction"] != "static"]
    for (sector, direction), g in moved.groupby(["sector", "direction"], sort=True):
        d = g["displacement_km"].to_numpy()
        i = int(np.argmax(np.abs(d)))
        if abs(d[i]) < threshold:
            continue
        s = summary.loc[sector]
        start = g.geometry.values[i]
        end = shapely.from_wkt(g["to"].to_numpy()[i])
        word = "advance" if direction == "advance" else "retreat"
        km = s["moved_km"] if direction == "advance" else s["retreat_km"]
        mean = float(s["mean_advance_km"])
        rows: list[Row] = [
            ("sector", str(sector)), ("movement", word),
            (f"front that {'advanced' if direction == 'advance' else 'retreated'} more than "
             f"{fmt_km(threshold)}",
             f"{fmt_km(km)} of {fmt_km(s['front_km'])}"),
            (f"largest {word}", fmt_km(float(abs(d[i])))),
            ("mean over the sector's front",
             "no front of its own: ground taken across its edge" if np.isnan(mean) else
             f"{fmt_km(abs(mean))} {'advance' if mean >= 0 else 'retreat'}"),
            ("near", str(g["settlement"].to_numpy()[i]))]
        feats.append(Feature(shapely.LineString([start, end]),
                             f"{sector}: {word}, up to {fmt_km(float(abs(d[i])))}", rows,
                             colour=WINE if direction == "advance" else TEAL))
    span = f" ({mv.attrs['from']} → {mv.attrs['to']})" if mv.attrs.get("from") else ""
    return Layer(id="movement", title="Front movement" + span, kind="arrow",
                 style={"color": WINE, "weight": 3, "opacity": 0.95}, features=feats,
                 legend={"swatch": "arrow", "color": WINE,
                         "label": "Largest advance per sector (teal: retreat)"},
                 pane="finding")


def breach_layers(breaches: gpd.GeoDataFrame) -> list[Layer]:
    """Breaches of a frozen line, by the side that advanced, drawn above every fill and
    the settlements; each feature refers to its breach id. A breach no longer standing
    (``standing`` false: last seen before the date verified) is drawn apart, a dashed
    outline without a fill, its popup saying when it was first and last seen.

    Parameters
    ----------
    breaches : geopandas.GeoDataFrame
        :attr:`loc.Report.breaches` (all standing), or the breaches of a verification
        (``first_seen``, ``last_seen``, ``standing``).

    Returns
    -------
    list of Layer
        Two layers of standing breaches, and one more for each side with ended ones.
    """
    standing = (breaches["standing"].astype(bool).to_numpy() if "standing" in breaches
                else np.ones(len(breaches), dtype=bool))
    layers = []
    for ended in (False, True):
        for side, colour in (("ru", WINE), ("ua", TEAL)):
            part = breaches[(breaches["advanced"] == side).to_numpy() & (standing != ended)]
            if ended and not len(part):
                continue
            word = "Ended breaches" if ended else "Breaches"
            layers.append(_fill_layer(
                f"breach-{side}{'-ended' if ended else ''}",
                f"{word}: {SIDE_TITLES[side]} side advanced", part, colour, _breach_title,
                weight=2, opacity=0.0 if ended else 0.6, dash="5 4" if ended else None,
                pane="finding", ref="id"))
    return layers


def _breach_title(rec: dict) -> str:
    ended = f" (ended, last seen {rec['last_seen']})" if not rec.get("standing", True) else ""
    return f"breach {rec['id']}{ended}: {fmt_km2(rec['km2'])}"


def incident_layer(incidents: gpd.GeoDataFrame) -> Layer:
    """Classified incidents above everything: violations larger and vermillion, others
    grey, uncertain ones hollow.

    Parameters
    ----------
    incidents : geopandas.GeoDataFrame
        :func:`loc.classify` output.

    Returns
    -------
    Layer
        The layer.
    """
    feats = []
    for i, (rec, g) in enumerate(_records(incidents)):
        colour = VERMILLION if rec.get("violation") else GREY
        label = rec.get("rule") or "no violation"
        feats.append(Feature(np.array([g.y, g.x]), f"incident {i + 1}: {label}",
                             [("incident", str(i + 1)), *people_rows(rec)],
                             radius=8.0 if rec.get("violation") else 5.0,
                             colour="#ffffff" if rec.get("uncertain") else colour,
                             ref=f"incident-{i + 1}"))
    return Layer(id="incidents", title="Incidents", kind="point",
                 style={"color": "#000000", "weight": 2, "fillColor": GREY,
                        "fillOpacity": 0.95},
                 features=feats, pane="finding",
                 legend={"swatch": "dot", "color": "#000000", "fill": VERMILLION,
                         "opacity": 0.95,
                         "label": "Incident (vermillion: violation; white: uncertain place)"})


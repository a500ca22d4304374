"""Map layers: each analysis plugs in as a :class:`Layer` of features with properties.

A layer has an ``id`` (layers of several dates share one id and one entry in the layer
control; the slider shows one date at a time), a title, a kind (``polygon``, ``line`` or
``point``), a Leaflet style, and features: lon/lat geometry with a tooltip and popup rows.
Colours follow the Okabe-Ito palette, readable by colour-blind users.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely

from loc import geo as lcrs
from loc.analysis.freeze import FREEZE_LABEL
from loc.analysis.line import line_of_contact
from loc.analysis.stats import stats
from loc.outputs.palette import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    SKY,
    TEAL,
    VERMILLION,
    WINE,
    YELLOW,
)
from loc.reference.regions import registry, ukraine
from loc.reference.settlements import table as settlements_table

SIDE_TITLES = {"ru": "Russian-controlled", "ua": "Ukrainian-controlled",
               "contested": "Contested (grey zone)"}
SIDE_STYLES = {
    "ru": {"color": VERMILLION, "weight": 1, "fillColor": VERMILLION, "fillOpacity": 0.35},
    "ua": {"color": BLUE, "weight": 0.5, "fillColor": BLUE, "fillOpacity": 0.06},
    "contested": {"color": GREY, "weight": 1, "fillColor": GREY, "fillOpacity": 0.5,
                  "dashArray": "4 3"},
}
DISPLAY_TOLERANCE_DEG = 0.002
"""Simplification (degrees, ~200 m) of the base outlines; control areas are not simplified."""


@dataclass
class Feature:
    geometry: object
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    radius: float | None = None
    colour: str | None = None


@dataclass
class Layer:
    id: str
    title: str
    kind: str
    style: dict
    features: list[Feature]
    visible: bool = True
    date: str | None = None
    min_zoom: int | None = None
    legend: dict | None = None


def fmt_km2(value: float) -> str:
    return f"{value:,.1f} km²"


def fmt_km(value: float) -> str:
    return f"{value:,.1f} km"


@lru_cache(maxsize=1)
def _display_land():
    return shapely.simplify(ukraine(), DISPLAY_TOLERANCE_DEG, preserve_topology=True)


def control_layers(snapshot) -> list[Layer]:
    """The sides of a snapshot, one layer each (``ru``, ``ua``, ``contested``).

    The ``ua`` area is drawn from a simplified outline of Ukraine (about 200 m) minus the
    other sides, so its edge along the front is exactly the ``ru`` edge.
    """
    date = snapshot.date.isoformat() if snapshot.date else None
    layers = []
    for side in ("ru", "contested", "ua"):
        geom = snapshot.side(side)
        if side == "ua":
            others = shapely.union(snapshot.side("ru"), snapshot.side("contested"))
            geom = shapely.difference(_display_land(), others)
        if geom.is_empty:
            continue
        area = float(lcrs.area_km2(snapshot.side(side)))
        rows = [("side", SIDE_TITLES[side]), ("date", snapshot.label), ("area", fmt_km2(area)),
                ("source", snapshot.source)]
        if snapshot.license:
            rows.append(("licence", snapshot.license))
        layers.append(Layer(
            id=f"side-{side}", title=SIDE_TITLES[side], kind="polygon",
            style=SIDE_STYLES[side], date=date,
            features=[Feature(geom, f"{SIDE_TITLES[side]}: {fmt_km2(area)}", rows)],
            legend={"swatch": "fill", "color": SIDE_STYLES[side]["color"],
                    "fill": SIDE_STYLES[side]["fillColor"], "label": SIDE_TITLES[side]}))
    return layers


def line_layer(line: gpd.GeoDataFrame, *, date: str | None = None, layer_id: str = "line",
               title: str = "Line of contact", style: dict | None = None) -> Layer:
    """Pieces of a line of contact (or freeze line) as one layer."""
    style = style or {"color": BLACK, "weight": 2.5}
    features = []
    for rec, geom in _records(line):
        label = rec.get("label", title)
        rows = [("label", str(label)), ("piece", str(rec.get("piece", ""))),
                ("kind", str(rec.get("kind", ""))), ("regions", str(rec.get("region", ""))),
                ("length", fmt_km(float(rec.get("length_km", 0.0))))]
        features.append(Feature(geom, f"{label}: {fmt_km(float(rec.get('length_km', 0.0)))}",
                                rows))
    return Layer(id=layer_id, title=title, kind="line", style=style, features=features,
                 date=date, legend={"swatch": "line", "color": style["color"],
                                    "weight": style.get("weight", 2),
                                    "dash": bool(style.get("dashArray")), "label": title})


def freeze_layers(freeze) -> list[Layer]:
    """The freeze line, labelled as a line of control (not an international border)."""
    return [line_layer(freeze.line, layer_id="freeze-line", title=FREEZE_LABEL.capitalize(),
                       style={"color": PURPLE, "weight": 3.5, "dashArray": "10 6"})]


def zone_layers(zones: gpd.GeoDataFrame) -> list[Layer]:
    """Zones (buffers, belts, protected sites) by ``kind`` column, one layer per kind.

    Expected columns: ``zone`` (name), ``kind`` and any figures (``area_km2``,
    ``population``, ``side``, ...), shown in the popup.
    """
    palette = {"buffer": GREEN, "belt": SKY, "site": YELLOW, "corridor": ORANGE}
    kinds = list(dict.fromkeys(zones["kind"])) if "kind" in zones else ["zone"]
    return [_fill_layer(f"zone-{kind}", f"Zones: {kind}",
                        zones[zones["kind"] == kind] if "kind" in zones else zones,
                        palette.get(kind, GREEN), lambda rec, k=kind: str(rec.get("zone", k)),
                        opacity=0.25, legend=f"Zone: {kind}")
            for kind in kinds]


def change_layers(changes: gpd.GeoDataFrame, title_suffix: str = "",
                  titles: tuple[str, str] = ("Newly occupied", "No longer occupied"),
                  ) -> list[Layer]:
    """Areas that changed hands: to ``ru`` (``titles[0]``) and from ``ru`` (``titles[1]``)."""
    return [_fill_layer(f"change-{to_side}", title + title_suffix,
                        changes[changes["to_side"] == to_side] if len(changes) else changes,
                        colour, lambda rec, t=title: f"{t}: {fmt_km2(float(rec.get('km2', 0)))}",
                        opacity=0.7, legend=title)
            for to_side, title, colour in (("ru", titles[0], WINE), ("ua", titles[1], TEAL))]


def _text(value) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.1f}"
    return str(value)


def _records(gdf: gpd.GeoDataFrame):
    """``(attributes, geometry)`` of each row."""
    return zip(gdf.drop(columns="geometry").to_dict(orient="records"), gdf.geometry.values,
               strict=True)


def _all_rows(rec: dict) -> list[tuple[str, str]]:
    """Every attribute as a popup row."""
    return [(str(k), _text(v)) for k, v in rec.items()]


def _fill_layer(layer_id: str, title: str, part: gpd.GeoDataFrame, colour: str, label,
                *, weight: float = 1.5, opacity: float, legend: str | None = None) -> Layer:
    """Filled polygons, one feature per row with ``label(attributes)`` as its label and every
    attribute in its popup."""
    feats = [Feature(g, label(rec), _all_rows(rec)) for rec, g in _records(part)]
    style = {"color": colour, "weight": weight, "fillColor": colour, "fillOpacity": opacity}
    return Layer(id=layer_id, title=title, kind="polygon", style=style, features=feats,
                 legend={"swatch": "fill", "color": colour, "fill": colour,
                         "label": legend or title})


def region_layer(snapshot=None) -> Layer:
    """Region outlines (Natural Earth, simplified ~200 m), with figures when a snapshot is
    given."""
    reg = registry()
    geoms = shapely.coverage_simplify(reg.geometry.values, DISPLAY_TOLERANCE_DEG)
    figures = stats(snapshot) if snapshot is not None else None
    feats = []
    for key, name, geom in zip(reg["key"], reg["name"], geoms, strict=True):
        rows = [("region", name), ("key", key)]
        if figures is not None:
            group = reg.loc[key, "group"]
            s = figures.loc[group]
            rows += [("area (group)", fmt_km2(s["area_km2"])),
                     ("occupied", f"{fmt_km2(s['occupied_km2'])} ({100 * s['share']:.1f} %)"),
                     ("line of contact", fmt_km(s["line_km"]))]
        feats.append(Feature(geom, name, rows))
    return Layer(id="regions", title="Regions", kind="polygon",
                 style={"color": "#555555", "weight": 0.8, "fillOpacity": 0.0,
                        "fill": True, "fillColor": "#ffffff"},
                 features=feats,
                 legend={"swatch": "line", "color": "#555555", "weight": 1,
                         "label": "Region boundary (Natural Earth)"})


def settlement_layers(min_population: int = 10_000) -> list[Layer]:
    """Settlements as dots sized by population: cities of 100,000+ always, smaller places
    from zoom level 8."""
    t = settlements_table()
    t = t[t["population"] >= min_population].sort_values(["population", "geonameid"],
                                                           ascending=[False, True])
    big = t[t["population"] >= 100_000]
    small = t[t["population"] < 100_000]
    style = {"color": "#222222", "weight": 1, "fillColor": "#ffffff", "fillOpacity": 0.9}
    out = []
    for part, title, min_zoom, layer_id in ((big, "Cities (100,000+)", None, "cities"),
                                            (small, f"Settlements ({min_population:,}+)", 8,
                                             "settlements")):
        feats = [Feature(np.array([lat, lon]), f"{name} ({pop:,})",
                         [("population", f"{pop:,}"), ("region", region)],
                         radius=float(np.clip(1.5 * np.log10(max(pop, 10)) - 3.5, 2, 9)))
                 for name, pop, lat, lon, region in zip(
                     part["name"], part["population"], part["lat"], part["lon"],
                     part["region"], strict=True)]
        out.append(Layer(id=layer_id, title=title, kind="point", style=style, features=feats,
                         min_zoom=min_zoom,
                         legend={"swatch": "dot", "color": "#222222", "fill": "#ffffff",
                                 "label": title}))
    return out


def snapshot_layers(snapshot, with_line: bool = True) -> list[Layer]:
    """Control areas and (optionally) the line of contact of one snapshot."""
    layers = control_layers(snapshot)
    if with_line:
        date = snapshot.date.isoformat() if snapshot.date else None
        layers.append(line_layer(line_of_contact(snapshot), date=date))
    return layers


def movement_layer(mv: gpd.GeoDataFrame) -> Layer:
    """Front movement samples as dots: advance (wine), retreat (teal), static (grey), sized
    by distance."""
    colours = {"advance": WINE, "retreat": TEAL, "static": GREY}
    feats = []
    for rec, geom in _records(mv):
        d = float(rec["displacement_km"])
        rows = [("moved", f"{d:+.2f} km"), ("direction", str(rec["direction"])),
                ("sector", str(rec["sector"])), ("nearest settlement", str(rec["settlement"]))]
        feats.append(Feature(np.array([geom.y, geom.x]), f"front {d:+.2f} km", rows,
                             radius=float(np.clip(2 + 1.5 * np.sqrt(abs(d)), 2, 10)),
                             colour=colours.get(rec["direction"], GREY)))
    style = {"color": "#222222", "weight": 0.5, "fillColor": GREY, "fillOpacity": 0.9}
    date = f" ({mv.attrs.get('from', '')} → {mv.attrs.get('to', '')})" if mv.attrs else ""
    return Layer(id="movement", title="Front movement" + date, kind="point", style=style,
                 features=feats, visible=True,
                 legend={"swatch": "dot", "color": WINE, "fill": WINE,
                         "label": "Front advance (teal: retreat)"})


def breach_layers(breaches: gpd.GeoDataFrame) -> list[Layer]:
    """Breaches of a frozen line, by the side that advanced."""
    return [_fill_layer(f"breach-{side}", f"Breaches: {SIDE_TITLES[side].lower()} side advanced",
                        breaches[breaches["advanced"] == side], colour,
                        lambda rec: f"breach {rec['id']}: {fmt_km2(rec['km2'])}",
                        weight=2, opacity=0.6)
            for side, colour in (("ru", WINE), ("ua", TEAL))]


def incident_layer(incidents: gpd.GeoDataFrame) -> Layer:
    """Classified incidents: violations in vermillion, others grey, uncertain ones hollow."""
    feats = []
    for rec, g in _records(incidents):
        colour = VERMILLION if rec.get("violation") else GREY
        label = rec.get("rule") or "no violation"
        feats.append(Feature(np.array([g.y, g.x]), f"incident: {label}",
                             _all_rows(rec), radius=5.0,
                             colour="#ffffff" if rec.get("uncertain") else colour))
    return Layer(id="incidents", title="Incidents", kind="point",
                 style={"color": "#000000", "weight": 1.5, "fillColor": GREY,
                        "fillOpacity": 0.9},
                 features=feats, legend={"swatch": "dot", "color": "#000000",
                                         "fill": VERMILLION,
                                         "label": "Incident (vermillion: violation; "
                                                  "white: uncertain place)"})

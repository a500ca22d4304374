"""Build a self-contained, deterministic folium map from layers.

The page holds Leaflet and loc's runtime inline and the data as one JSON block of
polyline-encoded chunks; it makes no network request unless online tiles are asked for.
folium's random element ids are replaced by ids numbered in tree order, so the same inputs
give the same bytes.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import folium
import numpy as np
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from loc.outputs.render import assets
from loc.outputs.render.encode import ChunkTable
from loc.outputs.render.layers import Layer
from loc.outputs.versions import MapVersion

PANES = {"context": 300, "water": 320, "base": 350, "area": 410, "zone": 420, "change": 430,
         "line": 450, "freeze": 460, "points": 470, "labels": 480, "finding": 490,
         "tools": 495}
"""Drawing order: context under the data, findings (breaches, incidents, movement) above the
fills and place names, measuring on top."""
TILES = {
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "Tiles © OpenStreetMap contributors (ODbL)"),
}


class LocMap(folium.Map):
    """A folium Map as loc renders it: ``loc_version`` is the saved version (or None)."""

    loc_version: MapVersion | None = None


def _pane_of(layer: Layer) -> str:
    if layer.pane:
        return layer.pane
    if layer.kind == "point":
        return "points"
    if layer.id == "regions":
        return "base"
    if layer.id.startswith("freeze"):
        return "freeze"
    if layer.kind == "line":
        return "line"
    if layer.id.startswith("zone"):
        return "zone"
    if layer.id.startswith("change"):
        return "change"
    return "area"


def layer_spec(layer: Layer, table: ChunkTable) -> tuple[dict, dict | None]:
    """A layer as the page reads it, its geometry encoded into ``table``, and its legend
    entry.

    Parameters
    ----------
    layer : Layer
        The layer.
    table : ChunkTable
        The chunks of the page (or of a block of layers encoded apart, see
        :class:`Encoded`).

    Returns
    -------
    (dict, dict or None)
        The layer's document and its legend entry.
    """
    feats = []
    for f in layer.features:
        g: list
        if layer.kind == "point":
            g = [round(float(v), 5) for v in np.asarray(f.geometry)]
        else:
            g = table.geometry(f.geometry)
            if not g:
                continue
        feat: dict = {"g": g, "t": f.title, "p": [[k, v] for k, v in f.rows]}
        if f.radius is not None:
            feat["r"] = round(f.radius, 1)
        if f.colour is not None:
            feat["c"] = f.colour
        if f.ref is not None:
            feat["ref"] = f.ref
        feats.append(feat)
    pane = _pane_of(layer)
    style = {**layer.style, "pane": f"loc-{pane}"}
    if not layer.interactive:
        style["interactive"] = False
    spec = {"id": layer.id, "title": layer.title, "kind": layer.kind, "style": style,
            "visible": layer.visible, "date": layer.date, "minZoom": layer.min_zoom,
            "maxZoom": layer.max_zoom, "control": layer.control,
            "interactive": layer.interactive, "label": layer.label, "features": feats}
    return spec, layer.legend


@dataclass(frozen=True)
class Encoded:
    """Layers encoded apart (in a worker process, say) into a table of their own: their
    documents and legend entries (:func:`layer_spec`), and that table's chunks both ways.
    :func:`build_payload` merges them where they stand in its layers, to the same page as
    encoding the layers there.

    Parameters
    ----------
    specs : list of (dict, dict or None)
        Each layer's document (chunk ids of the block's table) and legend entry.
    chunks, reverse : list of str
        The block's chunks, as stored and walked backwards.
    """

    specs: list[tuple[dict, dict | None]]
    chunks: list[str]
    reverse: list[str]

    @classmethod
    def of(cls, layers: Iterable[Layer]) -> Encoded:
        """Encode layers into a table of their own.

        Parameters
        ----------
        layers : iterable of Layer
            The layers, in page order.

        Returns
        -------
        Encoded
            The block.
        """
        table = ChunkTable(keep_reverse=True)
        specs = [layer_spec(layer, table) for layer in layers]
        return cls(specs, table.chunks, table.reverse)


def _id_map(ids: np.ndarray) -> Callable[[int], int]:
    """The new id of each id of a block (``ids[k]`` for ``k``, ``~ids[j]`` for ``~j``), as
    one list lookup: a slider block holds hundreds of thousands of ids."""
    to = ids.tolist()
    # id k at position k; ~j (negative: -j - 1) at position j + 1 from the end
    return (to + [~v for v in reversed(to)]).__getitem__


def _remapped(spec: dict, at: Callable[[int], int]) -> dict:
    """A layer document with its chunk ids mapped by ``at`` (:func:`_id_map`; points hold
    coordinates, not ids).

    A feature's ``g`` is as :meth:`ChunkTable.geometry` gives it: per part, a polygon's
    rings (each a list of ids) or a line's ids.
    """
    if spec["kind"] == "point":
        return spec

    def part(p: list) -> list:
        if p and type(p[0]) is list:  # a polygon: its rings
            return [list(map(at, ring)) for ring in p]
        return list(map(at, p))  # a line

    return {**spec, "features": [{**f, "g": [part(p) for p in f["g"]]}
                                 for f in spec["features"]]}


def build_payload(layers: Iterable[Layer | Encoded], *, title: str, subtitle: str, warning: str,
                  attribution: list[str], dates: list[str], bounds,
                  compare: dict | None = None, places: dict | None = None,
                  labels: list | None = None, panel: dict | None = None) -> dict:
    """The JSON document the map runtime reads (deterministic for the same inputs).

    Parameters
    ----------
    layers : iterable of Layer or Encoded
        The layers, bottom first (panes order them further); an :class:`Encoded` block
        stands for its layers.
    title, subtitle, warning : str
        The title block.
    attribution : list of str
        Sources and licences, one line each.
    dates : list of str
        The slider's dates (one or none: no slider).
    bounds : list
        ``[[south, west], [north, east]]`` of the opening view.
    compare : dict, optional
        ``{"a": date, "b": date}`` for a comparison.
    places : dict, optional
        :func:`loc.outputs.render.layers.places`: place names, popups and search.
    labels : list, optional
        Fixed labels ``[lat, lon, text, kind]`` (countries, seas).
    panel : dict, optional
        A side panel (reports): ``summary`` lines and a findings ``table`` whose rows refer
        to features by their ``ref``.

    Returns
    -------
    dict
        The payload.
    """
    table = ChunkTable()
    out, legend, seen = [], [], set()
    for item in layers:
        if isinstance(item, Encoded):
            at = _id_map(table.merge(item.chunks, item.reverse))
            specs = [(_remapped(spec, at), key) for spec, key in item.specs]
        else:
            specs = [layer_spec(item, table)]
        for spec, key in specs:
            out.append(spec)
            if key and key["label"] not in seen:
                seen.add(key["label"])
                legend.append(key)
    return {
        "title": title, "subtitle": subtitle, "warning": warning, "undated": "undated",
        "attribution": attribution, "dates": dates, "compare": compare,
        "bounds": bounds, "panes": {f"loc-{k}": v for k, v in PANES.items()},
        "legend": legend, "chunks": table.chunks, "layers": out,
        "places": places, "labels": labels or [], "panel": panel,
    }


def json_for_script(doc: dict) -> str:
    """JSON that is safe inside <script type="application/json">: <, >, & and the JS line
    separators are escaped.

    Parameters
    ----------
    doc : dict
        The document.

    Returns
    -------
    str
        Compact JSON text.

    Examples
    --------
    >>> "</" in json_for_script({"t": "</script>"})
    False
    """
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for a, b in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                 ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(a, b)
    return text


class _Raw(Element):
    """Text put into the page as is: branca compiles macro output as a Jinja template, so
    data and inlined code must never pass through a macro."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "LocRaw"
        self.text = text


def _inline_assets(labels: bool) -> _Raw:
    css = assets.script_safe(assets.leaflet_css() + "\n" + assets.loc_css())
    js = assets.script_safe(assets.leaflet_js() + "\n" + assets.vendored_js() + "\n"
                            + assets.loc_js(labels))
    return _Raw(f"<style>{css}</style>\n<script>{js}</script>")


_DATA_MARK = "\x00loc-data\x00"
"""Stands for the data while the page is rendered (a page's own text holds no NUL)."""


class _Data(MacroElement):
    """The payload as a JSON block (raw) and the call that builds the layers."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var payload = JSON.parse(document.getElementById("{{ this.get_name() }}").textContent);
  locRender({{ this._parent.get_name() }}, payload);
})();
{% endmacro %}
""")

    def __init__(self, payload: dict, compare_div: str | None) -> None:
        super().__init__()
        self._name = "LocData"
        self.data = json_for_script(payload).encode("utf-8")  # megabytes in a slider
        self.compare_div = compare_div
        self.deferred = False  # the page gets a mark in the data's place (see render_page)

    def render(self, **kwargs):
        div = (f'<div class="loc-compare-right" id="{self.compare_div}"></div>\n'
               if self.compare_div else "")
        text = _DATA_MARK if self.deferred else self.data.decode("utf-8")
        block = f'{div}<script type="application/json" id="{self.get_name()}">{text}</script>'
        self.get_root().html.add_child(_Raw(block), name="loc_data")
        return super().render(**kwargs)


def stable_ids(root: Figure) -> None:
    """Replace folium/branca's random element ids by a counter in tree order, so that the
    same map renders to the same bytes.

    Parameters
    ----------
    root : branca.element.Figure
        The page.
    """
    counter = itertools.count()

    def visit(el: Element) -> None:
        el._id = f"{next(counter):04d}"
        for child in list(el._children.values()):
            visit(child)

    visit(root)
    for part in (root.header, root.html, root.script):
        visit(part)


def build_map(payload: dict, *, tiles: str | None = None) -> LocMap:
    """A folium Map that renders ``payload`` offline (unless ``tiles`` adds online tiles).

    Parameters
    ----------
    payload : dict
        From :func:`build_payload`.
    tiles : {"osm"}, optional
        Online tiles under the data (the page then uses the network).

    Returns
    -------
    LocMap
        The map, with stable element ids.
    """
    compare = payload.get("compare")
    m = LocMap(location=[48.5, 32.0], zoom_start=6, tiles=None, control_scale=True,
                   attribution_control=False, prefer_canvas=False,
                   width="50%" if compare else "100%",
                   position="absolute" if compare else "relative")
    m.default_js = []
    m.default_css = []
    if tiles:
        url, attr = TILES[tiles]
        folium.TileLayer(url, attr=attr, name="OpenStreetMap", max_zoom=19).add_to(m)
    root = m.get_root()
    assert isinstance(root, Figure)
    labels = any(spec.get("label") for spec in payload["layers"])
    root.header.add_child(_inline_assets(labels), name="loc_assets")
    if compare:
        compare["div"] = "loc-compare-right"
    m.add_child(_Data(payload, compare["div"] if compare else None))
    stable_ids(root)
    return m


_TRAILING_SPACE = re.compile(r"[ \t\r\f\v]+$", re.MULTILINE)


def render_page(m: folium.Map) -> bytes:
    """The page's bytes (UTF-8), with stable ids (re-applied in case elements were added).

    The data (megabytes in a long slider) is joined to the rendered page once, as bytes,
    rather than passed through the page's templates.

    Parameters
    ----------
    m : folium.Map
        A map from :func:`build_map`.

    Returns
    -------
    bytes
        The page, lines stripped of trailing white space.
    """
    root = m.get_root()
    assert isinstance(root, Figure)
    stable_ids(root)
    data = [el for el in m._children.values() if isinstance(el, _Data)]
    for el in data:
        el.deferred = True
    try:
        page = _page_text(root)
    finally:
        for el in data:
            el.deferred = False
    mark = _DATA_MARK.encode("utf-8")
    if len(data) != 1 or page.count(mark) != 1:  # not loc's page as built: no shortcut
        return _page_text(root)
    head, _, tail = page.partition(mark)
    return b"".join((head, data[0].data, tail))


def _page_text(root: Figure) -> bytes:
    """The rendered page, lines stripped of trailing white space, ending in a newline."""
    html = _TRAILING_SPACE.sub("", root.render())
    return (html if html.endswith("\n") else html + "\n").encode("utf-8")


def render_html(m: folium.Map) -> str:
    """The page's HTML (:func:`render_page` as text).

    Parameters
    ----------
    m : folium.Map
        A map from :func:`build_map`.

    Returns
    -------
    str
        The page.
    """
    return render_page(m).decode("utf-8")

"""Map layers without a browser: legend swatches, popup rows, breach layers."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

import loc
from loc.outputs.render.layers import (
    breach_layers,
    change_layers,
    control_layers,
    freeze_layers,
    incident_layer,
    line_layer,
    people_rows,
    region_layer,
    zone_layers,
)


def _swatch(entry: dict) -> tuple:
    """What tells a legend entry apart on the map: an outline (a fill's, a line's) of one
    colour and dashed or not looks alike whatever its fill; dots and arrows are shapes of
    their own."""
    shape = entry["swatch"] if entry["swatch"] in ("dot", "arrow") else "outline"
    fill = (entry.get("fill"), entry.get("opacity")) if entry["swatch"] == "fill" else None
    return shape, entry["color"].upper(), bool(entry.get("dash")), fill if shape != "outline" \
        else None


def _legend(layers) -> list[dict]:
    """The legend entries of a map of these layers (one per label, as the page has them)."""
    out: dict[str, dict] = {}
    for layer in layers:
        if layer.legend:
            out.setdefault(layer.legend["label"], layer.legend)
    return list(out.values())


def _box(x: float, y: float) -> shapely.Polygon:
    return shapely.box(x, y, x + 0.1, y + 0.1)


@pytest.fixture(scope="module")
def maps() -> dict:
    """The layers of each kind of map, with every kind of zone and five belts: a freeze
    scenario, a report of breaches (``loc check``, ``loc verify``), a compare."""
    snap = loc.sample()
    frz = loc.freeze(snap)
    kinds = ["buffer", "site", "corridor", "crossing"] + ["belt"] * 5
    zones = gpd.GeoDataFrame({"zone": kinds[:4] + [f"weapons {i}" for i in range(5)],
                              "kind": kinds},
                             geometry=[_box(30 + i, 48) for i in range(9)], crs=4326)
    breaches = gpd.GeoDataFrame(
        {"id": ["a", "b", "c", "d"], "advanced": ["ru", "ua", "ru", "ua"],
         "km2": [1.0, 2.0, 3.0, 4.0], "first_seen": ["2025-01-09"] * 4,
         "last_seen": ["2025-01-15", "2025-01-15", "2025-01-12", "2025-01-13"],
         "standing": [True, True, False, False]},
        geometry=[_box(36 + i, 47) for i in range(4)], crs=4326)
    changes = gpd.GeoDataFrame({"to_side": ["ru", "ua"], "km2": [1.0, 1.0]},
                               geometry=[_box(35, 46), _box(35.2, 46)], crs=4326)
    incidents = gpd.GeoDataFrame({"violation": [True]}, geometry=[shapely.Point(37, 48)],
                                 crs=4326)
    contested = loc.from_geometries(_box(36, 47), contested=_box(37, 47), date="2025-01-01")
    base = [region_layer(), *control_layers(snap), line_layer(loc.line_of_contact(snap))]
    return {"freeze": base + zone_layers(zones) + change_layers(changes) + freeze_layers(frz),
            "report": base + zone_layers(zones) + freeze_layers(frz) + breach_layers(breaches)
            + [incident_layer(incidents)],
            "compare": [region_layer(), *control_layers(contested),
                        line_layer(loc.line_of_contact(snap))] + change_layers(changes)}


@pytest.mark.parametrize("kind", ["freeze", "report", "compare"])
def test_no_two_legend_entries_of_a_map_share_a_swatch(maps, kind):
    legend = _legend(maps[kind])
    assert len(legend) == {"freeze": 16, "report": 19, "compare": 7}[kind]
    seen: dict[tuple, str] = {}
    for entry in legend:
        key = _swatch(entry)
        assert key not in seen, f"{entry['label']!r} is drawn as {seen[key]!r} is"
        seen[key] = entry["label"]


def test_breaches_by_side_with_proper_titles_and_ended_ones_apart(maps):
    layers = {layer.id: layer for layer in maps["report"] if layer.id.startswith("breach")}
    assert [(k, v.title) for k, v in layers.items()] == [
        ("breach-ru", "Breaches: Russian-controlled side advanced"),
        ("breach-ua", "Breaches: Ukrainian-controlled side advanced"),
        ("breach-ru-ended", "Ended breaches: Russian-controlled side advanced"),
        ("breach-ua-ended", "Ended breaches: Ukrainian-controlled side advanced")]
    assert [f.ref for f in layers["breach-ru"].features] == ["a"]
    ended = layers["breach-ru-ended"]
    assert [f.ref for f in ended.features] == ["c"]
    assert ended.style["fillOpacity"] == 0 and ended.style["dashArray"]
    rows = dict(ended.features[0].rows)
    assert (rows["first seen"], rows["last seen"], rows["status"]) == \
        ("2025-01-09", "2025-01-12", "ended")
    assert "ended, last seen 2025-01-12" in ended.features[0].title
    assert dict(layers["breach-ua"].features[0].rows)["status"] == "standing"


def test_a_report_of_standing_breaches_only_has_two_breach_layers():
    breaches = gpd.GeoDataFrame({"id": ["a"], "advanced": ["ru"], "km2": [1.0]},
                                geometry=[_box(36, 47)], crs=4326)
    assert [layer.id for layer in breach_layers(breaches)] == ["breach-ru", "breach-ua"]


def test_incident_zones_are_split_between_zones_not_inside_belt_names():
    rec = {"zones": "Tornado-S, Uragan, Smerch, Tochka (U)/ua;security zone/ua"}
    assert people_rows(rec) == [("zones", ["Tornado-S, Uragan, Smerch, Tochka (U)/ua",
                                           "security zone/ua"])]


def test_a_date_with_the_sides_of_the_one_before_reuses_their_shapes(snap_20250905):
    """67 of the 536 archive dates have the sides of the date before: their drawn shapes
    and areas are reused (the page is byte for byte the same), and only theirs."""
    from loc.outputs.render.layers import control_layers

    again = loc.from_geometries(snap_20250905.occupied, date="2025-09-06", source="deepstate")
    moved = loc.from_geometries(shapely.buffer(snap_20250905.occupied, 0.01),
                                date="2025-09-07", source="deepstate")
    memo: dict = {}
    first = control_layers(snap_20250905, memo)
    second = control_layers(again, memo)
    third = control_layers(moved, memo)
    fresh = control_layers(moved)
    assert [x.features[0].geometry for x in second] == [x.features[0].geometry for x in first]
    assert all(a.features[0].geometry is b.features[0].geometry
               for a, b in zip(first, second, strict=True))
    assert [x.date for x in second] == ["2025-09-06"] * len(second)
    assert ("date", "2025-09-06") in second[0].features[0].rows
    assert [x.features[0].title for x in third] == [x.features[0].title for x in fresh]
    assert third[0].features[0].title != first[0].features[0].title  # recomputed
    assert all(shapely.equals(a.features[0].geometry, b.features[0].geometry)
               for a, b in zip(third, fresh, strict=True))


@pytest.mark.parametrize("given_ua", [False, True])
def test_each_side_is_drawn_as_the_geometry_its_km2_is_measured_from(snap_20250905, given_ua):
    """The drawn ``ua`` side is ``Snapshot.side("ua")`` itself (Ukraine's land, or the ``ua``
    side a source gives, less the other sides): its front edge is the ``ru`` edge and its
    popup's km² is the area of what is drawn."""
    from loc import geo
    from loc.outputs.render.layers import control_layers, fmt_km2

    box = shapely.box(36.0, 47.0, 39.0, 49.5)
    ua = shapely.difference(box, snap_20250905.occupied) if given_ua else None
    snap = loc.from_geometries(snap_20250905.occupied, ua=ua, date="2025-09-05",
                               source="deepstate")
    by_id = {layer.id: layer for layer in control_layers(snap)}
    drawn = by_id["side-ua"].features[0].geometry
    assert shapely.equals(drawn, snap.side("ua"))
    assert dict(by_id["side-ua"].features[0].rows)["area"] == fmt_km2(geo.area_km2(drawn))
    if given_ua:  # the source's ua side, not the whole country
        assert shapely.within(drawn, shapely.buffer(box, 1e-9))
        assert geo.area_km2(drawn) < 30_000
    else:
        assert geo.area_km2(drawn) > 400_000
    assert shapely.intersection(drawn, snap.side("ru")).area < 1e-9  # they only touch


def test_a_given_empty_ua_side_is_not_the_land_less_the_others():
    """A source's ua side that is empty (inside ru) and no ua side at all hashed alike, so a
    slider drew one date's ua shapes on the other."""
    from loc.outputs.render.layers import control_layers

    ru = shapely.box(37.0, 47.5, 38.5, 48.5)
    with pytest.warns(loc.LocWarning):
        empty = loc.from_geometries(ru, ua=shapely.box(37.1, 47.6, 37.2, 47.7), date="2025-01-01")
    plain = loc.from_geometries(ru, date="2025-01-02")
    assert empty.geometry_sha256 != plain.geometry_sha256
    for first, second in ((empty, plain), (plain, empty)):
        memo: dict = {}
        ids = [[x.id for x in control_layers(s, memo)] for s in (first, second)]
        assert ids == [[x.id for x in control_layers(s)] for s in (first, second)]
    assert [x.id for x in control_layers(empty)] == ["side-ru"]

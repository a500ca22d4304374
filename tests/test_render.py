import importlib
import json
import os
import re
import warnings

import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from PIL import Image

import loc
from loc import processes
from loc.cli import cli
from loc.errors import GeometryError
from loc.outputs.render import render, verify
from loc.outputs.render.builder import render_html
from tests.browser import launch, open_map
from tests.conftest import deepstate_files, deepstate_path

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    pw, b = launch()
    yield b
    b.close()
    pw.stop()


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize("day", ["20240708", "20251231"])
def test_one_date_map_stays_under_400_kb_at_both_ends_of_the_archive(tmp_path, day):
    html = render(loc.read(deepstate_path(day)), out=tmp_path).loc_version.html_path
    assert html.stat().st_size <= 400_000


def test_one_date_map_offline_layers_toggle_screenshot(tmp_path, browser):
    m = render(loc.read(deepstate_path("20250905")), out=tmp_path)
    html = m.loc_version.html_path
    assert html.stat().st_size <= 400_000  # bytes: the 400 KB, decimal
    page, log = open_map(browser, html)
    ids = page.evaluate("Object.keys(window.locMap.left.containers)")
    assert ids == ["context", "regions", "side-ru", "side-ua", "line"]
    visible = page.evaluate(
        "Object.keys(window.locMap.left.containers).filter(k => "
        "window.locMap.left.map.hasLayer(window.locMap.left.containers[k]))")
    assert "side-ru" in visible and "line" in visible
    n_before = page.locator(".leaflet-loc-area-pane path").count()
    assert n_before >= 2
    page.locator(".loc-layers .loc-panel-head").click()
    page.get_by_label("Russian-controlled").uncheck()
    assert not page.evaluate("window.locMap.left.map.hasLayer("
                             "window.locMap.left.containers['side-ru'])")
    assert page.locator(".leaflet-loc-area-pane path").count() == n_before - 1
    shot = tmp_path / "shot.png"
    page.screenshot(path=str(shot))
    with Image.open(shot) as im:
        pixels = np.asarray(im.convert("RGB")).reshape(-1, 3)
    colours = {tuple(p) for p in pixels[:: 97]}
    assert len(colours) > 50  # a map, not a blank page
    assert page.locator(".loc-title-main").inner_text() == "Control areas"
    assert page.locator(".loc-date").inner_text() == "2025-09-05"
    assert "DeepStateMap" in page.locator(".loc-attribution").inner_text()
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def test_slider_switches_date_and_layers(tmp_path, browser):
    m = render(out=tmp_path)  # the bundled sample: three dates
    page, log = open_map(browser, m.loc_version.html_path)
    assert page.locator(".loc-date").inner_text() == "2025-09-05"
    ru_2025 = page.evaluate("window.locMap.left.containers['side-ru'].getLayers().length")
    assert ru_2025 == 1
    page.locator(".loc-slider input[type=range]").fill("0")
    assert page.locator(".loc-date").inner_text() == "2024-07-08"
    assert page.locator(".loc-slider-label").inner_text() == "2024-07-08"
    # the layer shown is now the 2024-07-08 one: its tooltip says so after a click
    popup_date = page.evaluate("""() => {
        const g = window.locMap.left.containers['side-ru'].getLayers()[0];
        const layer = g.getLayers()[0];
        return layer.getPopup().getContent().textContent;
    }""")
    assert "2024-07-08" in popup_date
    assert "APPROXIMATE" in page.locator(".loc-warning").inner_text()
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def test_compare_view(tmp_path, browser):
    m = render(compare=(deepstate_path("20250108"), deepstate_path("20250905")), out=tmp_path)
    page, log = open_map(browser, m.loc_version.html_path)
    dates = page.locator(".loc-date").all_inner_texts()
    assert dates == ["A: 2025-01-08", "B: 2025-09-05"]
    right = page.evaluate("Object.keys(window.locMap.right.containers)")
    assert right.count("change-ru") == 1 and "movement" in right
    assert page.locator(".leaflet-loc-change-pane path").count() > 10
    # the two maps move together
    page.evaluate("void window.locMap.left.map.setView([48.0, 37.5], 9, {animate: false})")
    center = page.evaluate("[window.locMap.right.map.getCenter().lat, "
                           "window.locMap.right.map.getZoom()]")
    assert center[0] == pytest.approx(48.0, abs=1e-6) and center[1] == 9
    assert log.console_errors == [] and log.dialogs == []
    page.close()


HOSTILE = ['<img src=x onerror=alert(1)>', '</script><script>alert(2)</script>',
           '{{ 7*7 }}<svg onload=alert(3)>']


def test_hostile_names_are_text(tmp_path, browser):
    f = tmp_path / "hostile_2025-09-05.geojson"
    snap = loc.sample()
    f.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature",
        "properties": {"side": "ru", "source": HOSTILE[0], "license": HOSTILE[1]},
        "geometry": json.loads(json.dumps(snap.occupied.__geo_interface__)),
    }]}))
    m = render(loc.read(f), title=HOSTILE[2], out=tmp_path, name="hostile")
    html = m.loc_version.html_path.read_text()
    assert "<img src=x" not in html and "<svg onload" not in html
    assert html.count("</script>") == html.count("<script")
    page, log = open_map(browser, m.loc_version.html_path)
    assert page.locator(".loc-title-main").inner_text() == HOSTILE[2]
    assert HOSTILE[0] in page.locator(".loc-subtitle").inner_text()
    assert HOSTILE[1] in page.locator(".loc-attribution").inner_text()
    page.evaluate("""() => {
        const g = window.locMap.left.containers['side-ru'].getLayers()[0];
        g.getLayers()[0].openPopup();
    }""")
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert HOSTILE[0] in popup and HOSTILE[1] in popup
    assert page.locator("img[src=x]").count() == 0 and page.locator("svg[onload]").count() == 0
    page.wait_for_timeout(300)
    assert log.dialogs == [] and log.console_errors == []
    index = (m.loc_version.html_path.parent / "index.html").read_text()
    assert "<svg onload" not in index
    page.close()


def test_deterministic_versions_never_overwritten(tmp_path):
    a = render(out=tmp_path)
    b = render(out=tmp_path)
    va, vb = a.loc_version, b.loc_version
    assert va.id == vb.id and va.created and not vb.created
    first = va.html_path.read_bytes()
    assert render_html(render()) == first.decode()
    va.html_path.write_bytes(first)  # untouched by the second render
    other = render(out=tmp_path, title="Another title")
    assert other.loc_version.id != va.id
    assert va.html_path.read_bytes() == first
    manifest = json.loads(va.manifest_path.read_text())
    assert manifest["inputs"][0]["path"] == "loc:data/sample/sample_2024-07-08.geojson"
    assert len(manifest["inputs"][0]["sha256"]) == 64
    assert manifest["crs"]["areas"].startswith("+proj=laea")
    assert manifest["html"]["sha256"] and manifest["data_dates"][-1] == "2025-09-05"
    assert not re.search(r"[0-9a-f]{32}", first.decode()[-5000:])  # no random folium ids


def test_verify_and_cli(tmp_path):
    src = tmp_path / "snap_2025-09-05.geojson"
    src.write_bytes(loc.sample_paths()[-1].read_bytes())
    r = run("render", src, "--out", tmp_path / "maps", "--name", "t")
    assert r.exit_code == 0, r.output
    path = r.stdout.strip()
    assert path.endswith(".html")
    r = run("maps", "verify", path)
    assert r.exit_code == 0 and r.stdout.count("OK") == 4  # page, id, name and size, input
    r = run("maps", "list", "--out", tmp_path / "maps")
    assert r.exit_code == 0 and " t " in f" {r.stdout}"
    src.write_bytes(src.read_bytes() + b"\n")
    r = run("maps", "verify", path)
    assert r.exit_code == 1 and "FAIL" in r.stdout
    assert verify(path)[0][1] is True


def test_cli_render_errors(tmp_path):
    r = run("render", tmp_path / "missing.geojson")
    assert r.exit_code == 2 and "no such file" in r.stderr
    r = run("render", "--name", "../evil", "--out", tmp_path)
    assert r.exit_code == 2 and "map name" in r.stderr


def test_online_tiles_only_when_asked(tmp_path):
    offline = render_html(render(loc.sample()))
    online = render_html(render(loc.sample(), tiles="osm"))
    assert "tile.openstreetmap.org" not in offline
    assert "tile.openstreetmap.org" in online and "OpenStreetMap contributors" in online
    with pytest.raises(loc.LocError, match="unknown tiles"):
        render(loc.sample(), tiles="google")


# -- what an analyst reads: place names, popups, search, tools -----------------------------

@pytest.fixture(scope="module")
def one_date_map(tmp_path_factory):
    out = tmp_path_factory.mktemp("maps")
    return render(loc.read(deepstate_path("20250905")), out=out).loc_version.html_path


def _boxes(page, selector):
    return page.evaluate(f"""Array.from(document.querySelectorAll('{selector}')).map(e => {{
        const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }})""")


def test_city_labels_visible_at_opening_view_without_overlaps(one_date_map, browser):
    page, log = open_map(browser, one_date_map)
    assert page.evaluate("window.locMap.left.map.getZoom()") <= 7
    cities = page.locator(".loc-city-label").all_inner_texts()
    assert len(cities) >= 35, cities  # of 43 cities of 100,000+
    assert {"Kyiv", "Kharkiv", "Donetsk", "Zaporizhzhya", "Odesa"} <= set(cities)
    assert page.locator(".loc-place-label:not(.loc-city-label)").count() == 0  # towns from 8
    boxes = _boxes(page, ".loc-place-label, .loc-fixed-label")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    page.evaluate("void window.locMap.left.map.setView([48.6, 37.8], 9, {animate: false})")
    page.wait_for_timeout(200)
    towns = page.locator(".loc-place-label").all_inner_texts()
    assert "Pokrovsk" in towns and "Kostyantynivka" in towns
    assert log.console_errors == [] and log.dialogs == []
    page.close()


@pytest.mark.parametrize("viewport", [(1200, 800), (375, 667)])
def test_no_place_label_lies_under_another_place_s_dot(one_date_map, browser, viewport):
    """A city kept its dot even where the label of a larger city had been placed."""
    page, log = open_map(browser, one_date_map, viewport=viewport)
    hit = """() => { const out = [], dots = document.querySelectorAll('.loc-place'),
      labels = document.querySelectorAll('.loc-place-label, .loc-fixed-label');
      labels.forEach(l => { const a = l.getBoundingClientRect();
        dots.forEach(d => { const b = d.getBoundingClientRect();
          if (d.dataset.index !== l.dataset.index && a.left < b.right && a.right > b.left
              && a.top < b.bottom && a.bottom > b.top) { out.push(l.textContent); } }); });
      return out; }"""
    for zoom in (None, 7, 8):
        if zoom:
            page.evaluate(f"void window.locMap.left.map.setView([48.3, 36.0], {zoom}, "
                          "{animate: false})")
            page.wait_for_timeout(200)
        assert page.evaluate(hit) == [], zoom
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def test_settlement_popup_names_the_side(one_date_map, browser, snap_20250905):
    page, log = open_map(browser, one_date_map)
    page.evaluate("void window.locMap.left.map.setView([48.3, 37.9], 8, {animate: false})")
    page.wait_for_timeout(200)
    t = loc.settlements().set_index("name")
    for name in ("Donetsk", "Kramatorsk"):
        expected = {"ru": "Russian-controlled", "ua": "Ukrainian-controlled"}[
            snap_20250905.side_at(np.array([t.loc[name, "lon"]]),
                                  np.array([t.loc[name, "lat"]]))[0]]
        page.locator(".loc-place-label", has_text=name).first.click()
        page.wait_for_timeout(300)  # the previous popup fades out
        popup = page.locator(".leaflet-popup-content").last.inner_text()
        assert name in popup and "held on 2025-09-05" in popup and expected in popup, popup
    # a place not shown at this zoom leaves nothing in the page to catch the mouse
    shown = page.evaluate("window.locMap.left.places.shown.length")
    assert shown == page.locator(".loc-place").count()
    assert log.console_errors == [] and log.dialogs == []
    page.close()


@pytest.mark.parametrize("query", ["Бахмут", "Artemivsk", "bahmut"])
def test_search_moves_the_view_to_the_settlement(one_date_map, browser, query):
    page, log = open_map(browser, one_date_map)
    page.locator(".loc-search input").fill(query)
    assert "Bakhmut" in page.locator(".loc-search-results").inner_text()
    page.locator(".loc-search input").press("Enter")
    centre = page.evaluate("[window.locMap.left.map.getCenter().lat, "
                           "window.locMap.left.map.getCenter().lng, "
                           "window.locMap.left.map.getZoom()]")
    assert centre[0] == pytest.approx(48.5942, abs=0.01)
    assert centre[1] == pytest.approx(37.9989, abs=0.01) and centre[2] >= 11
    assert "Bakhmut" in page.locator(".leaflet-popup-content").inner_text()
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def test_measure_tool_is_geodesic(one_date_map, browser):
    from pyproj import Geod

    t = loc.settlements().set_index("name")
    kyiv, kharkiv = (t.loc["Kyiv", ["lat", "lon"]].tolist(),
                     t.loc["Kharkiv", ["lat", "lon"]].tolist())
    want = Geod(ellps="WGS84").inv(kyiv[1], kyiv[0], kharkiv[1], kharkiv[0])[2]
    page, log = open_map(browser, one_date_map)
    page.locator(".loc-measure .loc-panel-head").click()
    page.locator(".loc-measure-distance").click()
    for lat, lon in (kyiv, kharkiv):  # a click on the map at each city
        xy = page.evaluate(f"window.locMap.left.map.latLngToContainerPoint([{lat}, {lon}])")
        box = page.locator("#" + page.evaluate("window.locMap.left.map.getContainer().id"))
        box.click(position={"x": xy["x"], "y": xy["y"]})
    clicked = page.evaluate("window.locMap.measure.distance()")
    assert clicked == pytest.approx(want, rel=0.01)  # clicks land on whole pixels
    page.locator(".loc-measure-clear").click()
    page.locator(".loc-measure-distance").click()
    page.evaluate(f"window.locMap.measure.addPoint({kyiv}); "
                  f"void window.locMap.measure.addPoint({kharkiv})")
    got = page.evaluate("window.locMap.measure.distance()")
    assert abs(got - want) / want < 0.005
    assert abs(got - want) < 1.0  # Vincenty on WGS 84: well under a metre
    assert "km" in page.locator(".loc-measure-result").inner_text()
    spherical = page.evaluate(f"L.latLng({kyiv}).distanceTo(L.latLng({kharkiv}))")
    assert abs(spherical - want) > 10 * abs(got - want)  # not Leaflet's sphere
    # area: a 1° x 1° cell against pyproj
    cell = [[48, 35], [48, 36], [49, 36], [49, 35]]
    area = page.evaluate(f"window.locMap.geodesicArea({cell})")
    lons, lats = [c[1] for c in cell], [c[0] for c in cell]
    want_area = abs(Geod(ellps="WGS84").polygon_area_perimeter(lons, lats)[0])
    assert area == pytest.approx(want_area, rel=0.005)
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def test_coordinate_readout_gives_lat_lon_and_mgrs(one_date_map, browser):
    import mgrs

    page, log = open_map(browser, one_date_map)
    page.mouse.move(700, 400)
    text = page.locator(".loc-coords").inner_text()
    assert "° N" in text and "° E" in text and "MGRS" in text
    lat, lon = page.evaluate("(() => { const m = window.locMap.left.map; "
                             "const ll = m.containerPointToLatLng([700, 400]); "
                             "return [ll.lat, ll.lng]; })()")
    grid = mgrs.MGRS().toMGRS(lat, lon, MGRSPrecision=5)
    assert grid[:3] in text.replace(" ", "")
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def test_play_advances_the_date_and_slider_tools(tmp_path, browser):
    m = render(out=tmp_path)  # the bundled sample: three dates
    page, log = open_map(browser, m.loc_version.html_path)
    page.locator(".loc-slider input[type=range]").fill("0")
    assert page.locator(".loc-date").inner_text() == "2024-07-08"
    page.locator(".loc-play").click()
    page.wait_for_function("document.querySelector('.loc-date').textContent !== '2024-07-08'",
                           timeout=5000)
    page.wait_for_timeout(1500)
    assert page.locator(".loc-date").inner_text() == "2025-09-05"
    assert "Play" in page.locator(".loc-play").inner_text()  # stopped at the end
    page.keyboard.press("ArrowLeft")
    assert page.locator(".loc-date").inner_text() == "2025-01-08"
    page.locator(".loc-date-field").fill("2024-12-31")
    page.locator(".loc-date-field").dispatch_event("change")
    assert page.locator(".loc-date").inner_text() == "2024-07-08"  # on or before
    assert page.locator(".loc-tick").count() >= 3
    page.locator(".loc-ghost input[type=checkbox]").check()
    assert page.evaluate("window.locMap.slider.ghost()") == "2024-07-08"
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def test_compare_swipe_divider_moves_and_controls_are_shared(tmp_path, browser):
    m = render(compare=(deepstate_path("20250108"), deepstate_path("20250905")), out=tmp_path)
    page, log = open_map(browser, m.loc_version.html_path)
    assert page.locator(".loc-layers").count() == 1 and page.locator(".loc-legend").count() == 1
    page.locator(".loc-mode-swipe").click()
    divider = page.locator(".loc-divider")
    before = divider.bounding_box()
    clip0 = page.evaluate("document.getElementById('loc-compare-right').style.clipPath")
    x, y = before["x"] + before["width"] / 2, before["y"] + 300
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 250, y, steps=5)
    page.mouse.up()
    after = divider.bounding_box()
    assert after["x"] == pytest.approx(before["x"] - 250, abs=3)
    assert page.evaluate("document.getElementById('loc-compare-right').style.clipPath") != clip0
    # one layer control drives both maps
    page.locator(".loc-layers .loc-panel-head").click()
    page.get_by_label("Russian-controlled").uncheck()
    assert not page.evaluate("window.locMap.left.map.hasLayer("
                             "window.locMap.left.containers['side-ru'])")
    assert not page.evaluate("window.locMap.right.map.hasLayer("
                             "window.locMap.right.containers['side-ru'])")
    assert page.locator(".leaflet-loc-finding-pane path").count() > 3  # movement arrows
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def test_compare_swipe_shows_b_right_of_the_divider_and_a_left(tmp_path, browser):
    m = render(compare=(deepstate_path("20250108"), deepstate_path("20250905")), out=tmp_path)
    page, log = open_map(browser, m.loc_version.html_path)
    page.locator(".loc-mode-swipe").click()
    page.evaluate("void window.locMap.left.map.setView([48.05, 37.6], 9, {animate: false})")
    hit = """() => document.elementFromPoint(600, 400).closest('.leaflet-container').id"""

    def drag_divider_to(x):
        box = page.locator(".loc-divider").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, 200)
        page.mouse.down()
        page.mouse.move(x, 200, steps=5)
        page.mouse.up()
        page.wait_for_timeout(200)
        page.screenshot(path=str(tmp_path / f"swipe_{x}.png"))
        with Image.open(tmp_path / f"swipe_{x}.png") as im:
            return np.asarray(im.convert("RGB"))[150:650, 320:880].astype(int)

    def popup_at_centre():
        page.mouse.click(600, 400)
        page.wait_for_timeout(300)
        text = page.locator(".leaflet-popup-content").inner_text()
        page.evaluate("window.locMap.left.map.closePopup(); "
                      "void window.locMap.right.map.closePopup()")
        return text

    b_shown = drag_divider_to(300)  # the centre is right of the divider: B
    assert page.evaluate(hit) == "loc-compare-right"
    assert "2025-09-05" in popup_at_centre()
    a_shown = drag_divider_to(900)  # left of it: A
    assert page.evaluate(hit) != "loc-compare-right"
    assert "2025-01-08" in popup_at_centre()
    assert (np.abs(b_shown - a_shown).sum(axis=2) > 30).mean() > 0.01  # the dates differ
    assert log.console_errors == [] and log.dialogs == []
    page.close()


FREEZE_LABEL_TEXT = "line of control (not an international border)"

# Every along-line label drawn: the whole text once, every letter laid out on its path,
# neighbouring letters turned by little (no jumble), each letter near the freeze line, and no
# two labels overlapping. Distances in screen pixels.
LABEL_CHECK = """() => {
  // the freeze line's points every 2 px on screen, sampled once (within 40 px of the view:
  // a letter in view farther than that from every one is farther than 20 px from the line)
  const pts = [];
  document.querySelectorAll('.leaflet-loc-freeze-pane path.leaflet-interactive').forEach(p => {
    const m = p.getScreenCTM(), n = p.getTotalLength();
    for (let s = 0; s <= n; s += 2) {
      const q = p.getPointAtLength(s), x = m.a * q.x + m.e, y = m.d * q.y + m.f;
      if (x > -40 && y > -40 && x < innerWidth + 40 && y < innerHeight + 40) pts.push([x, y]);
    }
  });
  const near = (x, y) => {
    let best = 1e9;
    for (const [px, py] of pts) best = Math.min(best, Math.hypot(px - x, py - y));
    return best;
  };
  return Array.from(document.querySelectorAll('.loc-line-label')).map(t => {
    const tp = t.querySelector('textPath'), n = t.getNumberOfChars();
    const path = document.getElementById(tp.getAttribute('href').slice(1));
    const m = t.getScreenCTM();
    let turn = 0, far = 0;
    for (let i = 0; i < n; i++) {
      if (i) {
        const d = Math.abs(t.getRotationOfChar(i) - t.getRotationOfChar(i - 1)) % 360;
        turn = Math.max(turn, Math.min(d, 360 - d));
      }
      const e = t.getExtentOfChar(i);  // the letter's middle, above or below the line
      const x = m.a * (e.x + e.width / 2) + m.e, y = m.d * (e.y + e.height / 2) + m.f;
      const inView = x >= 0 && y >= 0 && x <= innerWidth && y <= innerHeight;
      if (inView) { far = Math.max(far, near(x, y)); }
    }
    // letters on a place's name or dot (extents in the text's user space, to the screen)
    let onPlace = 0;
    const places = Array.from(document.querySelectorAll('.loc-place-label, .loc-place'))
      .map(e => e.getBoundingClientRect());
    for (let i = 0; i < n; i++) {
      const e = t.getExtentOfChar(i);
      const x0 = m.a * e.x + m.e, y0 = m.d * e.y + m.f;
      const x1 = m.a * (e.x + e.width) + m.e, y1 = m.d * (e.y + e.height) + m.f;
      const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;  // the letter's middle
      if (places.some(r => cx > r.left && cx < r.right && cy > r.top && cy < r.bottom)) onPlace++;
    }
    const r = t.getBoundingClientRect();
    return {text: tp.textContent, fits: t.getComputedTextLength() <= path.getTotalLength(),
            turn: turn, far: far, onPlace: onPlace, box: [r.left, r.top, r.right, r.bottom]};
  });
}"""


def test_freeze_line_is_labelled_along_the_line(tmp_path, browser, snap_20250905):
    m = render(freeze=loc.freeze(snap_20250905), out=tmp_path)
    page, log = open_map(browser, m.loc_version.html_path)
    page.wait_for_timeout(300)
    page.evaluate("void window.locMap.left.map.setView([48.217, 36.911], 10, {animate: false})")
    text = page.locator(".loc-line-label textPath").first.text_content()
    assert text == FREEZE_LABEL_TEXT
    assert "reddish purple dashed" in page.locator(".loc-subtitle").inner_text()
    assert log.console_errors == [] and log.dialogs == []
    page.close()


@pytest.mark.parametrize("centre", [None, (47.07, 33.62), (48.217, 36.911), (47.918, 36.588)])
def test_freeze_line_label_reads_at_every_zoom(tmp_path, browser, snap_20250905, centre):
    """The issue's map (Donetsk to ru): the label is whole, smooth and on the line."""
    m = render(freeze=loc.freeze(snap_20250905, assign={"Donetsk": "ru"}), out=tmp_path)
    page, log = open_map(browser, m.loc_version.html_path)
    seen = 0
    for z in ([6] if centre is None else [7, 8, 9, 10, 11, 12]):
        if centre is not None:
            page.evaluate(f"void window.locMap.left.map.setView({list(centre)}, {z}, "
                          "{animate: false})")
            page.wait_for_timeout(100)
        labels = page.evaluate(LABEL_CHECK)
        seen += len(labels)
        assert len(labels) <= 4, z  # a few, not one every few letters
        for lab in labels:
            assert lab["text"] == FREEZE_LABEL_TEXT, z  # once, whole
            assert lab["fits"], z  # no letter falls off the end of its path
            assert lab["turn"] <= 25, (z, lab["turn"])  # letters follow a smooth curve
            assert lab["far"] <= 20, (z, lab["far"])  # on the line
            assert lab["onPlace"] == 0, z  # on no place's name or dot
        boxes = [lab["box"] for lab in labels]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not (a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]), z
    if centre is not None:
        assert seen >= 3  # drawn from zoom 8 on, where it fits
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def test_clicked_zone_has_no_focus_rectangle_but_keyboard_focus_shows(tmp_path, browser,
                                                                      snap_20250905):
    import geopandas as gpd

    zone = gpd.GeoDataFrame({"zone": ["buffer 5 km"], "kind": ["buffer"], "area_km2": [1.0]},
                            geometry=[shapely.Point(35.0, 49.5).buffer(0.4)], crs="OGC:CRS84")
    m = render(snap_20250905, zones=zone, out=tmp_path)
    page, log = open_map(browser, m.loc_version.html_path)
    sel = ".leaflet-loc-zone-pane path.leaflet-interactive"
    x, y = page.evaluate(f"""(() => {{
        const p = document.querySelector('{sel}'), r = p.getBoundingClientRect();
        for (let y = r.top + 2; y < r.bottom; y += 3) for (let x = r.left + 2; x < r.right; x += 3)
          if (document.elementFromPoint(x, y) === p) return [x, y];
        return null; }})()""")
    style = f"""(() => {{ const p = document.querySelector('{sel}'), c = getComputedStyle(p);
        return [document.activeElement === p, c.outlineStyle, c.stroke]; }})()"""
    stroke = page.evaluate(style)[2]
    page.mouse.click(x, y)
    page.wait_for_timeout(200)
    assert page.locator(".leaflet-popup").count() == 1
    focused, outline, after = page.evaluate(style)
    assert focused and outline == "none" and after == stroke  # no rectangle on a click
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")  # from here on the keyboard moves the focus
    page.evaluate(f"document.querySelector('{sel}').focus()")
    focused, outline, after = page.evaluate(style)
    assert focused and after == "rgb(11, 94, 168)"  # the shape's own outline, blue
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def test_first_slider_tick_of_each_year_carries_the_year(tmp_path, browser):
    m = render(out=tmp_path)  # the bundled sample: 2024-07-08, 2025-01-08, 2025-09-05
    page, log = open_map(browser, m.loc_version.html_path)
    assert page.locator(".loc-tick-label").all_inner_texts() == ["2024-07", "2025", "09"]
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def test_hostile_layer_title_and_zone_kind_are_text(tmp_path, browser, snap_20250905):
    import geopandas as gpd
    import shapely

    from loc.outputs.render.layers import Feature, Layer

    zone = gpd.GeoDataFrame({"zone": ["z"], "kind": [HOSTILE[0]], "area_km2": [1.0]},
                            geometry=[shapely.Point(37.5, 48.0).buffer(0.1)], crs="OGC:CRS84")
    extra = Layer(id="hostile", title=HOSTILE[0], kind="point", style={"color": "#000"},
                  features=[Feature(np.array([48.0, 37.0]), HOSTILE[0])])
    m = render(snap_20250905, zones=zone, layers=[extra], out=tmp_path, name="hostile2")
    page, log = open_map(browser, m.loc_version.html_path)
    page.locator(".loc-layers .loc-panel-head").click()
    names = page.locator(".loc-layers").inner_text()
    assert HOSTILE[0] in names and f"Zones: {HOSTILE[0]}" in names
    assert HOSTILE[0] in page.locator(".loc-legend").inner_text()
    assert page.locator("img").count() == 0
    page.wait_for_timeout(300)
    assert log.dialogs == [] and log.console_errors == []
    page.close()


_APART = """(a, b) => {
  const r = document.querySelector(a).getBoundingClientRect();
  const q = document.querySelector(b).getBoundingClientRect();
  return r.right <= q.left || q.right <= r.left || r.bottom <= q.top || q.bottom <= r.top;
}"""
"""Whether the first elements of two selectors lie apart on the screen."""


def test_report_findings_on_top_hoverable_and_tabled(tmp_path, browser):
    import shapely

    inc = tmp_path / "inc.csv"
    inc.write_text("event_id_cnty;event_date;event_type;latitude;longitude;geo_precision\n"
                   "UKR1;16 May 2025;Battles;48.30;37.20;1\n")
    r = run("check", "--freeze", deepstate_path("20250108"), "--snapshot",
            deepstate_path("20250905"), "--incidents", inc, "--width", "5", "--belts",
            "minsk2", "-o", tmp_path / "reports")
    assert r.exit_code == 0, r.output
    folder = next((tmp_path / "reports").iterdir())
    import geopandas as gpd

    breaches = gpd.read_file(folder / "breaches.geojson")
    for size in ((1400, 900), (1200, 800)):  # the sources clear of the legend, beside the panel
        page, _ = open_map(browser, folder / "report.html", viewport=size)
        assert page.evaluate(f"({_APART})('.loc-attribution', '.loc-legend')"), size
        page.close()
    page, log = open_map(browser, folder / "report.html")
    rows = page.locator(".loc-findings-table[data-name=breaches] tbody tr")
    assert rows.count() == len(breaches)
    assert f"{len(breaches)} breach(es)" in page.locator(".loc-findings").inner_text()
    largest = breaches.sort_values("km2", ascending=False).iloc[0]
    c = largest.geometry.centroid
    assert largest.geometry.contains(c)
    page.evaluate(f"void window.locMap.left.map.setView([{c.y}, {c.x}], 9, {{animate: false}})")
    page.wait_for_timeout(300)
    xy = page.evaluate(f"window.locMap.left.map.latLngToContainerPoint([{c.y}, {c.x}])")
    box = page.evaluate("window.locMap.left.map.getContainer().getBoundingClientRect().left")
    page.mouse.move(box + xy["x"], xy["y"])
    page.wait_for_timeout(300)
    tip = page.locator(".leaflet-tooltip").inner_text()
    assert largest["id"] in tip, tip
    # belts apart per weapon class, one legend entry each
    legend = page.locator(".loc-legend").inner_text()
    assert legend.count("Belt:") == 3
    # a row zooms to its breach; sorting by km² ascending puts the smallest first
    rows.nth(2).click()
    third = breaches.sort_values(["km2", "id"], ascending=[False, True]).iloc[2]
    centre = page.evaluate("window.locMap.left.map.getCenter()")
    assert shapely.box(*third.geometry.buffer(0.3).bounds).contains(
        shapely.Point(centre["lng"], centre["lat"]))
    page.locator(".loc-findings-table[data-name=breaches] th", has_text="km²").click()
    first = page.locator(".loc-findings-table[data-name=breaches] tbody tr").first
    assert first.get_attribute("data-ref") == breaches.sort_values("km2").iloc[0]["id"]
    assert page.locator(".loc-findings-table[data-name=incidents] tbody tr").count() == 1
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def test_index_lists_kind_dates_inputs_size(tmp_path):
    render(out=tmp_path, name="idx")
    render(loc.sample(), out=tmp_path, name="idx")
    index = (tmp_path / "idx" / "index.html").read_text()
    assert "<td>slider</td>" in index and "<td>single</td>" in index
    assert "2024-07-08..2025-09-05" in index and "sample_2025-09-05.geojson" in index
    assert " KB</td>" in index


# long sliders: blocks of dates made by worker processes, merged to the same page

render_mod = importlib.import_module("loc.outputs.render")
builder_mod = importlib.import_module("loc.outputs.render.builder")


@pytest.fixture(scope="module")
def series_70():
    """70 daily real snapshots: two blocks."""
    return loc.read_series(deepstate_files()[:70])


def _page(snaps, tmp_path, name: str, **kwargs) -> bytes:
    m = render(snaps, out=tmp_path / name, name="s", **kwargs)
    return m.loc_version.html_path.read_bytes()


def test_blocks_depend_on_the_number_of_dates_only():
    assert render_mod._blocks(63) == [range(0, 63)]
    assert render_mod._blocks(64) == [range(0, 32), range(32, 64)]
    assert render_mod._blocks(536) == [range(0, 134), range(134, 268), range(268, 402),
                                       range(402, 536)]
    for n in (1, 64, 255, 256, 1000):
        assert [i for b in render_mod._blocks(n) for i in b] == list(range(n))


def test_a_long_slider_is_the_same_page_on_one_core_or_many(series_70, tmp_path,
                                                            monkeypatch):
    """Workers encode blocks apart; merged, they give the page one process makes."""
    pages = {}
    for cores in (1, 2, 4):
        monkeypatch.setattr(processes, "cores", lambda c=cores: c)
        calls: list = []
        pages[cores] = _page(series_70, tmp_path, f"c{cores}",
                             progress=lambda d, t, seen=calls: seen.append((d, t)))
        assert calls[-1] == (70, 70)
        assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert pages[1] == pages[2] == pages[4]
    # and the page one line history over all 70 dates makes
    monkeypatch.setattr(render_mod, "_blocks", lambda n: [range(n)])
    assert _page(series_70, tmp_path, "one") == pages[1]


def test_a_worker_that_dies_has_its_blocks_made_here(series_70, tmp_path, monkeypatch):
    monkeypatch.setattr(processes, "cores", lambda: 1)
    want = _page(series_70, tmp_path, "want")
    monkeypatch.setattr(processes, "cores", lambda: 2)
    monkeypatch.setattr(render_mod, "_block_worker", lambda *a: os._exit(9))
    assert _page(series_70, tmp_path, "died") == want


def test_a_worker_that_hangs_has_its_blocks_made_here(series_70, tmp_path, monkeypatch):
    """A worker that sends nothing and shows no progress (a deadlock after fork, say) is
    stopped after processes.STALL_S and four times the parent's own time; its blocks are
    made here, to the same page, with a warning."""
    import time

    monkeypatch.setattr(processes, "cores", lambda: 1)
    want = _page(series_70, tmp_path, "want")
    monkeypatch.setattr(processes, "cores", lambda: 2)
    monkeypatch.setattr(processes, "STALL_S", 0.5)
    monkeypatch.setattr(render_mod, "_block_worker", lambda *a: time.sleep(600))
    with pytest.warns(loc.LocWarning, match="a worker process sent nothing for"):
        assert _page(series_70, tmp_path, "hung") == want


def test_warnings_met_in_worker_processes_are_given_here(series_70, tmp_path,
                                                         monkeypatch):
    """The warnings met making each block of dates reach the caller whichever process made
    it, as one process gives them (a worker's were once printed by the worker only)."""
    real = render_mod._block_layers

    def warning_blocks(snaps, line, progress):
        warnings.warn(f"block from {snaps[0].date}", RuntimeWarning, stacklevel=1)
        return real(snaps, line, progress)

    monkeypatch.setattr(render_mod, "_block_layers", warning_blocks)
    given = {}
    for cores in (1, 2):
        monkeypatch.setattr(processes, "cores", lambda c=cores: c)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _page(series_70, tmp_path, f"w{cores}")
        given[cores] = [str(w.message) for w in caught if w.category is RuntimeWarning]
    assert len(given[1]) == len(render_mod._blocks(70)) > 1
    assert given[2] == given[1]


def test_a_worker_error_is_raised_here(series_70, tmp_path, monkeypatch):
    def failing(snaps, blocks, line, done, conn):
        conn.send(("error", GeometryError("broken in a worker", "x.geojson"), []))
        conn.close()

    monkeypatch.setattr(processes, "cores", lambda: 2)
    monkeypatch.setattr(render_mod, "_block_worker", failing)
    with pytest.raises(GeometryError, match="broken in a worker"):
        render(series_70, out=tmp_path / "err", name="s")
    assert not list((tmp_path / "err").rglob("*.html"))


@pytest.mark.parametrize("title", ["Control areas", "\x00loc-data\x00 </script>"])
def test_page_bytes_equal_rendering_the_data_through_the_templates(title):
    """render_page joins the data to the page once; the page is what branca renders with
    the data in place (a title holding the mark included)."""
    m = render(loc.sample(), title=title)
    slow = "\n".join(line.rstrip() for line in m.get_root().render().splitlines()) + "\n"
    assert builder_mod.render_page(m) == slow.encode("utf-8")
    assert render_html(m) == slow


def test_no_worker_processes_makes_every_block_here(series_70, tmp_path, monkeypatch):
    """Where processes cannot be started (no /dev/shm, say), the page is the same."""
    monkeypatch.setattr(processes, "cores", lambda: 1)
    want = _page(series_70, tmp_path, "want")

    def refused():
        raise OSError("no processes here")

    monkeypatch.setattr(processes, "cores", lambda: 3)
    monkeypatch.setattr(processes, "starting", refused)
    assert _page(series_70, tmp_path, "none", progress=lambda d, t: None) == want


def test_a_loss_into_the_grey_zone_is_drawn_as_no_longer_occupied():
    """The layer of areas no longer occupied took rows with to_side == "ua" only: a loss
    into a grey zone (to_side "contested") was in the diff but on no layer of the map."""
    from shapely.geometry import box

    from loc.outputs.render.layers import change_layers

    held, x = box(37.0, 47.6, 37.4, 48.0), box(37.4, 47.7, 37.6, 47.9)
    a = loc.from_geometries(shapely.union(held, x), date="2025-01-01")
    b = loc.from_geometries(held, contested=box(37.4, 47.7, 37.5, 47.9), date="2025-01-02")
    changes = loc.diff(a, b).changes
    assert set(changes["to_side"]) == {"ua", "contested"}
    gained, lost = change_layers(changes)
    assert gained.features == [] and len(lost.features) == len(changes) == 2


# the hostile review of the rendered maps: phones, print, search, measure, compare


def _covered(page, selector):
    """Whether the centre of the first ``selector`` is hidden under something else."""
    return page.evaluate(f"""(() => {{
        const e = document.querySelector('{selector}'); const r = e.getBoundingClientRect();
        if (r.width === 0 || r.right > innerWidth || r.bottom > innerHeight) return true;
        const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
        return !(hit && (e.contains(hit) || hit.contains(e))); }})()""")


def test_report_stacks_on_a_phone_and_prints_every_breach(tmp_path, browser):
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("no pdftotext (poppler-utils)")
    r = run("check", "--freeze", deepstate_path("20250108"), "--snapshot",
            deepstate_path("20250905"), "-o", tmp_path / "reports")
    assert r.exit_code == 0, r.output
    report = next((tmp_path / "reports").iterdir()) / "report.html"
    import geopandas as gpd

    ids = list(gpd.read_file(report.parent / "breaches.geojson")["id"])
    assert len(ids) == 53  # the README's report
    page, log = open_map(browser, report, viewport=(375, 667))
    m = page.evaluate("window.locMap.left.map.getContainer().getBoundingClientRect().toJSON()")
    p = page.locator(".loc-findings").bounding_box()
    assert m["width"] >= 370 and m["height"] >= 300, m  # the map keeps a usable size
    assert p["width"] >= 370 and p["y"] >= m["bottom"] - 1 and p["height"] >= 200, p
    assert not _covered(page, ".loc-note") and not _covered(page, ".loc-date")
    page.emulate_media(media="print")
    page.wait_for_timeout(200)
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    missing = [i for i in ids if i not in text]
    assert missing == [], f"{len(missing)} of 53 breaches not printed"
    assert "Lines of control shown are not international borders" in text  # the map too
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def _build_names():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "build_settlement_names", Path(__file__).parents[1] / "data" /
        "build_settlement_names.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize(("query", "place"), [
    ("Днепропетровск", "Dnipro"), ("Dnepropetrovsk", "Dnipro"), ("Kirovohrad", "Kropyvnytskyi"),
    ("Кировоград", "Kropyvnytskyi"), ("Kirovograd", "Kropyvnytskyi"),
    ("Dniprodzerzhynsk", "Kamyanske"), ("Zaporozhye", "Zaporizhzhya"),
    ("Запорожье", "Zaporizhzhya"), ("Artemovsk", "Bakhmut"), ("Krasnoarmeysk", "Pokrovsk"),
    ("Yenakiyevo", "Yenakiyeve"), ("Voroshilovgrad", "Luhansk"), ("Kharkov", "Kharkiv")])
def test_search_finds_russian_and_former_names(one_date_map, browser, query, place):
    page, log = open_map(browser, one_date_map)
    page.locator(".loc-search input").fill(query)
    assert place in page.locator(".loc-search-item").first.inner_text()
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def test_search_key_of_the_build_and_of_the_page_agree(one_date_map, browser):
    import csv
    from pathlib import Path

    build = _build_names()
    data = Path(__file__).parents[1] / "data"
    with (data / "settlements.csv").open(encoding="utf-8") as fh:
        names = [r["name"] for r in csv.DictReader(fh)]
    with (data / "settlement_names.csv").open(encoding="utf-8") as fh:
        names += [n for r in csv.DictReader(fh) for n in r["names"].split("|")]
    names += ["Zaporozhye", "Zaporozh'e", "Kam'ianske", "Kamʼianske", "Kam’ianske", "Łebedyn",
              "Lebedın", "Straße", "İzmail", "Ščastja", "KYIV", "Bila-Tserkva", "Кривий Ріг",
              "Белая Церковь", "Єнакієве", "Енакиево", "Марьинка", "Semyonovka"]
    page, log = open_map(browser, one_date_map)
    js = page.evaluate("(ns) => ns.map(window.locMap.searchKey)", names)
    bad = [(n, a, b) for n, a, b in zip(names, js, map(build.search_key, names), strict=True)
           if a != b]
    assert bad == []
    assert len(names) > 5000
    key = build.search_key
    assert key("Zaporozhye") == key("Запорожье") and key("Yenakiyevo") == key("Енакиево")
    assert key("Єнакієве") == key("Yenakiieve") and key("Kryvyi Rih") == key("Кривий Ріг")
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def test_measure_formats_small_areas_and_matches_pyproj(one_date_map, browser):
    import random

    from pyproj import Geod

    page, log = open_map(browser, one_date_map)
    page.locator(".loc-measure .loc-panel-head").click()
    page.locator(".loc-measure-area").click()
    d_lat, d_lon = 0.5 / 111.2, 0.5 / (111.3 * float(np.cos(np.radians(48))))  # 500 m square
    for p in ([48, 37], [48, 37 + d_lon], [48 + d_lat, 37 + d_lon], [48 + d_lat, 37]):
        page.evaluate(f"void window.locMap.measure.addPoint({p})")
    text = page.locator(".loc-measure-result").inner_text()
    assert re.search(r"area 0\.2\d\d km²", text), text
    page.locator(".loc-measure-area").click()
    for p in ([48, 37], [48, 37.0001], [48.0001, 37.0001]):  # about 41 m²
        page.evaluate(f"void window.locMap.measure.addPoint({p})")
    text = page.locator(".loc-measure-result").inner_text()
    assert re.search(r"area [\d.]+ m² · perimeter [\d.]+ m$", text), text
    # geodesic on the ellipsoid: within 0.1 % of pyproj from 1 km² to 1,000,000 km²
    geod, rnd = Geod(ellps="WGS84"), random.Random(5)
    for side_km in (1, 10, 100, 1000):
        for _ in range(5):
            lat, lon, n = rnd.uniform(45, 51.5), rnd.uniform(23, 39), rnd.randint(3, 8)
            ring = []
            for j in range(n):
                a, r = 2 * np.pi * j / n + rnd.uniform(-0.2, 0.2), rnd.uniform(0.5, 0.9)
                ring.append([lat + side_km / 111 * r * np.sin(a),
                             lon + side_km / (111 * np.cos(np.radians(lat))) * r * np.cos(a)])
            want = abs(geod.geometry_area_perimeter(
                shapely.Polygon([(p[1], p[0]) for p in ring]))[0])
            got = page.evaluate("(r) => window.locMap.geodesicArea(r)",
                                [[float(a), float(b)] for a, b in ring])
            assert got == pytest.approx(want, rel=1e-3), (side_km, ring)
    # a double click adds one point, not two
    page.locator(".loc-measure-distance").click()
    box = page.locator(".leaflet-container").first.bounding_box()
    page.mouse.click(box["x"] + 500, box["y"] + 400)
    page.wait_for_timeout(400)
    page.mouse.dblclick(box["x"] + 700, box["y"] + 450)
    page.wait_for_timeout(400)
    assert page.evaluate("window.locMap.measure.points.length") == 2
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def test_compare_tools_work_on_both_halves(tmp_path, browser):
    m = render(compare=(deepstate_path("20250108"), deepstate_path("20250905")), out=tmp_path)
    page, log = open_map(browser, m.loc_version.html_path)
    right = "window.locMap.right.map"

    def latlng_at(x, y):
        return page.evaluate(f"""(() => {{ const r = {right}.getContainer()
            .getBoundingClientRect(); const ll = {right}.containerPointToLatLng(
            [{x} - r.left, {y} - r.top]); return [ll.lat, ll.lng]; }})()""")

    page.mouse.move(900, 400)  # side by side: over B
    lat, _ = latlng_at(900, 400)
    assert f"{abs(lat):.4f}° N" in page.locator(".loc-coords").inner_text()
    page.locator(".loc-measure .loc-panel-head").click()
    page.locator(".loc-measure-distance").click()
    page.mouse.click(800, 400)
    page.wait_for_timeout(400)
    page.mouse.click(1000, 450)
    page.wait_for_timeout(400)
    assert page.evaluate("window.locMap.measure.points.length") == 2
    page.locator(".loc-mode-swipe").click()
    page.locator(".loc-measure-distance").click()  # starts again
    page.mouse.click(900, 400)  # right of the divider: B
    page.wait_for_timeout(400)
    page.mouse.click(1100, 500)
    page.wait_for_timeout(400)
    assert page.evaluate("window.locMap.measure.points.length") == 2
    page.mouse.move(1000, 300)
    lat, _ = latlng_at(1000, 300)
    assert f"{abs(lat):.4f}° N" in page.locator(".loc-coords").inner_text()
    # the divider follows a resize of the window
    page.set_viewport_size({"width": 800, "height": 600})
    page.wait_for_timeout(400)
    assert page.locator(".loc-divider").bounding_box()["x"] == pytest.approx(400 - 2, abs=3)
    assert log.console_errors == [] and log.dialogs == []
    page.close()


@pytest.mark.parametrize("kind", ["slider", "compare", "single"])
def test_phone_layout_keeps_title_date_and_note_visible(tmp_path, browser, kind):
    if kind == "slider":
        m = render(out=tmp_path)
    elif kind == "compare":
        m = render(compare=(deepstate_path("20250108"), deepstate_path("20250905")),
                   out=tmp_path)
    else:
        m = render(loc.read(deepstate_path("20250905")), out=tmp_path)
    page, log = open_map(browser, m.loc_version.html_path, viewport=(375, 667))
    for sel in (".loc-title-main", ".loc-date", ".loc-note", ".loc-search input",
                ".loc-measure .loc-panel-head", ".loc-layers .loc-panel-head"):
        assert not _covered(page, sel), sel
    assert "not international borders" in page.locator(".loc-note").inner_text()
    if kind == "slider":
        assert not _covered(page, ".loc-play") and not _covered(page, ".loc-date-field")
    if kind == "compare":
        assert page.evaluate("window.locMap.modes.mode()") == "swipe"
        assert not _covered(page, ".loc-mode-side")
    # the map opens with the data as wide as the screen (at zoom 4 it took half of it)
    span = page.evaluate("""(() => {
        const m = window.locMap.left.map, b = window.locMap.payload.bounds;
        const a = m.latLngToContainerPoint(b[0]), c = m.latLngToContainerPoint(b[1]);
        return [Math.abs(c.x - a.x), m.getSize().x]; })()""")
    assert 0.85 * span[1] <= span[0] <= span[1], span
    page.locator(".loc-sources-toggle").click()
    assert "GeoNames" in page.locator(".loc-attribution").inner_text()
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def test_place_popup_and_date_fields_follow_the_date(tmp_path, browser):
    m = render(out=tmp_path)  # the bundled sample: three dates
    page, log = open_map(browser, m.loc_version.html_path)
    page.evaluate("window.locMap.left.placePopup(window.locMap.left.placesData.names"
                  ".indexOf('Pokrovsk'))")
    assert "held on 2025-09-05" in page.locator(".leaflet-popup-content").inner_text()
    page.locator(".loc-slider input[type=range]").fill("0")
    popup = page.locator(".leaflet-popup-content")
    assert popup.count() == 0 or "held on 2024-07-08" in popup.inner_text()
    # a date not in the series: the fields show the date drawn, on or before it
    page.locator(".loc-ghost input[type=checkbox]").check()
    ghost = page.locator(".loc-ghost-date")
    ghost.fill("2025-03-01")
    ghost.dispatch_event("change")
    assert page.evaluate("window.locMap.slider.ghost()") == "2025-01-08"
    ghost.blur()
    assert ghost.input_value() == "2025-01-08"
    field = page.locator(".loc-date-field")
    field.fill("2025-08-31")
    field.dispatch_event("change")
    field.blur()
    assert field.input_value() == "2025-01-08" and page.locator(".loc-date").inner_text() \
        == "2025-01-08"
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def test_a_date_typed_key_by_key_into_the_slider_field_is_the_date_shown(tmp_path, browser):
    days = [deepstate_path(f"202508{d:02d}") for d in range(1, 11)]
    m = render(loc.read_series(days), out=tmp_path, settlements=False)
    page, log = open_map(browser, m.loc_version.html_path)
    page.locator(".loc-date-field").focus()  # its first part: the month
    for key in "08032025":  # each key that completes a date fires change
        page.keyboard.type(key)
        page.wait_for_timeout(30)
    page.keyboard.press("Enter")
    assert page.locator(".loc-date").inner_text() == "2025-08-03"
    assert page.locator(".loc-date-field").input_value() == "2025-08-03"
    assert page.evaluate("window.locMap.left.date") == "2025-08-03"
    page.locator(".loc-date-field").blur()
    assert page.locator(".loc-date-field").input_value() == "2025-08-03"
    assert log.console_errors == [] and log.dialogs == []
    page.close()


def test_page_title_and_labels_keep_their_direction_to_themselves(tmp_path, browser):
    m = render(loc.sample(), title="Control \u202eareas", out=tmp_path)
    page, log = open_map(browser, m.loc_version.html_path)
    assert page.title() == "Control \u202eareas"
    page.locator(".loc-layers .loc-panel-head").click()
    for sel in (".loc-legend-row span", ".loc-layer-row span", ".loc-title-main"):
        assert page.evaluate(f"getComputedStyle(document.querySelector('{sel}'))"
                             ".unicodeBidi") == "isolate", sel
    assert log.console_errors == [] and log.dialogs == []
    page.close()



def test_a_slider_warns_of_a_copy_once_whoever_makes_its_block(tmp_path):
    """Each block of a slider checked its own dates for copies again: a copy in a block a
    worker made was printed a second time beside the read's warning (with two cores or
    more; one core makes every block here)."""
    import datetime as dt
    import subprocess
    import sys

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(70):
        dx = 0.001 * (40 if i == 50 else i)  # 2025-02-20 is a copy of 2025-02-10
        day = dt.date(2025, 1, 1) + dt.timedelta(days=i)
        (folder / f"t_{day:%Y%m%d}.geojson").write_text(json.dumps(
            shapely.geometry.mapping(shapely.box(37.0, 47.5, 38.0 + dx, 48.5))))
    res = subprocess.run([sys.executable, "-m", "loc", "render", str(folder), "-o",
                          str(tmp_path / "maps"), "--no-settlements"],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    said = [line for line in res.stderr.splitlines() if line.startswith("loc: warning:")]
    assert len(said) == 1 and "t_20250220.geojson: its bytes are those of" in said[0]


def test_a_render_collects_garbage_less_often_and_puts_the_thresholds_back(tmp_path,
                                                                          monkeypatch):
    """While the layers are made, the cyclic collector waits for GC_EVERY new containers
    (it walked a long slider's documents hundreds of times); after the render, and after
    one that failed, its thresholds are what they were."""
    import gc

    before = gc.get_threshold()
    seen = []
    build_map = render_mod.build_map

    def spy(payload, **kwargs):
        seen.append(gc.get_threshold())
        return build_map(payload, **kwargs)

    monkeypatch.setattr(render_mod, "build_map", spy)
    render(loc.sample(), out=tmp_path / "ok", name="s")
    assert seen and seen[0][0] >= render_mod.GC_EVERY and seen[0][1:] == before[1:]
    assert gc.get_threshold() == before

    def broken(payload, **kwargs):
        raise RuntimeError("page not built")

    monkeypatch.setattr(render_mod, "build_map", broken)
    with pytest.raises(RuntimeError):
        render(loc.sample(), out=tmp_path / "failed", name="s")
    assert gc.get_threshold() == before

import json
import re

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import loc
from loc.cli import cli
from loc.outputs.render import render, verify
from loc.outputs.render.builder import render_html
from tests.browser import launch, open_map
from tests.conftest import deepstate_path

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    pw, b = launch()
    yield b
    b.close()
    pw.stop()


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_one_date_map_offline_layers_toggle_screenshot(tmp_path, browser):
    m = render(loc.read(deepstate_path("20250905")), out=tmp_path)
    html = m.loc_version.html_path
    assert html.stat().st_size <= 400 * 1024
    page, log = open_map(browser, html)
    ids = page.evaluate("Object.keys(window.locMap.left.containers)")
    assert ids == ["regions", "side-ru", "side-ua", "line", "cities", "settlements"]
    visible = page.evaluate(
        "Object.keys(window.locMap.left.containers).filter(k => "
        "window.locMap.left.map.hasLayer(window.locMap.left.containers[k]))")
    assert "side-ru" in visible and "line" in visible
    n_before = page.locator(".leaflet-loc-area-pane path").count()
    assert n_before >= 2
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
    page.locator(".loc-slider input").fill("0")
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
    page.evaluate("window.locMap.left.map.setView([48.0, 37.5], 9, {animate: false})")
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
    assert r.exit_code == 0 and r.stdout.count("OK") == 3  # page, version id, input
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

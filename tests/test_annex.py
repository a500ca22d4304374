import re
import shutil
import subprocess
from itertools import pairwise

import mgrs
import numpy as np
import pytest
import shapely
from click.testing import CliRunner

import loc
from loc import geo as lcrs
from loc.cli import cli
from loc.outputs.annex import NOTE, annex, turning_points
from tests.conftest import deepstate_path

ROW = re.compile(r"(\d+)\s+(\d+\.\d{5})° N\s+(\d+\.\d{5})° E\s+(\d{1,2}[C-X]) ([A-Z]{2}) "
                 r"(\d{5}) (\d{5})")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize("spacing", [5.0, 2.0])
def test_turning_points_lie_on_the_line_and_draw_it_again(snap_20250905, spacing):
    """The polyline through the listed points of each open piece stays within a tenth of
    the spacing of the line (it was up to 3 km off at 5 km: turns were dropped to keep the
    points 5 km apart)."""
    line = loc.freeze(snap_20250905).line
    tp = turning_points(line, spacing).table
    for piece, geom in zip(line["piece"], line.geometry.values, strict=True):
        rows = tp[tp["piece"] == piece]
        if geom.is_closed or len(rows) < 2:
            continue
        drawn = shapely.LineString(np.column_stack([rows["lon"], rows["lat"]]))
        off = shapely.hausdorff_distance(lcrs.project(geom), lcrs.project(drawn), densify=0.02)
        assert off <= spacing * 100 + 5, (piece, off)
    main = tp[tp["piece"] == tp["piece"].iloc[0]]
    assert np.diff(main["km"].to_numpy()).min() > 0
    line_m = lcrs.project(shapely.union_all(line.geometry.values))
    d = shapely.distance(lcrs.project(tp.geometry.values), line_m)
    assert d.max() < 2.0  # vertices of the line, rounded to 1e-5°
    with pytest.raises(loc.LocError, match="spacing"):
        turning_points(line, 0.0)


@pytest.mark.skipif(shutil.which("pdftotext") is None,
                    reason="pdftotext (Debian poppler-utils) not installed")
def test_annex_pdf_text_table_and_bytes(tmp_path, snap_20250905):
    src = deepstate_path("20250905")
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    for out in (a, b):
        r = run("annex", src, "-o", out)
        assert r.exit_code == 0, r.output
    assert a.read_bytes() == b.read_bytes()  # fixed metadata: same bytes
    text = subprocess.run(["pdftotext", "-layout", str(a), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = " ".join(text.split())
    assert NOTE in flat
    assert "not an international border" in flat and "Coordinate table" in flat
    # the printed annex names the bytes it was drawn from (a signed paper ties to its input)
    assert f"input sha256 {snap_20250905.sha256}" in flat
    rows = ROW.findall(text)
    line = loc.freeze(snap_20250905).line
    assert len(rows) == len(turning_points(line, 5.0).table) > 100
    line_m = lcrs.project(shapely.union_all(line.geometry.values))
    pts = shapely.points([[float(r[2]), float(r[1])] for r in rows])
    d = shapely.distance(lcrs.project(pts), line_m)
    assert d.max() < 10.0, d.max()  # every listed point within 10 m of the line
    conv = mgrs.MGRS()
    back = [conv.toLatLon("".join(r[3:])) for r in rows[::10]]
    dm = shapely.distance(lcrs.project(shapely.points([[x[1], x[0]] for x in back])), line_m)
    assert dm.max() < 10.0
    assert sorted(int(r[0]) for r in rows) == list(range(1, len(rows) + 1))


SVG_TEXT = re.compile(r'<text style="([^"]*)" x="([-\d.]+)" y="([-\d.]+)"[^>]*>([^<]*)</text>')
HEADING = re.compile(r"Piece (\d+) \(([\w-]+)(, closed)?\)(?:: points |(, continued): )"
                     r"(\d+)–(\d+)")
CLOSING = re.compile(r"(\d+) joins (\d+): the piece is closed")


def _printed_table(svg: str) -> list[tuple]:
    """The coordinate table of an annex SVG as a reader reads it: column by column (each
    under its "no" header), top to bottom: ``("column",)`` at the top of a column,
    ``("head", piece, kind, first, last, continued, closed)`` for a piece's heading,
    ``("row", no, lat, lon)`` for a point, ``("close", last, first)`` for a closed piece's
    last point joining its first."""
    texts = [(style, round(float(x), 1), round(float(y), 1), t)
             for style, x, y, t in SVG_TEXT.findall(svg)]
    tops = sorted((y, x) for style, x, y, t in texts if t == "no" and "Mono" in style)
    cells: dict[float, list[tuple[float, str]]] = {}
    for style, x, y, t in texts:
        if "Mono" in style or t.startswith("Piece ") or CLOSING.fullmatch(t):
            cells.setdefault(y, []).append((x, t))
    events = []
    for top, x0 in tops:  # a page's columns start at one height, the next page's below
        bottom = min((y for y, _ in tops if y > top), default=float("inf"))
        right = min((x for y, x in tops if y == top and x > x0), default=float("inf"))
        events.append(("column",))
        for y in sorted(y for y in cells if top < y < bottom):
            row = sorted(c for c in cells[y] if x0 <= c[0] < right)
            if not row:
                continue
            head, closing = HEADING.fullmatch(row[0][1]), CLOSING.fullmatch(row[0][1])
            if closing:
                events.append(("close", *map(int, closing.groups())))
            elif head:
                piece, kind, closed, cont, first, last = head.groups()
                events.append(("head", int(piece), kind, int(first), int(last),
                               cont is not None, closed is not None))
            elif row[0][0] == x0:
                no, lat, lon = row[0][1], row[1][1], row[2][1]
                events.append(("row", int(no), float(lat.split("°")[0]),
                               float(lon.split("°")[0])))
    return events


@pytest.mark.parametrize("paper,orientation", [("a4", "landscape"), ("a3", "portrait")])
def test_the_printed_table_says_which_piece_each_point_is_on(snap_20250905, paper,
                                                             orientation):
    """The table numbered the points 1..N straight through all pieces and marked neither
    where a piece ends nor that a pocket is a closed ring: a reader drawing the line from
    it joined the main front's end (633, Dnipro liman) to the Sumy piece (634), 550 km.
    Each point is listed under a heading naming its piece, that piece's kind and ends, and
    whether it is closed; it lies within 10 m of that piece of the line (and nearer it than
    any other); a new piece's heading comes exactly where the piece changes."""
    frozen = loc.freeze(snap_20250905)
    line = frozen.line.set_index("piece")
    svg = annex(frozen, fmt="svg", paper=paper, orientation=orientation)
    assert annex(frozen, fmt="svg", paper=paper, orientation=orientation) == svg
    events = _printed_table(svg.decode())
    rows = [e for e in events if e[0] == "row"]
    assert [e[1] for e in rows] == list(range(1, len(turning_points(frozen.line).table) + 1))
    pieces_m = lcrs.project(line.geometry.values)
    stated, head, previous, closings = {}, None, ("column",), []
    for e in events:
        if e[0] == "head":
            _, piece, kind, first, last, continued, closed = e
            assert kind == line.loc[piece, "kind"]
            assert closed == line.loc[piece].geometry.is_closed
            # "continued": a piece going on at the top of a column, under its heading again
            assert continued == (head is not None and head[1] == piece), e
            assert not continued or previous == ("column",), e
            head = e
        elif e[0] == "row":
            assert previous != ("column",), f"column starting at {e[1]} names no piece"
            assert head is not None, f"point {e[1]} is listed under no piece"
            assert head[3] <= e[1] <= head[4], (e, head)
            if e[1] == head[3]:  # the first point of a piece: right under its heading
                assert previous == head and not head[5], e
            stated[e[1]] = head[1]
        elif e[0] == "close":  # right under the last point of a closed piece
            assert head[6] and previous == ("row", head[4], *previous[2:]), e
            assert e[1:] == (head[4], head[3]), e
            closings.append(head[1])
        previous = e
    # a closed piece's last point joins its first, and the table says so under it
    assert closings == list(line.index[line.geometry.is_closed])
    # the stated piece of each point is the piece of the line it lies on
    pts = lcrs.project(shapely.points([[e[3], e[2]] for e in rows]))
    d = shapely.distance(pts[:, None], pieces_m[None, :])
    nearest = line.index.to_numpy()[d.argmin(axis=1)]
    assert [stated[e[1]] for e in rows] == list(nearest)
    assert d.min(axis=1).max() < 10.0, d.min(axis=1).max()
    # the piece boundaries: where the stated piece changes, and only there, a piece starts
    starts = [e[3] for e in events if e[0] == "head" and not e[5]]
    changes = [rows[0][1]] + [b[1] for a, b in pairwise(rows) if stated[a[1]] != stated[b[1]]]
    assert starts == changes and len(starts) == len(line)


def test_annex_svg_renders_and_png(tmp_path):
    pytest.importorskip("playwright")
    from tests.browser import chromium_path

    svg = tmp_path / "annex.svg"
    r = run("annex", deepstate_path("20250905"), "-o", svg, "--paper", "a3",
            "--orientation", "portrait")
    assert r.exit_code == 0, r.output
    text = svg.read_text()
    assert "not an international border" in text and "<svg" in text
    r = run("annex", "-o", tmp_path / "sample.png", "--spacing", "20")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "sample.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if chromium_path() is None:
        pytest.skip("no chromium to render the SVG")
    from PIL import Image

    from tests.browser import launch

    pw, browser = launch()
    page = browser.new_page(viewport={"width": 900, "height": 1270})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(svg.resolve().as_uri())
    shot = tmp_path / "svg.png"
    page.screenshot(path=str(shot))
    browser.close()
    pw.stop()
    with Image.open(shot) as im:
        colours = {tuple(p) for p in np.asarray(im.convert("RGB")).reshape(-1, 3)[::53]}
    assert len(colours) > 30 and errors == []


def test_text_is_printed_as_written_never_as_a_formula(tmp_path):
    """matplotlib reads $...$ as mathtext: a source "MoD claims $5 and $6 each" was
    printed "MoD claims 56 each" in italics (exit 0), and a lone "$\\foo{$" in a title
    was an internal error."""
    import json

    doc = json.loads(loc.sample_paths()[-1].read_text())
    doc["features"][0]["properties"] = {"source": "MoD claims $5 and $6 each",
                                        "date": "2025-09-05"}
    src = tmp_path / "claims_20250905.geojson"
    src.write_text(json.dumps(doc))
    svg = tmp_path / "a.svg"
    r = run("annex", src, "--title", r"bad $\foo{$ title", "-o", svg, "--spacing", "20")
    assert r.exit_code == 0, r.output
    text = svg.read_text()
    assert "MoD claims $5 and $6 each" in text and r"bad $\foo{$ title" in text


def test_annex_errors(tmp_path):
    r = run("annex", "-o", tmp_path / "x.txt")
    assert r.exit_code == 2 and ".pdf, .svg or .png" in r.stderr
    r = run("annex")
    assert r.exit_code == 2 and "-o" in r.stderr


@pytest.mark.parametrize("radius_km", [0.3, 2.0, 5.0])
def test_a_closed_piece_is_listed_round_not_as_one_point(radius_km):
    """A pocket (a closed piece) was listed as its start twice, 0 km apart, however long."""
    import geopandas as gpd

    centre = lcrs.project(shapely.Point(37.5, 48.0))
    ring = lcrs.unproject(shapely.buffer(centre, radius_km * 1e3, quad_segs=16).exterior)
    open_line = lcrs.unproject(shapely.LineString([(centre.x + 2e4, centre.y),
                                                   (centre.x + 6e4, centre.y + 1e4)]))
    line = gpd.GeoDataFrame({"piece": [1, 2]}, geometry=[ring, open_line], crs="OGC:CRS84")
    table = turning_points(line, spacing_km=1.0).table
    pocket = table[table["piece"] == 1]
    assert not pocket.duplicated(["lat", "lon"]).any()
    length = lcrs.GEOD.geometry_length(ring) / 1e3
    assert len(pocket) >= max(3, int(length / 1.0) // 2)
    assert pocket["km"].iloc[0] == 0 and pocket["km"].max() < length
    assert list(pocket["km"]) == sorted(pocket["km"])
    ends = table[table["piece"] == 2]
    assert ends["km"].iloc[-1] == pytest.approx(lcrs.GEOD.geometry_length(open_line) / 1e3,
                                                rel=1e-9)


def test_a_site_outside_ukraine_is_refused():
    r = run("zones", "--site", "X:0,0,5")
    assert r.exit_code == 2 and "lies outside Ukraine" in r.stderr
    r = run("zones", "--site", "NPP:34.5863,47.5119,5")
    assert r.exit_code == 2 and "swapped" in r.stderr

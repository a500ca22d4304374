import datetime as dt
import filecmp
import importlib
import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

import loc
from loc import geo as lcrs
from loc.cli import cli
from loc.outputs.reports import save_report
from loc.outputs.versions import file_record
from tests.conftest import deepstate_files, deepstate_path, without_layer_name

CENTRE = lcrs.project(shapely.Point(37.2, 48.1))
HALF_W, HALF_H = 30_000.0, 30_000.0


@pytest.fixture(scope="module")
def real_check():
    a = loc.read(deepstate_path("20250108"))
    b = loc.read(deepstate_path("20250905"))
    return a, b, loc.freeze(a), loc.check(loc.freeze(a), b)


def test_breaches_add_up_to_the_diff(real_check):
    a, b, _, report = real_check
    d = loc.diff(a, b)
    total = report.breaches["km2"].sum() + report.within_tolerance["km2"].sum()
    assert total == pytest.approx(d.gained_km2 + d.lost_km2, rel=1e-3)
    top = report.breaches.iloc[0]
    assert top["region"] == "donetsk" and top["advanced"] == "ru"
    assert top["settlement"] == "Velyka Novosilka"
    assert top["km2"] == pytest.approx(1107.7, rel=1e-3)
    assert 20 < top["depth_km"] < 30
    assert report.breaches["id"].is_unique
    assert set(report.breaches["advanced"]) == {"ru", "ua"}


def test_breach_ids_are_stable(real_check):
    a, b, frozen, report = real_check
    again = loc.check(loc.freeze(loc.read(deepstate_path("20250108"))), b)
    assert list(again.breaches["id"]) == list(report.breaches["id"])
    assert report.breaches["id"].iloc[0].startswith("B20250905-")


def test_series_tracks_first_appearance(real_check):
    _, _, frozen, _ = real_check
    files = [f for f in deepstate_files() if "_202501" in f.name][7:21]
    series = loc.check_series(frozen, [loc.read(f) for f in files])
    assert series["first_seen"].min() == "2025-01-09"
    assert set(series["status"]) <= {"growing", "shrinking", "stable", "ended", "merged"}
    assert (series["max_km2"] >= series["last_km2"]).all()
    growing = series[series["status"] == "growing"]
    assert len(growing) and (growing["last_km2"] > growing["first_km2"]).all()


def test_cross_border_breaches_are_flagged_and_measured_from_the_border(real_check):
    """The Sumy breach of 2025 came across the state border, 128 km from the frozen line of
    2025-01-08: it is flagged and its depth is how far it reaches into Ukraine, not the
    distance to that line."""
    from loc.analysis.compliance import BORDER_TOUCH_M, LINE_TOUCH_M
    from loc.reference.regions import ukraine

    _, _, frozen, report = real_check
    b = report.breaches
    line_m = lcrs.project(shapely.union_all(frozen.line.geometry.values))
    outline_m = lcrs.project(shapely.boundary(ukraine()))
    land_m = lcrs.project(ukraine())
    for rec, g in zip(b.to_dict(orient="records"), lcrs.project(b.geometry.values),
                      strict=True):
        across = g.distance(line_m) > LINE_TOUCH_M and (
            g.distance(outline_m) <= BORDER_TOUCH_M or not g.intersects(land_m))
        assert rec["cross_border"] is across, rec["id"]
        if across:  # the depth is at least its deepest vertex on land (an edge or inside
            # may lie deeper, never by much in these breaches)
            inside = [p for p in shapely.get_parts(shapely.intersection(shapely.make_valid(g),
                                                                         land_m))
                      if p.geom_type == "Polygon"]
            deepest = max((shapely.distance(shapely.Point(c), outline_m)
                           for c in shapely.get_coordinates(inside)), default=0.0)
            assert deepest / 1e3 - 1e-6 <= rec["depth_km"] <= deepest / 1e3 + 0.05, rec["id"]
    sumy = b[(b["region"] == "sumy") & (b["km2"] > 100)].iloc[0]
    assert sumy["cross_border"] and 5 < sumy["depth_km"] < 15
    assert not b[b["region"] == "donetsk"]["cross_border"].any()
    assert b.loc[b["cross_border"], "depth_km"].max() < 20  # none measured to a line 100 km off


def test_cross_border_breach_synthetic():
    """A frozen square in Donetsk region and, later, an area taken 3 km deep across the state
    border in Sumy region: cross-border, 3 km deep (the frozen line is 300 km away)."""
    from loc.reference.regions import ukraine

    frozen = loc.freeze(loc.from_geometries(lcrs.unproject(shapely.box(
        CENTRE.x - HALF_W, CENTRE.y - HALF_H, CENTRE.x + HALF_W, CENTRE.y + HALF_H)),
        date="2025-01-01"))
    land_m = lcrs.project(ukraine())
    border = shapely.intersection(shapely.boundary(land_m),
                                  lcrs.project(shapely.box(34.5, 51.0, 35.5, 51.5)))
    at = shapely.line_interpolate_point(border, border.length / 2)
    taken = shapely.intersection(shapely.buffer(at, 3000.0), land_m)
    later = loc.from_geometries(shapely.union(frozen.snapshot.occupied, lcrs.unproject(taken)),
                                date="2025-02-01")
    b = loc.check(frozen, later).breaches
    assert len(b) == 1
    assert bool(b["cross_border"].iloc[0])
    assert b["depth_km"].iloc[0] == pytest.approx(3.0, abs=0.1)


# -- incidents with known answers -------------------------------------------------------

def offset_point(dx_m, dy_m=0.0):
    """A lon/lat point dx metres east of the square's east edge (negative: inside)."""
    return lcrs.unproject(shapely.Point(CENTRE.x + HALF_W + dx_m, CENTRE.y + dy_m))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    square = box(CENTRE.x - HALF_W, CENTRE.y - HALF_H, CENTRE.x + HALF_W, CENTRE.y + HALF_H)
    frozen = loc.freeze(loc.from_geometries(lcrs.unproject(square), date="2025-01-01"))
    agreement = tmp_path_factory.mktemp("agr") / "agreement.toml"
    agreement.write_text('name = "test"\n[classes.artillery]\nlabel = "artillery"\n'
                         'ru = 10\nua = 10\n')
    import geopandas as gpd
    import pandas as pd

    zones = gpd.GeoDataFrame(pd.concat([loc.buffer_zone(frozen, width_km=2),
                                        loc.withdrawal_belts(frozen, agreement)],
                                       ignore_index=True), geometry="geometry",
                             crs="OGC:CRS84")
    return frozen, zones


CASES = [  # (name, metres east of the edge, type, weapon, precision, side, violation, rule)
    ("ru-1km", -1000, "Battles", "", 1, "ru", True, "armed activity inside the demilitarized"),
    ("ua-1km", 1000, "Battles", "", 1, "ua", True, "armed activity inside the demilitarized"),
    ("ua-5km-art", 5000, "Shelling", "artillery", 1, "ua", True, "artillery inside its"),
    ("ua-5km-protest", 5000, "Protests", "", 1, "ua", False, ""),
    ("ua-15km-art", 15000, "Shelling", "artillery", 1, "ua", False, ""),
    ("ru-12km-art", -12000, "Shelling", "artillery", 1, "ru", False, ""),
    ("ru-8km-art", -8000, "Shelling", "artillery", 1, "ru", True, "artillery inside its"),
    ("on-line", 0, "Battles", "", 1, "line", True, "armed activity inside the demilitarized"),
    ("ua-3km-imprecise", 3000, "Battles", "", 3, "ua", False, ""),
]


def write_csv(path, rows, broken_line=None):
    lines = ["event_id,event_date,event_type,latitude,longitude,geo_precision,weapon_class"]
    for name, dx, kind, weapon, prec, *_ in rows:
        p = offset_point(dx)
        lines.append(f"{name},2025-02-01,{kind},{p.y:.7f},{p.x:.7f},{prec},{weapon}")
    if broken_line is not None:
        lines.insert(broken_line - 1, "broken,2025-02-01,Battles,forty-eight,37.2,1,")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_classification_known_answers(tmp_path, synthetic):
    frozen, zones = synthetic
    out = loc.classify(write_csv(tmp_path / "inc.csv", CASES), frozen, zones)
    assert len(out) == len(CASES)
    for (name, dx, _, _, _, side, violation, rule), rec in zip(
            CASES, out.to_dict(orient="records"), strict=True):
        assert rec["event_id"] == name
        assert rec["side"] == side, name
        expected = dx / 1e3
        assert rec["distance_km"] == pytest.approx(-expected, abs=0.01 + 0.002 * abs(expected)), \
            name
        assert rec["violation"] is violation, name
        assert rule in rec["rule"], name
    imprecise = out.set_index("event_id").loc["ua-3km-imprecise"]
    assert bool(imprecise["uncertain"]) is True  # 25 km around it reaches the line
    assert not out.set_index("event_id").loc["ua-1km", "uncertain"]


def test_malformed_row_names_line_and_keeps_others(tmp_path, synthetic):
    frozen, zones = synthetic
    path = write_csv(tmp_path / "inc.csv", CASES[:4], broken_line=4)
    with pytest.warns(loc.LocWarning, match=r"inc\.csv: 1 row\(s\) that have a latitude/"
                      r"longitude that is not a number skipped \(line\(s\) 4; e\.g\. "
                      r"'forty-eight'"):
        out = loc.classify(path, frozen, zones)
    assert list(out["event_id"]) == [c[0] for c in CASES[:4]]
    assert list(out["source_line"]) == [2, 3, 5, 6]


def test_decimal_commas_are_read_and_nothing_readable_is_refused(tmp_path, synthetic):
    """A semicolon CSV with decimal commas (`48,5913;37,8361`, as European spreadsheets
    write it) had every row skipped, one warning each, and `loc verify` then said `met`:
    no incident. Decimal commas are read; a file whose every row is skipped is refused;
    skipped rows are said in one warning per reason."""
    frozen, zones = synthetic
    dots = write_csv(tmp_path / "dots.csv", CASES)
    want = loc.classify(dots, frozen, zones)
    text = dots.read_text().replace(",", ";")
    commas = tmp_path / "commas.csv"
    commas.write_text("\ufeff" + re.sub(r"(\d)\.(\d)", r"\1,\2", text))
    got = loc.classify(commas, frozen, zones)
    assert list(got["violation"]) == list(want["violation"]) and want["violation"].any()
    assert got["distance_km"].to_numpy() == pytest.approx(want["distance_km"].to_numpy())
    bad = tmp_path / "bad.csv"
    bad.write_text("event_id;event_date;event_type;latitude;longitude\n"
                   + "".join(f"E{i};2025-02-01;Battles;x{i};y\n" for i in range(50)))
    with pytest.raises(loc.LocError, match="no row has a readable location: every row was "
                                           "skipped .*e.g. line 2: 'x0', 'y'"):
        loc.read_incidents(bad)
    bad.write_text(bad.read_text() + "E99;2025-02-01;Battles;48.1;37.2\n")
    with pytest.warns(loc.LocWarning) as seen:
        assert len(loc.read_incidents(bad)) == 1
    assert len(seen) == 1 and "50 row(s) that have a latitude/longitude" in str(seen[0].message)
    header_only = tmp_path / "none.csv"
    header_only.write_text("event_id,event_date,event_type,latitude,longitude\n")
    empty = loc.classify(header_only, frozen, zones)  # a report of no incident is one
    assert len(empty) == 0 and empty["violation"].dtype == bool
    assert len(empty[empty["violation"]].columns) == len(empty.columns)


def test_two_columns_named_alike_are_refused(tmp_path):
    """`latitude` and `Latitude`: the last one was used without a word."""
    path = tmp_path / "inc.csv"
    path.write_text("event_id,latitude,longitude,Latitude\nE1,48.1,37.2,0\n")
    with pytest.raises(loc.LocError, match="two columns of the same name"):
        loc.read_incidents(path)


def test_incidents_outside_ukraine_are_said_and_a_swapped_file_refused(tmp_path, synthetic):
    """A point outside Ukraine's box is no incident of the line: skipped with a warning
    naming the lines (and asking about swapped columns); a file of points that are all
    in the box once swapped is refused, not verified as 0 incidents."""
    frozen, zones = synthetic
    path = write_csv(tmp_path / "inc.csv", CASES[:3])
    swapped = tmp_path / "swapped.csv"
    head, *rows = path.read_text().splitlines()
    cells = [r.split(",") for r in rows]
    swapped.write_text("\n".join([head] + [",".join([c[0], c[1], c[2], c[4], c[3], *c[5:]])
                                            for c in cells]) + "\n")
    with pytest.raises(loc.LocError, match="latitude and longitude swapped"):
        loc.read_incidents(swapped)
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(path.read_text() + "far,2025-02-01,Battles,55.75,37.6,1,\n"
                     + ",".join([cells[0][0] + "x", *cells[0][1:3], cells[0][4], cells[0][3],
                                 *cells[0][5:]]) + "\n")
    with pytest.warns(loc.LocWarning, match=r"2 incident\(s\) outside Ukraine's box .*"
                                            r"swapped\?\) skipped \(line\(s\) 5, 6\)"):
        out = loc.classify(mixed, frozen, zones)
    assert list(out["event_id"]) == [c[0] for c in CASES[:3]]


def test_incident_features_that_are_not_one_point(tmp_path, synthetic):
    """A MultiPoint of one point is that point; a line, a two-point MultiPoint or no
    geometry is skipped with a warning (an incident is one place), never dropped unsaid."""
    import geopandas as gpd

    frozen, zones = synthetic
    p, q = offset_point(1000), offset_point(5000)
    geoms = [shapely.MultiPoint([p]), p, shapely.LineString([p, q]),
             shapely.MultiPoint([p, q]), None, p]
    path = tmp_path / "inc.geojson"
    gpd.GeoDataFrame({"id": ["mp", "pt", "ln", "mp2", "null", "last"],
                      "date": ["2025-02-01"] * 6, "event_type": ["Battles"] * 6},
                     geometry=geoms, crs="EPSG:4326").to_file(path)
    with pytest.warns(loc.LocWarning) as seen:
        out = loc.classify(path, frozen, zones)
    said = " ".join(str(w.message) for w in seen)
    assert "2 feature(s) are not points (an incident is one point) and were skipped " \
           "(feature(s) 3, 4)" in said
    assert "1 feature(s) without a geometry left out (feature(s) 5)" in said
    assert list(out["id"]) == ["mp", "pt", "last"] and list(out["source_line"]) == [1, 2, 6]
    assert out["violation"].all()  # both inside the buffer, armed
    assert shapely.equals(out.geometry.iloc[0], p)


def test_incident_columns_loc_adds_are_kept_apart(tmp_path, synthetic):
    """A file's own side or source_line column is kept as <name>_in_file, not overwritten
    (nor a second column of one name)."""
    frozen, zones = synthetic
    p = offset_point(1000)
    path = tmp_path / "inc.csv"
    path.write_text("id,date,event_type,latitude,longitude,source_line,side\n"
                    f"a,2025-02-01,Battles,{p.y},{p.x},99,theirs\n")
    out = loc.classify(path, frozen, zones)
    rec = out.iloc[0]
    assert (rec["side"], rec["side_in_file"]) == ("ua", "theirs")
    assert (rec["source_line"], rec["source_line_in_file"]) == (2, "99")
    assert len(set(out.columns)) == len(out.columns)


@pytest.mark.parametrize("column", ["wkb", "wkt", "geometry"])
def test_a_column_named_like_loc_s_own_is_kept(tmp_path, synthetic, column):
    """A file's wkb column was overwritten by the repeat test's key (two rows told apart
    by it counted once), its wkt by the CSV writer's, its geometry column dropped."""
    frozen, zones = synthetic
    p = offset_point(1000)
    path = tmp_path / "inc.csv"
    path.write_text(f"event_type,latitude,longitude,{column}\n"
                    f"Battles,{p.y},{p.x},first\nBattles,{p.y},{p.x},second\n")
    out = loc.classify(path, frozen, zones)
    assert len(out) == 2
    kept = column if column == "wkb" else f"{column}_in_file"
    assert list(out[kept]) == ["first", "second"]


def test_an_exact_repeat_counts_once(tmp_path, synthetic):
    frozen, zones = synthetic
    p = offset_point(1000)
    row = f"2025-02-01;strike;{p.y};{p.x};Shelling"
    path = tmp_path / "inc.csv"
    path.write_text("\n".join(["date;name;latitude;longitude;event_type", row, row,
                               row.replace("strike", "other")]) + "\n")
    with pytest.warns(loc.LocWarning, match=r"1 row\(s\) repeat an earlier row exactly and "
                                            r"are counted once \(line\(s\) 3\)"):
        out = loc.classify(path, frozen, zones)
    assert list(out["name"]) == ["strike", "other"]


@pytest.mark.parametrize("kind, armed", [
    ("Battles", True), ("Protests", False), ("Peaceful protest", False),
    ("Attack on humanitarian convoy", True), ("Drone strike on peaceful residents", True),
    ("Shelling; agreement violated", True), ("Agreement", False), ("", True)])
def test_event_types_are_compared_whole(kind, armed):
    assert loc.analysis.compliance.is_armed(kind) is armed


def test_an_acled_sub_event_type_can_make_an_event_unarmed(tmp_path, synthetic):
    """Only the first type column was read, so ACLED's "Strategic developments" /
    "Agreement" (or "Headquarters or base established") counted as armed activity in
    the buffer; a text where a number belongs (geo_precision "unknown") then made the
    report an internal error."""
    frozen, zones = synthetic
    p = offset_point(1000)
    path = tmp_path / "inc.csv"
    rows = [("a", "Strategic developments", "Agreement", "1"),
            ("h", "Strategic developments", "Headquarters or base established", "1"),
            ("p", "Protests", "Peaceful protest", "unknown"),
            ("b", "Battles", "Armed clash", "n/a")]
    path.write_text("event_id_cnty,event_date,event_type,sub_event_type,latitude,longitude,"
                    "geo_precision\n" + "".join(f"{i},2025-02-01,{t},{u},{p.y},{p.x},{g}\n"
                                                 for i, t, u, g in rows))
    out = loc.classify(path, frozen, zones).set_index("event_id_cnty")
    assert out["violation"].to_dict() == {"a": False, "h": False, "p": False, "b": True}
    later = loc.from_geometries(frozen.snapshot.occupied, date="2025-02-02")
    report = loc.check(frozen, later)
    from loc.outputs.reports import save_report

    folder, _ = save_report(tmp_path / "r", frozen, later, report, out.reset_index(), zones,
                            inputs=[], options={})
    assert "unknown" in (folder / "report.html").read_text()


def test_unknown_precision_is_uncertain_and_abroad_is_unsigned(tmp_path, synthetic):
    frozen, zones = synthetic
    p = offset_point(3000)
    path = tmp_path / "inc.csv"
    lines = ["event_id,event_date,event_type,latitude,longitude,geo_precision"]
    lines += [f"{name},2025-02-01,Battles,{p.y},{p.x},{prec}"
              for name, prec in (("exact", "1"), ("blank", ""), ("word", "unknown"))]
    path.write_text("\n".join(lines) + "\n")
    out = loc.classify(path, frozen, zones).set_index("event_id")
    assert list(out["uncertain"]) == [False, True, True]
    path.write_text(lines[0] + "\nsea,2025-02-01,Battles,46.5,36.5,1\n")
    rec = loc.classify(path, frozen, zones).iloc[0]
    assert rec["side"] == "outside" and rec["distance_km"] > 100  # the Sea of Azov: unsigned


def test_cli_check_report_is_deterministic(tmp_path):
    inc = tmp_path / "acled.csv"
    inc.write_text("event_id_cnty;event_date;event_type;latitude;longitude;geo_precision\n"
                   "UKR1;16 May 2025;Battles;48.30;37.20;1\n"
                   "UKR2;16 May 2025;Battles;<img src=x onerror=alert(1)>;37.2;1\n")
    args = ["check", "--freeze", str(deepstate_path("20250108")), "--snapshot",
            str(deepstate_path("20250905")), "--incidents", str(inc), "--width", "5"]
    r1 = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "r1")])
    r2 = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "r2")])
    assert r1.exit_code == 0, r1.output
    assert r2.exit_code == 0, r2.output
    assert "acled.csv: 1 row(s) that have a latitude/longitude that is not a number " \
        "skipped (line(s) 3;" in r1.stderr
    d1, d2 = (tmp_path / "r1").iterdir(), (tmp_path / "r2").iterdir()
    d1, d2 = next(d1), next(d2)
    assert d1.name == d2.name
    names = sorted(p.name for p in d1.iterdir())
    assert names == ["breaches.csv", "breaches.geojson", "incidents.csv", "incidents.geojson",
                     "manifest.json", "report.html", "summary.md", "within_tolerance.csv"]
    match, mismatch, errors = filecmp.cmpfiles(d1, d2, names, shallow=False)
    assert mismatch == [] and errors == []
    manifest = json.loads((d1 / "manifest.json").read_text())
    assert manifest["id"] == d1.name and len(manifest["files"]) == 7
    assert "Velyka Novosilka" in (d1 / "summary.md").read_text()
    r3 = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "r1")])
    assert "exists already" in r3.stderr


def test_cli_check_judges_only_incidents_of_the_days_the_freeze_held(tmp_path):
    # one armed incident inside the 5 km buffer, written on four days: before the freeze,
    # on a day that does not exist, in the future, and within the freeze: only the last
    # is judged (each other with a warning), and verify's reading of dates is the same
    inc = tmp_path / "i.csv"
    rows = ["1995-01-01", "2025-02-30", "2099-01-01", "2025-08-15"]
    inc.write_text("event_date,latitude,longitude,event_type\n"
                   + "".join(f"{d},48.60,37.90,Shelling\n" for d in rows))
    args = ["check", "--freeze", str(deepstate_path("20250801")), "--snapshot",
            str(deepstate_path("20250901")), "--incidents", str(inc), "--width", "5",
            "--format", "json"]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    # the row on no day is not judged, but said: it lies where it would be a violation
    assert doc["incidents"] == {"count": 1, "violations": 1, "undated": 1,
                                "undated_violations": 1}
    text = CliRunner().invoke(cli, args[:-2])
    assert "1 incidents: 1 violations (0 with an uncertain location); 1 row(s) without a " \
        "readable date not judged (1 where they would be violations)" in text.stderr
    assert "1 incident row(s) without a readable event_date skipped (line(s) 3)" in r.stderr
    # the report folder says it too, and lists the row
    r = CliRunner().invoke(cli, [*args[:-2], "-o", str(tmp_path / "rep")])
    assert r.exit_code == 0, r.output
    folder = next((tmp_path / "rep").iterdir())
    assert "1 row(s) without a readable date not judged (1 where they would be " \
        "violations): they are listed in incidents_undated.csv." in \
        (folder / "summary.md").read_text()
    listed = pd.read_csv(folder / "incidents_undated.csv")
    assert list(listed["event_date"]) == ["2025-02-30"] and bool(listed["violation"][0])
    assert "incidents_undated.csv" in json.loads((folder / "manifest.json").read_text())["files"]
    assert "1 row(s) without a readable date not judged" in (folder / "report.html").read_text()
    assert "dated before the freeze of 2025-08-01 left out (it did not hold yet): " \
        "1995-01-01" in r.stderr
    assert "dated after 2025-09-01, the day checked, left out (not observed as of " \
        "then): 2099-01-01" in r.stderr
    nodate = tmp_path / "n.csv"
    nodate.write_text("latitude,longitude,event_type\n48.60,37.90,Shelling\n")
    r = CliRunner().invoke(cli, [*args[:5], "--incidents", str(nodate), "--width", "5"])
    assert r.exit_code == 2 and "no date column" in r.stderr


def test_a_freeze_written_by_loc_freeze_keeps_its_date_and_an_undated_one_is_said(tmp_path):
    # `loc freeze -o` wrote no date: `loc check --freeze` of it judged a 1995 incident,
    # silently; the file now reads back as of the freeze, and an undated freeze is warned of
    inc = tmp_path / "i.csv"
    inc.write_text("event_date,latitude,longitude,event_type\n"
                   "1995-01-01,48.60,37.90,Shelling\n2025-08-15,48.60,37.90,Shelling\n")
    fz = tmp_path / "fz.geojson"
    r = CliRunner().invoke(cli, ["-q", "freeze", str(deepstate_path("20250801")), "-o", str(fz)])
    assert r.exit_code == 0, r.output
    back = loc.read(fz)
    assert back.date == dt.date(2025, 8, 1) and back.source == "deepstate"
    args = ["check", "--snapshot", str(deepstate_path("20250901")), "--incidents", str(inc),
            "--width", "5", "--format", "json"]
    r = CliRunner().invoke(cli, [*args, "--freeze", str(fz)])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["incidents"] == {"count": 1, "violations": 1, "undated": 0,
                                                 "undated_violations": 0}
    undated = tmp_path / "undated.geojson"
    undated.write_bytes(without_layer_name(deepstate_path("20250801").read_bytes()))
    assert loc.read(undated).date is None
    r = CliRunner().invoke(cli, [*args, "--freeze", str(undated)])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["incidents"] == {"count": 2, "violations": 2, "undated": 0,
                                                 "undated_violations": 0}
    assert "the freeze is undated: rows dated before it cannot be told apart" in r.stderr


def test_save_report_refuses_nothing_half_written(tmp_path, synthetic):
    frozen, zones = synthetic
    later = loc.from_geometries(shapely.buffer(frozen.snapshot.occupied, 0.01), date="2025-02-01")
    report = loc.check(frozen, later)
    assert np.isclose(report.breaches["km2"].sum() + report.within_tolerance["km2"].sum(),
                      loc.diff(frozen.snapshot, later).gained_km2, rtol=1e-6)
    src = tmp_path / "s_2025-02-01.geojson"
    src.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    folder, created = save_report(tmp_path / "out", frozen, later, report, None, zones,
                                  [file_record(src)], {})
    assert created and (folder / "manifest.json").exists()
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def test_cli_check_series():
    days = ["20250110", "20250115", "20250120"]
    args = ["check", "--freeze", str(deepstate_path("20250108"))]
    for d in days:
        args += ["--snapshot", str(deepstate_path(d))]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    assert "checked on 2025-01-20" in r.stderr
    assert "over 3 snapshots:" in r.stderr and "first_seen" in r.stdout


compliance_mod = importlib.import_module("loc.analysis.compliance")


def _brute_farthest_m(poly, line) -> float:
    """The farthest point of a small polygon from a line, by sampling it a metre apart
    (and its outline half a metre apart); distances to each segment of the line in numpy."""
    x0, y0, x1, y1 = poly.bounds
    gx, gy = np.meshgrid(np.arange(x0, x1 + 1, 1.0), np.arange(y0, y1 + 1, 1.0))
    inside = shapely.contains_xy(poly, gx.ravel(), gy.ravel())
    edge = shapely.get_coordinates(shapely.segmentize(shapely.boundary(poly), 0.5))
    p = np.concatenate([np.column_stack([gx.ravel()[inside], gy.ravel()[inside]]), edge])
    a = shapely.get_coordinates(line)
    best = np.full(len(p), np.inf)
    for s, e in zip(a[:-1], a[1:], strict=True):
        t = np.clip(((p - s) @ (e - s)) / ((e - s) @ (e - s)), 0.0, 1.0)
        best = np.minimum(best, np.hypot(*(p - s - t[:, None] * (e - s)).T))
    return float(best.max())


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(-400, 400), st.floats(50, 900)), min_size=3, max_size=7),
       st.floats(0, 600))
def test_breach_depth_is_the_farthest_point_not_the_farthest_vertex(bumps, bay):
    """Never deeper than the farthest point, and at most 10 m shallower, for a breach filling
    a bay of the line (its farthest point lies inside) or bulging from a bent line."""
    line = shapely.LineString([(-600, 0), (-300, bay), (0, 0), (300, bay), (600, 0)])
    poly = shapely.Polygon([(-500, 0), *bumps, (500, 0)]).buffer(0)
    poly = shapely.difference(poly, line.buffer(1e-6))
    if poly.is_empty or poly.area < 100:
        return
    poly = max(shapely.get_parts(poly), key=lambda p: p.area)
    want = _brute_farthest_m(poly, line)
    got, (x, y) = lcrs.LineReach(line).farthest(poly)
    assert want - lcrs.DEPTH_STEP_M - 1.0 <= got <= want + 1.0
    # the point found is that far from the line, and in the polygon (or on its outline)
    assert shapely.distance(shapely.Point(x, y), line) == pytest.approx(got, abs=1e-6)
    assert shapely.distance(shapely.Point(x, y), poly) < 1e-6


def test_the_deepest_point_of_a_bay_is_inside_it():
    """A breach filling a pocket of the line: every vertex lies on the line (depth 0 by
    vertices); the farthest points lie inside, 250 m from the nearest shore."""
    line = shapely.LineString([(0, 0), (500, 0), (500, 1000), (0, 1000), (0, 0)])
    poly = shapely.box(0, 0, 500, 1000)
    got, (x, y) = lcrs.LineReach(line).farthest(poly)
    assert 250 - lcrs.DEPTH_STEP_M <= got <= 250 + 1e-6
    assert 240 <= x <= 260 and 240 <= y <= 760  # inside, on the medial axis


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
@pytest.mark.parametrize("engine", ["pyogrio", "fiona"])
def test_incident_times_keep_the_day_written_in_every_format(tmp_path, suffix, engine):
    """pyogrio read a GeoJSON `2025-01-09T00:30:00+02:00` as 2025-01-08 22:30 UTC, so the
    incident fell out of its phase (met where the CSV copy said breached)."""
    from loc.io.incidents import incident_dates

    rows = {"event_id": ["K1", "K2", "K3"],
            "event_date": ["2025-01-09T00:30:00+02:00", "2025-01-12T23:30:00-05:00",
                           "2025-01-08"]}
    path = tmp_path / f"inc{suffix}"
    gpd.GeoDataFrame(rows, geometry=[shapely.Point(35.77, 47.33)] * 3,
                     crs=4326).to_file(path)
    csv_path = tmp_path / "inc.csv"
    csv_path.write_text("event_id,event_date,latitude,longitude\n" + "".join(
        f"{i},{d},47.33,35.77\n" for i, d in zip(rows["event_id"], rows["event_date"],
                                                  strict=True)))
    want = [dt.date(2025, 1, 9), dt.date(2025, 1, 12), dt.date(2025, 1, 8)]
    got = incident_dates(loc.read_incidents(path, engine=engine), "x")
    assert list(got) == want == list(incident_dates(loc.read_incidents(csv_path), "x"))


def test_incident_days_written_as_numbers_beside_a_null(tmp_path):
    """A vector file's YYYYMMDD dates are read as numbers, as floats once one row has
    none: 20250110.0 was unreadable, and every row was skipped (no-data where the CSV said
    breached)."""
    from loc.io.incidents import incident_dates

    path = tmp_path / "num.geojson"
    gpd.GeoDataFrame({"event_id": ["N0", "N1"], "event_date": [20250110, None]},
                     geometry=[shapely.Point(35.77, 47.33)] * 2, crs=4326).to_file(path)
    with pytest.warns(loc.LocWarning, match=r"1 incident row\(s\) without a readable "
                                            r"event_date skipped \(line\(s\) 2\)"):
        got = incident_dates(loc.read_incidents(path), "x")
    assert list(got) == [dt.date(2025, 1, 10), None]


def test_gdal_fetches_no_schema_while_it_lists_layers(tmp_path, monkeypatch):
    """Listing a GML's layers ran outside the no-fetch settings: GDAL asked a WFS for the
    schema (a connection outside loc fetch)."""
    import pyogrio

    from loc.io import readers

    seen = []
    real = pyogrio.list_layers
    monkeypatch.setattr(pyogrio, "list_layers", lambda p: seen.append(
        __import__("os").environ.get("GML_DOWNLOAD_WFS_SCHEMA")) or real(p))
    path = tmp_path / "a.gpkg"
    gpd.GeoDataFrame(geometry=[shapely.box(37, 47.5, 38, 48.5)], crs=4326).to_file(path)
    readers.read_frames(path, "pyogrio")
    assert seen == ["NO"]


def _forget() -> None:
    """Empty what checks remember across calls (depths by line, settlements by area)."""
    importlib.import_module("loc.analysis.compliance")._Reach.last = None
    importlib.import_module("loc.reference.settlements")._PEOPLE.clear()


def test_what_checks_remember_never_changes_a_report(real_check):
    """Depths and settlements are remembered by exact geometry across checks (a series
    repeats most breaches day after day): a report is the same fresh or after checks of
    other dates and of another freeze line, whose depths must not be reused."""
    a, b, frozen, _ = real_check
    other = loc.freeze(loc.read(deepstate_path("20240708")))
    days = [loc.read(deepstate_path(d)) for d in ("20250903", "20250904", "20250905")]

    def frames(freeze, snap):
        r = loc.check(freeze, snap)
        return [df.drop(columns="geometry").to_dict("list")
                | {"wkb": list(df.geometry.to_wkb())} for df in (r.breaches,
                                                                   r.within_tolerance)]

    _forget()
    fresh = frames(frozen, b)
    _forget()
    fresh_other = frames(other, b)
    _forget()
    for snap in days:
        frames(frozen, snap)
    assert frames(other, b) == fresh_other  # the same areas, another line: new depths
    assert frames(frozen, b) == fresh
    depths = fresh[0]["depth_km"]
    assert fresh_other[0]["depth_km"] != depths[:len(fresh_other[0]["depth_km"])]

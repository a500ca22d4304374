"""Two parties' claimed lines: disputed areas ranked by people, in the report form."""

import filecmp
import json

import pytest
import shapely
from click.testing import CliRunner
from shapely.geometry import box

import loc
from loc import geo as lcrs
from loc.cli import cli
from tests.conftest import deepstate_path
from tests.test_snapshot import feature, write_fc
from tests.test_verify import CENTRE, HALF, run


def claims(tmp_path):
    x, y = CENTRE.x, CENTRE.y
    ua = box(x - HALF, y - HALF, x + HALF, y + HALF)
    north = box(x - HALF, y + HALF, x + HALF, y + HALF + 20_000)  # 1,200 km² more for ru
    south = box(x + HALF, y - HALF, x + HALF + 5_000, y - HALF + 5_000)  # 25 km² for ru
    ru = shapely.union_all([ua, north, south])
    a = write_fc(tmp_path / "claim_ua_2025-09-05.geojson", [feature(lcrs.unproject(ua))])
    b = write_fc(tmp_path / "claim_ru_2025-09-05.geojson", [feature(lcrs.unproject(ru))])
    return a, b


def test_disputes_ranked_by_people(tmp_path):
    a, b = claims(tmp_path)
    c = loc.compare(loc.read(a), loc.read(b), labels=("ua", "ru"))
    d = c.disputes()
    assert list(d["rank"]) == list(range(1, len(d) + 1))
    assert list(d["population"]) == sorted(d["population"], reverse=True)
    assert set(d["claimed_ru_by"]) == {"ru"} and c.a == "ua" and c.b == "ru"
    assert d["km2"].sum() == pytest.approx(1225, rel=0.01)
    top = d.iloc[0]
    assert top["population"] > 0 and top["settlements"] >= 1 and top["largest"]
    assert top["largest"].split(", ")[0] in loc.settlements()["name"].to_numpy()
    with pytest.raises(loc.LocError, match="both snapshots are labelled 'ua'"):
        loc.compare(loc.read(a), loc.read(b), labels=("ua", "ua"))


def test_cli_dispute_report(tmp_path):
    a, b = claims(tmp_path)
    args = ["compare", f"ua={a}", f"ru={b}"]
    r1 = run(*args, "--report", tmp_path / "r1")
    r2 = run(*args, "--report", tmp_path / "r2", "--format", "json")
    assert r1.exit_code == 0 and r2.exit_code == 0, r1.output
    assert "disputed areas, most people first:" in r1.stdout
    doc = json.loads(r2.stdout)
    assert doc["a"] == "ua" and doc["disputes"][0]["rank"] == 1
    assert set(doc["disputes"][0]) == {"rank", "ru_in", "claimed_ru_by", "region", "km2",
                                       "population", "settlements", "largest"}
    (d1,), (d2,) = (tmp_path / "r1").iterdir(), (tmp_path / "r2").iterdir()
    names = sorted(p.name for p in d1.iterdir())
    assert names == ["comparison.json", "disputes.csv", "disputes.geojson", "manifest.json",
                     "report.html", "summary.md"]
    _, mismatch, errors = filecmp.cmpfiles(d1, d2, names, shallow=False)
    assert d1.name == d2.name and mismatch == [] and errors == []
    assert "Russian-held per ru only" in (d1 / "report.html").read_text()
    assert [i["party"] for i in json.loads((d1 / "manifest.json").read_text())["inputs"]] \
        == ["ua", "ru"]
    r = run("maps", "verify", d1)
    assert r.exit_code == 0, r.stdout
    r = run("compare", f"ua={a}", str(b))
    assert r.exit_code == 2 and "label both claims by party" in r.stderr


def test_a_comparison_has_no_direction(snap_20250905):
    """Two parties' claims of different dates: the later one first was refused with "give
    the earlier date first to diff" (the other order ran). Either order gives the same
    areas, each party's own."""
    import warnings

    earlier = loc.read(deepstate_path("20250901"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", loc.LocWarning)
        one = loc.compare(earlier, snap_20250905, labels=("ua", "ru"))
        other = loc.compare(snap_20250905, earlier, labels=("ru", "ua"))
    assert one.summary["ru_only_in_a_km2"].sum() > 1  # the figures compared are not 0
    assert one.summary["ru_only_in_a_km2"].equals(other.summary["ru_only_in_b_km2"])
    assert one.summary["ru_only_in_b_km2"].equals(other.summary["ru_only_in_a_km2"])
    by = lambda c: c.areas.groupby("claimed_ru_by")["km2"].sum().round(9).to_dict()  # noqa: E731
    assert by(one) == by(other)
    r = CliRunner().invoke(cli, ["-q", "compare", f"ru={deepstate_path('20250905')}",
                                 f"ua={deepstate_path('20250901')}"])
    assert r.exit_code == 0, r.output


def test_a_failed_report_leaves_no_output(tmp_path):
    """compare -o FILE --report DIR wrote FILE, then failed at the report "nothing was
    written"."""
    out = tmp_path / "t.csv"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    a = str(deepstate_path("20250905"))
    r = CliRunner().invoke(cli, ["compare", a, a, "-o", str(out), "--report",
                                 str(blocker / "reports")])
    assert r.exit_code == 2 and not out.exists()

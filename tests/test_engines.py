"""The GDAL binding is a choice (``engine="pyogrio"|"fiona"``, ``loc --engine``,
``$LOC_ENGINE``) passed through to reading and writing: both give the same snapshots, stores
and files."""

import json
import zipfile

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

import loc
from loc.cli import cli
from loc.errors import OptionError
from loc.io.writers import write_frame

ENGINES = ["pyogrio", "fiona"]


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("formats")
    snap = loc.sample()
    gdf = gpd.GeoDataFrame({"side": ["ru"]}, geometry=[snap.occupied], crs="OGC:CRS84")
    out = {}
    for suffix, driver in ((".gpkg", "GPKG"), (".fgb", "FlatGeobuf"), (".shp", None)):
        path = folder / f"sample_2025-09-05{suffix}"
        gdf.to_file(path, driver=driver, engine="pyogrio")
        out[suffix] = path
    return snap, out


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("suffix", [".gpkg", ".fgb", ".shp"])
def test_both_engines_read_the_same_snapshot(sample_files, engine, suffix):
    snap, files = sample_files
    got = loc.read(files[suffix], engine=engine)
    assert got.date == snap.date
    assert shapely.equals_exact(shapely.normalize(got.occupied),
                                shapely.normalize(snap.occupied), tolerance=1e-9)


@pytest.mark.parametrize("suffix", [".kml", ".kmz"])
def test_both_engines_read_kml_and_kmz_to_the_same_area(sample_files, tmp_path, suffix):
    """fiona 1.10 lists no KML driver as supported: loc enables it where its GDAL has one
    (the README lists KML/KMZ as formats for either binding)."""
    snap, _ = sample_files
    kml = tmp_path / "sample_2025-09-05.kml"
    gpd.GeoDataFrame({"side": ["ru"]}, geometry=[snap.occupied], crs="OGC:CRS84").to_file(
        kml, driver="KML", engine="pyogrio")
    path = kml
    if suffix == ".kmz":
        path = tmp_path / "sample_2025-09-05.kmz"
        with zipfile.ZipFile(path, "w") as z:
            z.write(kml, "doc.kml")
    areas = {engine: loc.read(path, engine=engine).occupied_km2() for engine in ENGINES}
    assert areas["fiona"] == pytest.approx(areas["pyogrio"], abs=1e-9)
    assert areas["pyogrio"] == pytest.approx(snap.occupied_km2(), rel=1e-6)


@pytest.mark.parametrize("engine", ENGINES)
def test_both_engines_write_a_store_and_a_geopackage(tmp_path, engine):
    store = tmp_path / f"{engine}.gpkg"
    loc.import_snapshots(loc.sample_paths(), store, engine=engine)
    for other in ENGINES:  # what one engine wrote, the other reads
        assert list(loc.list_snapshots(store, engine=other)["date"]) == [
            "2024-07-08", "2025-01-08", "2025-09-05"]
        back = loc.read_store(store, "2025-01-08", engine=other)
        assert back.occupied_km2() == pytest.approx(loc.sample("2025-01-08").occupied_km2(),
                                                    rel=1e-12)
    line = loc.line_of_contact(loc.sample())
    path = write_frame(line, tmp_path / f"line-{engine}.gpkg", "gpkg", layer="line",
                       engine=engine)
    again = gpd.read_file(path, layer="line")
    assert list(again["length_km"]) == pytest.approx(list(line["length_km"]))


def test_cli_engine_option_and_environment(tmp_path, monkeypatch):
    out = tmp_path / "line.gpkg"
    r = CliRunner().invoke(cli, ["--engine", "fiona", "line", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert len(gpd.read_file(out)) == len(loc.line_of_contact(loc.sample()))
    monkeypatch.setenv("LOC_ENGINE", "nonsense")
    with pytest.raises(OptionError, match="unknown engine 'nonsense'"):
        loc.read(loc.sample_paths()[0])
    r = CliRunner().invoke(cli, ["stats", "--format", "json"])
    assert r.exit_code == 2 and "unknown engine" in r.stderr
    monkeypatch.setenv("LOC_ENGINE", "fiona")
    assert json.loads(CliRunner().invoke(cli, ["stats", "--format", "json"]).stdout)["date"] \
        == "2025-09-05"


def test_both_engines_write_the_same_geometry_types(tmp_path):
    """pyogrio makes a layer of LineStrings and MultiLineStrings all multi, fiona did not:
    the same `loc line --by-region -o x.gpkg` gave other geometry types by engine."""
    import geopandas as gpd
    import shapely

    from loc.io.writers import write_gpkg

    mixed = gpd.GeoDataFrame(
        {"n": [1, 2]}, geometry=[shapely.LineString([(37, 48), (38, 48)]),
                                 shapely.MultiLineString([[(37, 47), (38, 47)],
                                                          [(37, 46), (38, 46)]])],
        crs="OGC:CRS84")
    got = {}
    for engine in ("pyogrio", "fiona"):
        path = write_gpkg(tmp_path / f"{engine}.gpkg", {"line": mixed}, engine=engine)
        back = gpd.read_file(path, layer="line")
        got[engine] = list(back.geom_type)
        assert shapely.equals(back.geometry.iloc[0], mixed.geometry.iloc[0])
    assert got["pyogrio"] == got["fiona"] == ["MultiLineString", "MultiLineString"]

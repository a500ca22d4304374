import pytest

import loc
from loc import geo as crs
from loc.errors import RegionError


def test_registry_has_all_regions():
    reg = loc.regions()
    assert len(reg) == 27
    assert {"crimea", "sevastopol", "donetsk", "luhansk", "zaporizhzhia", "kherson", "kharkiv",
            "kyiv", "kyiv-city", "odesa"} <= set(reg.index)
    assert reg.crs.to_string() == "OGC:CRS84"
    assert reg.loc["sevastopol", "group"] == "crimea"


@pytest.mark.parametrize("name,key", [
    ("Donets'k", "donetsk"), ("Donetsk Oblast", "donetsk"), ("Донецька", "donetsk"),
    ("Донецька область", "donetsk"), ("Донецкая область", "donetsk"), ("donetsk", "donetsk"),
    ("Luhans'k", "luhansk"), ("Lugansk", "luhansk"), ("Zaporizhzhya", "zaporizhzhia"),
    ("Zaporozhye", "zaporizhzhia"), ("Запорізька область", "zaporizhzhia"),
    ("Crimea", "crimea"), ("Autonomous Republic of Crimea", "crimea"), ("Крым", "crimea"),
    ("Sevastopol", "sevastopol"), ("Kherson Oblast", "kherson"), ("Kharkov", "kharkiv"),
    ("Kyiv", "kyiv"), ("Kyiv City", "kyiv-city"), ("Odessa", "odesa"),
    ("  DONETSK   oblast ", "donetsk"),
])
def test_region_aliases(name, key):
    assert loc.region_key(name) == key
    assert loc.region(name)["key"] == key


def test_unknown_region_suggests_closest():
    with pytest.raises(RegionError, match="unknown region 'Donetzk': did you mean 'donetsk'"):
        loc.region("Donetzk")


def test_region_areas_equal_geodesic():
    """Equal-area km² of every region equals the ellipsoidal area to 0.01 %."""
    reg = loc.regions()
    for key, geom in reg.geometry.items():
        a, g = float(crs.area_km2(geom)), crs.geodesic_area_km2(geom)
        assert abs(a - g) / g < 1e-4, key
    # Ukraine's land is about 603,500 km² (with Crimea); Natural Earth's coarse coast gives a bit
    # less.
    total = sum(crs.geodesic_area_km2(g) for g in reg.geometry)
    assert 595_000 < total < 606_000


def test_prebuilt_region_groups_are_up_to_date():
    """The shipped projected groups equal what the registry gives now, byte for byte, and
    were built from the shipped regions' geometry (else: python data/build_regions.py
    --groups)."""
    import json

    import shapely

    from loc.reference.bundled import data_path
    from loc.reference.regions import (
        GROUPS_FILE,
        project_region_groups,
        region_groups_m,
        region_land_m,
        regions_geometry_sha256,
    )

    meta = json.loads(data_path(GROUPS_FILE).with_suffix(".json").read_text())
    assert meta["regions_geometry_sha256"] == regions_geometry_sha256()
    keys, geoms, land = project_region_groups()
    got_keys, got, _ = region_groups_m()
    assert list(got_keys) == keys == sorted(keys) and len(keys) == 26
    assert [shapely.to_wkb(g) for g in got] == [shapely.to_wkb(g) for g in geoms]
    assert shapely.to_wkb(region_land_m()) == shapely.to_wkb(land)
    assert shapely.area(land) == pytest.approx(sum(shapely.area(g) for g in geoms), rel=1e-9)

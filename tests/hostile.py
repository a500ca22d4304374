"""A corpus of hostile inputs, built from the classes of inputs that once gave confident wrong
answers or raw tracebacks: coordinates that are not numbers, broken or truncated files,
wrong types, deep nesting, decompression bombs, oversized files, wrong CRS, files that are not
geodata at all. Each builder writes one file into a folder and returns its path.

Names carry a date (``h_<kind>_2025-09-06.<ext>``) so that series commands get as far as
reading the file's content.
"""

from __future__ import annotations

import json
import os
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import box, mapping

DONBAS = box(37.0, 47.5, 38.5, 48.5)
HOLED = shapely.Polygon(DONBAS.exterior.coords, [box(37.5, 47.8, 37.7, 48.0).exterior.coords])
DATE = "2025-09-06"


def _name(kind: str, ext: str) -> str:
    return f"h_{kind}_{DATE}.{ext}"


def _write(folder: Path, kind: str, ext: str, data: bytes | str) -> Path:
    path = folder / _name(kind, ext)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _fc(geometries: list, **props) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": dict(props), "geometry": g} for g in geometries]}


def _poly_text(coords_text: str) -> str:
    return ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
            '"geometry": {"type": "Polygon", "coordinates": [[' + coords_text + ']]}}]}')


def _ring_with(bad: str, at: int = 2) -> str:
    ring = [list(c) for c in DONBAS.exterior.coords]
    parts = [f"[{x}, {y}]" for x, y in ring]
    x, y = ring[at]
    parts[at] = bad.format(x=x, y=y)
    return ", ".join(parts)


def _geojson(folder: Path, kind: str, doc) -> Path:
    return _write(folder, kind, "geojson", json.dumps(doc))


def _vector(folder: Path, kind: str, ext: str, driver: str, geoms: list) -> Path:
    path = folder / _name(kind, ext)
    gpd.GeoDataFrame({"side": ["ru"] * len(geoms)}, geometry=geoms,
                     crs="OGC:CRS84").to_file(path, driver=driver, engine="pyogrio")
    return path


MARK = 37.123456789
"""A coordinate value whose bytes occur once in a file: patched to NaN after writing, since
GDAL refuses to write a NaN itself."""


def _nan_vector(folder: Path, kind: str, ext: str, driver: str) -> Path:
    """A valid file of ``driver`` with one vertex's x patched to NaN in the file's bytes."""
    poly = shapely.Polygon([(37.0, 47.5), (38.5, 47.5), (MARK, 48.5), (37.0, 47.5)])
    path = _vector(folder, kind, ext, driver, [poly])
    mark, nan = struct.pack("<d", MARK), struct.pack("<d", float("nan"))
    for f in [path, *path.parent.glob(path.stem + ".*")]:
        data = f.read_bytes()
        if mark in data:
            f.write_bytes(data.replace(mark, nan))
            return path
    raise AssertionError(f"no coordinate {MARK} in {path}")


def _nan_z_vector(folder: Path, kind: str, ext: str, driver: str) -> Path:
    """A valid 3-D file of ``driver`` with one vertex's z patched to NaN in its bytes (and
    in the envelope a GeoPackage keeps of it)."""
    poly = shapely.Polygon([(37.0, 47.5, 0), (38.5, 47.5, MARK), (38.5, 48.5, 0),
                            (37.0, 47.5, 0)])
    path = _vector(folder, kind, ext, driver, [poly])
    data = path.read_bytes()
    mark, nan = struct.pack("<d", MARK), struct.pack("<d", float("nan"))
    assert mark in data, path
    path.write_bytes(data.replace(mark, nan))
    return path


def _vrt(folder: Path, kind: str, ext: str) -> Path:
    """A VRT naming the bundled sample (GDAL reads the VRT by content, whatever its name)."""
    from loc import sample_paths

    src = sample_paths()[-1]
    return _write(folder, kind, ext, f'<OGRVRTDataSource><OGRVRTLayer name="{src.stem}">'
                  f"<SrcDataSource>{src}</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>")


LINK_CRS = {"type": "link", "properties": {"href": "http://127.0.0.1:9/crs.prj",
                                           "type": "proj4"}}
"""A GeoJSON CRS GDAL fetches over HTTP (a port where nothing listens)."""


def _zip(folder: Path, kind: str, ext: str, members: dict[str, bytes]) -> Path:
    path = folder / _name(kind, ext)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


KML = ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
       "<Document>{}</Document></kml>")


def _kml_polygon(coords: str) -> str:
    return KML.format("<Placemark><name>Assessed Russian Control</name><Polygon>"
                      "<outerBoundaryIs><LinearRing><coordinates>" + coords +
                      "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>")


def _deep(depth: int) -> str:
    return '{"type": "FeatureCollection", "features": ' + "[" * depth + "]" * depth + "}"


def _bowtie() -> dict:
    return {"type": "Polygon", "coordinates": [[[37.0, 47.5], [38.5, 48.5], [38.5, 47.5],
                                                [37.0, 48.5], [37.0, 47.5]]]}


SNAPSHOTS: dict[str, tuple[Callable[[Path], Path], str]] = {
    # coordinates that are not finite numbers, in every layout
    "nan_x": (lambda d: _write(d, "nan_x", "geojson", _poly_text(_ring_with("[NaN, {y}]"))),
              "not a finite number"),
    "nan_y": (lambda d: _write(d, "nan_y", "geojson", _poly_text(_ring_with("[{x}, NaN]", 1))),
              "not a finite number"),
    "infinity": (lambda d: _write(d, "infinity", "geojson",
                                  _poly_text(_ring_with("[Infinity, {y}]"))),
                 "not a finite number"),
    "minus_infinity": (lambda d: _write(d, "minus_infinity", "geojson",
                                        _poly_text(_ring_with("[{x}, -Infinity]", 3))),
                       "not a finite number"),
    "overflow": (lambda d: _write(d, "overflow", "geojson",
                                  _poly_text(_ring_with("[1e999, {y}]"))),
                 "not a finite number"),
    "nan_first_vertex": (lambda d: _write(d, "nan_first_vertex", "geojson",
                                          _poly_text(_ring_with("[NaN, NaN]", 0))),
                         "not a finite number"),
    "nan_in_hole": (lambda d: _write(d, "nan_in_hole", "geojson", json.dumps(_fc([mapping(
        HOLED)])).replace(str(list(HOLED.interiors[0].coords)[1][0]), "NaN", 1)),
        "not a finite number"),
    "nan_second_part": (lambda d: _write(d, "nan_second_part", "geojson", json.dumps(_fc([{
        "type": "MultiPolygon", "coordinates": [
            [[list(c) for c in DONBAS.exterior.coords]],
            [[[36.0, 49.0], [36.1, 49.0], ["NAN_HERE", 49.1], [36.0, 49.0]]]]}])).replace(
        '"NAN_HERE"', "NaN")), "not a finite number"),
    "nan_second_feature": (lambda d: _write(d, "nan_second_feature", "geojson", json.dumps(_fc([
        mapping(DONBAS), {"type": "Polygon", "coordinates": [[[30.0, 46.0], [30.1, 46.0],
                                                                ["X", 46.1], [30.0, 46.0]]]}]))
        .replace('"X"', "NaN")), "not a finite number"),
    "nan_gpkg": (lambda d: _nan_vector(d, "nan_gpkg", "gpkg", "GPKG"), "not a finite number"),
    "nan_fgb": (lambda d: _nan_vector(d, "nan_fgb", "fgb", "FlatGeobuf"),
                "not a finite number"),
    "nan_shp": (lambda d: _nan_vector(d, "nan_shp", "shp", "ESRI Shapefile"),
                "not a finite number"),
    "nan_kml": (lambda d: _write(d, "nan_kml", "kml", _kml_polygon(
        "37,47.5,0 38.5,47.5,0 nan,48.5,0 37,48.5,0 37,47.5,0")), "not a finite number"),
    # broken or empty files
    "empty_file": (lambda d: _write(d, "empty_file", "geojson", b""), "GDAL can read"),
    "whitespace": (lambda d: _write(d, "whitespace", "geojson", "   \n\t "), "GDAL can read"),
    "truncated": (lambda d: _write(d, "truncated", "geojson",
                                   json.dumps(_fc([mapping(DONBAS)]))[:120]), "GDAL can read"),
    "random_bytes": (lambda d: _write(d, "random_bytes", "geojson", os.urandom(2048)),
                     "GDAL can read"),
    "not_utf8": (lambda d: _write(d, "not_utf8", "geojson",
                                  json.dumps(_fc([mapping(DONBAS)], name="x")).encode()
                                  .replace(b'"x"', b'"\xff\xfe"')), "GDAL can read"),
    "utf16": (lambda d: _write(d, "utf16", "geojson",
                               json.dumps(_fc([mapping(DONBAS)])).encode("utf-16")),
              "GDAL can read"),
    "json_array": (lambda d: _write(d, "json_array", "geojson", "[1, 2, 3]"), ""),
    "json_string": (lambda d: _write(d, "json_string", "geojson", '"hello"'), ""),
    "json_number": (lambda d: _write(d, "json_number", "geojson", "42"), ""),
    "features_not_list": (lambda d: _geojson(d, "features_not_list",
                                             {"type": "FeatureCollection", "features": 7}), ""),
    "empty_collection": (lambda d: _geojson(d, "empty_collection", _fc([])), ""),
    "null_geometries": (lambda d: _geojson(d, "null_geometries", _fc([None, None])), ""),
    "points_only": (lambda d: _geojson(d, "points_only", _fc([{"type": "Point",
                                                               "coordinates": [37, 48]}])),
                    "no polygons"),
    "lines_only": (lambda d: _geojson(d, "lines_only", _fc([{
        "type": "LineString", "coordinates": [[37, 48], [38, 48.2]]}])), "no polygons"),
    "polygon_bad_nesting": (lambda d: _geojson(d, "polygon_bad_nesting", _fc([{
        "type": "Polygon", "coordinates": [37, 48]}])), ""),
    "ring_three_positions": (lambda d: _geojson(d, "ring_three_positions", _fc([{
        "type": "Polygon", "coordinates": [[[37, 48], [38, 48], [37, 48]]]}])), ""),
    "coordinates_text": (lambda d: _geojson(d, "coordinates_text", _fc([{
        "type": "Polygon", "coordinates": [[["37", "47.5"], ["38.5", "47.5"],
                                            ["38.5", "48.5"], ["37", "47.5"]]]}])), ""),
    "coordinates_null": (lambda d: _geojson(d, "coordinates_null", _fc([{
        "type": "Polygon", "coordinates": None}])), ""),
    "empty_rings": (lambda d: _geojson(d, "empty_rings", _fc([{"type": "Polygon",
                                                               "coordinates": []}])), ""),
    "geometry_collection_of_points": (lambda d: _geojson(d, "geometry_collection_of_points",
                                                         _fc([{"type": "GeometryCollection",
                                                               "geometries": [{
                                                                   "type": "Point",
                                                                   "coordinates": [37, 48]}]}])),
                                      ""),
    "unknown_geometry_type": (lambda d: _geojson(d, "unknown_geometry_type", _fc([{
        "type": "Hexagon", "coordinates": [[37, 48]]}])), ""),
    # wrong CRS, wrong place
    "projected_no_crs": (lambda d: _geojson(d, "projected_no_crs", _fc([mapping(
        box(4.0e6, 5.0e6, 4.1e6, 5.1e6))])), "not lon/lat"),
    "swapped_axes": (lambda d: _geojson(d, "swapped_axes", _fc([mapping(
        box(47.5, 37.0, 48.5, 38.5))])), "swapped"),
    "far_away": (lambda d: _geojson(d, "far_away", _fc([mapping(box(-60, -10, -59, -9))])),
                 "outside Ukraine"),
    "huge_coordinate": (lambda d: _geojson(d, "huge_coordinate", _fc([mapping(
        box(37.0, 47.5, 1e308, 48.5))])), "not lon/lat"),
    "latitude_over_90": (lambda d: _geojson(d, "latitude_over_90", _fc([mapping(
        box(37.0, 47.5, 38.0, 95.0))])), "not lon/lat"),
    "unknown_crs": (lambda d: _geojson(d, "unknown_crs", {**_fc([mapping(DONBAS)]), "crs": {
        "type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}}}), "crs"),
    "link_crs": (lambda d: _geojson(d, "link_crs", {**_fc([mapping(DONBAS)]), "crs": LINK_CRS}),
                 "CRS by a link"),
    # files that make GDAL read other files, or the network
    "vrt": (lambda d: _vrt(d, "vrt", "vrt"), "give the data file itself"),
    "vrt_named_geojson": (lambda d: _vrt(d, "vrt_named_geojson", "geojson"),
                          "give the data file itself"),
    # tables without geometry
    "csv_no_geometry": (lambda d: _write(d, "csv_no_geometry", "csv", "a,b\n1,2\n"),
                        "has no geometry"),
    "csv_lat_lon": (lambda d: _write(d, "csv_lat_lon", "csv", "lat,lon\n48,37\n"),
                    "has no geometry"),
    # a z that is not a number, in a binary format
    "nan_z_gpkg": (lambda d: _nan_z_vector(d, "nan_z_gpkg", "gpkg", "GPKG"),
                   "not a finite number"),
    # content that cannot be read as control areas
    "side_null": (lambda d: _geojson(d, "side_null", _fc([mapping(DONBAS)], side=None)),
                  "unknown side"),
    "unknown_side": (lambda d: _geojson(d, "unknown_side", _fc([mapping(DONBAS)],
                                                              side="martians")),
                     "unknown side"),
    "bowtie": (lambda d: _geojson(d, "bowtie", _fc([_bowtie()])), "cannot be repaired"),
    # nesting and size
    "deep_nesting": (lambda d: _write(d, "deep_nesting", "geojson", _deep(5000)),
                     "LOC_MAX_DEPTH"),
    "deeper_than_limit": (lambda d: _write(d, "deeper_than_limit", "geojson", _deep(80)),
                          "LOC_MAX_DEPTH"),
    # archives
    "zip_without_geodata": (lambda d: _zip(d, "zip_without_geodata", "zip",
                                           {"readme.txt": b"nothing here"}), "archive holds no"),
    "zip_not_a_zip": (lambda d: _write(d, "zip_not_a_zip", "zip", b"PK\x03\x04broken"), "zip"),
    "kmz_not_a_zip": (lambda d: _write(d, "kmz_not_a_zip", "kmz", b"<kml/>"), "zip"),
    "zip_bomb": (lambda d: _zip(d, "zip_bomb", "zip", {"doc.geojson": b" " * (20 << 20)}),
                 "LOC_MAX_BYTES"),
    "kmz_bomb": (lambda d: _zip(d, "kmz_bomb", "kmz", {"doc.kml": b" " * (20 << 20)}),
                 "LOC_MAX_BYTES"),
    "zip_slip": (lambda d: _zip(d, "zip_slip", "zip", {"../../evil.geojson": b"{}"}),
                 "archive holds no"),
    "kml_malformed": (lambda d: _write(d, "kml_malformed", "kml", "<kml><Document><Placemark"),
                      ""),
    "kml_no_polygons": (lambda d: _write(d, "kml_no_polygons", "kml", KML.format(
        "<Placemark><name>x</name><Point><coordinates>37,48,0</coordinates></Point>"
        "</Placemark>")), "no polygons"),
    # files of other kinds
    "gpkg_garbage": (lambda d: _write(d, "gpkg_garbage", "gpkg", os.urandom(4096)), ""),
    "gpkg_truncated": (lambda d: _write(d, "gpkg_truncated", "gpkg",
                                        b"SQLite format 3\x00" + b"\x00" * 80), ""),
    "shp_alone": (lambda d: _write(d, "shp_alone", "shp", os.urandom(300)), ""),
    "fgb_garbage": (lambda d: _write(d, "fgb_garbage", "fgb", b"fgb\x03" + os.urandom(500)),
                    ""),
    # DeepStateMap API answers gone wrong
    "api_no_polygons": (lambda d: _geojson(d, "api_no_polygons", {
        "id": 1757189463, "datetime": "2025-09-06T20:11:03Z",
        "map": {"type": "FeatureCollection", "features": [1, "x", None, [],
                                                          {"type": "Feature"}]}}), ""),
    "api_map_not_object": (lambda d: _geojson(d, "api_map_not_object", {
        "id": 1, "datetime": "2025-09-06", "map": {"features": "nope"}}), ""),
    "api_deep": (lambda d: _write(d, "api_deep", "geojson", '{"id": 1, "map": {"features": '
                                  + "[" * 3000 + "]" * 3000 + "}}"), "LOC_MAX_DEPTH"),
}
"""Hostile snapshot files: kind -> (builder, a phrase the one-line error must hold)."""

INCIDENTS: dict[str, Callable[[Path], Path]] = {
    "csv_empty": lambda d: _write(d, "csv_empty", "csv", b""),
    "csv_no_coordinates": lambda d: _write(d, "csv_no_coordinates", "csv", "a,b\n1,2\n"),
    "csv_not_utf8": lambda d: _write(d, "csv_not_utf8", "csv", b"lat,lon\n\xff\xfe,\x80\n"),
    "csv_duplicate_columns": lambda d: _write(d, "csv_duplicate_columns", "csv",
                                              "lat,lat,lon\n48,48,37\n"),
    "csv_binary": lambda d: _write(d, "csv_binary", "csv", b"\x00\x01\x02" * 50),
    "incidents_no_points": lambda d: _geojson(d, "incidents_no_points", _fc([mapping(DONBAS)])),
    "incidents_nan": lambda d: _write(d, "incidents_nan", "geojson", json.dumps(_fc([{
        "type": "Point", "coordinates": ["X", 48.0]}])).replace('"X"', "NaN")),
}
"""Hostile incident files."""

SITES: dict[str, Callable[[Path], Path]] = {
    "sites_polygon": lambda d: _geojson(d, "sites_polygon", _fc([mapping(DONBAS)], name="x")),
    "sites_no_radius": lambda d: _geojson(d, "sites_no_radius", _fc([{
        "type": "Point", "coordinates": [34.5, 47.5]}], name="plant")),
    "sites_nan_radius": lambda d: _write(d, "sites_nan_radius", "geojson", json.dumps(_fc([{
        "type": "Point", "coordinates": [34.5, 47.5]}], name="plant", radius_km="R"))
        .replace('"R"', "NaN")),
    "sites_garbage": lambda d: _write(d, "sites_garbage", "geojson", os.urandom(100)),
    "sites_overflow": lambda d: _write(d, "sites_overflow", "geojson", json.dumps(_fc([{
        "type": "Point", "coordinates": ["X", 47.5]}], name="plant", radius_km=5))
        .replace('"X"', "1e999")),
    "sites_csv": lambda d: _write(d, "sites_csv", "csv", "name,lat,lon\nplant,47.5,34.5\n"),
}
"""Hostile site files."""

EXCHANGES: dict[str, Callable[[Path], Path]] = {
    "exchange_points": lambda d: _geojson(d, "exchange_points", _fc([{
        "type": "Point", "coordinates": [37.0, 48.0]}])),
    "exchange_nan": lambda d: _write(d, "exchange_nan", "geojson",
                                     _poly_text(_ring_with("[NaN, {y}]"))),
    "exchange_garbage": lambda d: _write(d, "exchange_garbage", "geojson", os.urandom(64)),
    "exchange_far_away": lambda d: _geojson(d, "exchange_far_away",
                                            _fc([mapping(box(-60, -10, -59, -9))])),
    # checked as a snapshot is: every coordinate, z too, and the JSON before GDAL reads it
    "exchange_overflow": lambda d: _write(d, "exchange_overflow", "geojson",
                                          _poly_text(_ring_with("[1e999, {y}]"))),
    "exchange_nan_first_vertex": lambda d: _write(d, "exchange_nan_first_vertex", "geojson",
                                                  _poly_text(_ring_with("[NaN, NaN]", 0))),
    "exchange_nan_z_gpkg": lambda d: _nan_z_vector(d, "exchange_nan_z_gpkg", "gpkg", "GPKG"),
    "exchange_link_crs": lambda d: _geojson(d, "exchange_link_crs",
                                            {**_fc([mapping(DONBAS)]), "crs": LINK_CRS}),
    "exchange_vrt": lambda d: _vrt(d, "exchange_vrt", "vrt"),
    "exchange_csv": lambda d: _write(d, "exchange_csv", "csv", "a,b\n1,2\n"),
}
"""Hostile exchange files (polygons moved to a side)."""

BELTS: dict[str, Callable[[Path], Path]] = {
    "belts_malformed": lambda d: _write(d, "belts_malformed", "toml", "[classes.a\nru = 5"),
    "belts_nan": lambda d: _write(d, "belts_nan", "toml", "[classes.a]\nru = nan\nua = 5\n"),
    "belts_infinite": lambda d: _write(d, "belts_infinite", "toml",
                                       "[classes.a]\nru = inf\nua = 5\n"),
    "belts_negative": lambda d: _write(d, "belts_negative", "toml",
                                       "[classes.a]\nru = -5\nua = 5\n"),
    "belts_text": lambda d: _write(d, "belts_text", "toml", '[classes.a]\nru = "far"\n'),
    "belts_deep": lambda d: _write(d, "belts_deep", "toml", "a = " + "[" * 3000 + "]" * 3000),
    "belts_json_deep": lambda d: _write(d, "belts_json_deep", "json", "[" * 5000 + "]" * 5000),
}
"""Hostile withdrawal-belt files."""

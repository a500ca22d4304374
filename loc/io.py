"""Writing outputs: atomic files, deterministic JSON, GeoDataFrames as GeoJSON/GPKG/CSV."""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from loc.errors import OptionError, OutputError

FORMATS = ("geojson", "gpkg", "csv")


def _clean(value):
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if math.isnan(v) else v
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def dumps(obj, indent: int | None = 2) -> str:
    """Deterministic JSON: numpy values converted, NaN as null, keys as given."""
    return json.dumps(_clean(obj), ensure_ascii=False, indent=indent, allow_nan=False)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write a file all at once: to a temporary file beside it, then rename over it."""
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path) from None
    return path


def geojson_text(gdf: gpd.GeoDataFrame, precision: int = 6) -> str:
    """A GeoDataFrame as RFC 7946 GeoJSON text (lon/lat, coordinates rounded)."""
    gdf = gdf.to_crs("OGC:CRS84") if gdf.crs is not None else gdf
    geoms = shapely.set_precision(gdf.geometry.values, 10.0 ** -precision)
    features = []
    props = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    for rec, geom in zip(props.to_dict(orient="records"), geoms, strict=True):
        features.append({"type": "Feature", "properties": _clean(rec),
                         "geometry": None if geom is None else shapely.geometry.mapping(geom)})
    return dumps({"type": "FeatureCollection", "features": features}, indent=None) + "\n"


def infer_format(path: str | Path | None, fmt: str | None) -> str:
    """The output format from an explicit ``--format`` or the file's suffix; GeoJSON default."""
    if fmt:
        return fmt
    if path is None:
        return "geojson"
    suffix = Path(path).suffix.lower().lstrip(".")
    mapping = {"geojson": "geojson", "json": "geojson", "gpkg": "gpkg", "csv": "csv"}
    if suffix not in mapping:
        raise OptionError(f"cannot tell the format from '{path}': use --format "
                          + "|".join(FORMATS))
    return mapping[suffix]


def write_frame(gdf: gpd.GeoDataFrame, path: str | Path, fmt: str, layer: str = "loc") -> Path:
    """Write a GeoDataFrame atomically as ``geojson``, ``gpkg`` or ``csv`` (geometry as WKT)."""
    path = Path(path)
    if fmt == "geojson":
        return write_atomic(path, geojson_text(gdf))
    if fmt == "csv":
        df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        df["wkt"] = shapely.to_wkt(gdf.geometry.values, rounding_precision=6)
        return write_atomic(path, df.to_csv(index=False, lineterminator="\n"))
    if fmt == "gpkg":
        return write_gpkg(path, {layer: gdf})
    raise OptionError(f"unknown format '{fmt}': use " + ", ".join(FORMATS))


def write_gpkg(path: str | Path, layers: dict[str, gpd.GeoDataFrame], **options) -> Path:
    """Write GeoPackage layers all at once: into a temporary folder beside ``path``, then
    renamed over it. ``options`` go to :func:`pyogrio.write_dataframe` for every layer."""
    import pyogrio

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp_dir = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
        try:
            tmp = tmp_dir / path.name
            for layer, gdf in layers.items():
                pyogrio.write_dataframe(gdf, tmp, layer=layer, driver="GPKG", **options)
            os.replace(tmp, path)
        finally:
            shutil.rmtree(tmp_dir, ignore_errors=True)
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path) from None
    return path

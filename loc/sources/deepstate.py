"""DeepStateMap: its API, its layer names, and which side each named polygon belongs to.

DeepStateMap names each feature ``"<Ukrainian>///<English>///<Russian or i18n key>"``. The
key (``geoJSON.status.occupied``) is matched when there is one, else the English name.

API (public, no key): ``GET {base}/api/history/last`` gives ``{"id", "datetime", "map":
FeatureCollection}``; ``GET {base}/api/history/public`` lists versions (``id`` is a Unix time
in seconds, ``datetime``, ``descriptionEn``, ...); ``GET {base}/api/history/{id}/geojson``
gives the map of one version. About one version a day, on purpose a few days behind events.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import geopandas as gpd
import shapely

BASE_URL = "https://deepstatemap.live"

LICENSE = "DeepStateMap: no open licence stated; loc does not redistribute it"

_KEYS = {
    "status.occupied": "ru",
    "territories.ordlo": "ru",
    "territories.crimea": "ru",
    "status.unknown": "contested",
    "status.dismissed": "ua",
}
_ENGLISH = {
    "occupied": "ru",
    "cadr and calr": "ru",
    "ordlo": "ru",
    "occupied crimea": "ru",
    "unknown": "contested",
    "grey zone": "contested",
    "gray zone": "contested",
    "liberated": "ua",
}


def _clean(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).strip()


def side_of_name(name: object) -> str | None:
    """Side (``ru``, ``ua``, ``contested``) of a DeepStateMap layer name, or None.

    None means a layer that is not a control area of Ukraine (unit icons, polygons outside
    Ukraine such as Transnistria, unknown layers).

    Examples
    --------
    >>> side_of_name("Окуповано///Occupied///geoJSON.status.occupied")
    'ru'
    >>> side_of_name("ОРДЛО///CADR and CALR///ОРДЛО")
    'ru'
    >>> side_of_name("Придністров'я///Transnistria///geoJSON.territories.pmr") is None
    True
    """
    if not isinstance(name, str) or "///" not in name:
        return None
    parts = [_clean(p) for p in name.split("///")]
    key = parts[2] if len(parts) > 2 else ""
    if key.startswith("geoJSON."):
        return _KEYS.get(key.removeprefix("geoJSON."))
    english = parts[1].casefold() if len(parts) > 1 else ""
    if english.startswith("liberated"):
        return "ua"
    return _ENGLISH.get(english)


def is_deepstate_names(names) -> bool:
    """True when most non-empty names use DeepStateMap's ``a///b///c`` form."""
    values = [n for n in names if isinstance(n, str) and n]
    return bool(values) and sum("///" in n for n in values) >= 0.5 * len(values)


def base_url() -> str:
    """``$LOC_DEEPSTATE_URL`` or the public site."""
    return os.environ.get("LOC_DEEPSTATE_URL", BASE_URL).rstrip("/")


def parse_api(data: bytes | str, origin: str) -> tuple[gpd.GeoDataFrame, dt.date | None]:
    """Features (``name``, geometry without Z) and date of an API answer.

    Raises
    ------
    LocError
        One line naming ``origin`` when the JSON is malformed or not of that shape.
    """
    from loc.sources.http import FetchError

    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FetchError(f"{origin}: malformed JSON ({str(exc).splitlines()[0]})") from None
    fc = doc.get("map") if isinstance(doc, dict) else None
    if not isinstance(fc, dict) or not isinstance(fc.get("features"), list):
        raise FetchError(f"{origin}: not a DeepStateMap answer (no 'map' FeatureCollection)")
    names, geoms = [], []
    for feat in fc["features"]:
        geom = (feat or {}).get("geometry")
        if not geom:
            continue
        try:
            g = shapely.force_2d(shapely.from_geojson(json.dumps(geom)))
        except shapely.errors.GEOSException:
            continue
        names.append(str(((feat.get("properties") or {}).get("name")) or ""))
        geoms.append(g)
    when = None
    stamp = doc.get("datetime") or doc.get("createdAt")
    if isinstance(stamp, str):
        try:
            when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).date()
        except ValueError:
            when = None
    if when is None and isinstance(doc.get("id"), (int, float)):
        when = dt.datetime.fromtimestamp(doc["id"], tz=dt.timezone.utc).date()
    gdf = gpd.GeoDataFrame({"name": names}, geometry=geoms, crs="OGC:CRS84")
    return gdf, when


def api_document(path: Path) -> tuple[gpd.GeoDataFrame, dt.date | None] | None:
    """A DeepStateMap API answer saved to a file, parsed; None for any other file."""
    if path.suffix.lower() not in (".json", ".geojson"):
        return None
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    text = head.lstrip()
    if not text.startswith(b"{") or b'"map"' not in head and b'"datetime"' not in head:
        return None
    data = path.read_bytes()
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if not (isinstance(doc, dict) and isinstance(doc.get("map"), dict)):
        return None
    return parse_api(data, str(path))


def versions(offline: bool = False) -> list[dict]:
    """The published versions: ``id``, ``datetime``, ``description`` (English)."""
    from loc.sources.http import FetchError, get

    url = f"{base_url()}/api/history/public"
    d = get(url, offline=offline)
    try:
        items = json.loads(d.data)
    except ValueError as exc:
        raise FetchError(f"{url}: malformed JSON ({str(exc).splitlines()[0]})") from None
    if not isinstance(items, list):
        raise FetchError(f"{url}: expected a list of versions")
    return [{"id": i.get("id"), "datetime": i.get("datetime"),
             "description": i.get("descriptionEn", "")} for i in items if isinstance(i, dict)]


def fetch(date: str | dt.date | None = None, offline: bool = False):
    """Download DeepStateMap's map (the latest, or the last version on or before ``date``)
    as a :class:`loc.Snapshot`; the raw answer is kept in the download cache.

    Returns
    -------
    (Snapshot, Download)
    """
    from loc.snapshot import parse_date
    from loc.sources.http import FetchError, get

    if date is None:
        url = f"{base_url()}/api/history/last"
    else:
        when = parse_date(date)
        found = [v for v in versions(offline=offline) if v["datetime"]
                 and str(v["datetime"])[:10] <= when.isoformat()]
        if not found:
            raise FetchError(f"DeepStateMap has no version on or before {when.isoformat()}")
        best = max(found, key=lambda v: str(v["datetime"]))
        url = f"{base_url()}/api/history/{best['id']}/geojson"
    d = get(url, offline=offline)
    return snapshot_from_api(d.data, url, d.sha256), d


def snapshot_from_api(data: bytes, origin: str, sha256: str | None = None):
    """A :class:`loc.Snapshot` from an API answer's bytes."""
    from loc.snapshot import from_geometries

    gdf, when = parse_api(data, origin)
    sides = gdf["name"].map(side_of_name)
    # liberated ("ua") polygons are informative only: the ua side is the land minus the rest
    geoms = {s: shapely.union_all(gdf.geometry[sides == s].values)
             for s in ("ru", "contested") if (sides == s).any()}
    return from_geometries(geoms.get("ru", shapely.MultiPolygon()), geoms.get("contested"),
                           geoms.get("ua"), date=when, source="deepstate", license=LICENSE,
                           path=origin, sha256=sha256)

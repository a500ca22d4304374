"""DeepStateMap: its API's documents, its layer names, and which side each named polygon
belongs to (pure functions: no network, no files; :mod:`loc.io.fetch` downloads).

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
import warnings

import geopandas as gpd
import shapely

from loc.dates import FIRST_YEAR, LAST_YEAR, latest_on_or_before
from loc.errors import FetchError, LocWarning
from loc.safejson import loads

LICENSE = "DeepStateMap: no open licence stated; loc does not redistribute it"
ARCHIVE_PREFIX = "deepstatemap_data_"
"""File names of the ``cyterat/deepstate-map-data`` archive start with this."""

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
_FIRST_ID = int(dt.datetime(FIRST_YEAR, 1, 1, tzinfo=dt.timezone.utc).timestamp())
_LAST_ID = int(dt.datetime(LAST_YEAR, 12, 31, tzinfo=dt.timezone.utc).timestamp())


def _clean(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).strip()


def side_of_name(name: object) -> str | None:
    """Side (``ru``, ``ua``, ``contested``) of a DeepStateMap layer name, or None.

    None means a layer that is not a control area of Ukraine (unit icons, polygons outside
    Ukraine such as Transnistria, unknown layers).

    Parameters
    ----------
    name : object
        A feature's ``name`` property.

    Returns
    -------
    str or None
        The side.

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
    """True when most non-empty names use DeepStateMap's ``a///b///c`` form.

    Parameters
    ----------
    names : iterable
        Feature names.

    Returns
    -------
    bool
        Whether the file uses DeepStateMap's names.
    """
    values = [n for n in names if isinstance(n, str) and n]
    return bool(values) and sum("///" in n for n in values) >= 0.5 * len(values)


def version_date(version_id: object) -> dt.date | None:
    """The UTC date of a version id (a Unix time in seconds), or None if it is not one.

    Parameters
    ----------
    version_id : object
        An ``id`` from the API.

    Returns
    -------
    datetime.date or None
        The date, for a whole number of seconds between 1991 and 2100.

    Examples
    --------
    >>> version_date(1757030400)
    datetime.date(2025, 9, 5)
    >>> version_date(1e308) is None
    True
    """
    if isinstance(version_id, bool) or not isinstance(version_id, (int, float)):
        return None
    if version_id != version_id or not _FIRST_ID <= version_id <= _LAST_ID:
        return None
    if int(version_id) != version_id:
        return None
    return dt.datetime.fromtimestamp(int(version_id), tz=dt.timezone.utc).date()


def _stamp_date(stamp: object) -> dt.date | None:
    if not isinstance(stamp, str):
        return None
    try:
        day = dt.datetime.fromisoformat(stamp.strip().replace("Z", "+00:00")).date()
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def parse_api(data: bytes | str, origin: str) -> tuple[gpd.GeoDataFrame, dt.date | None]:
    """Features and date of an API answer (``{"id", "datetime", "map"}``).

    Parameters
    ----------
    data : bytes or str
        The answer.
    origin : str
        Where it came from (URL or file), for messages.

    Returns
    -------
    (geopandas.GeoDataFrame, datetime.date or None)
        ``name`` and geometry (lon/lat, as given) of each feature with a geometry, and the
        date (``datetime``, else the ``id`` as a Unix time).

    Raises
    ------
    FetchError
        One line naming ``origin`` when the JSON is malformed, too deep or too large, or not
        of that shape. Features that are not objects, or whose geometry GEOS cannot read,
        are skipped with a :class:`LocWarning` saying how many.
    """
    try:
        doc = loads(data, origin)
    except Exception as exc:  # LimitError or InputError: one line, as a fetch error
        raise FetchError(str(exc)) from None
    fc = doc.get("map") if isinstance(doc, dict) else None
    if not isinstance(fc, dict) or not isinstance(fc.get("features"), list):
        raise FetchError(f"{origin}: not a DeepStateMap answer (no 'map' FeatureCollection)")
    names, geoms, skipped = [], [], 0
    for feat in fc["features"]:
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        if not isinstance(geom, dict):
            skipped += not isinstance(feat, dict) or geom is not None
            continue
        try:
            g = shapely.force_2d(shapely.from_geojson(json.dumps(geom)))
        except (shapely.errors.GEOSException, ValueError, TypeError):
            skipped += 1
            continue
        props = feat.get("properties")
        name = props.get("name") if isinstance(props, dict) else None
        names.append(name if isinstance(name, str) else "")
        geoms.append(g)
    if skipped:
        warnings.warn(f"{origin}: skipped {skipped} feature(s) that are not GeoJSON features "
                      "with a readable geometry", LocWarning, stacklevel=2)
    when = _stamp_date(doc.get("datetime")) or _stamp_date(doc.get("createdAt"))
    if when is None:
        when = version_date(doc.get("id"))
    gdf = gpd.GeoDataFrame({"name": names}, geometry=geoms, crs="OGC:CRS84")
    return gdf, when


def is_api_document(doc: object) -> bool:
    """Whether a parsed JSON document is an API answer (has a ``map`` object).

    Parameters
    ----------
    doc : object
        Parsed JSON.

    Returns
    -------
    bool
        True for ``{"map": {...}, ...}``.
    """
    return isinstance(doc, dict) and isinstance(doc.get("map"), dict)


def last_url(base: str) -> str:
    """URL of the latest map.

    Parameters
    ----------
    base : str
        The site's base URL.

    Returns
    -------
    str
        ``{base}/api/history/last``.
    """
    return f"{base}/api/history/last"


def versions_url(base: str) -> str:
    """URL of the list of published versions.

    Parameters
    ----------
    base : str
        The site's base URL.

    Returns
    -------
    str
        ``{base}/api/history/public``.
    """
    return f"{base}/api/history/public"


def version_url(base: str, version_id: object) -> str:
    """URL of one version's map; the id is checked first (it comes from the server).

    Parameters
    ----------
    base : str
        The site's base URL.
    version_id : object
        The version's ``id``: a Unix time in seconds.

    Returns
    -------
    str
        ``{base}/api/history/{id}/geojson``.

    Raises
    ------
    FetchError
        When the id is not a whole number of seconds between 1991 and 2100.
    """
    if version_date(version_id) is None:
        raise FetchError(f"{base}: the server gave a version id {str(version_id)[:40]!r}, "
                         "which is not a Unix time; refusing to build a URL from it")
    return f"{base}/api/history/{int(version_id)}/geojson"  # type: ignore[call-overload]


def parse_versions(data: bytes, origin: str) -> list[dict]:
    """The published versions of a ``/api/history/public`` answer, oldest first.

    Parameters
    ----------
    data : bytes
        The answer.
    origin : str
        Its URL, for messages.

    Returns
    -------
    list of dict
        ``id``, ``date`` (datetime.date), ``datetime`` (text), ``description`` (English) of
        every entry with a valid id and date.

    Raises
    ------
    FetchError
        When the answer is not a JSON list.
    """
    try:
        items = loads(data, origin)
    except Exception as exc:  # LimitError or InputError
        raise FetchError(str(exc)) from None
    if not isinstance(items, list):
        raise FetchError(f"{origin}: expected a list of versions")
    out = []
    for i in items:
        if not isinstance(i, dict) or version_date(i.get("id")) is None:
            continue
        day = _stamp_date(i.get("datetime")) or version_date(i.get("id"))
        text = i.get("descriptionEn")
        out.append({"id": int(i["id"]), "date": day, "datetime": str(i.get("datetime", "")),
                    "description": text if isinstance(text, str) else ""})
    return sorted(out, key=lambda v: (v["date"], v["id"]))


def pick_version(versions: list[dict], when: dt.date) -> dict:
    """The last version on or before a date.

    Parameters
    ----------
    versions : list of dict
        From :func:`parse_versions` (oldest first).
    when : datetime.date
        The date.

    Returns
    -------
    dict
        The version.

    Raises
    ------
    FetchError
        When every version is later.
    """
    i = latest_on_or_before([v["date"] for v in versions], when)
    if i is None:
        raise FetchError(f"DeepStateMap has no version on or before {when.isoformat()}"
                         + (f" (the first is of {versions[0]['date']})" if versions else ""))
    return versions[i]

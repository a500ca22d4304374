"""DeepStateMap layers: which side each named polygon layer belongs to.

DeepStateMap names each feature ``"<Ukrainian>///<English>///<Russian or i18n key>"``. The
key (``geoJSON.status.occupied``) is matched when there is one, else the English name.
"""

from __future__ import annotations

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

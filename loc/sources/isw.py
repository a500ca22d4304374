"""ISW / Critical Threats control layers (shared as KML/KMZ exports or GeoJSON from their
ArcGIS services): which side each layer belongs to.

ISW's words: *assessed control* is confirmed control; *assessed advances* are areas where
forces operated or attacked without controlling them; *claimed* is neither confirmed nor
refuted. loc's default reading: control -> ``ru``; advances and infiltration -> ``contested``;
claimed, partisan and counteroffensive layers are kept out of the sides (they are not control).
ISW's terms forbid redistribution without consent: loc reads what a user has.
"""

from __future__ import annotations

import re

LICENSE = "ISW/CTP: redistribution only with ISW's consent"

DEFAULT_MAPPING: tuple[tuple[str, str | None], ...] = (
    (r"claimed", None),
    (r"partisan", None),
    (r"counteroffensive", None),
    (r"infiltration", "contested"),
    (r"advance", "contested"),
    (r"ukrain\w* control", "ua"),
    (r"russian\w*[ -]control|control\w* by russia|occupied", "ru"),
)


def parse_mapping(items) -> tuple[tuple[str, str | None], ...]:
    """A layer-name mapping from ``PATTERN=SIDE`` texts.

    Parameters
    ----------
    items : iterable of str
        ``PATTERN=SIDE`` (side ``ru``, ``ua``, ``contested`` or ``none``); patterns are
        case-insensitive regular expressions matched anywhere in the name.

    Returns
    -------
    tuple of (str, str or None)
        The mapping, first match wins (side None drops the layer).
    """
    from loc.errors import OptionError

    out = []
    for item in items:
        pattern, sep, side = str(item).rpartition("=")
        side = side.strip().lower()
        if not sep or not pattern or side not in ("ru", "ua", "contested", "none"):
            raise OptionError(f"layer mapping '{item}' is not PATTERN=ru|ua|contested|none")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise OptionError(f"layer mapping '{item}': bad pattern ({exc})") from None
        out.append((pattern, None if side == "none" else side))
    return tuple(out)


def side_of_layer(name: object, mapping=DEFAULT_MAPPING) -> str | None:
    """The side of a layer or placemark name, or None (not a control layer).

    Parameters
    ----------
    name : object
        A layer or placemark name.
    mapping : tuple of (str, str or None)
        Patterns and sides (default :data:`DEFAULT_MAPPING`).

    Returns
    -------
    str or None
        ``ru``, ``ua``, ``contested``, or None.

    Examples
    --------
    >>> side_of_layer("Assessed Russian Control")
    'ru'
    >>> side_of_layer("Assessed Russian Advances in Ukraine")
    'contested'
    >>> side_of_layer("Claimed Russian Territory in Ukraine") is None
    True
    """
    if not isinstance(name, str):
        return None
    for pattern, side in mapping:
        if re.search(pattern, name, flags=re.IGNORECASE):
            return side
    return None


def matches_any(names, mapping=DEFAULT_MAPPING) -> bool:
    """Whether some name matches a mapping pattern (the file uses such layers).

    Parameters
    ----------
    names : iterable
        Layer or placemark names.
    mapping : tuple of (str, str or None)
        Patterns and sides.

    Returns
    -------
    bool
        True when one name matches.
    """
    return any(isinstance(n, str) and any(re.search(p, n, flags=re.IGNORECASE)
                                          for p, _ in mapping) for n in names)

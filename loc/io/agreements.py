"""Withdrawal belts of an agreement: presets (``minsk2``, ``minsk-memorandum``) or a
TOML/JSON file of weapon classes with their distances from the line."""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from loc.errors import InputError
from loc.reference.bundled import data_path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PRESETS = {"minsk2": "minsk2.toml", "minsk-memorandum": "minsk-memorandum.toml"}
"""Belt presets shipped in ``data/agreements/``."""
MAX_KM = 500.0


@dataclass(frozen=True)
class Agreement:
    """Withdrawal distances per weapon class and side (km), with the text's source.

    Attributes
    ----------
    name : str
        The agreement's name.
    source : str
        The text it follows.
    classes : dict
        ``{class id: {"label": str, "ru": km, "ua": km}}``.
    """

    name: str
    source: str
    classes: dict[str, dict]


def load_agreement(spec: str | Path) -> Agreement:
    """An agreement's belts from a preset name (``minsk2``, ``minsk-memorandum``) or a
    TOML/JSON file.

    The file holds ``name``, ``source`` and ``[classes.<id>]`` tables with ``label``, ``ru``
    and ``ua`` distances in km (0 to 500).

    Parameters
    ----------
    spec : str or Path
        A preset name or a file.

    Returns
    -------
    Agreement
        The weapon classes and distances.

    Raises
    ------
    LocError
        One line naming the file and what is wrong.

    Examples
    --------
    >>> sorted(load_agreement("minsk2").classes)
    ['artillery_100mm', 'heavy_mlrs_tactical_missiles', 'mlrs']
    """
    if not isinstance(spec, (str, Path)):
        raise TypeError(f"an agreement is a preset name or a file, not {type(spec).__name__}")
    if str(spec) in PRESETS:
        path = data_path("agreements") / PRESETS[str(spec)]
    else:
        path = Path(spec)
        if not path.is_file():
            raise InputError("no such agreement file or preset (presets: "
                             + ", ".join(PRESETS) + ")", path)
    try:
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError(f"not a valid agreement file: {str(exc).splitlines()[0][:200]}",
                         path) from None
    classes = doc.get("classes") if isinstance(doc, dict) else None
    if not isinstance(classes, dict) or not classes:
        raise InputError("agreement has no [classes.<name>] with ru and ua distances in km",
                         path)
    out = {}
    for key, table in classes.items():
        if not isinstance(table, dict):
            raise InputError(f"class '{key}' must be a table with ru and ua distances", path)
        dist = {}
        for side in ("ru", "ua"):
            value = table.get(side, 0.0)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InputError(f"class '{key}': ru and ua must be numbers (km), not "
                                 f"{side} = {value!r:.40}", path)
            if not math.isfinite(value) or not 0 <= value <= MAX_KM:
                raise InputError(f"class '{key}': distances must be 0 to {MAX_KM:g} km, "
                                 f"not {side} = {value}", path)
            dist[side] = float(value)
        out[str(key)] = {"label": " ".join(str(table.get("label", key)).split()), **dist}
    return Agreement(name=str(doc.get("name", path.stem)), source=str(doc.get("source", "")),
                     classes=out)

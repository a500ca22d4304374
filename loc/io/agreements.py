"""Agreements as data.

Two kinds of file: *belts* (:func:`load_agreement`: presets ``minsk2`` and
``minsk-memorandum``, or a TOML/JSON file of weapon classes with their distances from the
line), and *agreements* (:func:`read_agreement`: a TOML file with the freeze, its zones and
the phases with their conditions, see the README's "Agreement files"). Reading checks every
key; a value that is missing, unknown or out of range is one :class:`~loc.errors.LocError`
line naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from loc import checks
from loc.dates import parse_date
from loc.errors import InputError, LocError, OptionError
from loc.io.inputs import read, tidy_path
from loc.io.store import split_reference
from loc.model import Snapshot
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
    return Agreement(name=str(doc.get("name", path.stem)), source=str(doc.get("source", "")),
                     classes=belt_classes(classes, "class", path))


def belt_classes(classes: dict, what: str, path: str | Path | None) -> dict[str, dict]:
    """Weapon classes of a belts table, checked: ``{id: {"label", "ru", "ua"}}`` with the
    distances in km (0 to 500, 0 when a side is not given).

    Parameters
    ----------
    classes : dict
        ``{class id: {"label": str, "ru": km, "ua": km}}`` as read from TOML or JSON.
    what : str
        How a class is named in messages (``class`` or the key path, e.g.
        ``zones.belts``).
    path : str or Path, optional
        The file, for messages.

    Returns
    -------
    dict
        ``{class id: {"label": str, "ru": float, "ua": float}}``.

    Raises
    ------
    InputError
        Naming the class and the value that is wrong, or two classes one name (id or
        label, case aside) would both mean.

    Examples
    --------
    >>> belt_classes({"mlrs": {"ru": 35, "ua": 35}}, "class", None)
    {'mlrs': {'label': 'mlrs', 'ru': 35.0, 'ua': 35.0}}
    """
    out: dict[str, dict] = {}
    for key, table in classes.items():
        if not isinstance(table, dict):
            raise InputError(f"{what} '{key}' must be a table with ru and ua distances", path)
        unknown = sorted(set(table) - {"label", "ru", "ua"})
        if unknown:
            raise InputError(f"{what} '{key}': unknown key '{unknown[0]}' (a class has label, "
                             "ru and ua)", path)
        dist = {}
        for side in ("ru", "ua"):
            value = table.get(side, 0.0)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InputError(f"{what} '{key}': ru and ua must be numbers (km), not "
                                 f"{side} = {value!r:.40}", path)
            if not math.isfinite(value) or not 0 <= value <= MAX_KM:
                raise InputError(f"{what} '{key}': distances must be 0 to {MAX_KM:g} km, "
                                 f"not {side} = {value}", path)
            dist[side] = float(value)
        out[str(key)] = {"label": " ".join(str(table.get("label", key)).split()), **dist}
    names: dict[str, str] = {}  # a class is named by its id or its label: each names one
    for key, cls in out.items():
        for name in {key.casefold(), str(cls["label"]).casefold()}:
            if name in names:
                raise InputError(f"{what} '{key}' and '{names[name]}' are both called "
                                 f"{name[:40]!r}: give each class its own id and label", path)
            names[name] = key
    return out


# -- agreement files ------------------------------------------------------------------------

CONDITION_KINDS = ("no_advance", "zone_clear", "withdrawn", "corridor_open", "crossing_open")
"""The kinds of condition a phase can hold."""
BUFFER = "buffer"
"""The zone name of the demilitarized buffer (``[zones] width_km``) in conditions."""
MAX_DAY = 36_525
"""The last day (100 years after entry into force) a phase may name."""
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MISSING = object()


@dataclass(frozen=True)
class Condition:
    """One verifiable condition of a phase.

    Attributes
    ----------
    kind : str
        One of :data:`CONDITION_KINDS`.
    params : dict
        Its checked parameters with defaults filled in: ``max_km2`` and ``max_depth_km``
        (``no_advance``; both 0 when neither is written, None for the one not written when
        the other is: a limit written alone is the only one); ``zone`` (``zone_clear``),
        ``weapon_class`` (``withdrawn``: the class id), ``corridor`` or ``crossing``,
        ``within_km`` (``corridor_open``, ``crossing_open``); ``classes`` (incident classes,
        empty for every armed incident) and ``max_incidents`` (every kind but
        ``no_advance``).
    """

    kind: str
    params: dict


@dataclass(frozen=True)
class Phase:
    """A phase: the days (counted from entry into force, day 0) its conditions hold.

    Attributes
    ----------
    name : str
        Its name.
    from_day : int
        First day.
    to_day : int or None
        Last day (inclusive); None: open-ended.
    conditions : tuple of Condition
        What must hold on every day of the phase.
    """

    name: str
    from_day: int
    to_day: int | None
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Terms:
    """An agreement read from its file: the freeze, its zones and its phases.

    Attributes
    ----------
    name, source : str
        The agreement's name and the text it follows.
    path : str
        The file, as given.
    in_force : datetime.date
        Day 0.
    freeze : str
        The frozen line's snapshot, a file or ``STORE.gpkg@DATE``; a relative path in the
        file is relative to the file's folder, and resolved here.
    freeze_sha256 : str or None
        The SHA-256 the freeze must have (a file's bytes, a store date's geometry).
    widths : dict or None
        The demilitarized buffer's depth per side (km), if the agreement has one.
    belts : Agreement or None
        The withdrawal belts per weapon class, if any.
    sites, corridors, crossings : tuple of dict
        ``{"name", "lat", "lon", "radius_km"}``, ``{"name", "coordinates", "width_km"}``
        and ``{"name", "lat", "lon"}``.
    phases : tuple of Phase
        In order of their first day.
    """

    name: str
    source: str
    path: str
    in_force: dt.date
    freeze: str
    freeze_sha256: str | None
    widths: dict | None
    belts: Agreement | None
    sites: tuple[dict, ...]
    corridors: tuple[dict, ...]
    crossings: tuple[dict, ...]
    phases: tuple[Phase, ...]

    def day(self, n: int) -> dt.date:
        """The date of day ``n`` (day 0 is the entry into force).

        Parameters
        ----------
        n : int
            Days after entry into force.

        Returns
        -------
        datetime.date
            The date.
        """
        return self.in_force + dt.timedelta(days=n)


class _Table:
    """One table of the file being read: each key read once, unknown keys refused, every
    problem one line naming the key (``phases[2].conditions[1].kind``)."""

    def __init__(self, doc, where: str, path: str) -> None:
        if not isinstance(doc, dict):
            raise OptionError(f"{where}: must be a table, not {type(doc).__name__}", path)
        self.doc, self.where, self.path = doc, where, path
        self.used: set[str] = set()

    def name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, message: str) -> LocError:
        return OptionError(f"{self.name(key)}: {message}", self.path)

    def get(self, key: str, default=_MISSING, hint: str = ""):
        self.used.add(key)
        if key in self.doc:
            return self.doc[key]
        if default is _MISSING:
            raise self.fail(key, "missing" + (f"; {hint}" if hint else ""))
        return default

    def text(self, key: str, default=_MISSING, hint: str = "") -> str:
        value = self.get(key, default, hint)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"must be text, not {value!r:.40}")
        text = " ".join(value.split())
        if len(text) > 200:
            raise self.fail(key, f"is {len(text)} characters long; at most 200")
        return text

    def number(self, key: str, default=_MISSING, *, lo: float = 0.0, hi: float = MAX_KM,
               lo_open: bool = False) -> float:
        value = self.get(key, default)
        try:
            return checks.number(value, self.name(key), lo=lo, hi=hi, lo_open=lo_open)
        except (TypeError, OptionError) as exc:
            raise OptionError(str(exc), self.path) from None

    def integer(self, key: str, default=_MISSING, *, lo: int = 0, hi: int = MAX_DAY):
        value = self.get(key, default)
        if value is None and default is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"must be a whole number, not {value!r:.40}")
        if not lo <= value <= hi:
            raise self.fail(key, f"must be {lo} to {hi}, not {value}")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                                  for v in value):
            raise self.fail(key, f"must be a list of text, not {value!r:.60}")
        return tuple(" ".join(v.split()) for v in value)

    def tables(self, key: str) -> list:
        value = self.get(key, [])
        if not isinstance(value, list):
            raise self.fail(key, f"must be an array of tables ([[{self.name(key)}]])")
        return value

    def done(self) -> None:
        unknown = sorted(set(self.doc) - self.used)
        if unknown:
            known = ", ".join(sorted(self.used))
            raise self.fail(unknown[0], f"unknown key (expected {known})")


def _resolve(ref: str, folder: str) -> str:
    """A path or ``STORE.gpkg@DATE`` of the file, relative to its folder."""
    store = split_reference(ref)
    head, tail = (str(store[0]), "@" + store[1]) if store else (ref, "")
    if os.path.isabs(head):
        return ref
    return tidy_path(os.path.join(folder, head)) + tail  # ".." kept: through a link, the OS's


def _widths(t: _Table) -> dict | None:
    value = t.get("width_km", None)
    if value is None:
        return None
    if isinstance(value, dict):
        w = _Table(value, t.name("width_km"), t.path)
        out = {side: w.number(side, 0.0) for side in ("ru", "ua")}
        w.done()
        if not any(out.values()):
            raise t.fail("width_km", "every width is 0: give one side more than 0 km")
        return out
    width = t.number("width_km", lo_open=True)
    return {"ru": width, "ua": width}


def _belts(t: _Table, name: str) -> Agreement | None:
    value = t.get("belts", None)
    if value is None:
        return None
    if isinstance(value, str):
        if value not in PRESETS:
            raise t.fail("belts", f"unknown preset '{value[:40]}'; use "
                         + ", ".join(PRESETS) + " or a table per weapon class")
        return load_agreement(value)
    if not isinstance(value, dict) or not value:
        raise t.fail("belts", "must be a preset name or a table per weapon class "
                     "({ mlrs = { label = ..., ru = 35, ua = 35 } })")
    return Agreement(name=name, source="", classes=belt_classes(value, t.name("belts"),
                                                                t.path))


def _places(doc: _Table, key: str, fields: tuple[str, ...]) -> tuple[dict, ...]:
    out = []
    for i, raw in enumerate(doc.tables(key), 1):
        t = _Table(raw, f"{key}[{i}]", doc.path)
        rec: dict = {"name": t.text("name")}
        if "lat" in fields:
            rec["lat"] = t.number("lat", lo=-90, hi=90)
            rec["lon"] = t.number("lon", lo=-180, hi=180)
        if "radius_km" in fields:
            rec["radius_km"] = t.number("radius_km", lo_open=True)
        if "coordinates" in fields:
            coords = t.get("coordinates")
            try:
                xy = [(checks.number(x, "lon", lo=-180, hi=180),
                       checks.number(y, "lat", lo=-90, hi=90)) for x, y in coords]
            except (TypeError, ValueError, LocError):
                raise t.fail("coordinates", "must be [[lon, lat], ...] with finite degrees"
                             ) from None
            if len(xy) < 2:
                raise t.fail("coordinates", "needs two or more [lon, lat] positions")
            rec["coordinates"] = [list(p) for p in xy]
            rec["width_km"] = t.number("width_km", lo_open=True)
        t.done()
        out.append(rec)
    return tuple(out)


def _condition(t: _Table, zones: dict[str, str], belts: Agreement | None,
               widths: dict | None) -> Condition:
    kind = t.get("kind")
    if not isinstance(kind, str) or kind not in CONDITION_KINDS:
        raise t.fail("kind", f"unknown condition kind {str(kind)[:40]!r}; use "
                     + ", ".join(CONDITION_KINDS))
    params: dict = {}
    if kind == "no_advance":
        # a limit written alone is the only criterion: with max_km2 = 10 and no depth, a
        # breach of 0.03 km² is tolerated, however deep (a depth of 0 would count them all)
        written = {key: t.get(key, None) is not None for key in ("max_km2", "max_depth_km")}
        for key, hi in (("max_km2", 1e6), ("max_depth_km", MAX_KM)):
            params[key] = (t.number(key, hi=hi) if written[key]
                           else None if any(written.values()) else 0.0)
    elif kind == "zone_clear":
        zone = t.text("zone", hint="buffer or a site or corridor name")
        if zone == BUFFER:
            if widths is None:
                raise t.fail("zone", "'buffer' needs [zones] width_km")
        elif zones.get(zone) not in ("site", "corridor"):
            known = [BUFFER] * (widths is not None) + sorted(
                n for n, k in zones.items() if k in ("site", "corridor"))
            raise t.fail("zone", f"unknown zone {zone[:40]!r}; the agreement has "
                         + (", ".join(known) or "no zones"))
        params["zone"] = zone
    elif kind == "withdrawn":
        wanted = t.text("weapon_class")
        if belts is None:
            raise t.fail("weapon_class", "needs [zones] belts")
        found = [k for k, c in belts.classes.items()
                 if wanted.casefold() in (k.casefold(), c["label"].casefold())]
        if not found:
            raise t.fail("weapon_class", f"unknown weapon class {wanted[:40]!r}; the belts "
                         "have " + ", ".join(belts.classes))
        params["weapon_class"] = found[0]
    else:
        what = "corridor" if kind == "corridor_open" else "crossing"
        name = t.text(what)
        if zones.get(name) != what:
            known = sorted(n for n, k in zones.items() if k == what)
            raise t.fail(what, f"unknown {what} {name[:40]!r}; the agreement has "
                         + (", ".join(known) or f"no [[{what}s]]"))
        params[what] = name
        params["within_km"] = (t.number("within_km", 0.0) if what == "corridor"
                               else t.number("within_km", lo_open=True))
    if kind != "no_advance":
        if kind != "withdrawn":
            params["classes"] = list(t.texts("classes"))
        params["max_incidents"] = t.integer("max_incidents", 0, hi=10**9)
    t.done()
    return Condition(kind=kind, params=params)


def read_agreement(path: str | Path) -> Terms:
    """An agreement from its TOML file: the freeze, zones, sites, corridors, crossings and
    phases with their conditions (schema in the README, "Agreement files").

    Every key is checked: a missing, unknown or out-of-range value, a condition of an
    unknown kind, a zone, corridor, crossing or weapon class the agreement does not define,
    phases out of order or a phase ending before it starts is one line naming the key. The
    freeze is not read here (see :func:`read_freeze`).

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    Terms
        The agreement.

    Raises
    ------
    LocError
        One line naming the file and the key.

    Examples
    --------
    >>> terms = read_agreement(data_path("agreements/minsk2-2025.toml"))
    >>> [p.name for p in terms.phases]
    ['Ceasefire', 'Monitoring and humanitarian access', 'Heavy weapons withdrawn']
    """
    if not isinstance(path, (str, Path)):
        raise TypeError(f"an agreement is a file path, not {type(path).__name__}")
    where = str(path)
    p = Path(path)
    if not p.is_file():
        raise InputError("no such agreement file", where)
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError(f"not a valid TOML file: {str(exc).splitlines()[0][:200]}",
                         where) from None
    top = _Table(doc, "", where)
    head = _Table(top.get("agreement", hint="an agreement file starts with [agreement]"),
                  "agreement", where)
    name = head.text("name")
    source = head.text("source", "")
    when = head.get("in_force", hint="the date of day 0, e.g. in_force = 2025-01-08")
    if not isinstance(when, (str, dt.date)) or isinstance(when, dt.datetime):
        raise head.fail("in_force", f"must be a date (YYYY-MM-DD), not {when!r:.40}")
    try:
        in_force = parse_date(when)
    except LocError as exc:
        raise head.fail("in_force", str(exc)) from None
    raw = head.text("freeze", hint="the frozen line's snapshot: a file or STORE.gpkg@DATE")
    sha = head.get("freeze_sha256", None)
    if sha is not None and (not isinstance(sha, str) or not _SHA256.fullmatch(sha.lower())):
        raise head.fail("freeze_sha256", "must be 64 hex digits (the SHA-256 of the freeze)")
    head.done()
    zt = _Table(top.get("zones", {}), "zones", where)
    widths, belts = _widths(zt), _belts(zt, name)
    zt.done()
    sites = _places(top, "sites", ("lat", "radius_km"))
    corridors = _places(top, "corridors", ("coordinates",))
    crossings = _places(top, "crossings", ("lat",))
    zones: dict[str, str] = {}
    for kind, places in (("site", sites), ("corridor", corridors), ("crossing", crossings)):
        for i, rec in enumerate(places, 1):
            if rec["name"] == BUFFER or rec["name"] in zones:
                raise OptionError(f"{kind}s[{i}].name: {rec['name']!r} is taken (by "
                                  f"{zones.get(rec['name'], 'the buffer')}): give every "
                                  "zone its own name", where)
            zones[rec["name"]] = kind
    phases: list[Phase] = []
    raw_phases = top.tables("phases")
    if not raw_phases:
        raise top.fail("phases", "missing; an agreement needs at least one [[phases]]")
    for i, raw_phase in enumerate(raw_phases, 1):
        t = _Table(raw_phase, f"phases[{i}]", where)
        pname = t.text("name")
        if any(pname == q.name for q in phases):
            raise t.fail("name", f"{pname!r} names two phases: give each its own name")
        start = t.integer("from_day")
        end = t.integer("to_day", None)
        if end is not None and end < start:
            raise t.fail("to_day", f"{end} is before from_day {start}")
        if phases and start < phases[-1].from_day:
            raise t.fail("from_day", f"{start} is before the previous phase's from_day "
                         f"{phases[-1].from_day}: list phases in order")
        raw_conditions = t.tables("conditions")
        if not raw_conditions:
            raise t.fail("conditions", "missing; a phase needs at least one "
                         "[[phases.conditions]]")
        conditions = tuple(
            _condition(_Table(c, f"phases[{i}].conditions[{j}]", where), zones, belts,
                       widths) for j, c in enumerate(raw_conditions, 1))
        t.done()
        phases.append(Phase(pname, start, end, conditions))
    top.done()
    return Terms(name=name, source=source, path=where, in_force=in_force,
                 freeze=_resolve(raw, str(p.parent)),
                 freeze_sha256=sha.lower() if sha else None, widths=widths, belts=belts,
                 sites=sites, corridors=corridors, crossings=crossings, phases=tuple(phases))


def read_freeze(terms: Terms) -> Snapshot:
    """The frozen line's snapshot of an agreement, checked against ``freeze_sha256``.

    Parameters
    ----------
    terms : Terms
        The agreement.

    Returns
    -------
    Snapshot
        The freeze, as read.

    Raises
    ------
    LocError
        One line naming ``agreement.freeze`` when it cannot be read or is dated after the
        entry into force, or ``agreement.freeze_sha256`` when its SHA-256 differs (the
        freeze is then refused).
    """
    try:
        snap = read(terms.freeze)
    except LocError as exc:
        raise InputError(f"agreement.freeze: {exc}", terms.path) from None
    # a file's bytes, or for a store's date the file it was imported from (or its geometry)
    pinned_to = {snap.sha256, snap.meta.get("file_sha256")} - {None, ""}
    if terms.freeze_sha256 and terms.freeze_sha256 not in pinned_to:
        raise OptionError(f"agreement.freeze_sha256: {terms.freeze} has sha256 "
                          f"{str(snap.sha256)[:12]}…, not {terms.freeze_sha256[:12]}… as the "
                          "agreement pins: refused", terms.path)
    if snap.date is not None and snap.date > terms.in_force:
        raise OptionError(f"agreement.freeze: {terms.freeze} is of {snap.label}, after "
                          f"in_force {terms.in_force}: a freeze cannot postdate day 0",
                          terms.path)
    return snap

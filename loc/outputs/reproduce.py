"""Reproduce a report or a map from its manifest: the same inputs (found by their recorded
paths and checked by SHA-256), the recorded arguments or options and loc version, run again
into a scratch folder and compared byte for byte with every file of the report
(:func:`reproduce`) or with the map's page (:func:`rerender`).

Paths are recorded relative to the working folder (:func:`loc.io.inputs.tidy_path`), so run it
from a folder laid out as the one the report was made in.
Only reports that record their command can be re-run (``loc verify`` reports), and only maps
``loc render`` made can be rendered again (not the maps of ``loc check`` reports, nor maps
with zones or layers given from Python).
"""

from __future__ import annotations

import numbers
import tempfile
from pathlib import Path

from loc import __version__
from loc.errors import InputError, LocError
from loc.outputs.signatures import check_signatures
from loc.outputs.verification import ARGUMENTS, COMMAND, run_verify
from loc.outputs.versions import (
    check_input,
    extra_files,
    input_location,
    load_manifest,
    manifest_path,
)

Result = tuple[str, bool, str]


def _compare(original: Path, fresh: Path, names: list[str]) -> list[Result]:
    out = []
    for name in names:
        a, b = original / name, fresh / name
        if not a.is_file():
            out.append((str(a), False, "missing from the report"))
        elif not b.is_file():
            out.append((str(a), False, "not made by the re-run"))
        elif a.read_bytes() != b.read_bytes():
            out.append((str(a), False, "differs from the re-run's bytes"))
        else:
            out.append((str(a), True, "byte-identical"))
    return out


def _input_changes(recorded: list[dict], fresh: list[dict]) -> list[Result]:
    old = {str(r.get("path")): r for r in recorded}
    new = {str(r.get("path")): r for r in fresh}
    out = [(p, False, "read by the re-run but not in the manifest (a new input?)")
           for p in new if p not in old]
    out += [(p, False, "in the manifest but not read by the re-run") for p in old
            if p not in new]
    return out


def _as_recorded(arguments: dict) -> bool:
    """Whether the arguments have the types :func:`run_verify` records (an edited manifest
    may hold anything)."""
    cover = arguments["incidents_cover"]
    return (all(isinstance(arguments[k], str) for k in ("agreement", "snapshots"))
            and all(arguments[k] is None or isinstance(arguments[k], str)
                    for k in ("incidents", "as_of"))
            and (cover is None or isinstance(cover, list) and len(cover) == 2
                 and all(isinstance(d, str) for d in cover)))


def reproduce(path: str | Path, trusted: list[str | Path] | None = None) -> list[Result]:
    """Re-run a report from its manifest and compare every output byte for byte.

    Parameters
    ----------
    path : str or Path
        The report's folder or ``manifest.json``.
    trusted : list of path, optional
        The parties' public keys, for the signatures (see
        :func:`loc.outputs.signatures.check_signatures`).

    Returns
    -------
    list of (str, bool, str)
        One ``(what, ok, detail)`` per check: the loc version, the inputs (every missing or
        changed one named; the matching ones in one line), every file of the report, and
        every signature. The report is re-run only when the version and every input match.

    Raises
    ------
    LocError
        When there is no manifest, or it records no command loc can re-run.
    """
    found = manifest_path(path)
    doc = load_manifest(found)
    arguments = doc.get("arguments")
    if doc.get("command") != COMMAND or not isinstance(arguments, dict) \
            or set(arguments) != set(ARGUMENTS) or not isinstance(doc.get("files"), dict) \
            or not _as_recorded(arguments):
        raise InputError("records no command loc can re-run (only loc verify reports can be "
                         "reproduced; check the others with loc maps verify)", found)
    results: list[Result] = []
    signatures = check_signatures(found, trusted)
    made_with = str(doc.get("loc_version"))
    if made_with != __version__:
        results.append((str(found), False, f"made with loc {made_with[:20]}, this is loc "
                        f"{__version__}: install loc {made_with[:20]} to reproduce it"))
        return results + signatures
    checks = [check_input(rec, found) for rec in doc["inputs"]]
    bad = [r for r in checks if not r[1]]
    if bad:
        return results + bad + [(str(found), False, "not re-run: an input is missing or "
                                 "changed")] + signatures
    results.append((str(found), True, f"{len(checks)} inputs found, every sha256 matches"))
    with tempfile.TemporaryDirectory(prefix="loc-reproduce-") as tmp:
        try:
            _, _, folder, _ = run_verify(arguments, tmp)
        except LocError as exc:
            return results + [(str(found), False, f"the re-run failed: {exc}")] + signatures
        assert folder is not None
        fresh = load_manifest(folder)
        changes = _input_changes(doc["inputs"], fresh["inputs"])
        results += changes
        names = sorted({*doc["files"], *fresh["files"]}) + ["manifest.json"]
        results += _compare(found.parent, folder, names)
        extra = extra_files(found.parent, doc["files"])
        if extra:
            results.append((str(found.parent), False, "files not in the manifest: "
                            + ", ".join(extra)))
        same = fresh["id"] == doc.get("id")
        why = ("" if same else f", not {doc.get('id')}: " + (
            "the re-run read other inputs than the manifest records (named above)" if changes
            else "with every input the same, it was changed since or made by another build "
            "of this version"))
        results.append((str(found), same, f"re-run with loc {__version__} gives report "
                        f"{fresh['id']}{why}"))
    return results + signatures


RENDERED = ("compare", "line", "settlements", "tiles", "freeze", "zones")
"""The options :func:`loc.outputs.render.render` records itself; the others in a map's
manifest are the arguments ``loc render`` passes it (:data:`RENDER_ARGUMENTS`)."""
RENDER_ARGUMENTS = ("date", "since", "until", "every", "assign", "width_km")
"""The arguments ``loc render`` records in a map's manifest."""


def _render_recorded(doc: dict) -> bool:
    """Whether a map manifest records a ``loc render`` with the types it writes (an edited
    manifest may hold anything)."""
    opts = doc.get("options")
    if not isinstance(opts, dict) or set(opts) != {*RENDERED, *RENDER_ARGUMENTS}:
        return False
    width = opts["width_km"]
    return (doc.get("kind") in ("single", "slider", "compare", "freeze")
            and isinstance(doc.get("title"), str) and isinstance(doc.get("name"), str)
            and all(isinstance(opts[k], bool) for k in ("compare", "line", "settlements"))
            and opts["tiles"] in (None, "osm") and isinstance(opts["zones"], int)
            and (opts["freeze"] is None or isinstance(opts["freeze"], dict))
            and isinstance(opts["assign"], list)
            and all(isinstance(a, str) and "=" in a for a in opts["assign"])
            and (width is None or isinstance(width, numbers.Real)
                 and not isinstance(width, bool))
            and not (opts["zones"] and width is None)  # zones given from Python
            and (not opts["compare"] or len(doc["inputs"]) == 2))


def rerender(path: str | Path) -> list[Result]:
    """Render a map version again from what its manifest records (its inputs, read again
    from their files, title, name and options) into a scratch folder and compare the page
    byte for byte: this, not the version id (a plain hash anyone can recompute), shows that
    the page is what loc makes of those inputs.

    Parameters
    ----------
    path : str or Path
        A map version's ``.html`` or ``.json``.

    Returns
    -------
    list of (str, bool, str)
        One ``(what, ok, detail)`` per check: every missing or changed input (the map is
        then not rendered again), or the page compared with the one rendered again.

    Raises
    ------
    LocError
        When there is no manifest, it is a report's (:func:`reproduce` re-runs those), or
        it records no render loc can repeat.
    """
    from loc.analysis.freeze import freeze
    from loc.analysis.zones import buffer_zone
    from loc.io.inputs import read
    from loc.outputs.render import render

    found = manifest_path(path)
    doc = load_manifest(found)
    if not isinstance(doc.get("html"), dict):
        raise InputError("a report, not a map: loc reproduce re-runs it", found)
    if not _render_recorded(doc):
        raise InputError("records no render loc can repeat (only maps made by loc render "
                         "can be rendered again; check the others with loc maps verify and "
                         "the parties' signatures)", found)
    made_with = str(doc.get("loc_version"))
    if made_with != __version__:
        return [(str(found), False, f"made with loc {made_with[:20]}, this is loc "
                 f"{__version__}: install loc {made_with[:20]} to render it again")]
    bad = [r for r in (check_input(rec, found) for rec in doc["inputs"]) if not r[1]]
    if bad:
        return bad + [(str(found), False, "not rendered again: an input is missing or "
                       "changed")]
    opts = doc["options"]
    page = found.parent / f"{doc['id']}.html"
    with tempfile.TemporaryDirectory(prefix="loc-rerender-") as tmp:
        try:
            snaps = [read(input_location(rec, found)) for rec in doc["inputs"]]
            frozen = None
            if opts["freeze"] is not None:  # as loc render: --freeze, --assign NAME=SIDE
                pairs = (a.rpartition("=") for a in opts["assign"])
                frozen = freeze(snaps[-1], assign={n.strip(): s for n, _, s in pairs})
            zones = None
            if opts["width_km"] is not None:
                zones = buffer_zone(frozen if frozen is not None else snaps[-1],
                                    width_km=opts["width_km"])
            m = render(None if opts["compare"] else snaps,
                       compare=tuple(snaps) if opts["compare"] else None, freeze=frozen,
                       zones=zones, line=opts["line"], settlements=opts["settlements"],
                       tiles=opts["tiles"], title=doc["title"], name=doc["name"], out=tmp,
                       options={k: opts[k] for k in RENDER_ARGUMENTS})
        except LocError as exc:
            return [(str(found), False, f"rendering it again failed: {exc}")]
        fresh = m.loc_version
        assert fresh is not None  # saved: an output folder was given
        same = page.is_file() and fresh.html_path.read_bytes() == page.read_bytes()
    return [(str(page), same, "rendered again from the recorded inputs and options: "
             "byte-identical" if same else "differs from the page rendered again from the "
             f"recorded inputs and options (version {fresh.id}): it was not rendered from "
             "them, or by another build of this loc version")]

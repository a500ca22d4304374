"""Reproduce a report from its manifest: the same inputs (found by their recorded paths and
checked by SHA-256), the recorded arguments and loc version, run again into a scratch folder
and compared byte for byte with every file of the report.

Paths are recorded relative to the working folder (:func:`loc.io.inputs.tidy_path`), so run it
from a folder laid out as the one the report was made in.
Only reports that record their command can be re-run (``loc verify`` reports).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from loc import __version__
from loc.errors import InputError, LocError
from loc.outputs.signatures import check_signatures
from loc.outputs.verification import ARGUMENTS, COMMAND, run_verify
from loc.outputs.versions import check_input, extra_files, load_manifest, manifest_path

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
        results += _input_changes(doc["inputs"], fresh["inputs"])
        names = sorted({*doc["files"], *fresh["files"]}) + ["manifest.json"]
        results += _compare(found.parent, folder, names)
        extra = extra_files(found.parent, doc["files"])
        if extra:
            results.append((str(found.parent), False, "files not in the manifest: "
                            + ", ".join(extra)))
        same = fresh["id"] == doc.get("id")
        results.append((str(found), same, f"re-run with loc {__version__} gives report "
                        f"{fresh['id']}" + ("" if same else f", not {doc.get('id')}: with "
                                            "every input the same, it was changed since or "
                                            "made by another build of this version")))
    return results + signatures

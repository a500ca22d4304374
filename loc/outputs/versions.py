"""Versions of outputs: one id scheme, manifests, an index per map name, and verification.

A map version is ``maps/<name>/<version>.html`` with its manifest ``<version>.json``; a report
version is a folder ``<report-id>/`` holding its files and ``manifest.json``. Either id is
:func:`version_id` of the manifest's content: the inputs with their SHA-256, the options, the
loc version, CRS, sources and licences, data dates, and the SHA-256 of every file written.
Outputs are deterministic, so the same inputs and options give the same bytes and the same
id, and anything that looks different has another id. :func:`verify` recomputes the id and
every hash from the manifest and the files; it never trusts a recorded hash alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from loc import checks
from loc.errors import InputError, LocError, LocWarning, OptionError, OutputError
from loc.io.hashing import file_sha256, input_sha256
from loc.io.incidents import incidents_sha256
from loc.io.inputs import tidy_path
from loc.io.store import read_store, split_reference
from loc.io.writers import dumps, locked, write_atomic
from loc.model import Snapshot
from loc.outputs.signatures import SUFFIX, check_signatures
from loc.reference.bundled import data_path

BUNDLED = "loc:"
"""Prefix of an input that is bundled with loc (``loc:data/sample/...``)."""
_ID = re.compile(r"[0-9a-f]{12}")
KINDS = ("single", "slider", "compare", "freeze", "report")


@dataclass
class MapVersion:
    """A saved map version.

    Attributes
    ----------
    name : str
        The map name (its folder).
    id : str
        The version id.
    html_path, manifest_path : pathlib.Path
        The files.
    manifest : dict
        The manifest.
    created : bool
        Whether this call wrote it (False: it existed with the same bytes).
    """

    name: str
    id: str
    html_path: Path
    manifest_path: Path
    manifest: dict
    created: bool


def version_id(core: dict) -> str:
    """The id of a version: 12 hex digits of the SHA-256 of its canonical JSON.

    Parameters
    ----------
    core : dict
        What the version is made of (JSON-serialisable).

    Returns
    -------
    str
        The id.

    Examples
    --------
    >>> version_id({"a": 1}) == version_id({"a": 1})
    True
    """
    text = json.dumps(core, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@lru_cache(maxsize=1)
def _sample_dir() -> Path:
    """The bundled sample's folder, links resolved (once: a slider records hundreds of
    inputs)."""
    return data_path("sample").resolve()


def input_record(snapshot: Snapshot) -> dict:
    """Manifest entry of one input snapshot: where it came from and its SHA-256 (a file's
    bytes; for ``STORE@DATE``, that date's geometry).

    Parameters
    ----------
    snapshot : Snapshot
        An input.

    Returns
    -------
    dict
        ``path``, ``sha256``, ``date``, ``source``, ``license``.
    """
    path = snapshot.path
    if path and split_reference(path) is None:
        p = Path(path).resolve()
        if p.parent == _sample_dir():
            path = f"{BUNDLED}data/sample/{p.name}"
    return {"path": tidy_path(path) if path else path, "sha256": snapshot.sha256,
            "date": snapshot.date.isoformat() if snapshot.date else None,
            "source": snapshot.source, "license": snapshot.license}


def file_record(path: str | Path, role: str | None = None) -> dict:
    """Manifest entry of an input file that is not a snapshot (incidents, an agreement):
    the SHA-256 of what its reader reads (:func:`_read_sha256`).

    Parameters
    ----------
    path : str or Path
        The file.
    role : str, optional
        What it is to the command; ``incidents`` is read without GDAL's sidecars when it
        is a CSV.

    Returns
    -------
    dict
        ``path`` (:func:`loc.io.inputs.tidy_path`) and ``sha256``.
    """
    return {"path": tidy_path(path), "sha256": _read_sha256(path, role)}


def _read_sha256(path: str | Path, role: str | None) -> str:
    """The SHA-256 of what loc reads of an input of a role: an incidents file as
    :func:`loc.io.incidents.read_incidents` reads it, anything else with the sidecars GDAL
    reads (:func:`loc.io.hashing.input_sha256`)."""
    return incidents_sha256(path) if role == "incidents" else input_sha256(path)


def _write_pair(html_path: Path, data: bytes, manifest_path: Path, manifest: dict) -> None:
    """The HTML, then the manifest: a version exists once its manifest does. When the
    manifest cannot be written (a full disk), a page this save added is taken away again;
    an HTML left without one (a crash between the two) is an orphan the next save
    replaces."""
    new = not html_path.exists()
    write_atomic(html_path, data)
    try:
        write_atomic(manifest_path, dumps(manifest) + "\n")
    except BaseException:  # a full disk, or an interrupt between the two
        if new:  # a page that was there before stays (an orphan, as it was)
            with contextlib.suppress(OSError):
                html_path.unlink()
        raise


def save(html: bytes, core: dict, name: str, out_dir: str | Path) -> MapVersion:
    """Write a map version (unless it exists with these bytes) and refresh the index.

    An existing version whose files differ from what its id stands for (edited, or an
    orphan HTML left by a crash) is restored, with a warning.

    Parameters
    ----------
    html : bytes
        The page (UTF-8, :func:`loc.outputs.render.builder.render_page`).
    core : dict
        The manifest's content (see the module docstring).
    name : str
        Map name: 1-64 letters, digits, ``.``, ``_``, ``-``.
    out_dir : str or Path
        Folder of map versions.

    Returns
    -------
    MapVersion
        The version.
    """
    name = checks.name(name, "map name")
    data = html
    html_sha = hashlib.sha256(data).hexdigest()
    vid = version_id({**core, "html_sha256": html_sha})
    folder = Path(out_dir) / name
    html_path, manifest_path = folder / f"{vid}.html", folder / f"{vid}.json"
    manifest = {"id": vid, "name": name, **core,
                "html": {"file": html_path.name, "sha256": html_sha, "bytes": len(data)}}
    created = True
    with locked(folder / "index.html"):  # one save at a time in a folder: no torn pairs
        if html_path.exists() or manifest_path.exists():
            intact = (html_path.is_file() and manifest_path.is_file()
                      and file_sha256(html_path) == html_sha
                      and _same_manifest(manifest_path, manifest))
            if intact:
                created = False
            else:
                warnings.warn(f"{html_path}: version {vid} on disk differs from what its id "
                              "stands for (edited, or left half-written); restored",
                              LocWarning, stacklevel=2)
        if created:
            _write_pair(html_path, data, manifest_path, manifest)
        try:
            write_index(folder)
        except OutputError as exc:  # the version stands; the next save writes the index
            warnings.warn(f"index not written ({exc}); version {vid} is saved", LocWarning,
                          stacklevel=2)
    return MapVersion(name, vid, html_path, manifest_path, manifest, created)


def _same_manifest(path: Path, manifest: dict) -> bool:
    try:
        return json.loads(path.read_text(encoding="utf-8")) == json.loads(dumps(manifest))
    except (OSError, ValueError):
        return False


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _load_manifest(path: Path) -> dict | None:
    """A manifest as loc writes it (NaN and Infinity, which loc never writes, make it no
    manifest), or None."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant)
    except (OSError, ValueError, RecursionError):
        return None
    return doc if isinstance(doc, dict) and isinstance(doc.get("id"), str) else None


def manifests(folder: Path) -> list[dict]:
    """The map manifests of one map name (valid JSON naming their own id), by data date then
    id.

    Parameters
    ----------
    folder : pathlib.Path
        A map name's folder.

    Returns
    -------
    list of dict
        The manifests.
    """
    out = [doc for p in sorted(folder.glob("*.json"))
           if (doc := _load_manifest(p)) is not None and _well_formed(doc, p)]
    return sorted(out, key=lambda d: (str(d.get("data_dates", [""])[-1:]), d["id"]))


def _well_formed(doc: dict, path: Path) -> bool:
    """Whether a manifest names its own id and has its fields of the types loc writes
    (one edited to hold other types is not a version: it is listed as broken)."""
    page = doc.get("html")
    return (doc.get("id") == path.stem and isinstance(page, dict)
            and isinstance(page.get("bytes", 0), int) and not isinstance(page.get("bytes"), bool)
            and isinstance(doc.get("data_dates", []), list)
            and all(isinstance(d, str) for d in doc.get("data_dates", []))
            and isinstance(doc.get("inputs", []), list)
            and all(isinstance(i, dict) for i in doc.get("inputs", []))
            and all(isinstance(doc.get(k, ""), str) for k in ("kind", "title", "loc_version")))


def strays(folder: Path) -> list[tuple[Path, str]]:
    """What a map name's folder holds that is no version: ``orphan`` pages (HTML with no
    manifest beside it: a render that died between the two) and ``broken`` manifests (not
    JSON, another id, fields of other types: changed outside loc). The next render of that
    version replaces them.

    Parameters
    ----------
    folder : pathlib.Path
        A map name's folder.

    Returns
    -------
    list of (pathlib.Path, str)
        Each file and ``"orphan"`` or ``"broken"``.
    """
    broken = [p for p in sorted(folder.glob("*.json"))
              if (doc := _load_manifest(p)) is None or not _well_formed(doc, p)]
    return [(p, "orphan") for p in orphans(folder)] + [(p, "broken") for p in broken]


def orphans(folder: Path) -> list[Path]:
    """HTML files of a map name with no manifest beside them (a render that died between
    writing the page and its manifest); the next render of that version replaces them.

    Parameters
    ----------
    folder : pathlib.Path
        A map name's folder.

    Returns
    -------
    list of pathlib.Path
        The orphan pages.
    """
    return sorted(p for p in folder.glob("*.html")
                  if _ID.fullmatch(p.stem) and not (folder / f"{p.stem}.json").exists())


def page_status(folder: Path, doc: dict) -> tuple[str, int | None]:
    """Whether a version's page is there as its manifest describes it, by its size on disk
    (cheap enough for a listing; :func:`verify` hashes it).

    Parameters
    ----------
    folder : pathlib.Path
        The map name's folder.
    doc : dict
        A well-formed manifest of that folder (:func:`manifests`).

    Returns
    -------
    (str, int or None)
        ``ok``, ``damaged`` (a size other than the manifest's: truncated or edited) or
        ``missing`` (no page), and the page's size on disk (None when missing).
    """
    page = folder / f"{doc['id']}.html"
    if not page.is_file():
        return "missing", None
    size = page.stat().st_size
    return ("ok" if size == doc["html"].get("bytes") else "damaged"), size


def _span(dates: list) -> str:
    dates = [str(d) for d in dates or []]
    return f"{dates[0]}..{dates[-1]}" if len(dates) > 1 else (dates[0] if dates else "")


def write_index(folder: Path) -> Path:
    """``index.html`` listing every version of a map name with its kind, dates, inputs and
    size (all text escaped, no scripts).

    Parameters
    ----------
    folder : pathlib.Path
        A map name's folder.

    Returns
    -------
    pathlib.Path
        The index.
    """
    rows = []
    for doc in manifests(folder):
        vid = html.escape(doc["id"])
        inputs = ", ".join(Path(str(i.get("path", ""))).name for i in doc.get("inputs", [])
                           if isinstance(i, dict))
        status, size = page_status(folder, doc)
        link = f'<a href="{vid}.html">{vid}</a>' if size is not None else vid
        if size is None:
            shown = "page missing: render it again to restore it"
        elif status == "damaged":
            shown = (f"damaged page: {size:,} bytes on disk, {doc['html'].get('bytes')} in "
                     "the manifest: render it again to restore it")
        else:
            shown = f"{size / 1024:,.0f} KB"
        rows.append(
            f"<tr><td>{link}</td>"
            f"<td>{html.escape(str(doc.get('kind', '')))}</td>"
            f"<td>{html.escape(_span(doc.get('data_dates', [])))}</td>"
            f"<td>{html.escape(str(doc.get('title', '')))}</td>"
            f"<td>{html.escape(inputs[:300])}</td>"
            f"<td>{html.escape(shown)}</td>"
            f"<td>{html.escape(str(doc.get('loc_version', '')))}</td>"
            f'<td><a href="{vid}.json">manifest</a></td></tr>')
    for p, status in strays(folder):
        what = ("orphan page without a manifest" if status == "orphan" else
                "broken manifest (changed outside loc)")
        rows.append(f"<tr><td>{html.escape(p.stem)}</td><td colspan=\"7\">{what}: render "
                    "it again to replace it</td></tr>")
    name = html.escape(folder.name)
    page = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>loc maps: "
            f"{name}</title><style>body{{font:14px sans-serif;margin:2em}}td,th{{padding:4px "
            "10px;text-align:left}}</style></head><body>\n"
            f"<h1>Map versions: {name}</h1>\n<table><tr><th>version</th><th>kind</th>"
            "<th>dates</th><th>title</th><th>inputs</th><th>size</th><th>loc</th><th></th>"
            "</tr>\n" + "\n".join(rows) + "\n</table></body></html>\n")
    return write_atomic(folder / "index.html", page)


def list_versions(out_dir: str | Path) -> list[dict]:
    """Every saved map version under ``out_dir``, and every orphan page.

    Parameters
    ----------
    out_dir : str or Path
        Folder of map versions.

    Returns
    -------
    list of dict
        ``name``, ``id``, ``kind``, ``dates``, ``title``, ``bytes`` (the page's size on
        disk, None when it is missing), ``path`` and ``status``: ``ok``, ``damaged`` (the
        page's size is not the manifest's: truncated or edited) or ``missing`` (no page;
        see :func:`page_status`), ``orphan`` for a page without a manifest, or ``broken``
        for a manifest changed outside loc.
    """
    root = Path(out_dir)
    out: list[dict] = []
    if not root.is_dir():
        return out
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for doc in manifests(folder):
            status, size = page_status(folder, doc)
            out.append({"name": folder.name, "id": doc["id"], "kind": doc.get("kind", ""),
                        "dates": doc.get("data_dates", []), "title": doc.get("title", ""),
                        "bytes": size, "status": status,
                        "path": str(folder / f"{doc['id']}.html")})
        for p, status in strays(folder):
            out.append({"name": folder.name, "id": p.stem, "kind": "", "dates": [],
                        "title": "", "bytes": p.stat().st_size, "status": status,
                        "path": str(p)})
    return out


def _resolve_input(path: str, manifest_path: Path) -> Path:
    if path.startswith(BUNDLED):
        return data_path(path[len(BUNDLED):].removeprefix("data/"))
    p = Path(path)
    if p.is_absolute() or p.exists():
        return p
    return manifest_path.parent / p


def check_input(rec: dict, manifest_path: Path) -> tuple[str, bool, str]:
    """Check one input of a manifest: found by its path (as recorded, else beside the
    manifest; ``loc:`` for bundled data; ``STORE@DATE`` by that date's geometry), with the
    SHA-256 recorded.

    Parameters
    ----------
    rec : dict
        The input record (``path``, ``sha256``).
    manifest_path : pathlib.Path
        The manifest.

    Returns
    -------
    (str, bool, str)
        The path, whether it matches, and why not.
    """
    path = str(rec.get("path"))
    want = rec.get("sha256")
    ref = split_reference(path)
    if ref is not None:
        store = _resolve_input(str(ref[0]), manifest_path)
        try:
            digest = read_store(store, ref[1]).sha256
        except LocError as exc:
            return path, False, f"cannot read it: {exc}"
    else:
        src = _resolve_input(path, manifest_path)
        if not src.is_file():
            return path, False, "input not found"
        digest = _read_sha256(src, rec.get("role"))
    ok = digest == want
    return path, ok, ("sha256 matches the manifest's record" if ok
                      else f"sha256 {str(digest)[:12]}… differs")


def _folder_name(manifest: Path) -> str:
    """The name of the folder a manifest is in, however the path was written (``x.json``
    from inside the folder has the parent ``.``, whose name is empty; a link to the folder
    has its own name)."""
    return Path(os.path.realpath(manifest)).parent.name


def manifest_path(path: str | Path) -> Path:
    """The manifest of a version: a report folder's ``manifest.json``, a map page's
    ``<version>.json``, or the manifest itself.

    Parameters
    ----------
    path : str or Path
        A map's ``.html`` or ``.json``, a report's ``manifest.json`` or its folder.

    Returns
    -------
    pathlib.Path
        The manifest file.

    Raises
    ------
    InputError
        When there is none.
    """
    path = Path(path)
    if path.is_dir():
        found = path / "manifest.json"
    elif path.suffix == ".html":
        found = path.with_suffix(".json")
    else:
        found = path
    if not found.is_file():
        raise InputError("no such manifest (expected <version>.json beside the map, or "
                         "manifest.json in a report folder)", found)
    return found


def load_manifest(path: str | Path) -> dict:
    """A version's manifest, checked to be a loc manifest.

    Parameters
    ----------
    path : str or Path
        As for :func:`manifest_path`.

    Returns
    -------
    dict
        The manifest.

    Raises
    ------
    InputError
        When there is no manifest, or it is not a loc manifest.
    """
    found = manifest_path(path)
    doc = _load_manifest(found)
    inputs = doc.get("inputs") if doc else None
    if doc is None or not isinstance(inputs, list) or not all(isinstance(i, dict)
                                                              for i in inputs):
        raise InputError("not a loc manifest (not JSON as loc writes it, no id, or inputs not "
                         "a list of records)", found)
    return doc


def verify(path: str | Path, trusted: list[str | Path] | None = None
           ) -> list[tuple[str, bool, str]]:
    """Re-check a version from its files: the version id recomputed from the manifest and
    the files, each file's SHA-256, each input's SHA-256, and every signature beside the
    manifest (:func:`loc.outputs.signatures.check_signatures`).

    Parameters
    ----------
    path : str or Path
        A map's ``.html`` or ``.json``, a report's ``manifest.json`` or its folder.
    trusted : list of path, optional
        The parties' public keys: each must have signed with its key.

    Returns
    -------
    list of (str, bool, str)
        One ``(what, ok, detail)`` per check.

    Raises
    ------
    InputError
        When there is no manifest, or it is not a loc manifest.
    """
    found = manifest_path(path)
    return verify_files(found) + check_signatures(found, trusted)


def verify_files(path: str | Path) -> list[tuple[str, bool, str]]:
    """:func:`verify` without the signatures: the version id, each file's and each
    input's SHA-256.

    Parameters
    ----------
    path : str or Path
        A map's ``.html`` or ``.json``, a report's ``manifest.json`` or its folder.

    Returns
    -------
    list of (str, bool, str)
        One ``(what, ok, detail)`` per check.

    Raises
    ------
    InputError
        When there is no manifest, or it is not a loc manifest.
    """
    found = manifest_path(path)
    doc = load_manifest(found)
    if isinstance(doc.get("html"), dict):
        results = _verify_map(doc, found)
    elif isinstance(doc.get("files"), dict):
        results = _verify_report(doc, found)
    else:
        raise InputError("not a loc manifest (neither a map's html nor a report's files)",
                         found)
    return results + [check_input(rec, found) for rec in doc["inputs"]]


def _verify_map(doc: dict, manifest_path: Path) -> list[tuple[str, bool, str]]:
    info = doc["html"]
    html_path = manifest_path.parent / f"{doc['id']}.html"
    if not html_path.is_file():
        return [(str(html_path), False, "missing")]
    digest = file_sha256(html_path)
    core = {k: v for k, v in doc.items() if k not in ("id", "name", "html")}
    try:
        recomputed = version_id({**core, "html_sha256": digest})
    except (TypeError, ValueError):
        return [(str(manifest_path), False, "manifest content is not canonical JSON")]
    results = [(str(html_path), digest == info.get("sha256"),
                "sha256 matches" if digest == info.get("sha256")
                else f"sha256 {digest[:12]}… differs from the manifest")]
    ok = recomputed == doc["id"] == manifest_path.stem
    results.append((str(manifest_path), ok, "version id matches the manifest and the page"
                    if ok else f"version id recomputed as {recomputed}, not {doc['id']}: the "
                    "page or the manifest was changed"))
    # the fields the id does not cover must still say what is there
    size = html_path.stat().st_size
    told = (info.get("file") == html_path.name and info.get("bytes") == size
            and doc.get("name") == _folder_name(manifest_path))
    results.append((str(manifest_path), told, "name, file and size match the folder and the "
                    "page" if told else f"manifest says name {doc.get('name')!r}, file "
                    f"{info.get('file')!r}, {info.get('bytes')!r} bytes; the folder is "
                    f"{_folder_name(manifest_path)!r} and the page {html_path.name!r}, "
                    f"{size} bytes"))
    return results


def signature_file(name: str) -> bool:
    """Whether a file name is a party's signature of a report manifest
    (``manifest.json.<party>.sig``).

    Parameters
    ----------
    name : str
        A file name.

    Returns
    -------
    bool
        True for a signature's name.

    Examples
    --------
    >>> signature_file("manifest.json.mission.sig"), signature_file("annex.html")
    (True, False)
    """
    head = "manifest.json."
    if not (name.startswith(head) and name.endswith(SUFFIX)):
        return False
    try:
        checks.name(name[len(head):-len(SUFFIX)], "party")
    except OptionError:
        return False
    return True


def extra_files(folder: Path, names) -> list[str]:
    """What a report folder holds besides ``names`` (its manifest's files), its
    ``manifest.json`` and parties' signatures: files added, or folders.

    Parameters
    ----------
    folder : Path
        The report folder.
    names : iterable of str
        The files its manifest lists.

    Returns
    -------
    list of str
        Paths relative to the folder, sorted.
    """
    listed = set(names)
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if not (p.parent == folder and p.is_file()
                          and (p.name in listed or p.name == "manifest.json"
                               or signature_file(p.name))))


def _verify_report(doc: dict, manifest_path: Path) -> list[tuple[str, bool, str]]:
    folder = manifest_path.parent
    results = []
    digests = {}
    for name, want in sorted(doc["files"].items()):
        p = folder / str(name)
        if Path(str(name)).name != name or not p.is_file():
            results.append((str(p), False, "missing"))
            continue
        digests[name] = file_sha256(p)
        ok = digests[name] == want
        results.append((str(p), ok, "sha256 matches" if ok else
                        f"sha256 {digests[name][:12]}… differs from the manifest"))
    extra = extra_files(folder, doc["files"])
    if extra:
        results.append((str(folder), False, "files not in the manifest: " + ", ".join(extra)))
    core = {k: v for k, v in doc.items() if k != "id"}
    core["files"] = {n: digests.get(n, "missing") for n in sorted(doc["files"])}
    try:
        recomputed = version_id(core)
    except (TypeError, ValueError):
        return results + [(str(manifest_path), False, "manifest content is not canonical JSON")]
    ok = recomputed == doc["id"] == _folder_name(manifest_path)
    results.append((str(manifest_path), ok, "report id matches the manifest and the files"
                    if ok else f"report id recomputed as {recomputed}, not {doc['id']}: a file "
                    "or the manifest was changed"))
    return results


def version_input(path: str | Path) -> tuple[str, dict]:
    """The snapshot a map version was made from (its latest input), checked against the
    SHA-256 its manifest records.

    Parameters
    ----------
    path : str or Path
        A map version's ``.html`` or ``.json``.

    Returns
    -------
    (str, dict)
        The input to read (a file path or ``STORE@DATE``) and the manifest.

    Raises
    ------
    InputError
        When there is no manifest, it does not verify (:func:`verify`: page, id, name,
        size), it has no input, or the input's SHA-256 differs.
    """
    path = Path(path)
    manifest_path = path.with_suffix(".json")
    doc = _load_manifest(manifest_path) if manifest_path.is_file() else None
    if doc is None or not isinstance(doc.get("html"), dict):
        raise InputError("not a map version (no <version>.json manifest beside it)", path)
    inputs = [i for i in doc.get("inputs") or [] if isinstance(i, dict)]
    if not inputs:
        raise InputError("the map version's manifest lists no input", manifest_path)
    for what, ok, detail in _verify_map(doc, manifest_path):
        if not ok:
            raise InputError(f"the map version does not verify ({what}: {detail}); nothing is "
                             "made from it", manifest_path)
    rec = inputs[-1]
    what, ok, detail = check_input(rec, manifest_path)
    if not ok:
        raise InputError(f"input {what}: {detail}; the map version cannot be re-created "
                         "from it", manifest_path)
    return input_location(rec, manifest_path), doc


def input_location(rec: dict, manifest_path: Path) -> str:
    """Where an input of a manifest is to be read from: its recorded path, else beside the
    manifest; ``loc:`` for bundled data; ``STORE@DATE`` with its store found so.

    Parameters
    ----------
    rec : dict
        The input record (``path``).
    manifest_path : pathlib.Path
        The manifest.

    Returns
    -------
    str
        A file path or ``STORE@DATE``, for :func:`loc.io.inputs.read`.
    """
    path = str(rec.get("path"))
    ref = split_reference(path)
    if ref is not None:
        return f"{_resolve_input(str(ref[0]), manifest_path)}@{ref[1]}"
    return str(_resolve_input(path, manifest_path))

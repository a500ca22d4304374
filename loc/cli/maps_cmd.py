"""``loc maps``: list and verify saved map versions (and report versions)."""

from __future__ import annotations

from pathlib import Path

import click

from loc.cli.options import Option, emit, emit_checks, say, trust_opt


@click.group("maps")
def command() -> None:
    """Saved map versions: list them, verify one."""


@command.command("list")
@click.argument("folder", required=False, type=click.Path(path_type=Path), metavar="[DIR]")
@click.option("--out", "old_out", cls=Option, hidden=True, default=None,
              type=click.Path(path_type=Path))
def list_cmd(folder, old_out) -> None:
    """List map versions under DIR (default maps): name, version, kind, dates, size on
    disk, path. A version whose page is DAMAGED (its size is not the manifest's: truncated
    or edited) or MISSING is marked so, in place of its kind; orphan pages (a render that
    died before writing the manifest) and broken manifests (changed outside loc) are
    listed too. Rendering the version again restores it."""
    from loc.outputs.versions import list_versions

    folder = folder or old_out or Path("maps")
    versions = list_versions(folder)
    if not versions:
        say(f"no map versions in {folder}")
        return
    lines = []
    for v in versions:
        dates = v["dates"]
        span = f"{dates[0]}..{dates[-1]}" if len(dates) > 1 else (dates[0] if dates else "")
        kind = v["kind"] if v["status"] == "ok" else v["status"].upper()
        size = f"{v['bytes'] / 1024:7,.0f} KB" if v["bytes"] is not None else f"{'-':>7}   "
        lines.append(f"{v['name']:<20} {v['id']}  {kind:<8} {span:<23} {size}  {v['path']}\n")
    emit("".join(lines), None)


@command.command("verify")
@click.argument("path", type=click.Path(path_type=Path))
@trust_opt
@click.option("--rerender", is_flag=True,
              help="Render the map again from its recorded inputs and options (into a "
                   "scratch folder) and compare the page byte for byte.")
def verify_cmd(path, trust, rerender) -> None:
    """Re-check a map version (its .html or .json) or a report (its folder or
    manifest.json): the version id recomputed, every file's and every input's sha256, and
    every party's signature of the manifest (with --trust, against the parties' keys).

    That shows the page (or files), the manifest and the id agree and that the inputs
    recorded are these files; not that the page was made from them, as anyone can
    recompute the id: --rerender renders the map again and compares the bytes (loc
    reproduce re-runs a report), and a party's signature (--trust) vouches for it.

    Exit code 0 when everything matches, 1 when anything differs or is missing.
    """
    from loc.outputs.versions import manifest_path, verify

    found = manifest_path(path)
    report = found.name == "manifest.json"
    if rerender:
        from loc.outputs.reproduce import rerender as render_again

        again = render_again(found)  # refuses a report or a manifest it cannot repeat
    results = verify(found, list(trust) or None) + (again if rerender else [])
    passed = emit_checks(results)
    if passed and rerender:
        say("checked: rendering the recorded inputs with the recorded options again gives "
            "this page, byte for byte")
    elif passed:
        say("checked: the " + ("files" if report else "page") + ", the manifest and its "
            "id agree, and the inputs recorded are these files; not checked: that the "
            + ("report was made" if report else "page was rendered") + " from them (the id "
            "is a plain hash anyone can recompute): "
            + ("loc reproduce re-runs it" if report else "--rerender renders it again")
            + ", or check a party's signature with --trust")
    if not passed:
        raise SystemExit(1)

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
    """List map versions under DIR (default maps): name, version, kind, dates, size, path;
    orphan pages (a render that died before writing the manifest) and broken manifests
    (changed outside loc) are listed too."""
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
        lines.append(f"{v['name']:<20} {v['id']}  {kind:<8} {span:<23} "
                     f"{(v['bytes'] or 0) / 1024:7,.0f} KB  {v['path']}\n")
    emit("".join(lines), None)


@command.command("verify")
@click.argument("path", type=click.Path(path_type=Path))
@trust_opt
def verify_cmd(path, trust) -> None:
    """Re-check a map version (its .html or .json) or a report (its folder or
    manifest.json): the version id recomputed, every file's and every input's sha256, and
    every party's signature of the manifest (with --trust, against the parties' keys).

    Exit code 0 when everything matches, 1 when anything differs or is missing.
    """
    from loc.outputs.versions import verify

    results = verify(path, list(trust) or None)
    if not emit_checks(results):
        raise SystemExit(1)

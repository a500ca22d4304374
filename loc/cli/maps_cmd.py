"""``loc maps``: list and verify saved map versions."""

from __future__ import annotations

from pathlib import Path

import click

from loc.render.versions import list_versions, verify


@click.group("maps")
def command() -> None:
    """Saved map versions: list them, verify one."""


@command.command("list")
@click.option("--out", default="maps", show_default=True, type=click.Path(path_type=Path),
              help="Folder of map versions.")
def list_cmd(out) -> None:
    """List map versions under OUT (name, version, dates, size, path)."""
    versions = list_versions(out)
    if not versions:
        click.echo(f"no map versions in {out}", err=True)
        return
    for v in versions:
        dates = v["dates"]
        span = f"{dates[0]}..{dates[-1]}" if len(dates) > 1 else (dates[0] if dates else "")
        click.echo(f"{v['name']:<20} {v['id']}  {span:<23} {(v['bytes'] or 0) / 1024:7,.0f} KB"
                   f"  {v['path']}")


@command.command("verify")
@click.argument("path", type=click.Path(path_type=Path))
def verify_cmd(path) -> None:
    """Re-check a map version (its .html or .json): the HTML's and every input's sha256.

    Exit code 0 when everything matches, 1 when anything differs or is missing.
    """
    results = verify(path)
    for what, ok, detail in results:
        click.echo(f"{'OK  ' if ok else 'FAIL'}  {what}: {detail}")
    if not all(ok for _, ok, _ in results):
        raise SystemExit(1)

"""``loc regions``: the bundled registry and its aliases."""

from __future__ import annotations

import click

from loc.regions import regions


@click.command("regions")
def command() -> None:
    """List region keys, names and aliases (any alias works wherever a region is asked)."""
    for key, row in regions().iterrows():
        aliases = ", ".join(a for a in row["aliases"] if a != key)
        click.echo(f"{key:<16} {row['name']:<16} {aliases}")

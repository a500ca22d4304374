"""``loc regions``: the bundled registry and its aliases."""

from __future__ import annotations

import click


@click.command("regions")
def command() -> None:
    """List region keys, names and aliases (any alias works wherever a region is asked;
    Donbas names Donetsk and Luhansk together)."""
    from loc.reference.regions import REGION_GROUPS, regions

    for key, row in regions().iterrows():
        aliases = ", ".join(a for a in row["aliases"] if a != key)
        click.echo(f"{key:<16} {row['name']:<16} {aliases}")
    for key, (keys, names) in REGION_GROUPS.items():
        click.echo(f"{key:<16} {'(' + ' + '.join(keys) + ')':<16} {', '.join(names)}")

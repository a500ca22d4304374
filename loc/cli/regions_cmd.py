"""``loc regions``: the bundled registry and its aliases."""

from __future__ import annotations

import click


@click.command("regions")
def command() -> None:
    """List region keys, names and aliases (any alias works wherever a region is asked;
    Donbas names Donetsk and Luhansk together)."""
    from loc.cli.options import emit
    from loc.reference.regions import REGION_GROUPS, regions

    lines = []
    for key, row in regions().iterrows():
        aliases = ", ".join(a for a in row["aliases"] if a != key)
        lines.append(f"{key:<16} {row['name']:<16} {aliases}\n")
    for key, (keys, names) in REGION_GROUPS.items():
        lines.append(f"{key:<16} {'(' + ' + '.join(keys) + ')':<16} {', '.join(names)}\n")
    emit("".join(lines), None)

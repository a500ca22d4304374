"""Bundled reference data: regions, settlements, context layers and the sample, each built
by a script in ``data/`` from a named source (see ``data/README.md``)."""

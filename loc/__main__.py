"""``python -m loc``: the ``loc`` command line."""

from loc.cli import main

main()

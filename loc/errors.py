"""Errors that users can cause, each with a one-line message naming the file and the fix.

Every error loc raises on purpose derives from :class:`LocError`. The CLI prints
``loc: error: <message>`` on stderr and exits with code 2; the API lets the exception
propagate so that scripts can catch it.
"""

from __future__ import annotations

from pathlib import Path


class LocError(Exception):
    """Base class: a problem with the user's input, described in one line."""

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        self.path = None if path is None else str(path)
        text = " ".join(str(message).split())
        super().__init__(f"{self.path}: {text}" if self.path else text)


class InputError(LocError):
    """A file is missing, unreadable or not geodata."""


class GeometryError(LocError):
    """Geometry is empty, not polygonal, in the wrong CRS or outside Ukraine."""


class DateError(LocError):
    """A date cannot be parsed or is missing where it is needed."""


class RegionError(LocError):
    """A region name is not in the registry."""


class OptionError(LocError):
    """An option or agreement value is not valid."""


class OutputError(LocError):
    """An output cannot be written (exists, or the folder is not writable)."""

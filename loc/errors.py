"""Errors that users can cause, each with a one-line message naming the file and the fix.

Every error loc raises on purpose derives from :class:`LocError`. The CLI prints
``loc: error: <message>`` on stderr and exits with code 2; the API lets the exception
propagate so that scripts can catch it. Repairs and dropped input are reported as
:class:`LocWarning` saying what was done and how much it changed.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path


class LocError(Exception):
    """Base class: a problem with the user's input, described in one line.

    Parameters
    ----------
    message : str
        What is wrong and what to do; white space (newlines included) is collapsed, so
        the message is always one line.
    path : str or Path, optional
        The file or input it concerns; put in front of the message.
    """

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        self.path = None if path is None else " ".join(str(path).split())
        text = " ".join(str(message).split())
        super().__init__(f"{self.path}: {text}" if self.path else text)


class InputError(LocError):
    """A file is missing, unreadable or not geodata."""


class GeometryError(LocError):
    """Geometry is empty, not polygonal, not finite, in the wrong CRS or outside Ukraine."""


class DateError(LocError):
    """A date cannot be parsed, is implausible, or is missing where it is needed."""


class RegionError(LocError):
    """A region name is not in the registry."""


class OptionError(LocError):
    """An option, parameter or agreement value is not valid."""


class OutputError(LocError):
    """An output cannot be written (disk full, folder not writable, store locked)."""


class LimitError(LocError):
    """An input exceeds a size limit (vertices, bytes, nesting depth); the message names the
    setting that raises it."""


class FetchError(LocError):
    """A download failed: offline, timed out, refused, too large or not what was expected."""


class LocWarning(UserWarning):
    """Something in the input was repaired or dropped; the message says what and how much."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, without GDAL's generic driver hint.

    Parameters
    ----------
    exc : BaseException
        Any exception.

    Returns
    -------
    str
        One line (at most 200 characters).
    """
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return (line.split(" It might help to specify")[0].rstrip(" .;") or type(exc).__name__)[:200]


def one_line(text: object) -> str:
    """Text for one line of a terminal: white space runs to one space, control and format
    characters (an escape sequence in a file's name, a right-to-left override) escaped as
    ``\\uXXXX``, so a message can neither move the cursor nor hide what it says.

    Parameters
    ----------
    text : object
        The text (anything else is shown as its ``str``).

    Returns
    -------
    str
        One line.

    Examples
    --------
    >>> print(one_line("a\\x1b]0;x\\x07b\\n c"))
    a\\u001b]0;x\\u0007b c
    """
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c)[0] == "C" else c
                   for c in " ".join(str(text).split()))


def quoted(text: object, limit: int = 80) -> str:
    """Text from an input file, in double quotes, for a one-line message: white space runs
    to one space, control and format characters (an escape sequence, a right-to-left
    override) and quotes escaped, and a text longer than ``limit`` characters cut to its
    end (where a date in a name stands).

    Parameters
    ----------
    text : object
        The text (anything else is shown as its ``str``).
    limit : int
        Characters kept.

    Returns
    -------
    str
        The quoted text.

    Examples
    --------
    >>> print(quoted("a\\u202eb\\n 'c\\""))
    "a\\u202eb 'c\\""
    >>> print(quoted("x" * 100 + "_20250905", limit=12))
    "…xxx_20250905"
    """
    one = " ".join(str(text).split())
    if len(one) > limit:
        one = "…" + one[-limit:]
    out = "".join(f"\\u{ord(c):04x}" if unicodedata.category(c)[0] == "C" else
                  "\\" + c if c in '"\\' else c for c in one)
    return f'"{out}"'


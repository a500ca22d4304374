"""The README's examples, run: its ``pycon`` blocks as doctests, its ``console`` blocks as
``loc`` commands whose output must be what the README shows.

A console block holds commands (``$ loc ...``) each followed by the output it prints (stdout
and stderr, as a terminal shows them); a line ``...`` stands for any lines. Commands run in a
scratch folder beside a link to ``../shared``, so the README's paths work as written.

    python -m tests.readme --update   # rewrite the outputs in README.md from real runs
"""

from __future__ import annotations

import argparse
import contextlib
import doctest
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"^```(console|pycon)\n(.*?)^```$", re.S | re.M)
SKIP = ("loc fetch", "loc cache")
"""Commands shown but not run: they need the network or a user's download cache."""


@dataclass
class Command:
    line: str
    expected: list[str]


def blocks(text: str) -> list[tuple[str, str, int, int]]:
    """``(kind, body, start, end)`` of every example block."""
    return [(m.group(1), m.group(2), m.start(2), m.end(2)) for m in BLOCK.finditer(text)]


def commands(body: str) -> list[Command]:
    out: list[Command] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            out.append(Command(line[2:], []))
        elif out:
            out[-1].expected.append(line)
    return out


def matches(expected: list[str], got: list[str]) -> bool:
    """Whether output lines match the expected ones (``...`` stands for any lines)."""
    if not expected:
        return not got
    if expected[0] == "...":
        rest = expected[1:]
        return any(matches(rest, got[i:]) for i in range(len(got) + 1))
    return bool(got) and got[0].rstrip() == expected[0].rstrip() and matches(expected[1:],
                                                                              got[1:])


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    """A working folder ``<tmp>/loc`` beside ``<tmp>/shared`` (a link to ../shared), with the
    project's ``data`` linked in, and a cache of its own."""
    with tempfile.TemporaryDirectory(prefix="loc-readme-") as tmp:
        work = Path(tmp) / "loc"
        work.mkdir()
        shared = ROOT.parent / "shared"
        if shared.exists():
            (Path(tmp) / "shared").symlink_to(shared.resolve(), target_is_directory=True)
        (work / "data").symlink_to(ROOT / "data", target_is_directory=True)
        old_cwd, old_cache = Path.cwd(), os.environ.get("LOC_CACHE_DIR")
        os.environ["LOC_CACHE_DIR"] = str(Path(tmp) / "cache")
        os.chdir(work)
        try:
            yield work
        finally:
            os.chdir(old_cwd)
            if old_cache is None:
                os.environ.pop("LOC_CACHE_DIR", None)
            else:
                os.environ["LOC_CACHE_DIR"] = old_cache


def run(line: str) -> list[str]:
    """Output lines of one ``loc`` command line, as a terminal shows them."""
    from click.testing import CliRunner

    from loc.cli import cli

    words = shlex.split(line, comments=True)
    assert words[0] == "loc", line
    pipe = None
    if "|" in words:
        at = words.index("|")
        words, pipe = words[:at], words[at + 1:]
    r = CliRunner().invoke(cli, words[1:], prog_name="loc")
    if r.exception and not isinstance(r.exception, SystemExit):
        raise r.exception
    lines = r.output.splitlines()
    if pipe and pipe[0] == "head":
        lines = lines[: int(pipe[1].lstrip("-n"))]
    return lines


def run_console(body: str) -> list[tuple[Command, list[str]]]:
    return [(c, run(c.line) if not c.line.startswith(SKIP) else c.expected)
            for c in commands(body)]


def run_pycon(body: str, name: str = "README") -> doctest.TestResults:
    parser = doctest.DocTestParser()
    test = parser.get_doctest(body, {}, name, str(README), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test, out=sys.stderr.write)
    return runner.summarize(verbose=False)


def _pycon_outputs(body: str) -> str:
    """The block with every example's output replaced by what it prints now."""
    import code
    import io

    console = code.InteractiveInterpreter({})
    out_lines: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if not pending:
            return
        buf = io.StringIO()
        source = "\n".join(line[4:] for line in pending)
        with contextlib.redirect_stdout(buf):
            console.runsource(source, symbol="single")
        out_lines.extend(pending)
        out_lines.extend(buf.getvalue().rstrip("\n").splitlines())
        pending.clear()

    for line in body.splitlines():
        if line.startswith(">>> "):
            flush()
            pending.append(line)
        elif line.startswith("... "):
            pending.append(line)
        elif not line.strip():
            flush()
            out_lines.append("")
        elif not pending and not line.startswith((">>>", "...")):
            continue  # an old output line: replaced
    flush()
    return "\n".join(out_lines).rstrip("\n") + "\n"


def update() -> None:
    text = README.read_text(encoding="utf-8")
    pieces, last = [], 0
    for kind, body, start, end in blocks(text):
        pieces.append(text[last:start])
        with scratch():  # every block in a folder of its own, as the test runs them
            if kind == "console":
                new = []
                for cmd, got in run_console(body):
                    new.append(f"$ {cmd.line}")
                    # an output shortened with "..." stays as written while it still holds
                    keep = "..." in cmd.expected and matches(cmd.expected, got)
                    new.extend(cmd.expected if keep else got)
                pieces.append("\n".join(new) + "\n")
            else:
                pieces.append(_pycon_outputs(body))
        last = end
    pieces.append(text[last:])
    README.write_text("".join(pieces), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="Run or update the README's examples.")
    parser.add_argument("--update", action="store_true", help="rewrite the outputs")
    if parser.parse_args().update:
        update()


if __name__ == "__main__":
    main()

"""The README's examples print what the README shows (run them with
``python -m tests.readme --update`` to refresh it after a deliberate change)."""

import pytest

from tests import readme
from tests.conftest import deepstate_files

TEXT = readme.README.read_text(encoding="utf-8")
BLOCKS = readme.blocks(TEXT)


def _needs_shared(body: str) -> None:
    if "../shared" in body:
        deepstate_files()  # skips (fails in CI) when the shared data is absent


def test_the_readme_has_examples():
    kinds = [kind for kind, *_ in BLOCKS]
    assert kinds.count("pycon") >= 1 and kinds.count("console") >= 8


@pytest.mark.parametrize("index", [i for i, b in enumerate(BLOCKS) if b[0] == "pycon"])
def test_python_block(index):
    body = BLOCKS[index][1]
    _needs_shared(body)
    with readme.scratch():
        result = readme.run_pycon(body, f"README block {index}")
    assert result.attempted > 5 and result.failed == 0


@pytest.mark.parametrize("index", [i for i, b in enumerate(BLOCKS) if b[0] == "console"])
def test_console_block(index):
    body = BLOCKS[index][1]
    _needs_shared(body)
    with readme.scratch():
        for cmd, got in readme.run_console(body):
            assert readme.matches(cmd.expected, got), (
                f"$ {cmd.line}\nexpected:\n" + "\n".join(cmd.expected) + "\ngot:\n"
                + "\n".join(got))

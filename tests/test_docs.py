"""The README stays true: every command is documented, and its first commands exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier.cli import cli
from classifier.records import COLUMNS

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_and_is_in_readme(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert cli.commands[name].help
    assert f"reread {name}" in README


def test_readme_main_command_uses_a_shipped_example() -> None:
    first_block = re.search(r"```\n(.*?)```", README, re.S).group(1).splitlines()
    assert first_block[0].startswith("pip install")
    main = first_block[1].split()
    assert main[0] == "reread"
    assert (ROOT / main[2]).is_file()
    assert "pytest" in first_block[2]


def test_every_column_is_documented() -> None:
    for column in COLUMNS:
        assert f"`{column}`" in README, column

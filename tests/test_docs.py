"""The README is documentation that is checked: every command is in it, every command line in it works.

In the manner of sqlite-utils' ``tests/test_docs.py``: a command nobody documented, or a README
line the command line no longer accepts, fails the suite.
"""

from __future__ import annotations

import glob
import re
import shlex

import click
import pytest

from bot.cli import cli
from tests.conftest import ROOT
from tests.test_cli import all_commands

README = (ROOT / "README.md").read_text("utf-8")
COMMAND_LINES = sorted({match.group(1).strip() for match in re.finditer(
    r"(?:^|\s|`|/)naeringsbot ((?:kb )?[a-z][a-z-]*(?: [^`\n#|]*)?)", README, re.MULTILINE)})


def leaf_commands() -> list[str]:
    return [" ".join(path) for path in all_commands()
            if not isinstance(_command(path), click.Group)]


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


@pytest.mark.parametrize("name", leaf_commands())
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"naeringsbot {name}" in README, f"document 'naeringsbot {name}' in the README"


# Placeholders the README uses for what the reader fills in, and an existing stand-in for each.
PLACEHOLDERS = {"FILE": "knowledge/eval/questions.yaml", "ID": "1"}


def shell_words(line: str) -> list[str]:
    """The words the shell would pass: up to a redirection, with globs expanded and placeholders filled."""
    words: list[str] = []
    for word in shlex.split(line):
        if word.startswith(">"):
            break
        word = PLACEHOLDERS.get(word, word)
        words.extend(sorted(glob.glob(word, root_dir=ROOT)) if any(c in word for c in "*?[") else [word])
    return words


@pytest.mark.parametrize("line", COMMAND_LINES)
def test_every_command_line_in_the_readme_parses(line: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    words = shell_words(line)
    path: list[str] = []
    command: click.Command = cli
    while isinstance(command, click.Group) and words and words[0] in command.commands:
        path.append(words[0])
        command = command.commands[words.pop(0)]
    assert path, f"'naeringsbot {line}' names no command"
    if not words and line.strip() == " ".join(path):
        return  # the command named in prose: that it exists is the check
    context = command.make_context(" ".join(["naeringsbot", *path]), list(words), resilient_parsing=False)
    context.close()


@pytest.mark.parametrize("path", sorted(set(re.findall(r"`((?:bot|handlers|tests|bench|knowledge|deploy)/[\w./-]+)`",
                                                         README))))
def test_every_file_the_readme_names_exists(path: str) -> None:
    assert (ROOT / path).exists(), f"the README names {path}, which is not in the repository"

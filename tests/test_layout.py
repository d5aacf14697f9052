"""The layout: the core in ``bot`` never imports Telegram or the adapter, and docs name real files."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import bot

ROOT = Path(__file__).resolve().parent.parent


def core_modules() -> list[str]:
    modules = pkgutil.walk_packages(bot.__path__, "bot.")
    return sorted(module.name for module in modules if module.name != "bot.__main__")


def test_importing_every_core_module_imports_neither_telegram_nor_handlers() -> None:
    """A fresh interpreter, so nothing another test imported can hide an import."""
    script = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in ('telegram', 'handlers'))\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == ""


def test_every_core_subpackage_says_what_lives_there() -> None:
    for package in (ROOT / "bot").iterdir():
        if package.is_dir() and (package / "__init__.py").exists():
            assert (package / "__init__.py").read_text("utf-8").startswith('"""'), package.name


def test_the_telegram_runner_is_reached_through_its_entry_point() -> None:
    from bot.cli.serve import channel
    from handlers.app import run_telegram

    assert channel("telegram") is run_telegram

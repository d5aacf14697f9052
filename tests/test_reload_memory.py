"""A reload holds two matchers only until the swap: the old one is freed then, without waiting for the collector."""

from __future__ import annotations

import gc
import shutil
import weakref
from pathlib import Path

from bot.config import MatchingSettings
from bot.knowledge.reloader import EngineHolder

ROOT = Path(__file__).resolve().parent.parent


def test_the_old_matcher_is_freed_at_the_swap(tmp_path: Path, matching: MatchingSettings) -> None:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    for path in (ROOT / "knowledge").glob("*.yaml"):
        shutil.copy(path, folder)
    holder = EngineHolder(folder, matching)
    old_engine = weakref.ref(holder.engine)
    old_matcher = weakref.ref(holder.engine.matcher)
    gc.collect()
    gc.disable()  # freed by reference counting alone: no cycle keeps the old one until a collection
    try:
        assert holder.reload() == []
        assert old_engine() is None and old_matcher() is None
    finally:
        gc.enable()
    assert holder.engine.answer("Hvordan starter jeg en bedrift?").entry_id


def test_a_built_engine_is_out_of_the_collectors_view(tmp_path: Path, matching: MatchingSettings) -> None:
    try:
        holder = EngineHolder(ROOT / "knowledge", matching)
        tracked = {id(item) for item in gc.get_objects()}
        assert gc.get_freeze_count() > 0
        assert id(holder.engine.matcher.coverage.known_forms) not in tracked  # frozen: full collections skip it
    finally:
        gc.unfreeze()

"""Shared fixtures: the shipped knowledge base and an engine over it, loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, MatchingSettings, load_config
from bot.engine import AnswerEngine
from bot.knowledge.model import KnowledgeBase, load_knowledge

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shipped_config() -> Config:
    return load_config(ROOT / "config.yaml")


@pytest.fixture(scope="session")
def knowledge(shipped_config: Config) -> KnowledgeBase:
    return load_knowledge(shipped_config.knowledge_dir)


@pytest.fixture(scope="session")
def matching(shipped_config: Config) -> MatchingSettings:
    return shipped_config.matching


@pytest.fixture(scope="session")
def engine(knowledge: KnowledgeBase, matching: MatchingSettings) -> AnswerEngine:
    return AnswerEngine(knowledge, matching)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's own token, config or database overrides."""
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "NAERINGSBOT_CONFIG",
        "NAERINGSBOT_DATABASE",
        "NAERINGSBOT_SECRET",
        "TELEGRAM_API_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)

"""Configuration: defaults, environment overrides, and errors that say what to write instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_config_is_valid_and_matches_defaults() -> None:
    config = load_config(ROOT / "config.yaml")
    assert config.telegram.mode == "polling"
    assert config.privacy.retention_days == 180
    assert config.knowledge_dir == ROOT / "knowledge"
    assert config.database_path == ROOT / "data" / "inquiries.db"
    assert config.staff.chat_id is None


def test_missing_default_config_means_all_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.telegram.base_url == "https://api.telegram.org/bot"
    assert config.storage.database == Path("data/inquiries.db")


def test_explicit_config_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")


def test_environment_overrides_database_and_base_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAERINGSBOT_DATABASE", str(tmp_path / "x.db"))
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:9000/bot")
    config = load_config(ROOT / "config.yaml")
    assert config.database_path == tmp_path / "x.db"
    assert config.telegram_base_url == "http://127.0.0.1:9000/bot"


def test_config_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "custom.yaml"
    file.write_text("privacy:\n  retention_days: 30\n", "utf-8")
    monkeypatch.setenv("NAERINGSBOT_CONFIG", str(file))
    assert load_config().privacy.retention_days == 30


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    file = tmp_path / "conf" / "c.yaml"
    file.parent.mkdir()
    file.write_text("storage:\n  database: db/log.db\n", "utf-8")
    assert load_config(file).database_path == file.parent / "db" / "log.db"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "telegram:\n  mode: carrier-pigeon\n",
            r"c\.yaml:2: telegram\.mode: not allowed — use one of 'polling' or 'webhook'",
        ),
        ("telegram:\n  pol_interval: 1\n", r"c\.yaml:2: telegram\.pol_interval: unknown key"),
        ("privacy:\n  retention_days: -3\n", r"c\.yaml:2: privacy\.retention_days: .*greater than or equal to 1"),
        ("staff:\n  user_ids: [abc]\n", r"c\.yaml:2: staff\.user_ids\.0: .*integer"),
        (
            "matching:\n  confidence:\n    weights: {score: 1.0, colour: 2.0}\n",
            r"c\.yaml:3: matching\.confidence\.weights: .*unknown features \['colour'\]",
        ),
        (
            "telegram:\n  webhook:\n    path: /healthz\n",
            r"c\.yaml:3: telegram\.webhook\.path: .*'healthz' is the health check's path; choose another",
        ),
        ("telegram: [\n", r"c\.yaml:\d+: invalid YAML"),
        ("- just\n- a list\n", r"c\.yaml:1: the config must be a mapping"),
    ],
)
def test_bad_config_names_file_line_key_and_fix(tmp_path: Path, text: str, expected: str) -> None:
    file = tmp_path / "c.yaml"
    file.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match=expected):
        load_config(file)

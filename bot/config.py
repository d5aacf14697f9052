"""Settings from ``config.yaml``, validated once into typed models; secrets come only from the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.knowledge.files import YamlSyntaxError, load_yaml

DEFAULT_CONFIG = Path("config.yaml")


class ConfigError(Exception):
    """A config problem a person can fix; the message names file, line, key and what is allowed."""


class Settings(BaseModel):
    """Base for every config section: unknown keys are errors, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid")


class LocalText(Settings):
    """A text in Norwegian Bokmål and English."""

    nb: str
    en: str

    def get(self, lang: str) -> str:
        return self.nb if lang == "nb" else self.en


class WebhookSettings(Settings):
    listen: str = "127.0.0.1"
    port: int = Field(8443, ge=1, le=65535)
    url: str | None = None
    path: str = "telegram"
    secret_token_env: str = "TELEGRAM_WEBHOOK_SECRET"

    @field_validator("path")
    @classmethod
    def _not_the_health_check(cls, path: str) -> str:
        """The health check answers at /healthz on the same server, so the webhook needs a path of its own."""
        if not path.strip("/"):
            raise ValueError("the webhook needs a path of its own, e.g. path: telegram")
        if path.strip("/").lower() == "healthz":
            raise ValueError("'healthz' is the health check's path; choose another, e.g. path: telegram")
        return path


class TelegramSettings(Settings):
    base_url: str = "https://api.telegram.org/bot"
    mode: Literal["polling", "webhook"] = "polling"
    poll_interval: float = Field(0.0, ge=0)
    poll_timeout: int = Field(30, ge=0, le=50)
    read_timeout_margin: float = Field(10.0, gt=0)  # how long past poll_timeout a getUpdates answer may take
    webhook: WebhookSettings = WebhookSettings()


class KnowledgeSettings(Settings):
    """Where the knowledge base lives and what ``kb check`` requires of it.

    ``required_ids`` are entries that reports and test questions refer to (Drammen's sixteen in the
    shipped config, none for another knowledge base); ``languages`` are the languages every title,
    answer and question list must have (``nn`` is optional unless listed).
    """

    dir: Path = Path("knowledge")
    reload_seconds: float = Field(5.0, gt=0)
    max_file_kb: int = Field(2048, gt=0)
    required_ids: list[str] = []
    languages: list[Literal["nb", "nn", "en"]] = Field(["nb", "en"], min_length=1)


class StorageSettings(Settings):
    database: Path = Path("data/inquiries.db")


class ContactFields(Settings):
    """How people reach staff when no staff chat is set; only what the municipality fills in."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    url: str | None = None
    address: str | None = None
    hours: str | None = None


class HandoffSettings(Settings):
    """Handing questions to people; the wording promises nothing the municipality has not decided."""

    confirmation: LocalText = LocalText(
        nb="Jeg har sendt spørsmålet ditt videre til næringsavdelingen i Drammen kommune. "
        "Svaret kommer her i chatten.",
        en="I have passed your question on to Drammen municipality's business-development staff. "
        "Their answer will arrive here in this chat.",
    )
    signature: str = "Drammen kommune, næringsutvikling"
    max_per_day: int = Field(3, ge=1)
    keep_chat_hours: int = Field(72, ge=0)
    forum_topics: bool = True


class StaffSettings(Settings):
    user_ids: list[int] = []
    chat_id: int | None = None
    show_names: bool = False
    contact: ContactFields = ContactFields()
    # How the bot names the staff unit to citizens, per language ({unit} in answers and phrases).
    unit_name: dict[str, str] = {"nb": "næringsavdelingen i Drammen kommune",
                                 "nn": "næringsavdelinga i Drammen kommune",
                                 "en": "Drammen municipality's business-development staff"}

    def unit(self, lang: str) -> str:
        return self.unit_name.get(lang) or self.unit_name.get("nb") or next(iter(self.unit_name.values()), "")

    def reach(self) -> str | None:
        """How a citizen can reach a person: the staff chat, the contact details, or (None) not at all."""
        if self.chat_id is not None:
            return "staff_chat"
        if any(value for key, value in self.contact if key != "name"):  # the fields as they are: no dump per reply
            return "contact"
        return None


class OpsSettings(Settings):
    """What monitoring reads: the polling heartbeat and how old it may get (``naeringsbot doctor --live``).

    The heartbeat file is touched after every successful ``getUpdates``; by default it lies beside
    the database. A long poll returns within ``telegram.poll_timeout`` seconds, so the limit only
    needs room for that and for handling a batch.
    """

    heartbeat: Path | None = None
    max_poll_age_seconds: float = Field(120.0, gt=0)


class PrivacySettings(Settings):
    retention_days: int = Field(180, ge=1, le=3650)


class ScopeSettings(Settings):
    """A logistic model's weights over the matcher's signals (see ``bot/matching/confidence.py``)."""

    intercept: float = 0.0
    weights: dict[str, float] = {}

    @field_validator("weights")
    @classmethod
    def _known_features(cls, value: dict[str, float]) -> dict[str, float]:
        from bot.matching.confidence import FEATURES

        unknown = sorted(set(value) - set(FEATURES))
        if unknown:
            raise ValueError(f"unknown features {unknown}; allowed: {', '.join(FEATURES)}")
        return value


class ConfidenceSettings(ScopeSettings):
    """The confidence model's weights, fitted by ``naeringsbot kb tune`` (see ``bot/matching/confidence.py``).

    With ``scope`` (the model of "the question is in scope at all") the weights here are those of
    "the best entry is right, given the question is in scope".
    """

    intercept: float = -6.0
    weights: dict[str, float] = {"score": 6.0, "gap": 6.0, "known_share": 3.0}
    scope: ScopeSettings | None = None


class MatchingSettings(Settings):
    """Decision thresholds and the confidence model, chosen with ``naeringsbot kb tune``.

    ``answer_threshold`` applies to the confidence (a probability that the best entry is right);
    ``suggest_threshold`` to the best entry's match score, below which the bot offers no
    suggestions at all; ``min_gap`` is the lead over the runner-up an answer also needs;
    ``suggest_confidence`` is the confidence below which "did you mean…" is not offered either.
    ``phrase_weight`` and ``char_weight`` shape the ranking itself: how much the closest single
    alternate question and the character n-grams count beside the word coverage. The defaults
    suit a knowledge base of short, direct alternate questions; one whose entries also carry long
    phrasings of situations gains from more weight on them. ``bm25_weight`` blends in BM25 over
    each entry's pooled phrasings, which helps when entries have dozens of phrasings each, and
    ``semantic_weight`` a sentence embedding's similarity, which finds paraphrases that share no
    word (English mostly; 0: not used, nor loaded). ``kb tune`` chooses the four from the alternate questions
    (``bot.knowledge.ranking``) before it fits the rest, which depends on them.
    """

    answer_threshold: float = Field(0.8, ge=0, le=1)
    suggest_threshold: float = Field(0.3, ge=0, le=1)
    min_gap: float = Field(0.0, ge=0, le=1)
    suggest_confidence: float = Field(0.0, ge=0, le=1)
    max_suggestions: int = Field(3, ge=1, le=5)
    phrase_weight: float = Field(0.25, ge=0, le=1)
    char_weight: float = Field(0.35, ge=0, le=1)
    bm25_weight: float = Field(0.0, ge=0, le=1)
    semantic_weight: float = Field(0.0, ge=0, le=1)
    confidence: ConfidenceSettings = ConfidenceSettings()


class FloodSettings(Settings):
    max_messages: int = Field(8, ge=1)
    per_seconds: float = Field(10.0, gt=0)


class Choice(Settings):
    id: str
    title: LocalText


class ProfileSettings(Settings):
    ask: bool = True
    roles: list[Choice] = []
    municipalities: list[Choice] = []


INDICATOR_METRICS_WITH_VALUE = ("entry", "topic", "role", "municipality", "source")
INDICATOR_SHARE_METRICS = ("answered_share", "satisfaction")


class Indicator(Settings):
    """One programme indicator and its target figure (måltall) per year; see bot/reports/indicators.py.

    Counts are pro-rated to shorter report periods; shares (0–1) are not. ``value`` names the entry,
    topic, role, municipality or deep-link source that the ``entry``…``source`` metrics count.
    """

    id: str
    title: LocalText
    metric: Literal[
        "inquiries",
        "unique_users",
        "answered_share",
        "satisfaction",
        "handoffs",
        "handoffs_answered",
        "entry",
        "topic",
        "role",
        "municipality",
        "source",
    ]
    value: str | None = Field(None, validate_default=True)
    target: float = Field(ge=0)
    example: bool = False

    @field_validator("value")
    @classmethod
    def _value_when_needed(cls, value: str | None, info: Any) -> str | None:
        metric = info.data.get("metric")
        if metric in INDICATOR_METRICS_WITH_VALUE and not value:
            raise ValueError(f"metric '{metric}' needs a value: the {metric} id to count, e.g. value: funding")
        if metric is not None and metric not in INDICATOR_METRICS_WITH_VALUE and value:
            raise ValueError(f"metric '{metric}' takes no value — remove it")
        return value

    @field_validator("target")
    @classmethod
    def _share_at_most_one(cls, target: float, info: Any) -> float:
        metric = info.data.get("metric")
        if metric in INDICATOR_SHARE_METRICS and target > 1:
            raise ValueError(f"metric '{metric}' is a share: write the target between 0 and 1, e.g. 0.8")
        return target


class Config(Settings):
    telegram: TelegramSettings = TelegramSettings()
    knowledge: KnowledgeSettings = KnowledgeSettings()
    storage: StorageSettings = StorageSettings()
    staff: StaffSettings = StaffSettings()
    handoff: HandoffSettings = HandoffSettings()
    privacy: PrivacySettings = PrivacySettings()
    matching: MatchingSettings = MatchingSettings()
    flood: FloodSettings = FloodSettings()
    profile: ProfileSettings = ProfileSettings()
    indicators: list[Indicator] = []
    ops: OpsSettings = OpsSettings()
    base_dir: Path = Field(Path("."), exclude=True)

    @property
    def knowledge_dir(self) -> Path:
        return _resolve(self.base_dir, self.knowledge.dir)

    @property
    def database_path(self) -> Path:
        override = os.environ.get("NAERINGSBOT_DATABASE")
        if override:
            return Path(override)
        return _resolve(self.base_dir, self.storage.database)

    @property
    def telegram_base_url(self) -> str:
        return os.environ.get("TELEGRAM_API_BASE_URL") or self.telegram.base_url


def _resolve(base: Path, path: Path) -> Path:
    return path if path.is_absolute() else base / path


def config_path(explicit: str | Path | None = None) -> Path:
    """The config file to use: ``--config``, else ``NAERINGSBOT_CONFIG``, else ``./config.yaml``."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("NAERINGSBOT_CONFIG") or DEFAULT_CONFIG)


def load_config(path: str | Path | None = None) -> Config:
    """Load and validate the config; a missing default file means all defaults."""
    file = config_path(path)
    if not file.exists():
        if path or os.environ.get("NAERINGSBOT_CONFIG"):
            raise ConfigError(f"{file}: config file not found — check --config or NAERINGSBOT_CONFIG")
        return Config(base_dir=Path.cwd())
    try:
        document = load_yaml(file)
    except YamlSyntaxError as error:
        raise ConfigError(str(error)) from error
    data = document.data or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{file}:1: the config must be a mapping of sections (telegram:, …)")
    try:
        return Config.model_validate({**data, "base_dir": file.resolve().parent})
    except ValidationError as error:
        first = error.errors()[0]
        location = [step for step in first["loc"] if step != "base_dir"]
        key = ".".join(str(step) for step in location)
        line = document.line_of(location)
        raise ConfigError(f"{file}:{line}: {key}: {_explain(first)}") from error


def _explain(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key — remove it or check its spelling against config.yaml's comments"
    if kind == "literal_error":
        allowed = error.get("ctx", {}).get("expected", "")
        return f"not allowed — use one of {allowed}"
    if kind == "missing":
        return "required — add it"
    return f"{error['msg']} (got {error.get('input')!r})"

"""Learning from use: suggestions collected from the log, decided by staff behind a regression guard."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import Config
from bot.learning.decisions import Refused, accept, reject, undo
from bot.learning.suggestions import SuggestionBox, known_phrasings
from tests.conftest import ROOT
from tests.helpers import entry, write_knowledge
from tests.offline import Harness, config_for, harness_for

# Questions the shipped matcher may be unsure about; tests use the first it answers with "did you mean".
UNSURE_CANDIDATES = ("møte", "forskning", "drammen", "campus or college", "kontor", "hvem hjelper", "prosjekt")


def knowledge_copy(tmp_path: Path, eval_sets: tuple[str, ...] = ("questions.yaml",)) -> Path:
    """A copy of the shipped knowledge base to edit, with a small evaluation set for the guard."""
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder, ignore=shutil.ignore_patterns("eval"))
    (folder / "eval").mkdir()
    for name in eval_sets:
        shutil.copy(ROOT / "knowledge" / "eval" / name, folder / "eval" / name)
    return folder


@pytest.fixture
async def bot(tmp_path: Path, shipped_config: Config) -> AsyncIterator[Harness]:
    folder = knowledge_copy(tmp_path)
    config = config_for(tmp_path, shipped_config, profile__ask=False,
                        knowledge={"dir": str(folder), "reload_seconds": 5})
    async for harness in harness_for(config):
        yield harness


def box_of(bot: Harness) -> SuggestionBox:
    return SuggestionBox(bot.app.bot_data.services.db)


def refresh(bot: Harness) -> list[Any]:
    engine = bot.app.bot_data.services.engines.engine
    return box_of(bot).refresh(engine.matcher, known_phrasings(engine.knowledge))


def unsure_question(bot: Harness) -> str:
    engine = bot.app.bot_data.services.engines.engine
    for question in UNSURE_CANDIDATES:
        if engine.answer(question, "nb").outcome == "ambiguous":
            return question
    pytest.fail("none of the candidate questions gets 'did you mean' from the shipped matcher: add one")


async def ask_and_pick(bot: Harness, question: str, user_id: int) -> str:
    """The user asks something the bot is unsure about and picks the first suggestion."""
    await bot.say(question, user_id=user_id)
    picks = [data for _, data in bot.request.buttons() if data.startswith("e:")]
    assert picks, f"expected 'did you mean' for {question!r}: {bot.request.last_text()}"
    await bot.press(picks[0], user_id=user_id)
    return picks[0].split(":")[1]


async def test_a_did_you_mean_pick_becomes_a_phrasing_suggestion_counted_by_users(bot: Harness) -> None:
    question = unsure_question(bot)
    entry = await ask_and_pick(bot, question, user_id=1)
    await ask_and_pick(bot, question, user_id=2)
    (suggestion,) = [s for s in refresh(bot) if s.kind == "phrasing"]
    assert (suggestion.text, suggestion.entry, suggestion.count) == (question, entry, 2)


async def test_an_unanswered_question_is_a_needs_an_answer_suggestion(bot: Harness) -> None:
    await bot.say("Hvor kan jeg kjøpe billige sykler i Drammen?")
    unanswered = [s for s in refresh(bot) if s.kind == "unanswered"]
    assert [s.text for s in unanswered] == ["Hvor kan jeg kjøpe billige sykler i Drammen?"]


async def test_forget_removes_a_users_contribution_from_open_suggestions(bot: Harness) -> None:
    await ask_and_pick(bot, unsure_question(bot), user_id=1)
    assert refresh(bot)
    await bot.say("/forget", user_id=1)
    await bot.press("x:yes", user_id=1)
    assert not list(bot.app.bot_data.services.db.query("select * from suggestions where status = 'open'"))
    assert refresh(bot) == []


async def test_accepting_writes_the_phrasing_keeping_comments_and_the_bot_then_answers_it(bot: Harness) -> None:
    question = unsure_question(bot)
    entry = await ask_and_pick(bot, question, user_id=1)
    (suggestion,) = refresh(bot)
    config = bot.app.bot_data.services.config
    path = next(p for p in config.knowledge_dir.glob("*.yaml") if f"id: {entry}" in p.read_text("utf-8"))
    comments = [line for line in path.read_text("utf-8").splitlines() if line.lstrip().startswith("#")]
    change = accept(config, box_of(bot), suggestion.id, "tester")
    assert f'+        - "{question}"' in change.diff
    text = path.read_text("utf-8")
    assert [line for line in text.splitlines() if line.lstrip().startswith("#")] == comments
    learned = (config.knowledge_dir / "eval" / "learned.yaml").read_text("utf-8")
    assert f'{{q: "{question}", expect: {entry}, lang: ' in learned
    bot.app.bot_data.services.engines.reload()
    await bot.say(question, user_id=3)
    assert bot.app.bot_data.services.engines.engine.knowledge.get(entry).title.nb in bot.request.last_text()
    assert [row["action"] for row in box_of(bot).history()] == ["accepted"]
    undone = undo(config, box_of(bot), suggestion.id, "tester")
    assert f'-        - "{question}"' in undone.diff
    bot.app.bot_data.services.engines.reload()
    assert question not in bot.app.bot_data.services.engines.engine.knowledge.get(entry).questions.nb


def guarded_knowledge(tmp_path: Path) -> Path:
    folder = write_knowledge(
        tmp_path / "kb",
        entry("funding", questions={"nb": ["hvordan søker jeg forskningsmidler", "midler til forskning"],
                                    "en": ["how do I apply for research funding"]}),
        entry("conferences", questions={"nb": ["hvor kan vi holde en konferanse"],
                                        "en": ["where can we hold a conference"]}),
    )
    (folder / "eval").mkdir()
    (folder / "eval" / "questions.yaml").write_text(
        '- {q: "hvordan søker jeg forskningsmidler", expect: funding, lang: nb}\n'
        '- {q: "hvor kan jeg kjøpe billige sykler", expect: null, lang: nb}\n', "utf-8")
    return folder


@pytest.mark.parametrize(("text", "entry_id", "reason"), [
    ("hvor kan jeg kjøpe billige sykler", "conferences", "wrong answers in eval/questions.yaml would rise"),
    ("hvordan søker jeg forskningsmidler", "unknown-entry", "no entry 'unknown-entry'"),
])
def test_the_guard_refuses_and_writes_nothing(
    tmp_path: Path, shipped_config: Config, text: str, entry_id: str, reason: str
) -> None:
    from bot.store.database import open_database

    folder = guarded_knowledge(tmp_path)
    config = config_for(tmp_path, shipped_config, knowledge={"dir": str(folder), "reload_seconds": 5})
    box = SuggestionBox(open_database(config.database_path))
    box.db.execute("insert into suggestions (kind, key, text, entry, count, first_seen, last_seen, status) "
                   "values ('phrasing', 'k1', ?, ?, 1, '', '', 'open')", [text, entry_id])
    before = (folder / "entries.yaml").read_text("utf-8")
    with pytest.raises(Refused, match=reason):
        accept(config, box, 1, "tester")
    assert (folder / "entries.yaml").read_text("utf-8") == before
    assert not (folder / "eval" / "learned.yaml").exists()
    assert box.get(1)["status"] == "open"


async def test_a_text_with_a_redaction_marker_cannot_be_accepted(bot: Harness) -> None:
    db = bot.app.bot_data.services.db
    db.execute("insert into suggestions (kind, key, text, entry, count, first_seen, last_seen, status) "
               "values ('phrasing', 'k2', 'ring meg på [telefon] om kurs', 'establisher-courses', 1, '', '', 'open')")
    with pytest.raises(Refused, match="redacted personal data"):
        accept(bot.app.bot_data.services.config, box_of(bot), 1, "tester")
    reject(box_of(bot), 1, "tester")
    assert box_of(bot).get(1)["text"] is None  # a decided suggestion keeps no wording


def test_the_command_line_lists_accepts_and_shows_the_history(tmp_path: Path, shipped_config: Config) -> None:
    from bot.store.database import open_database
    from bot.store.inquiries import Inquiry, InquiryLog

    folder = knowledge_copy(tmp_path)
    config_file = tmp_path / "config.yaml"
    config_file.write_text(f"knowledge: {{dir: {folder}}}\nstorage: {{database: {tmp_path / 'db.sqlite'}}}\n", "utf-8")
    log = InquiryLog(open_database(tmp_path / "db.sqlite"))
    asked = log.record(Inquiry(channel="telegram", kind="message", outcome="ambiguous", user_ref="u1", update_id=1,
                               text="kurs gründer", lang="nb"))
    log.record(Inquiry(channel="telegram", kind="button", outcome="answered", user_ref="u1", update_id=2,
                       entry_id="establisher-courses", parent_id=asked.inquiry_id))
    runner = CliRunner()
    listed = runner.invoke(cli, ["kb", "suggestions", "--json", "--config", str(config_file)])
    assert listed.exit_code == 0, listed.output
    (item,) = json.loads(listed.output)
    assert {key: item[key] for key in ("kind", "text", "entry", "count")} == {
        "kind": "phrasing", "text": "kurs gründer", "entry": "establisher-courses", "count": 1}
    assert {"id", "first_seen", "last_seen"} <= set(item)
    accepted = runner.invoke(cli, ["kb", "accept", str(item["id"]), "--config", str(config_file)])
    assert accepted.exit_code == 0, accepted.output
    assert '+        - "kurs gründer"' in accepted.output
    history = runner.invoke(cli, ["kb", "history", "--config", str(config_file)])
    assert "accepted «kurs gründer» → establisher-courses" in history.output and "(terminal " in history.output


async def test_the_report_and_stats_show_the_review_queue(bot: Harness) -> None:
    from bot.reports.periods import resolve_period
    from bot.reports.report import build_report, stats_message

    await bot.say("Hvor kan jeg kjøpe billige sykler i Drammen?")
    (unanswered,) = [s for s in refresh(bot) if s.kind == "unanswered"]
    reject(box_of(bot), unanswered.id, "tester", "needs_answer")
    services = bot.app.bot_data.services
    report = build_report(services.db, services.config, resolve_period())
    queue = report["review_queue"]
    assert queue["needs_answer"] == 1 and queue["needs_answer_list"] == ["Hvor kan jeg kjøpe billige sykler i Drammen?"]
    assert "trenger nytt svar: 1" in stats_message(report)

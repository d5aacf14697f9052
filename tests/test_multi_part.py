"""Two questions in one message, through every channel: the assistant and its log, the report,
Telegram (one card per answered part) and the terminal chat."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.assistant import Sender
from bot.config import Config, Indicator
from bot.knowledge.model import KnowledgeBase
from bot.reports.indicators import compute_figures
from bot.reports.periods import parse_period
from bot.reports.review import review_metadata
from bot.reports.targets import actual
from bot.services import Services, build_services
from bot.store.database import open_database
from bot.store.inquiries import Inquiry, InquiryLog, InquiryOutcome
from bot.store.privacy import forget_user
from tests.offline import Harness, config_for, harness_for, terminal_chat

TWO_CARDS = "Hvor er turistkontoret, og hva er Visit Drammensregionen?"
CARD_AND_UNSURE = "Finnes det kurs for nye bedrifter, og hvem kan jeg prate med etterpå?"
UNKNOWN_AND_CARD = "Hvor kan jeg parkere i sentrum, og finnes det kurs for etablerere?"
CONTACT = {"contact": {"email": "post@example.invalid"}}


@pytest.fixture
def services(tmp_path: Path, shipped_config: Config) -> Iterator[Services]:
    built = build_services(config_for(tmp_path, shipped_config, profile__ask=False,
                                      staff={**shipped_config.staff.model_dump(), **CONTACT}))
    yield built
    built.close()


def parts_of(db: Database) -> list[dict[str, object]]:
    return list(db.query("select inquiry_id, part, entry_id, outcome from inquiry_parts order by inquiry_id, part"))


def test_the_message_is_one_inquiry_and_each_part_a_row_of_its_own(services: Services) -> None:
    sender = Sender(channel="telegram", user_id=5, chat_type="private", language_code="nb")
    answer = services.assistant.ask(sender, CARD_AND_UNSURE, update_id=900)
    rows = list(services.db.query("select id, text, entry_id, outcome from inquiries"))
    assert rows == [{"id": answer.recorded.inquiry_id, "text": CARD_AND_UNSURE, "entry_id": "establisher-courses",
                     "outcome": "answered"}]
    assert parts_of(services.db) == [
        {"inquiry_id": rows[0]["id"], "part": 1, "entry_id": "establisher-courses", "outcome": "answered"},
        {"inquiry_id": rows[0]["id"], "part": 2, "entry_id": None, "outcome": "ambiguous"},
    ]
    # No text and no pseudonym in the parts: the erasure rules of the message row cover them.
    assert {column.name for column in services.db.table("inquiry_parts").columns} == {
        "id", "inquiry_id", "part", "entry_id", "outcome", "score"}


def test_each_part_is_finished_like_a_reply_of_its_own(services: Services) -> None:
    sender = Sender(channel="telegram", user_id=6, chat_type="private", language_code="nb")
    card, unsure = services.assistant.ask(sender, CARD_AND_UNSURE).reply.parts
    source = services.engines.engine.knowledge.entries["establisher-courses"].source
    assert source and source in card.footer  # the answer's source under its card
    assert "{unit}" not in card.text + card.footer + unsure.text
    assert unsure.text.startswith("«hvem kan jeg prate med etterpå?»") and unsure.suggestions
    declined, answered = services.assistant.ask(sender, UNKNOWN_AND_CARD).reply.parts
    assert declined.text == "«Hvor kan jeg parkere i sentrum»: det vet jeg dessverre ikke noe om."
    assert answered.entry_id == "establisher-courses"


def test_a_redelivered_split_message_is_counted_once(services: Services) -> None:
    sender = Sender(channel="telegram", user_id=7, chat_type="private", language_code="nb")
    services.assistant.ask(sender, TWO_CARDS, update_id=901)
    again = services.assistant.ask(sender, TWO_CARDS, update_id=901)
    assert again.recorded.duplicate
    assert [row["part"] for row in parts_of(services.db)] == [1, 2]


@pytest.fixture
def log(tmp_path: Path) -> InquiryLog:
    return InquiryLog(open_database(tmp_path / "inquiries.db"))


def _message(log: InquiryLog, update_id: int, entry_id: str | None, outcome: InquiryOutcome,
             parts: list[dict[str, object]], user: str = "anna") -> int:
    recorded = log.record(Inquiry(channel="telegram", kind="message", outcome=outcome, user_ref=user,
                                  update_id=update_id, text="to spørsmål", entry_id=entry_id, score=0.9,
                                  received_at="2026-11-03T10:00:00+00:00", parts=parts))
    assert recorded.inquiry_id is not None
    return recorded.inquiry_id


def test_the_report_counts_each_answered_part_under_its_entry(log: InquiryLog, knowledge: KnowledgeBase) -> None:
    _message(log, 1, "tourist-office", "answered", [
        {"part": 1, "entry_id": "tourist-office", "outcome": "answered", "score": 0.9},
        {"part": 2, "entry_id": "visit-drammensregionen", "outcome": "answered", "score": 0.8}])
    _message(log, 2, "establisher-courses", "answered", [
        {"part": 1, "entry_id": "establisher-courses", "outcome": "answered", "score": 0.9},
        {"part": 2, "entry_id": None, "outcome": "ambiguous", "score": 0.5}])
    _message(log, 3, "tourist-office", "answered", [])  # a single question, as before
    figures = compute_figures(log.db, parse_period("2026-11"), knowledge)
    assert figures.by_entry == {"tourist-office": 2, "establisher-courses": 1, "visit-drammensregionen": 1}
    assert figures.by_topic == {"tourism": 3, "start-business": 1}
    # Inquiries stay one per message: three messages, three answered.
    assert (figures.totals.inquiries, figures.totals.answered) == (3, 3)
    entry = Indicator(id="vdr", title={"nb": "VDR", "en": "VDR"}, metric="entry", value="visit-drammensregionen",
                      target=10)
    assert actual(log.db, entry, parse_period("2026-11")) == 1
    topic = Indicator(id="tourism", title={"nb": "Reiseliv", "en": "Tourism"}, metric="topic", value="tourism",
                      target=10)
    assert actual(log.db, topic, parse_period("2026-11"), knowledge) == 3


def test_the_review_counts_cards_per_entry_as_the_report_does(
    log: InquiryLog, knowledge: KnowledgeBase, shipped_config: Config
) -> None:
    _message(log, 1, "tourist-office", "answered", [
        {"part": 1, "entry_id": "tourist-office", "outcome": "answered", "score": 0.9},
        {"part": 2, "entry_id": "visit-drammensregionen", "outcome": "answered", "score": 0.8}])
    _message(log, 2, "tourist-office", "answered", [])
    sql = review_metadata("x", shipped_config)["databases"]["x"]["queries"]["henvendelser-per-svar-per-maaned"]["sql"]
    rows = log.db.execute(sql, {"fra": "2026-11-01", "til": "2026-11-30"}).fetchall()
    shown = {svar: visninger for _month, _topic, svar, _title, visninger in rows}
    assert shown == compute_figures(log.db, parse_period("2026-11"), knowledge).by_entry
    assert shown == {"tourist-office": 2, "visit-drammensregionen": 1}


def test_forget_keeps_the_parts_as_anonymous_counts(log: InquiryLog) -> None:
    inquiry_id = _message(log, 1, "tourist-office", "answered", [
        {"part": 1, "entry_id": "tourist-office", "outcome": "answered", "score": 0.9},
        {"part": 2, "entry_id": "visit-drammensregionen", "outcome": "answered", "score": 0.8}])
    forget_user(log.db, "anna")
    row = log.inquiry(inquiry_id)
    assert row is not None and row["text"] is None and row["user_ref"] is None
    assert len(parts_of(log.db)) == 2


@pytest.fixture
async def bot(tmp_path: Path, shipped_config: Config) -> AsyncIterator[Harness]:
    config = config_for(tmp_path, shipped_config, profile__ask=False,
                        staff={**shipped_config.staff.model_dump(), **CONTACT})
    async for harness in harness_for(config):
        yield harness


async def test_telegram_sends_one_card_per_answered_part_with_its_buttons(bot: Harness) -> None:
    await bot.say(TWO_CARDS)
    first, second = bot.request.sent()
    knowledge = bot.app.bot_data.services.engines.engine.knowledge
    assert first["text"].startswith(f"<b>{knowledge.entries['tourist-office'].title.nb}</b>")
    assert second["text"].startswith(f"<b>{knowledge.entries['visit-drammensregionen'].title.nb}</b>")
    for card in (first, second):
        assert any(label == "Snakk med en person" for label, _ in bot.request.buttons(card))
    assert [row["outcome"] for row in bot.rows("kind = 'message'")] == ["answered"]


async def test_a_cards_related_buttons_leave_out_the_other_parts_already_shown(bot: Harness) -> None:
    await bot.say(TWO_CARDS)
    first, second = bot.request.sent()
    parent = bot.rows("kind = 'message'")[0]["id"]
    assert f"e:visit-drammensregionen:{parent}" not in [data for _, data in bot.request.buttons(first)]
    assert f"e:tourist-office:{parent}" not in [data for _, data in bot.request.buttons(second)]
    assert [data for _, data in bot.request.buttons(second) if data.startswith("e:")]  # others stay


async def test_only_the_card_a_vote_counts_for_has_thumbs(bot: Harness) -> None:
    """One vote per message, counted for its first answered part: 👎 under the second card must not
    land on the first card's entry, so only the first card asks for one."""
    update = await bot.say(TWO_CARDS)
    first, second = bot.request.sent()
    assert ("👍", f"f:{update['update_id']}:+") in bot.request.buttons(first)
    assert not [data for _, data in bot.request.buttons(second) if data.startswith("f:")]
    await bot.press(f"f:{update['update_id']}:-")
    rated = bot.app.bot_data.services.db.query(
        "select i.entry_id, f.value from feedback f join inquiries i on i.id = f.inquiry_id")
    assert list(rated) == [{"entry_id": "tourist-office", "value": -1}]


async def test_telegram_offers_an_unsure_part_and_says_an_unknown_one_in_a_line(bot: Harness) -> None:
    await bot.say(CARD_AND_UNSURE)
    card, unsure = bot.request.sent()
    assert card["text"].startswith("<b>Kurs for etablerere</b>")
    assert unsure["text"] == "«hvem kan jeg prate med etterpå?» – mente du …"
    parent = bot.rows("kind = 'message'")[0]["id"]
    assert (f"e:contact:{parent}" in [data for _, data in bot.request.buttons(unsure)])
    bot.request.calls.clear()
    await bot.say(UNKNOWN_AND_CARD)
    line, courses = bot.request.sent()
    assert "det vet jeg dessverre ikke noe om" in line["text"] and line.get("reply_markup") is None
    assert courses["text"].startswith("<b>Kurs for etablerere</b>")


def test_the_terminal_chat_shows_every_part_and_numbers_the_suggestions(services: Services) -> None:
    knowledge = services.engines.engine.knowledge
    output = terminal_chat(services, [CARD_AND_UNSURE, "1"])
    screen = output[1]
    assert knowledge.entries["establisher-courses"].answer.get("nb") in screen
    assert screen.index("== Kurs for etablerere ==") < screen.index("mente du")
    assert "  1. Snakk med en person" in screen
    assert output[2].startswith("== Snakk med en person ==")  # 1 picks the suggestion
    rows = list(services.db.query("select kind, entry_id, parent_id from inquiries order by id"))
    assert [(row["kind"], row["entry_id"]) for row in rows] == [("message", "establisher-courses"),
                                                                ("button", "contact")]
    assert rows[1]["parent_id"] is not None


@pytest.mark.parametrize(("text", "lang"), [
    (CARD_AND_UNSURE, "nb"),
    ("kurs og veiledning for gründere", "nb"),
    ("Kva er Campus Drammen, og kva har kommunen med høgskulen å gjere?", "nn"),
    ("Finst det kurs for etablerarar, og kven kan eg snakke med?", "nn"),
])
def test_og_does_not_make_bokmal_nynorsk(text: str, lang: str) -> None:
    from bot.matching.language import detect_language

    assert detect_language(text) == lang


def test_parts_wait_with_their_message_while_the_database_is_locked(tmp_path: Path) -> None:
    path, spool = tmp_path / "inquiries.db", tmp_path / "inquiries.db-queued.jsonl"
    db = open_database(path)
    db.execute("PRAGMA busy_timeout = 50")
    log = InquiryLog(db, spool=spool)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # someone's sqlite3 shell holds the write lock
    queued = log.record(Inquiry(channel="telegram", kind="message", outcome="answered", update_id=77,
                                entry_id="tourist-office", parts=[
                                    {"part": 1, "entry_id": "tourist-office", "outcome": "answered", "score": 0.9},
                                    {"part": 2, "entry_id": "funding", "outcome": "answered", "score": 0.8}]))
    assert queued.inquiry_id is None and spool.exists()
    other.execute("COMMIT")
    other.close()
    db.close()
    restarted = InquiryLog(open_database(path), spool=spool)  # the next start writes the spool first
    assert [row["entry_id"] for row in parts_of(restarted.db)] == ["tourist-office", "funding"]
    assert not spool.exists()


def test_thumbs_up_on_a_split_message_suggests_no_phrasing(log: InquiryLog) -> None:
    from bot.learning.suggestions import SuggestionBox

    for update_id, parts in ((1, [{"part": 1, "entry_id": "tourist-office", "outcome": "answered", "score": 0.7},
                                  {"part": 2, "entry_id": "funding", "outcome": "answered", "score": 0.7}]),
                             (2, [])):
        _message(log, update_id, "tourist-office", "answered", parts, user=f"user-{update_id}")
        log.db.execute("update inquiries set score = 0.7, text = ? where update_id = ?",
                       [f"spørsmål nummer {update_id}", update_id])
        assert log.record_feedback(update_id, f"user-{update_id}", 1)
    texts = [suggestion.text for suggestion in SuggestionBox(log.db).refresh() if suggestion.kind == "phrasing"]
    assert texts == ["spørsmål nummer 2"]  # only the single question is a phrasing of its entry


def test_picking_the_unsure_parts_suggestion_settles_the_message_already_counted(
    log: InquiryLog, knowledge: KnowledgeBase
) -> None:
    parent = _message(log, 1, "establisher-courses", "answered", [
        {"part": 1, "entry_id": "establisher-courses", "outcome": "answered", "score": 0.9},
        {"part": 2, "entry_id": None, "outcome": "ambiguous", "score": 0.6}])
    log.db.execute("update inquiries set suggested = ? where id = ?", ['["contact", "establisher-guidance"]', parent])
    for update_id, entry_id in ((2, "contact"), (3, "funding")):  # a suggestion, then a related topic
        log.record(Inquiry(channel="telegram", kind="button", outcome="answered", user_ref="anna", update_id=update_id,
                           entry_id=entry_id, parent_id=parent, received_at="2026-11-03T10:01:00+00:00"))
    totals = compute_figures(log.db, parse_period("2026-11"), knowledge).totals
    assert (totals.inquiries, totals.questions, totals.cards_opened) == (2, 1, 1)

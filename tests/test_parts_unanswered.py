"""The unanswered part of a message that asked two things reaches staff: /unanswered, the report,
its figures, the workbook and the suggestions for the knowledge base, with the part's own words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.config import Config
from bot.engine import AnswerEngine
from bot.knowledge.model import KnowledgeBase
from bot.learning.suggestions import SuggestionBox
from bot.matching.split import candidate_parts
from bot.reports.export_sheets import summary_sheet, unanswered_sheet
from bot.reports.indicators import compute_figures
from bot.reports.periods import parse_period
from bot.reports.report import build_report, render, stats_message
from bot.reports.sections import report_sections
from bot.reports.unanswered import format_unanswered, part_text, unanswered_groups
from bot.store.database import open_database
from bot.store.inquiries import Inquiry, InquiryLog, InquiryOutcome
from bot.store.privacy import forget_user, purge_expired
from bot.store.redaction import redact
from tests.offline import config_for, harness_for

NOVEMBER = parse_period("2026-11")
UNKNOWN_AND_CARD = "Hvor kan jeg parkere i sentrum, og finnes det kurs for etablerere?"
CARD_AND_UNSURE = "Finnes det kurs for nye bedrifter, og hvem kan jeg prate med etterpå?"
PARKING = "Hvor kan jeg parkere i sentrum"
MARK = "del av et spørsmål som også fikk svar"
STAFF_ID = 4242


@pytest.fixture
def log(tmp_path: Path) -> InquiryLog:
    return InquiryLog(open_database(tmp_path / "inquiries.db"))


def ask(log: InquiryLog, update_id: int, text: str, outcome: InquiryOutcome, parts: Sequence[InquiryOutcome] = (),
        user: str = "anna", day: int = 3, suggested: str | None = None) -> int:
    """A message in November; ``parts`` gives each part's outcome, an answered part the courses entry."""
    rows = [{"part": number, "entry_id": "establisher-courses" if part == "answered" else None, "outcome": part,
             "score": 0.9 if part == "answered" else 0.3} for number, part in enumerate(parts, start=1)]
    recorded = log.record(Inquiry(
        channel="telegram", kind="message", outcome=outcome, user_ref=user, update_id=update_id, text=text,
        entry_id="establisher-courses" if outcome == "answered" else None, suggested=suggested,
        received_at=f"2026-11-{day:02d}T10:00:00+00:00", parts=rows))
    assert recorded.inquiry_id is not None
    return recorded.inquiry_id


def pick(log: InquiryLog, update_id: int, parent: int, entry: str, user: str = "anna") -> None:
    log.record(Inquiry(channel="telegram", kind="button", outcome="answered", user_ref=user, update_id=update_id,
                       entry_id=entry, parent_id=parent, received_at="2026-11-03T10:01:00+00:00"))


@pytest.mark.parametrize("text", [
    "Kan dere ringe meg på 41 23 45 67, og hvor finnes det kurs for etablerere?",
    "Hvor kan jeg parkere i sentrum? Skriv til kari@example.no; hvem kan jeg prate med etterpå?",
    "Mitt nummer er 4123 4567?\nhvem kan jeg prate med etterpå?",
])
def test_redaction_markers_leave_the_split_points_where_they_were(text: str) -> None:
    original, stored = candidate_parts(text), candidate_parts(redact(text))
    assert len(stored) == len(original) >= 2 and stored != original
    assert stored[-1] == original[-1]  # the part without a number or address is word for word the same
    assert part_text(redact(text), len(original), len(original)) == original[-1]


def test_a_part_that_cannot_be_cut_again_shows_the_whole_message() -> None:
    assert part_text(UNKNOWN_AND_CARD, 1, 2) == PARKING
    assert part_text(UNKNOWN_AND_CARD, 3, 2) == UNKNOWN_AND_CARD  # out of range
    assert part_text(UNKNOWN_AND_CARD, 1, 3) == UNKNOWN_AND_CARD  # not the parts the message was split into


def test_an_unknown_part_joins_the_unanswered_questions_marked(log: InquiryLog, engine: AnswerEngine) -> None:
    ask(log, 1, UNKNOWN_AND_CARD, "answered", ["fallback", "answered"])
    ask(log, 2, "Hvor kan jeg parkere i sentrum?", "fallback", user="bob")
    ask(log, 3, "Hvor kan jeg kjøpe billige sykler?", "fallback", user="cara")
    groups = unanswered_groups(log.db, NOVEMBER, engine.matcher)
    parking = next(group for group in groups if "parkere" in group.example)
    assert (parking.count, parking.parts) == (2, 1)
    assert set(parking.examples) == {PARKING, "Hvor kan jeg parkere i sentrum?"}
    assert [group.parts for group in groups if group is not parking] == [0]
    text = format_unanswered(groups)
    assert f"– 1 av dem {MARK}" in text and text.count(MARK) == 1
    assert "– 1 of them part of a question that was also answered" in format_unanswered(groups, "en")
    # The part alone: the group is all parts, with the closest entry the matcher finds for its words.
    forget_user(log.db, "bob")
    (alone,) = [group for group in unanswered_groups(log.db, NOVEMBER, engine.matcher) if "parkere" in group.example]
    assert (alone.example, alone.count, alone.parts) == (PARKING, 1, 1)
    closest = engine.matcher.rank(PARKING, limit=1)
    expected = closest[0].entry_id if closest and closest[0].score >= engine.matcher.settings.suggest_threshold \
        else None
    assert alone.suggested_entry == expected
    assert format_unanswered([alone]).endswith(f"– {MARK}")


def test_the_figures_count_messages_and_the_unanswered_parts_apart(
    log: InquiryLog, knowledge: KnowledgeBase, shipped_config: Config
) -> None:
    ask(log, 1, UNKNOWN_AND_CARD, "answered", ["fallback", "answered"])
    ask(log, 2, CARD_AND_UNSURE, "answered", ["answered", "ambiguous"], user="bob")
    ask(log, 3, "Hvor kan jeg kjøpe billige sykler?", "fallback", user="cara")
    log.record(Inquiry(channel="telegram", kind="message", outcome="answered", user_ref="staff", update_id=4,
                       text=UNKNOWN_AND_CARD, entry_id="establisher-courses", is_staff=True,
                       received_at="2026-11-04T10:00:00+00:00",
                       parts=[{"part": 1, "outcome": "fallback"}, {"part": 2, "outcome": "answered"}]))
    totals = compute_figures(log.db, NOVEMBER, knowledge).totals
    # Three messages, two answered and one "I don't know"; one part of an answered one unknown (staff left out).
    assert (totals.inquiries, totals.answered, totals.fallback, totals.unanswered_parts) == (3, 2, 1, 1)
    report = build_report(log.db, shipped_config, NOVEMBER, knowledge, today=dt.date(2026, 12, 5))
    assert report["totals"]["unanswered_parts"] == 1
    (key_figures,) = [section for section in report_sections(report) if section.heading == "Nøkkeltall"]
    assert ["Deler uten svar i spørsmål som også fikk svar", "1"] in key_figures.rows
    (english,) = [section for section in report_sections(report, "en") if section.heading == "Key figures"]
    assert ["Unanswered parts of questions also answered", "1"] in english.rows
    (gaps,) = [section for section in report_sections(report) if section.heading.startswith("Ubesvarte")]
    assert sorted(row[0] for row in gaps.rows) == ["Hvor kan jeg kjøpe billige sykler?", f"{PARKING} ({MARK})"]
    assert f"{PARKING} ({MARK})" in render(report, "md", knowledge=knowledge)
    assert '"unanswered_parts": 1' in render(report, "json")
    assert "  + 1 del uten svar i spørsmål som også fikk svar (/unanswered)" in stats_message(report).splitlines()
    assert "  + 1 unanswered part of questions also answered (/unanswered)" in stats_message(report, "en")
    assert ["Deler uten svar i spørsmål som også fikk svar", 1] in summary_sheet(report, {}).rows
    assert f"{PARKING} ({MARK})" in [row[0] for row in unanswered_sheet(report, {}).rows]


def test_a_pick_for_the_unsure_part_suggests_the_parts_words(log: InquiryLog) -> None:
    for update_id, user in ((1, "anna"), (3, "anna"), (5, "bob")):
        parent = ask(log, update_id, CARD_AND_UNSURE, "answered", ["answered", "ambiguous"], user=user,
                     suggested='["contact", "establisher-guidance"]')
        pick(log, update_id + 1, parent, "contact", user)
    # A related button under the answered part's card is no pick among the suggestions.
    parent = ask(log, 7, CARD_AND_UNSURE, "answered", ["answered", "ambiguous"], user="cara",
                 suggested='["contact"]')
    pick(log, 8, parent, "funding", "cara")
    (phrasing,) = [s for s in SuggestionBox(log.db).refresh() if s.kind == "phrasing"]
    assert (phrasing.text, phrasing.entry, phrasing.count) == ("hvem kan jeg prate med etterpå?", "contact", 2)


def none_of_these(log: InquiryLog, update_id: int, parent: int, user: str = "anna") -> None:
    parent_row = log.inquiry(parent)
    assert parent_row is not None
    log.record(Inquiry(channel="telegram", kind="button", outcome="fallback", user_ref=user, update_id=update_id,
                       text=parent_row["text"], parent_id=parent, received_at="2026-11-03T10:02:00+00:00"))


def test_none_of_these_for_the_one_unsure_part_lists_that_part(log: InquiryLog) -> None:
    parent = ask(log, 1, CARD_AND_UNSURE, "answered", ["answered", "ambiguous"], suggested='["contact"]')
    none_of_these(log, 2, parent)
    (group,) = unanswered_groups(log.db, NOVEMBER)
    assert (group.example, group.count, group.parts) == ("hvem kan jeg prate med etterpå?", 1, 1)
    (suggestion,) = SuggestionBox(log.db).refresh()
    assert (suggestion.kind, suggestion.text) == ("unanswered", "hvem kan jeg prate med etterpå?")
    # Two unsure parts: the press cannot be told apart, so the whole message is listed as before.
    two = ask(log, 3, "Finnes det kurs for nye bedrifter? Hvem hjelper meg videre? Hva koster det å leie lokaler?",
              "answered", ["answered", "ambiguous", "ambiguous"], user="bob")
    none_of_these(log, 4, two, "bob")
    assert {(g.count, g.parts) for g in unanswered_groups(log.db, NOVEMBER) if g.example.startswith("Finnes")} == {
        (1, 0)}


def test_an_unknown_part_is_an_unanswered_suggestion_until_its_text_is_erased(log: InquiryLog) -> None:
    ask(log, 1, UNKNOWN_AND_CARD, "answered", ["fallback", "answered"])
    box = SuggestionBox(log.db)
    (unanswered,) = [s for s in box.refresh() if s.kind == "unanswered"]
    assert (unanswered.text, unanswered.count) == (PARKING, 1)
    assert box.drop_erased() == 0 and box.open_suggestions()  # the part's words are still in the log
    forget_user(log.db, "anna")
    assert box.drop_erased() == 1 and box.open_suggestions() == []
    assert unanswered_groups(log.db, NOVEMBER) == []


def test_the_purge_erases_the_parts_words_with_the_message(log: InquiryLog) -> None:
    ask(log, 1, UNKNOWN_AND_CARD, "answered", ["fallback", "answered"], day=1)
    ask(log, 2, UNKNOWN_AND_CARD, "answered", ["fallback", "answered"], day=20, user="bob")
    box = SuggestionBox(log.db)
    box.decide(box.refresh()[0].id, "needs_answer", "staff")
    purge_expired(log.db, 10, now=dt.datetime(2026, 11, 25, tzinfo=dt.UTC))
    assert [group.count for group in unanswered_groups(log.db, NOVEMBER)] == [1]  # only the message of the 20th
    assert box.queue()["needs_answer_list"] == [PARKING]
    forget_user(log.db, "bob")
    box.drop_erased()
    assert box.queue()["needs_answer_list"] == []
    assert list(log.db.query("select text from inquiries where text is not null")) == []


async def test_staff_see_the_unknown_part_in_unanswered(tmp_path: Path, shipped_config: Config) -> None:
    config = config_for(tmp_path, shipped_config, profile__ask=False, staff__user_ids=[STAFF_ID])
    async for harness in harness_for(config):
        await harness.say(UNKNOWN_AND_CARD, user_id=5)
        assert [row["outcome"] for row in harness.rows("kind = 'message'")] == ["answered"]
        await harness.say("/unanswered", user_id=STAFF_ID)
        listed = harness.request.last_text()
        assert f"1× «{PARKING}»" in listed and MARK in listed
        assert "kurs for etablerere" not in listed


async def test_staff_see_the_unsure_part_turned_down_in_unanswered(tmp_path: Path, shipped_config: Config) -> None:
    config = config_for(tmp_path, shipped_config, profile__ask=False, staff__user_ids=[STAFF_ID])
    async for harness in harness_for(config):
        await harness.say(CARD_AND_UNSURE, user_id=5)
        parent = harness.rows("kind = 'message'")[0]["id"]
        await harness.press(f"n:{parent}", user_id=5)
        await harness.say("/unanswered", user_id=STAFF_ID)
        listed = harness.request.last_text()
        assert "«hvem kan jeg prate med etterpå?»" in listed and MARK in listed
        assert "kurs for nye bedrifter" not in listed

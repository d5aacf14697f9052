"""Unanswered questions: grouped by similarity, biggest gap first, with a hint that is never applied."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.engine import AnswerEngine
from bot.reports.periods import PeriodError, parse_period
from bot.reports.unanswered import (
    UnansweredGroup,
    format_unanswered,
    group_texts,
    telegram_unanswered,
    unanswered_groups,
    unanswered_texts,
)
from bot.store.database import open_database
from bot.store.inquiries import Inquiry, InquiryLog
from tests.sample_log import NOVEMBER, build_sample_log


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    return build_sample_log(tmp_path_factory.mktemp("log") / "inquiries.db")


def test_similar_wordings_form_one_group_led_by_the_most_frequent() -> None:
    groups = group_texts([
        "Hvordan søker jeg støtte til båten min?",
        "søke støtte til båt",
        "søke støtte til båt",
        "parkering ved rådhuset",
        "Hvor kan jeg parkere ved rådhuset?",
        "Can I get a boat grant?",
    ])
    assert groups[0] == ["søke støtte til båt", "søke støtte til båt", "Hvordan søker jeg støtte til båten min?"]
    assert sorted(map(len, groups), reverse=True) == [len(group) for group in groups]
    assert ["Can I get a boat grant?"] in groups


def test_grouping_never_chains_unrelated_questions_through_a_third() -> None:
    # "med bar" resembles both others, but the most frequent wording founds the group and the
    # third, which does not resemble the founder, stays on its own.
    groups = group_texts(["starte kafe i drammen", "starte kafe i drammen", "starte kafe med bar",
                          "kafe med bar og scene"])
    assert groups == [["starte kafe i drammen", "starte kafe i drammen", "starte kafe med bar"],
                      ["kafe med bar og scene"]]


def test_texts_without_words_are_left_out_and_every_other_text_is_in_exactly_one_group() -> None:
    texts = [f"spørsmål nummer {index % 37} om tema {index % 5}" for index in range(600)] + ["???", "  "]
    groups = group_texts(texts)
    assert sum(map(len, groups)) == 600
    assert sorted(text for group in groups for text in group) == sorted(texts[:600])


def test_novembers_unanswered_questions_are_fallbacks_and_none_of_these(db: Database) -> None:
    # 7, 8 and 11 said "I don't know"; 10 is "none of these" after "kurs om regnskap" (9).
    # Erased (20), terminal-chat (22) and December (25) texts are not listed.
    assert unanswered_texts(db, NOVEMBER) == [
        "søke støtte til båt", "Hvordan søker jeg støtte til båten min?", "kurs om regnskap", "parkering ved rådhuset",
    ]


def test_groups_carry_the_closest_entry_as_a_hint(db: Database, engine: AnswerEngine) -> None:
    groups = unanswered_groups(db, NOVEMBER, engine.matcher)
    assert [(group.example, group.count, group.suggested_entry) for group in groups] == [
        ("søke støtte til båt", 2, "funding"),
        ("kurs om regnskap", 1, "establisher-courses"),
        ("parkering ved rådhuset", 1, None),
    ]
    assert groups[0].examples == ["søke støtte til båt", "Hvordan søker jeg støtte til båten min?"]
    assert groups[0].score == engine.matcher.rank("søke støtte til båt", limit=1)[0].score
    assert groups[2].score is None


def test_without_a_matcher_there_is_no_hint_and_nothing_is_changed(db: Database) -> None:
    before = list(db.query("select * from inquiries order by id"))
    groups = unanswered_groups(db, NOVEMBER, limit=1)
    assert groups == [UnansweredGroup("søke støtte til båt", 2, None, None,
                                      ["søke støtte til båt", "Hvordan søker jeg støtte til båten min?"])]
    assert list(db.query("select * from inquiries order by id")) == before


def test_staff_see_the_groups_as_short_lines(db: Database, engine: AnswerEngine) -> None:
    page = telegram_unanswered(db, "2026-11", "nb", engine.matcher)
    text = page.text
    assert text.splitlines()[0] == "Ubesvarte spørsmål 01.11.2026–30.11.2026"
    # the closest answer by its title, with no raw id or score
    assert "1. 2× «søke støtte til båt» (nærmeste svar: Midler til forskning, innovasjon og utvikling)" in text
    assert "funding" not in text and not re.search(r"\b0[.,]\d", text)
    assert "3. 1× «parkering ved rådhuset»" in text
    assert page.next_page is None
    assert format_unanswered([], "en") == "No unanswered questions in the period."
    many = [UnansweredGroup(f"q{index}", 1) for index in range(12)]
    assert format_unanswered(many, "en", limit=10).endswith("… and 2 more groups")


def test_a_bad_period_argument_is_an_error_fit_to_show(db: Database) -> None:
    with pytest.raises(PeriodError, match="2026-Q4"):
        telegram_unanswered(db, "neste år")


def test_an_erased_text_is_gone_from_the_list_but_still_counted_as_fallback(tmp_path: Path) -> None:
    db = open_database(tmp_path / "inquiries.db")
    log = InquiryLog(db)
    log.record(Inquiry("telegram", "message", "fallback", None, 1, received_at="2026-05-02T10:00:00+00:00"))
    assert unanswered_texts(db, parse_period("2026-05")) == []


def many_unanswered(path: Path, groups: int) -> Database:
    """``groups`` different unanswered questions on 2 November, group ``n`` asked ``groups - n + 1`` times."""
    db = open_database(path)
    log = InquiryLog(db)
    words = ["akvarium", "brannslukker", "campingvogn", "drivhus", "elefant", "fiskestang", "gitar", "hagemøbler",
             "isbjørn", "juletre", "kajakk", "lysekrone"]
    update = 0
    for number, word in enumerate(words[:groups]):
        for _ in range(groups - number):
            update += 1
            log.record(Inquiry("telegram", "message", "fallback", f"user-{update}", update,
                               text=word, received_at="2026-11-02T10:00:00+00:00"))
    return db


def test_pages_of_ten_groups_go_on_with_the_next_page_and_a_gone_page_says_so(tmp_path: Path) -> None:
    db = many_unanswered(tmp_path / "inquiries.db", 12)
    first = telegram_unanswered(db, "november 2026")
    assert first.next_page == 1 and first.period == NOVEMBER
    assert first.text.splitlines()[1] == "1. 12× «akvarium»" and first.text.splitlines()[10] == "10. 3× «juletre»"
    assert first.text.endswith("… og 2 grupper til")
    second = telegram_unanswered(db, page=1, period=NOVEMBER)
    assert second.text.splitlines() == ["Ubesvarte spørsmål 01.11.2026–30.11.2026 · 11–12 av 12",
                                        "11. 2× «kajakk»", "12. 1× «lysekrone»"]
    assert second.next_page is None
    gone = telegram_unanswered(db, page=2, period=NOVEMBER)
    assert "Denne siden finnes ikke lenger" in gone.text and gone.next_page is None


def test_a_page_of_long_questions_fits_one_telegram_message_line_by_line() -> None:
    """Ten pasted essays must not push groups off the page: each shows as one short line."""
    long = [UnansweredGroup(f"spørsmål {index}\n" + "om lokaler og leie " * 60, 1) for index in range(12)]
    text = format_unanswered(long, "nb", limit=10)
    lines = text.splitlines()
    assert len(text) <= 4096 - 100  # room for the heading
    assert len(lines) == 11 and lines[0].startswith("1. 1× «spørsmål 0 om lokaler") and lines[0].endswith(" …»")
    assert lines[9].startswith("10. 1× «spørsmål 9") and lines[10] == "… og 2 grupper til"

"""A small inquiry log for November 2026 whose every figure was counted by hand (see EXPECTED).

Four users (Anna and Cara write Norwegian, Bob and Dan English), one staff member, an editor
trying the bot in the terminal, two inquiries whose pseudonym and text were erased, and rows on
both sides of the month's edges. Times are stored in UTC and periods are Oslo days: 23:59:59 UTC on
31 October (row 24) is 00:59:59 on 1 November in Drammen, so it is November's, and 23:59:59 UTC on
30 November (row 27) is December's. Row numbers in the comments are the ``update_id`` of each row.

:func:`build_clock_log` is a second log, only of rows around midnights and the daylight-saving switches.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.reports.periods import Period, parse_period
from bot.store.database import open_database
from bot.store.inquiries import Inquiry, InquiryLog

NOVEMBER: Period = parse_period("2026-11")


def at(day: int, time: str = "12:00:00", month: int = 11) -> str:
    return f"2026-{month:02d}-{day:02d}T{time}+00:00"


def build_sample_log(path: Path) -> Database:
    db = open_database(path)
    log = InquiryLog(db)
    log.users.update("anna", lang="nb", role="founder", municipality="drammen", source="flyer")
    log.users.update("bob", lang="en", role="company", municipality="neighbour")
    log.users.update("cara", lang="nb")
    log.users.update("dan", lang="en", role="research", municipality="elsewhere")
    db.execute("update users set first_seen = ?, last_seen = ?", [at(1, "08:00:00"), at(30)])
    db.table("users").insert({"user_ref": "sam", "lang": "nb", "first_seen": at(1, month=9),
                              "last_seen": at(30, month=9)})

    def add(update_id: int, user: str | None, kind: str, outcome: Any, received_at: str, **extra: Any) -> int:
        inquiry = Inquiry(channel=extra.pop("channel", "telegram"), kind=kind, outcome=outcome, user_ref=user,
                          update_id=update_id, received_at=received_at, chat_type="private", **extra)
        recorded = log.record(inquiry)
        assert recorded.inquiry_id is not None
        return recorded.inquiry_id

    ids: dict[int, int] = {}
    ids[1] = add(1, "anna", "message", "answered", at(2, "09:00:00"), lang="nb",
                 text="Hvordan starter jeg en bedrift?", entry_id="establisher-guidance", score=0.91)
    ids[2] = add(2, "anna", "button", "answered", at(2, "09:05:00"), lang="nb", entry_id="funding", score=1.0)
    ids[3] = add(3, "anna", "message", "smalltalk", at(2, "09:06:00"), lang="nb", text="hei", entry_id="greeting")
    ids[4] = add(4, "bob", "message", "answered", at(3, "10:00:00"), lang="en",
                 text="Where is the tourist office?", entry_id="tourist-office", score=0.88)
    ids[5] = add(5, "bob", "message", "ambiguous", at(5, "10:00:00"), lang="en", text="funding or courses?",
                 score=0.6, suggested=json.dumps(["funding", "establisher-courses"]))
    ids[6] = add(6, "bob", "button", "answered", at(5, "10:01:00"), lang="en", entry_id="funding",
                 parent_id=ids[5])  # picked a suggestion: settles question 5
    ids[7] = add(7, "cara", "message", "fallback", at(10), lang="nb", text="søke støtte til båt", score=0.2)
    ids[8] = add(8, "cara", "message", "fallback", at(11), lang="nb",
                 text="Hvordan søker jeg støtte til båten min?", score=0.3)
    ids[9] = add(9, "cara", "message", "ambiguous", at(12, "08:00:00"), lang="nb", text="kurs om regnskap",
                 score=0.5, suggested=json.dumps(["establisher-courses"]))
    ids[10] = add(10, "cara", "button", "fallback", at(12, "08:01:00"), lang="nb", text="kurs om regnskap",
                  parent_id=ids[9])  # "none of these"
    ids[11] = add(11, "dan", "message", "fallback", at(15, "09:00:00"), lang="en", text="parkering ved rådhuset")
    ids[12] = add(12, "dan", "button", "handoff", at(15, "09:01:00"), lang="en", parent_id=ids[11])
    ids[13] = add(13, "dan", "message", "handoff", at(20), lang="en", text="Kan dere ringe meg?")
    add(14, "anna", "command", "command", at(1), lang="nb", text="/start")
    add(15, "anna", "button", "command", at(2, "09:04:00"), lang="nb", text="topic:campus-research")
    add(16, "bob", "non_text", "non_text", at(3, "10:05:00"), lang="en")
    add(17, "anna", "feedback", "command", at(2, "09:01:00"), lang="nb", parent_id=ids[1])
    ids[18] = add(18, "anna", "button", "answered", at(2, "09:10:00"), lang="nb", entry_id="establisher-courses",
                  parent_id=ids[1])  # a related-topic button under an answer: a new inquiry
    ids[19] = add(19, None, "message", "answered", at(25), lang="nb", entry_id="funding", score=0.8)  # erased
    add(20, None, "message", "fallback", at(26), lang="nb")  # erased
    ids[21] = add(21, "staff-1", "message", "answered", at(4), lang="nb", text="test av boten", entry_id="funding",
                  is_staff=True)
    ids[22] = add(22, "editor", "message", "fallback", at(4, "13:00:00"), lang="nb", text="testing testing",
                  channel="console")
    ids[23] = add(23, "editor", "message", "handoff", at(4, "13:01:00"), lang="nb", text="til en person",
                  channel="console")
    ids[24] = add(24, "anna", "message", "answered", at(31, "23:59:59", month=10), lang="nb",
                  text="støtte", entry_id="funding", score=0.9)
    add(25, "bob", "message", "fallback", at(1, "00:00:00", month=12), lang="en", text="søke støtte båt")
    ids[27] = add(27, "dan", "message", "answered", at(30, "23:59:59"), lang="en", text="business magazine?",
                  entry_id="business-magazine", score=0.95)

    ids[28] = add(28, "cara", "message", "flood", at(6, "10:00:00"), lang="nb")  # dropped by flood control
    ids[29] = add(29, None, "invalid", "invalid", at(6, "10:00:01"))  # an update nobody could parse

    voters = {1: "anna", 2: "anna", 4: "bob", 27: "dan", 21: "staff-1", 24: "anna"}  # each on their own inquiry
    for update_id, value in ((1, 1), (2, 1), (4, -1), (27, 1), (21, 1), (24, -1)):
        log.record_feedback(update_id, voters[update_id], value)
    handoffs: list[dict[str, Any]] = [
        {"reference": "H-1", "inquiry_id": ids[12], "user_ref": "dan", "lang": "en", "question": "parkering",
         "status": "answered", "opened_at": at(15, "10:00:00"), "first_answered_at": at(15, "10:30:00")},
        {"reference": "H-2", "inquiry_id": ids[13], "user_ref": "dan", "lang": "en", "question": "Kan dere ringe meg?",
         "status": "unrouted", "opened_at": at(20)},
        {"reference": "H-3", "inquiry_id": ids[23], "user_ref": "editor", "lang": "nb", "status": "open",
         "opened_at": at(4, "13:01:00")},
        {"reference": "H-4", "inquiry_id": None, "user_ref": None, "lang": "nb", "status": "closed",
         "opened_at": at(1, "08:00:00", month=12), "first_answered_at": at(1, "09:00:00", month=12),
         "closed_at": at(1, "10:00:00", month=12)},
    ]
    db.table("handoffs").insert_all(handoffs)
    return db


# Counted by hand from the rows above, for NOVEMBER in Oslo time (1 Nov 00:00 to 1 Dec 00:00 CET).
EXPECTED_TOTALS = {
    "inquiries": 13,  # questions 1 4 5 7 8 9 11 13 19 20 24, answer cards opened by button 2 18
    "unique_users": 4,  # anna bob cara dan (19 and 20 have no pseudonym)
    "answered": 6,  # 1 2 4 18 19 24
    "ambiguous": 2,  # 5 9
    "fallback": 4,  # 7 8 11 20
    "unanswered_parts": 0,  # no message here asks two things (tests/test_parts_unanswered.py counts them)
    "handoffs": 2,  # H-1 H-2 (H-3 came from the terminal chat, H-4 is in December)
    "to_staff": 1,  # 13
    "questions": 11,
    "cards_opened": 2,
    "ambiguous_resolved": 1,  # 5, by the pick in 6
    "none_of_these": 1,  # 10
    "smalltalk": 1,  # 3
    "without_pseudonym": 2,  # 19 20
    "dropped_by_flood_control": 1,  # 28
    "unreadable_updates": 1,  # 29
}
EXPECTED_BY_ENTRY = {  # cards shown: 1 2 4 6 18 19 24
    "funding": 4, "establisher-courses": 1, "establisher-guidance": 1, "tourist-office": 1,
}
EXPECTED_BY_TOPIC = {"campus-research": 4, "start-business": 2, "tourism": 1}
EXPECTED_BY_ROLE = {"unknown": 5, "founder": 4, "company": 2, "research": 2}  # anna 1 2 18 24, dan 11 13
EXPECTED_BY_MUNICIPALITY = {"unknown": 5, "drammen": 4, "elsewhere": 2, "neighbour": 2}
EXPECTED_BY_SOURCE = {"unknown": 9, "flyer": 4}
EXPECTED_BY_LANG = {"nb": 9, "en": 4}

# (stored UTC time, the Oslo day it belongs to): midnights in winter and summer time and both switches.
CLOCK_ROWS = [
    ("2026-03-28T23:30:00+00:00", "2026-03-29"),  # 00:30 CET, the night summer time starts
    ("2026-03-29T22:30:00+00:00", "2026-03-30"),  # 00:30 CEST: still the 29th in UTC
    ("2026-06-30T21:59:59+00:00", "2026-06-30"),  # 23:59:59 CEST, the last second of June
    ("2026-09-30T23:30:00+00:00", "2026-10-01"),  # 01:30 CEST: October, though September in UTC
    ("2026-10-24T22:30:00+00:00", "2026-10-25"),  # 00:30 CEST, the night summer time ends
    ("2026-10-25T22:30:00+00:00", "2026-10-25"),  # 23:30 CET, an hour later in UTC than the day before
    ("2026-10-31T23:30:00+00:00", "2026-11-01"),  # 00:30 CET: 23:30 UTC on October's last day is November
    ("2026-12-31T23:30:00+00:00", "2027-01-01"),  # 00:30 CET on New Year's Day
]


def build_clock_log(path: Path) -> Database:
    """One answered question per row of :data:`CLOCK_ROWS`, each from its own user."""
    db = open_database(path)
    log = InquiryLog(db)
    for number, (received_at, _) in enumerate(CLOCK_ROWS, start=1):
        log.record(Inquiry(channel="telegram", kind="message", outcome="answered", user_ref=f"user-{number}",
                           update_id=number, received_at=received_at, chat_type="private", lang="nb",
                           text=f"spørsmål {number}", entry_id="funding", score=0.9))
    return db

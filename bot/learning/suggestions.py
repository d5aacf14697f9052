"""Suggestions for the knowledge base, collected from what people did, never applied by themselves.

- **Phrasings**: a question followed by the entry the user chose for it: a "did you mean" pick, a
  menu or related pick within minutes of an unanswered question, or 👍 on an answer given with low
  confidence. Similar texts for the same entry are one suggestion; its count is distinct users.
- **Unanswered**: questions the bot could not answer ("I don't know", "none of these"), grouped by
  similarity, each with the closest entry as a hint: these need a new answer.

A message that asked two things counts part by part: a pick among the suggestions for its unsure
part is a phrasing of that part, and its unknown part is an unanswered question. A part's words are
cut again from the message's stored text (:func:`bot.reports.unanswered.part_text`), never stored.

Suggestions are worked out from the inquiry log each time, so a text erased by ``/forget`` or the
retention purge is gone from them too; the ``suggestions`` table only gives each one a stable id and
remembers decisions. A decided suggestion keeps a hash of its wording, not the wording (an accepted
phrasing lives on as the municipality's own text in the knowledge base); one marked "needs a new
answer" keeps its wording for the editors' list until the log's text is erased.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlite_utils import Database

from bot.matching.matcher import Matcher
from bot.reports.indicators import COUNTED
from bot.reports.unanswered import (
    PART_ROWS,
    WHOLE_UNANSWERED,
    comparable,
    group_texts,
    part_text,
    unanswered_part_rows,
)
from bot.store.inquiries import utc_now

Kind = Literal["phrasing", "unanswered"]
PICK_MINUTES = 10  # a menu pick this soon after an unanswered question is taken as its answer
LOW_CONFIDENCE = 0.75  # 👍 on an answer below this confidence makes its question a phrasing suggestion
REDACTION_MARKERS = ("[e-post]", "[telefon]", "[fødselsnummer]", "[kontonummer]")

_PICKED_AFTER_SUGGESTIONS = f"""
SELECT p.text, i.entry_id AS entry, i.user_ref, i.received_at FROM inquiries i
JOIN inquiries p ON p.id = i.parent_id
WHERE {COUNTED} AND i.kind = 'button' AND i.outcome = 'answered' AND p.kind = 'message'
  AND p.outcome = 'ambiguous' AND p.text IS NOT NULL AND p.user_ref = i.user_ref"""
# A pick among the suggestions of a split message's one unsure part (``p``'s row links the pick; with
# two unsure parts the pick cannot be told apart, so neither becomes a phrasing).
_PICKED_FOR_UNSURE_PART = f"""
SELECT p.text, ip.part, n.parts, i.entry_id AS entry, i.user_ref, i.received_at FROM inquiries i
JOIN inquiries p ON p.id = i.parent_id
JOIN inquiry_parts ip ON ip.inquiry_id = p.id AND ip.outcome = 'ambiguous'
JOIN (SELECT inquiry_id, count(*) AS parts, sum(outcome = 'ambiguous') AS unsure FROM inquiry_parts
      GROUP BY inquiry_id) n ON n.inquiry_id = p.id AND n.unsure = 1
WHERE {COUNTED} AND i.kind = 'button' AND i.outcome = 'answered' AND p.kind = 'message'
  AND p.outcome != 'ambiguous' AND p.text IS NOT NULL AND p.user_ref = i.user_ref
  AND EXISTS (SELECT 1 FROM json_each(p.suggested) s WHERE s.value = i.entry_id)"""
_PICKED_AFTER_UNANSWERED = f"""
SELECT p.text, i.entry_id AS entry, i.user_ref, i.received_at FROM inquiries i
JOIN inquiries p ON p.id = (SELECT q.id FROM inquiries q WHERE q.user_ref = i.user_ref AND q.kind = 'message'
                            AND q.id < i.id ORDER BY q.id DESC LIMIT 1)
WHERE {COUNTED} AND i.kind = 'button' AND i.outcome = 'answered' AND p.outcome = 'fallback'
  AND p.text IS NOT NULL AND julianday(i.received_at) - julianday(p.received_at) <= {PICK_MINUTES} / 1440.0"""
_THUMBS_UP_ON_UNSURE = f"""
SELECT i.text, i.entry_id AS entry, i.user_ref, f.received_at FROM feedback f
JOIN inquiries i ON i.id = f.inquiry_id
WHERE {COUNTED} AND f.value = 1 AND i.kind = 'message' AND i.outcome = 'answered' AND i.text IS NOT NULL
  AND i.score < {LOW_CONFIDENCE}
  AND NOT EXISTS (SELECT 1 FROM inquiry_parts ip WHERE ip.inquiry_id = i.id)"""  # two questions: no one phrasing


@dataclass(frozen=True)
class Suggestion:
    id: int
    kind: Kind
    text: str
    entry: str | None
    count: int
    first_seen: str
    last_seen: str
    examples: tuple[str, ...] = ()

    @property
    def acceptable(self) -> bool:
        """A text with a redaction marker is never added to the knowledge base as a phrasing."""
        return self.kind == "phrasing" and not any(marker in self.text for marker in REDACTION_MARKERS)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "text": self.text, "entry": self.entry, "count": self.count,
                "first_seen": self.first_seen, "last_seen": self.last_seen, "examples": list(self.examples)}


@dataclass(frozen=True)
class _Group:
    kind: Kind
    key: str
    text: str
    entry: str | None
    count: int
    first_seen: str
    last_seen: str
    examples: tuple[str, ...]


def wording_key(kind: Kind, text: str, entry: str | None) -> str:
    """What identifies a suggestion across runs: a hash, so a decided one keeps no wording."""
    return hashlib.sha256(f"{kind}\0{entry or ''}\0{comparable(text)}".encode()).hexdigest()[:32]


def _as_part(row: dict[str, Any]) -> dict[str, Any]:
    """A row of a message's part with the part's own words as its text."""
    return {**row, "text": part_text(row["text"], row["part"], row["parts"])}


def _phrasing_groups(db: Database, known: set[tuple[str, str]]) -> list[_Group]:
    rows = [row for sql in (_PICKED_AFTER_SUGGESTIONS, _PICKED_AFTER_UNANSWERED, _THUMBS_UP_ON_UNSURE)
            for row in db.query(sql)]
    rows += [_as_part(row) for row in db.query(_PICKED_FOR_UNSURE_PART)]
    by_entry: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if (row["entry"], comparable(row["text"])) not in known:
            by_entry.setdefault(row["entry"], []).append(row)
    groups = []
    for entry, entry_rows in by_entry.items():
        for texts in group_texts([row["text"] for row in entry_rows]):
            members = [row for row in entry_rows if row["text"].strip() in set(texts)]
            times = sorted(row["received_at"] for row in members)
            users = {row["user_ref"] for row in members if row["user_ref"]}
            groups.append(_Group("phrasing", wording_key("phrasing", texts[0], entry), texts[0], entry,
                                 len(users), times[0], times[-1], tuple(dict.fromkeys(texts))[:5]))
    return groups


def _unanswered_groups(db: Database, matcher: Matcher | None) -> list[_Group]:
    rows = list(db.query(f"SELECT i.text, i.received_at FROM inquiries i WHERE {COUNTED} AND {WHOLE_UNANSWERED} "
                         "AND i.text IS NOT NULL ORDER BY i.received_at, i.id"))
    rows += unanswered_part_rows(db)
    seen: dict[str, list[str]] = {}
    for row in rows:
        seen.setdefault(row["text"].strip(), []).append(row["received_at"])
    groups = []
    for texts in group_texts([row["text"] for row in rows]):
        times = sorted(time for text in set(texts) for time in seen.get(text, []))
        closest = matcher.rank(texts[0], limit=1) if matcher is not None else []
        hint = closest[0].entry_id if closest and matcher and closest[0].score >= matcher.settings.suggest_threshold \
            else None
        groups.append(_Group("unanswered", wording_key("unanswered", texts[0], None), texts[0], hint, len(texts),
                             times[0], times[-1], tuple(dict.fromkeys(texts))[:5]))
    return groups


class SuggestionBox:
    """Works the suggestions out from the log and keeps their ids and the staff's decisions."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def refresh(self, matcher: Matcher | None = None, known: Iterable[tuple[str, str]] = ()) -> list[Suggestion]:
        """The open suggestions, most frequent first; open ones whose texts were erased are dropped.

        ``known`` holds ``(entry, comparable text)`` of alternate questions already in the knowledge
        base, which are not suggested again.
        """
        groups = _phrasing_groups(self.db, set(known)) + _unanswered_groups(self.db, matcher)
        decided = {(row["kind"], row["key"]) for row in self.db.query(
            "select kind, key from suggestions where status != 'open'")}
        live = {(group.kind, group.key): group for group in groups if (group.kind, group.key) not in decided}
        with self.db.atomic():
            for row in list(self.db.query("select id, kind, key from suggestions where status = 'open'")):
                if (row["kind"], row["key"]) not in live:  # its texts were erased, or it is known now
                    self.db.execute("delete from suggestions where id = ?", [row["id"]])
            for group in live.values():
                self.db.execute(
                    "insert into suggestions (kind, key, text, entry, count, first_seen, last_seen, status) "
                    "values (?, ?, ?, ?, ?, ?, ?, 'open') on conflict(kind, key) do update set text = excluded.text, "
                    "entry = excluded.entry, count = excluded.count, first_seen = excluded.first_seen, "
                    "last_seen = excluded.last_seen",
                    [group.kind, group.key, group.text, group.entry, group.count, group.first_seen, group.last_seen])
        return self.open_suggestions(groups)

    def drop_erased(self) -> int:
        """After ``/forget`` or the purge: open suggestions whose wording is no longer in the log go now.

        A wording may be a part of a message, cut again from its text, so parts are the log's wordings too.
        """
        parts = {_as_part(row)["text"] for row in self.db.query(
            f"SELECT i.text, ip.part, n.parts {PART_ROWS} WHERE i.text IS NOT NULL")}
        erased = [row for row in self.db.query(
            "select id, status, text from suggestions where status in ('open', 'needs_answer') "
            "and text is not null and not exists (select 1 from inquiries i where trim(i.text) = suggestions.text)")
            if row["text"] not in parts]
        with self.db.atomic():
            for row in erased:
                if row["status"] == "open":
                    self.db.execute("delete from suggestions where id = ?", [row["id"]])
                else:
                    self.db.execute("update suggestions set text = null where id = ?", [row["id"]])
        return sum(row["status"] == "open" for row in erased)

    def open_suggestions(self, groups: list[_Group] | None = None) -> list[Suggestion]:
        examples = {(group.kind, group.key): group.examples for group in groups or []}
        rows = self.db.query("select * from suggestions where status = 'open' order by count desc, last_seen desc, id")
        return [Suggestion(row["id"], row["kind"], row["text"], row["entry"], row["count"], row["first_seen"],
                           row["last_seen"], examples.get((row["kind"], row["key"]), ())) for row in rows]

    def get(self, suggestion_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from suggestions where id = ?", [suggestion_id]))
        return rows[0] if rows else None

    def decide(self, suggestion_id: int, status: str, by: str, *, entry: str | None = None, lang: str | None = None,
               text: str | None = None) -> None:
        """Record a decision; the suggestion keeps only its hash (and, when accepted, the text as added)."""
        now = utc_now()
        with self.db.atomic():
            # "Needs a new answer" keeps its wording for the editors' list (erased with the log's texts).
            self.db.execute(
                "update suggestions set status = ?, decided_at = ?, decided_by = ?, "
                "text = case when ? = 'needs_answer' then text end, accepted_text = ?, "
                "accepted_entry = ?, accepted_lang = ? where id = ?",
                [status, now, by, status, text, entry, lang, suggestion_id])
            self.db.table("suggestion_history").insert(
                {"suggestion_id": suggestion_id, "action": status, "entry": entry, "lang": lang, "text": text,
                 "at": now, "by": by})

    def queue(self, start: str | None = None, end: str | None = None) -> dict[str, Any]:
        """The review queue for the report and /stats, read-only: what waits, and what was decided.

        ``accepted`` and ``needs_answer_decided`` count the decisions made between ``start`` and ``end``.
        """
        decided = {(row["kind"], row["key"]) for row in self.db.query(
            "select kind, key from suggestions where status != 'open'")}
        groups = [group for group in _phrasing_groups(self.db, set()) + _unanswered_groups(self.db, None)
                  if (group.kind, group.key) not in decided]
        window = "at >= ? and at < ?" if start and end else "1 = 1"
        params = [start, end] if start and end else []
        counts = {row["action"]: row["n"] for row in self.db.query(
            f"select action, count(*) as n from suggestion_history where {window} group by action", params)}
        (waiting,) = self.db.query("select count(*) as n from suggestions where status = 'needs_answer'")
        needing = [row["text"] for row in self.db.query(
            "select text from suggestions where status = 'needs_answer' and text is not null order by decided_at desc")]
        return {"open_phrasings": sum(group.kind == "phrasing" for group in groups),
                "open_unanswered": sum(group.kind == "unanswered" for group in groups),
                "needs_answer": int(waiting["n"]), "accepted": int(counts.get("accepted", 0)),
                "rejected": int(counts.get("rejected", 0)), "needs_answer_list": needing}

    def history(self) -> list[dict[str, Any]]:
        return list(self.db.query(
            "select h.*, s.kind from suggestion_history h join suggestions s on s.id = h.suggestion_id "
            "order by h.at, h.id"))


def known_phrasings(knowledge: Iterable[Any]) -> set[tuple[str, str]]:
    """``(entry, comparable text)`` of every alternate question already in the knowledge base."""
    return {(entry.id, comparable(question)) for entry in knowledge
            for lang in entry.questions.languages() for question in entry.questions.get(lang)}

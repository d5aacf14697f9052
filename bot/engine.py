"""The answer engine: text in, reply out — the same for Telegram, the terminal chat and ``kb eval``."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from bot.config import MatchingSettings
from bot.knowledge.model import Entry, KnowledgeBase
from bot.matching.language import Language, detect_language
from bot.matching.matcher import Candidate, Match, Matcher
from bot.matching.split import Part, split_message
from bot.phrases import phrase

Outcome = Literal["answered", "ambiguous", "fallback", "smalltalk"]
# A decline entry speaks for the question only when it beats every answerable entry clearly.
DECLINE_MARGIN = 0.1


@dataclass(frozen=True)
class Choice:
    """A follow-up the user can pick: an entry id with its title in the reply's language."""

    entry_id: str
    title: str


@dataclass(frozen=True)
class Reply:
    outcome: Outcome
    lang: Language
    text: str
    entry_id: str | None = None
    title: str | None = None
    score: float = 0.0
    suggestions: list[Choice] = field(default_factory=list)
    related: list[Choice] = field(default_factory=list)
    ranked: list[Candidate] = field(default_factory=list)
    declined: str | None = None  # the out-of-scope entry whose own text explains the fallback
    footer: str = ""  # shown under the answer: its source and date, and how to reach a person
    parts: list[Reply] = field(default_factory=list)  # a message that asks several things: one reply each

    @property
    def confident(self) -> bool:
        return self.outcome in ("answered", "smalltalk")

    @property
    def answered_parts(self) -> list[Reply]:
        """The parts answered with an entry's card (the reply itself when it is not split)."""
        return [reply for reply in (self.parts or [self]) if reply.outcome == "answered"]


class AnswerEngine:
    """Holds one knowledge base and its matcher; replaced as a whole when the knowledge base reloads."""

    def __init__(self, knowledge: KnowledgeBase, settings: MatchingSettings) -> None:
        self.knowledge = knowledge
        self.settings = settings
        self.matcher = Matcher(knowledge, settings)

    def reply_language(self, text: str, preferred: Language) -> Language:
        """A clearly Norwegian or English question is answered in its own language."""
        return detect_language(text) or preferred

    def answer(self, text: str, preferred: Language = "nb") -> Reply:
        """The reply to a message; one that asks two or three things gets a reply with a part for each."""
        lang = self.reply_language(text, preferred)
        match = self.matcher.match(text)
        parts = self.split(text, match)
        if parts is None:
            return self._reply(text, lang, match)
        return self._combined(lang, [self._part(part, lang) for part in parts])

    def split(self, text: str, match: Match) -> list[Part] | None:
        """The separate questions of ``text`` (``match`` is the whole message's); None when it asks one."""
        return split_message(text, match, self.matcher)

    def _reply(self, text: str, lang: Language, match: Match) -> Reply:
        declined = self._clearly_declined(match)
        if declined is not None and match.outcome != "answered":
            # Honest scope: the decline entry says what the bot cannot help with and what it covers.
            return Reply("fallback", lang, declined.answer.get(lang), score=match.score, ranked=match.ranked,
                         declined=declined.id)
        if not match.ranked:
            key = "empty" if not any(char.isalnum() for char in text) else "dont_know"
            return Reply("fallback", lang, phrase(key, lang))
        if match.outcome == "answered":
            entry = self.knowledge.entries[match.ranked[0].entry_id]
            return self.entry_reply(entry, lang, score=match.score, ranked=match.ranked)
        if match.outcome == "ambiguous":
            suggestions = match.suggestions(self.settings.suggest_threshold, self.settings.max_suggestions)
            return Reply(
                "ambiguous",
                lang,
                phrase("did_you_mean", lang),
                score=match.score,
                suggestions=[self._choice(candidate.entry_id, lang) for candidate in suggestions],
                ranked=match.ranked,
            )
        return Reply("fallback", lang, phrase("dont_know", lang), score=match.score, ranked=match.ranked)

    def entry_reply(
        self,
        entry: Entry,
        lang: Language,
        score: float = 1.0,
        ranked: list[Candidate] | None = None,
    ) -> Reply:
        """The answer card of ``entry``, e.g. for a button press or a confident match."""
        return Reply(
            "smalltalk" if entry.smalltalk else "answered",
            lang,
            entry.answer.get(lang),
            entry_id=entry.id,
            title=entry.title.get(lang),
            score=score,
            related=[
                self._choice(related, lang) for related in entry.related if related in self.knowledge.entries
            ],
            ranked=ranked or [Candidate(entry.id, score)],
        )

    def _clearly_declined(self, match: Match) -> Entry | None:
        """The decline entry the question matched, only when it is at least as close as a suggestion."""
        if not match.declined:
            return None
        if match.ranked:
            lead = match.features.get("decline_lead")  # best answerable score minus the decline entry's
            if lead is None or match.features.get("score", 0.0) - lead < self.settings.suggest_threshold:
                return None
            if -lead < DECLINE_MARGIN:  # one shared word ("kjøpe") is no reason to talk about housing
                return None
        return self.knowledge.get(match.declined)

    def _part(self, part: Part, lang: Language) -> Reply:
        """One part's reply: its card, its suggestions, or one line saying it is unknown."""
        reply = self._reply(part.text, lang, part.match)
        if reply.outcome == "ambiguous":
            return replace(reply, text=phrase("part_did_you_mean", lang).format(question=part.text))
        if reply.outcome == "fallback":
            return replace(reply, text=phrase("part_dont_know", lang).format(question=part.text), declined=None)
        return reply

    def _combined(self, lang: Language, parts: list[Reply]) -> Reply:
        """One reply for a split message, standing for its first answered part in the inquiry log.

        A message is split only when a part is answered (:func:`split_message`), so the outcome,
        ``entry_id``, title and score are that part's; the unsure parts' suggestions are kept too.
        """
        lead = next(part for part in parts if part.outcome == "answered")
        suggestions = [choice for part in parts if part.outcome == "ambiguous" for choice in part.suggestions]
        return Reply(lead.outcome, lang, "", entry_id=lead.entry_id, title=lead.title, score=lead.score,
                     suggestions=suggestions, ranked=lead.ranked, parts=parts)

    def none_of_these(self, lang: Language) -> Reply:
        return Reply("fallback", lang, phrase("dont_know", lang))

    def _choice(self, entry_id: str, lang: Language) -> Choice:
        return Choice(entry_id, self.knowledge.entries[entry_id].title.get(lang))

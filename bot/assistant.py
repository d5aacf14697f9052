"""What a user can do, independent of the channel: each call answers and logs exactly one inquiry.

Telegram handlers and the terminal chat both go through here, so the inquiry log, language choice,
pseudonyms and the profile question behave the same everywhere.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, replace
from typing import Any, Literal

from bot.config import Config
from bot.engine import AnswerEngine, Reply
from bot.knowledge.reloader import EngineHolder
from bot.learning.suggestions import SuggestionBox
from bot.matching.language import Language
from bot.phrases import phrase, use_unit_names
from bot.store.inquiries import Inquiry, InquiryKind, InquiryLog, InquiryOutcome, Recorded
from bot.store.privacy import Erased, forget_user
from bot.store.pseudonyms import Pseudonymiser

logger = logging.getLogger(__name__)

NORWEGIAN_CODES = ("nb", "nn", "no")
Via = Literal["command", "button"]
LANGUAGES: dict[str, Language] = {"nb": "nb", "nn": "nn", "en": "en"}
# Telegram's deep-link alphabet; anything else (an e-mail, a name) is never stored as text.
DEEP_LINK_SOURCE = re.compile(r"[A-Za-z0-9_-]{1,64}")
INVALID_SOURCE = "invalid-source"


@dataclass(frozen=True)
class Sender:
    """Who sent an update, as far as the core needs to know."""

    channel: str
    user_id: int | str
    chat_type: str | None = None
    language_code: str | None = None
    is_staff: bool = False


@dataclass(frozen=True)
class Answer:
    reply: Reply
    recorded: Recorded
    ask_profile: bool = False


def language_from_code(code: str | None) -> Language:
    """Telegram's ``language_code``: nn → nynorsk, nb/no → Bokmål, anything else → English."""
    if code is None:
        return "nb"
    base = code.lower().split("-")[0]
    if base == "nn":
        return "nn"
    return "nb" if base in NORWEGIAN_CODES else "en"


class Assistant:
    def __init__(
        self, config: Config, engines: EngineHolder, log: InquiryLog, pseudonymise: Pseudonymiser
    ) -> None:
        self.config = config
        use_unit_names(config.staff.unit_name)
        self.engines = engines
        self.log = log
        self.pseudonymise = pseudonymise

    @property
    def engine(self) -> AnswerEngine:
        return self.engines.engine

    def user_ref(self, sender: Sender) -> str:
        return self.pseudonymise(f"{sender.channel}:{sender.user_id}")

    def language(self, sender: Sender) -> Language:
        """The user's stored choice, else their Telegram language."""
        stored = self.log.users.get(self.user_ref(sender))
        if stored and stored.get("lang") in LANGUAGES:
            return LANGUAGES[stored["lang"]]
        return language_from_code(sender.language_code)

    def conversation_language(self, sender: Sender, parent_id: int | None) -> Language:
        """A button answers in the language of the question it belongs to, else the user's language."""
        parent = self.log.inquiry(parent_id) if parent_id else None
        if parent is not None and parent.get("lang") in LANGUAGES:
            return LANGUAGES[parent["lang"]]
        return self.language(sender)

    def ask(self, sender: Sender, text: str, update_id: int | None = None) -> Answer:
        """A free-text question: match, log, and say whether to ask the optional profile."""
        started = time.perf_counter()
        reply = self._finish(self.engine.answer(text, self.language(sender)))
        recorded = self._record(sender, update_id, "message", reply.outcome, reply.lang, text,
                                reply, started)
        return Answer(reply, recorded, self._should_ask_profile(sender, reply, recorded))

    def open_entry(
        self, sender: Sender, entry_id: str, update_id: int | None = None, parent_id: int | None = None
    ) -> Answer | None:
        """A button press that opens an entry's card; None when the entry no longer exists."""
        started = time.perf_counter()
        entry = self.engine.knowledge.get(entry_id)
        if entry is None or entry.decline:
            return None
        reply = self._finish(self.engine.entry_reply(entry, self.conversation_language(sender, parent_id)))
        recorded = self._record(sender, update_id, "button", reply.outcome, reply.lang, None, reply,
                                started, parent_id)
        return Answer(reply, recorded, self._should_ask_profile(sender, reply, recorded))

    def none_of_these(
        self, sender: Sender, update_id: int | None = None, parent_id: int | None = None
    ) -> Answer:
        """"None of these" after "did you mean": an unanswered question for the editors' list."""
        started = time.perf_counter()
        lang = self.conversation_language(sender, parent_id)
        reply = self._finish(self.engine.none_of_these(lang))
        parent = self.log.inquiry(parent_id) if parent_id else None
        text = parent.get("text") if parent else None
        recorded = self._record(sender, update_id, "button", "fallback", lang, text, reply, started,
                                parent_id)
        return Answer(reply, recorded)

    def welcome(self, sender: Sender) -> str:
        """The /start text: who the bot is, what it knows and how old that is, and what is stored."""
        lang = self.language(sender)
        sources = sorted({(entry.source, entry.source_year)
                          for entry in self.engine.knowledge if entry.source and not entry.decline})
        lines = [phrase("welcome", lang)]
        if sources:
            named = ", ".join(f"{source} ({year})" if year else str(source) for source, year in sources)
            lines.append(phrase("sources_line", lang).format(sources=named))
        lines.append(phrase("privacy_line", lang).format(days=self.config.privacy.retention_days))
        return "\n\n".join(lines)

    def _finish(self, reply: Reply) -> Reply:
        """Say only what is true in this installation: the unit's name, the source, who can be reached.

        The unit is named in config (``{unit}`` in texts); the closing line and "I don't know" depend
        on whether a staff chat or contact details are configured; answer cards get their source.
        """
        if reply.parts:  # a message that asked several things: each part is a reply of its own
            return replace(reply, parts=[self._finish(part) for part in reply.parts])
        lang, staff = reply.lang, self.config.staff
        reach = staff.reach()
        text = reply.text
        if reply.outcome == "fallback" and reply.declined is None and text == phrase("dont_know", lang):
            text = phrase({"staff_chat": "dont_know", "contact": "dont_know_contact"}.get(reach or "",
                                                                                        "dont_know_alone"), lang)
        footer: list[str] = []
        entry = self.engine.knowledge.get(reply.entry_id) if reply.outcome == "answered" else None
        if entry is not None and entry.source:
            year = entry.source_year
            footer.append(phrase("source_line", lang).format(source=entry.source, year=year)
                          if year else entry.source)
        if (entry is not None or reply.declined) and reach is not None:
            footer.append(phrase("reach_staff" if reach == "staff_chat" else "reach_contact", lang))
        unit = staff.unit(lang)
        return replace(reply, text=text.replace("{unit}", unit),
                       footer="\n".join(footer).replace("{unit}", unit))

    def note_action(self, sender: Sender, action: str, update_id: int | None = None, *, via: Via = "button",
                    parent_id: int | None = None) -> Recorded:
        """A command or a button that is not an inquiry (menu, settings, /start …): ``action`` names it."""
        return self._log(sender, via, "command", update_id, self.language(sender), action, parent_id)

    def note_vote(self, sender: Sender, update_id: int | None, parent_id: int | None) -> Recorded:
        """A 👍/👎 press, linked to the answer it rates; the vote itself goes to ``feedback``."""
        return self._log(sender, "feedback", "command", update_id, self.language(sender), None, parent_id)

    def note_non_text(self, sender: Sender, update_id: int | None) -> Recorded:
        """A photo, sticker, voice message …: the bot reads only text."""
        return self._log(sender, "non_text", "non_text", update_id, self.language(sender), None, None)

    def note_dropped(self, sender: Sender, update_id: int | None, *, via: Literal["message", "button"]) -> Recorded:
        """A message dropped by flood control: counted without its text, never silently lost."""
        return self._log(sender, via, "flood", update_id, self.language(sender), None, None)

    def note_handoff(self, sender: Sender, update_id: int | None, *, via: InquiryKind, question: str | None,
                     parent_id: int | None = None, refused: bool = False) -> Recorded:
        """A message or press that asks for a person; a refused one (blocked, over the limit) is no handoff."""
        outcome: InquiryOutcome = "handoff"
        if refused:
            outcome = "fallback" if via == "message" else "command"
        text = question if via == "message" else None
        return self._log(sender, via, outcome, update_id, self.language(sender), text, parent_id)

    def note_invalid(self, update_id: int | None) -> Recorded | None:
        """An update nobody could parse: a row with its ``update_id`` only, so it is counted once."""
        if update_id is None:
            return None
        return self.log.record(Inquiry(channel="telegram", kind="invalid", outcome="invalid", update_id=update_id))

    def start(self, sender: Sender, source: str | None) -> None:
        """First contact: remember the language and the deep-link source of the first /start."""
        ref = self.user_ref(sender)
        existing = self.log.users.get(ref)
        values: dict[str, str | None] = {}
        if existing is None:
            values["lang"] = language_from_code(sender.language_code)
        if source and not (existing and existing.get("source")):
            values["source"] = source if DEEP_LINK_SOURCE.fullmatch(source) else INVALID_SOURCE
        self.log.users.update(ref, **values)

    def set_language(self, sender: Sender, lang: Language) -> None:
        self.log.users.update(self.user_ref(sender), lang=lang)

    def set_profile(self, sender: Sender, **values: str | None) -> None:
        self.log.users.update(self.user_ref(sender), **values)

    def feedback(self, sender: Sender, inquiry_update_id: int, value: int) -> bool:
        return self.log.record_feedback(inquiry_update_id, self.user_ref(sender), value)

    def forget(self, sender: Sender) -> Erased:
        """Erase the user everywhere: the database, rows still queued for it, and cached rows."""
        ref = self.user_ref(sender)
        try:
            self.log.erase_queued(user_ref=ref)
            erased = forget_user(self.log.db, ref)
            SuggestionBox(self.log.db).drop_erased()
            return erased
        finally:
            self.log.users.forget_cached(ref)
            self.pseudonymise.forget(f"{sender.channel}:{sender.user_id}")
            self.engine.matcher.forget_texts()

    def _record(
        self,
        sender: Sender,
        update_id: int | None,
        kind: InquiryKind,
        outcome: InquiryOutcome,
        lang: Language,
        text: str | None,
        reply: Reply,
        started: float,
        parent_id: int | None = None,
    ) -> Recorded:
        suggested = [choice.entry_id for choice in reply.suggestions]
        return self._log(
            sender, kind, outcome, update_id, lang, text, parent_id,
            entry_id=reply.entry_id,
            score=round(reply.score, 4),
            suggested=json.dumps(suggested) if suggested else None,
            latency_ms=round((time.perf_counter() - started) * 1000, 3),
            parts=[{"part": number, "entry_id": part.entry_id, "outcome": part.outcome, "score": round(part.score, 4)}
                   for number, part in enumerate(reply.parts, 1)],
        )

    def _log(
        self,
        sender: Sender,
        kind: InquiryKind,
        outcome: InquiryOutcome,
        update_id: int | None,
        lang: Language,
        text: str | None,
        parent_id: int | None,
        **answer: Any,
    ) -> Recorded:
        return self.log.record(
            Inquiry(
                channel=sender.channel,
                kind=kind,
                outcome=outcome,
                user_ref=self.user_ref(sender),
                update_id=update_id,
                chat_type=sender.chat_type,
                lang=lang,
                text=text,
                parent_id=parent_id,
                is_staff=sender.is_staff,
                **answer,
            )
        )

    def _should_ask_profile(self, sender: Sender, reply: Reply, recorded: Recorded) -> bool:
        """Ask "who are you asking as?" once, after the first useful answer, never after skip.

        Without roles configured there is no question to send, so nobody is marked as asked:
        they are asked once roles exist.
        """
        if not self.config.profile.ask or not self.config.profile.roles or sender.is_staff or recorded.duplicate:
            return False
        if reply.outcome != "answered":
            return False
        ref = self.user_ref(sender)
        user = self.log.users.get(ref)
        if user and user.get("profile_state"):
            return False
        self.log.users.update(ref, profile_state="asked")
        return True

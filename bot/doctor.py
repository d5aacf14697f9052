"""``naeringsbot doctor``: the go-live checklist, each line ✔ or ✖ with what to do.

The Bot API is asked over plain HTTP (``getMe``, ``getChat``, ``getChatMember``), so the core stays
free of Telegram types; tests give their own ``call``.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.config import Config

Call = Callable[[str, dict[str, Any]], Any]


class BotApiError(Exception):
    """The Bot API answered with an error, or could not be reached."""


@dataclass(frozen=True)
class Check:
    ok: bool
    what: str
    advice: str = ""

    def __str__(self) -> str:
        return f"{'✔' if self.ok else '✖'} {self.what}" + (f" — {self.advice}" if self.advice and not self.ok else "")


def http_call(config: Config, token: str) -> Call:
    """Bot API methods over HTTP; raises ``BotApiError`` with Telegram's own description."""
    import httpx

    def call(method: str, params: dict[str, Any]) -> Any:
        try:
            response = httpx.post(f"{config.telegram_base_url}{token}/{method}", json=params, timeout=10)
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise BotApiError(f"no answer from the Bot API ({type(error).__name__})") from error
        if not body.get("ok"):
            raise BotApiError(str(body.get("description") or f"HTTP {response.status_code}"))
        return body["result"]

    return call


def run_checks(config: Config, call: Call | None = None, now: dt.date | None = None) -> list[Check]:
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "")
    checks: list[Check] = []
    me: dict[str, Any] | None = None
    if not token:
        checks.append(Check(False, "Bot token", "set TELEGRAM_BOT_TOKEN (from @BotFather)"))
    else:
        call = call or http_call(config, token)
        try:
            me = call("getMe", {})
            checks.append(Check(True, f"Bot token: @{me.get('username')}"))
        except BotApiError as error:
            checks.append(Check(False, "Bot token", f"Telegram says: {error} — check the token with @BotFather"))
    checks.extend(_staff_checks(config, call if me else None, me))
    checks.append(_secret_check(config))
    checks.append(_database_check(config))
    days = config.privacy.retention_days
    checks.append(Check(days > 0, f"Retention: texts erased after {days} days"))
    if config.telegram.mode == "webhook":
        url = config.telegram.webhook.url or ""
        checks.append(Check(url.startswith("https://"), f"Webhook URL {url or '(none)'}",
                            "set telegram.webhook.url to the public https:// address of your reverse proxy"))
        secret = config.telegram.webhook.secret_token_env
        checks.append(Check(bool(os.environ.get(secret)), "Webhook secret",
                            f"set {secret} to a random string (letters, digits, _ -)"))
    checks.extend(_knowledge_checks(config, now or dt.date.today()))
    return checks


def _staff_checks(config: Config, call: Call | None, me: dict[str, Any] | None) -> list[Check]:
    staff = config.staff
    checks = [Check(bool(staff.user_ids), f"Staff members: {len(staff.user_ids)} listed",
                    "put the staff's numeric Telegram ids in staff.user_ids: only they can answer handed-off "
                    "questions and see figures")]
    if staff.chat_id is None:
        checks.append(Check(staff.reach() == "contact", "Staff chat: none, so people are shown the contact details",
                            "set staff.chat_id (a group with the bot in it) or fill in staff.contact"))
        return checks
    checks.append(Check(True, f"Staff chat set: {staff.chat_id}"))
    if call is None or me is None:
        checks.append(Check(False, "Staff chat reachable", "cannot check without a valid token"))
        return checks
    try:
        chat = call("getChat", {"chat_id": staff.chat_id})
        member = call("getChatMember", {"chat_id": staff.chat_id, "user_id": me["id"]})
    except BotApiError as error:
        return [*checks, Check(False, "Staff chat reachable", f"Telegram says: {error} — add the bot to the staff "
                                                               "group and check staff.chat_id")]
    status = member.get("status")
    can_post = status in ("administrator", "creator") or (status == "member" and member.get("can_send_messages", True))
    checks.append(Check(can_post, f"Bot may post in «{chat.get('title', staff.chat_id)}» ({status})",
                        "let the bot post in the staff group (group settings → members/administrators)"))
    if chat.get("is_forum") and config.handoff.forum_topics:
        can_topics = status == "creator" or bool(member.get("can_manage_topics"))
        checks.append(Check(can_topics, "Bot may open one topic per question in the forum",
                            "make the bot an administrator with 'Manage topics', or set handoff.forum_topics: false"))
    return checks


def _secret_check(config: Config) -> Check:
    if os.environ.get("NAERINGSBOT_SECRET"):
        return Check(True, "Pseudonymisation secret from NAERINGSBOT_SECRET")
    path = config.database_path.with_name("secret.key")
    return Check(False, f"Pseudonymisation secret only in {path}",
                 "back that file up with the database (without it, unique-user counts start again), or set "
                 "NAERINGSBOT_SECRET from the municipality's secret store")


def _database_check(config: Config) -> Check:
    from bot.store.database import open_database

    path = config.database_path
    try:
        db = open_database(path)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
        finally:
            db.conn.close()
    except (sqlite3.Error, OSError) as error:
        return Check(False, f"Database {path}", f"not writable ({error}): check the folder and its permissions")
    return Check(True, f"Database {path} writable")


def _knowledge_checks(config: Config, today: dt.date) -> list[Check]:
    from bot.knowledge.model import read_knowledge

    knowledge, problems = read_knowledge(config.knowledge_dir)
    errors = [problem for problem in problems if problem.severity == "error"]
    checks = [Check(not errors, f"Knowledge base: {len(knowledge)} entries, {len(errors)} errors",
                    "run 'naeringsbot kb check' and fix what it lists")]
    overdue = sorted(entry.id for entry in knowledge if entry.review_by < today)
    checks.append(Check(not overdue, "Knowledge base reviewed in time",
                        f"past their review date: {', '.join(overdue[:8])} — review them and move review_by"))
    return checks

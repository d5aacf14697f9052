"""Replies as Telegram HTML: answer texts are escaped exactly once and never altered inside."""

from __future__ import annotations

from html import escape

from bot.engine import Reply

MAX_MESSAGE_LENGTH = 4096


def card(reply: Reply) -> str:
    """The answer card: a bold title, then the entry's answer as written in the knowledge base."""
    body = escape(reply.text, quote=False)
    if reply.title and reply.outcome == "answered":
        return f"<b>{escape(reply.title, quote=False)}</b>\n\n{body}"
    return body


def plain(text: str) -> str:
    return escape(text, quote=False)


def shorten(text: str, limit: int = MAX_MESSAGE_LENGTH) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

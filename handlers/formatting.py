"""Replies as Telegram HTML: answer texts are escaped exactly once and never altered inside."""

from __future__ import annotations

import re
from html import escape

from bot.engine import Reply

MAX_MESSAGE_LENGTH = 4096


def card(reply: Reply) -> str:
    """The answer card: a bold title, then the entry's answer as written in the knowledge base."""
    body = escape(reply.text, quote=False)
    if reply.footer:
        body += f"\n\n<i>{escape(reply.footer, quote=False)}</i>"
    if reply.title and reply.outcome == "answered":
        return f"<b>{escape(reply.title, quote=False)}</b>\n\n{body}"
    return body


def plain(text: str) -> str:
    return escape(text, quote=False)


_TAG = re.compile(r"</?(b|i|u|s|code|pre|a)(?:\s[^>]*)?>")


def shorten(html: str, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """Cut HTML to Telegram's limit without splitting an entity or a tag, closing open tags."""
    if len(html) <= limit:
        return html
    cut = html[: limit - 40]
    for opener, closer in (("&", ";"), ("<", ">")):
        last = cut.rfind(opener)
        if last != -1 and closer not in cut[last:]:
            cut = cut[:last]
    open_tags: list[str] = []
    for match in _TAG.finditer(cut):
        if match.group(0).startswith("</"):
            if open_tags and open_tags[-1] == match.group(1):
                open_tags.pop()
        else:
            open_tags.append(match.group(1))
    return cut + "…" + "".join(f"</{tag}>" for tag in reversed(open_tags))


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH - 96) -> list[str]:
    """Plain text in parts that fit one message once escaped, split at line breaks or spaces."""
    parts: list[str] = []
    budget = max(limit // 2, limit - text.count("&") * 4 - text.count("<") * 3 - text.count(">") * 3)
    while len(text) > budget:
        cut = max(text.rfind("\n", 0, budget), text.rfind(" ", 0, budget))
        if cut < budget // 2:
            cut = budget
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text or not parts:
        parts.append(text)
    return parts

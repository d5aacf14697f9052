"""Message text formatting and reply-markup validation, as Telegram's server does it.

The bot sends HTML only, so only HTML is parsed: closely enough to tdlib's ``parse_html`` that a
bot producing malformed markup gets the same ``400 Bad Request: can't parse entities: ...`` it
would get in production, with the same byte offsets. On success the parser returns the plain text
plus the MessageEntity list (offsets in UTF-16 code units), which is what ends up in the Message
object the bot receives back. Other parse modes are refused, so that a bot that starts using one
fails here rather than being checked against nothing.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from tests.support.botapi_wire import ApiError, bad_request

Entity = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
_TRIM = " \t\r\n\v\f"

_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
    "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_INLINE_BUTTON_ACTIONS = ("url", "callback_data", "web_app", "login_url", "switch_inline_query",
                          "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
                          "callback_game", "pay")


def utf16_len(text: str) -> int:
    """Entity offsets and lengths are counted in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _parse_error(message: str) -> ApiError:
    return bad_request(f"can't parse entities: {message}")


@dataclass
class _Open:
    """A formatting entity whose end has not been seen yet."""

    tag: str
    kind: str
    offset: int
    argument: str = ""


class _Builder:
    """Accumulates plain text and entities while a parser walks the input."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.u16 = 0
        self.entities: list[Entity] = []

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.u16 += utf16_len(chunk)

    def text_since(self, u16_offset: int) -> str:
        """Text added since a UTF-16 offset (used when a link has no explicit URL)."""
        raw = "".join(self.parts).encode("utf-16-le")
        return raw[u16_offset * 2 :].decode("utf-16-le")

    def close(self, kind: str, offset: int, **extra: Any) -> None:
        if self.u16 > offset:
            entity: Entity = {"type": kind, "offset": offset, "length": self.u16 - offset}
            entity.update({k: v for k, v in extra.items() if v})
            self.entities.append(entity)

    def result(self) -> tuple[str, list[Entity]]:
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), entities


# --------------------------------------------------------------------------- HTML


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Telegram's HTML subset: unknown tags and unbalanced tags are 400 errors."""
    out = _Builder()
    stack: list[_Open] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "&":
            decoded, consumed = _decode_html_entity(text, i)
            if consumed:
                out.add(decoded)
                i += consumed
                continue
        if char != "<":
            out.add(char)
            i += 1
            continue
        if i + 1 < n and text[i + 1] == "/":
            i = _html_end_tag(text, i, stack, out)
        else:
            i = _html_start_tag(text, i, stack, out)
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return out.result()


def _decode_html_entity(text: str, i: int) -> tuple[str, int]:
    """Only &lt; &gt; &amp; &quot; and numeric entities are decoded; others stay literal."""
    match = re.match(r"&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);?", text[i:])
    if not match:
        return "", 0
    name = match.group(1)
    if name.startswith("#"):
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code), match.end()
        return "", 0
    if name in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[name], match.end()
    return "", 0


def _html_start_tag(text: str, begin: int, stack: list[_Open], out: _Builder) -> int:
    n = len(text)
    i = begin + 1
    while i < n and not text[i].isspace() and text[i] != ">":
        i += 1
    offset = _byte_offset(text, begin)
    if i >= n:
        raise _parse_error(f"Unclosed start tag at byte offset {offset}")
    tag = text[begin + 1 : i].lower()
    if tag not in _HTML_TAGS:
        raise _parse_error(f'Unsupported start tag "{tag}" at byte offset {offset}')
    attributes, i = _html_attributes(text, i, tag, offset)
    argument = _html_tag_argument(tag, attributes)
    if tag == "span" and attributes.get("class") != "tg-spoiler":
        raise _parse_error(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    stack.append(_Open(tag, _HTML_TAGS[tag], out.u16, argument))
    return i + 1


def _html_attributes(text: str, i: int, tag: str, offset: int) -> tuple[dict[str, str], int]:
    """Parse ``name="value"`` pairs up to the closing ``>``; returns (attrs, index of '>')."""
    n = len(text)
    attributes: dict[str, str] = {}
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise _parse_error(f"Unclosed start tag at byte offset {offset}")
        if text[i] == ">":
            return attributes, i
        start = i
        while i < n and not text[i].isspace() and text[i] not in "=>":
            i += 1
        name = text[start:i].lower()
        if not name:
            raise _parse_error(f'Empty attribute name in the tag "{tag}" at byte offset {offset}')
        while i < n and text[i].isspace():
            i += 1
        if i >= n or text[i] != "=":
            if tag == "blockquote" and name == "expandable":
                attributes[name] = "1"
                continue
            raise _parse_error(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" at byte offset {offset}'
            )
        value, i = _html_attribute_value(text, i + 1, offset)
        attributes[name] = value


def _html_attribute_value(text: str, i: int, offset: int) -> tuple[str, int]:
    n = len(text)
    while i < n and text[i].isspace():
        i += 1
    if i >= n:
        raise _parse_error(f"Unclosed start tag at byte offset {offset}")
    if text[i] in "'\"":
        quote = text[i]
        end = text.find(quote, i + 1)
        if end < 0:
            raise _parse_error(f"Unclosed start tag at byte offset {offset}")
        return html.unescape(text[i + 1 : end]), end + 1
    start = i
    while i < n and (text[i].isalnum() or text[i] in ".-"):
        i += 1
    if i >= n or (not text[i].isspace() and text[i] != ">"):
        raise _parse_error(f"Unexpected end of name token at byte offset {_byte_offset(text, i)}")
    return text[start:i].lower(), i


def _html_tag_argument(tag: str, attributes: dict[str, str]) -> str:
    if tag == "a":
        return attributes.get("href", "")
    if tag == "code":
        language = attributes.get("class", "")
        return language.removeprefix("language-") if language.startswith("language-") else ""
    if tag == "tg-emoji":
        return attributes.get("emoji-id", "")
    if tag == "blockquote":
        return attributes.get("expandable", "")
    return ""


def _html_end_tag(text: str, begin: int, stack: list[_Open], out: _Builder) -> int:
    n = len(text)
    offset = _byte_offset(text, begin)
    if not stack:
        raise _parse_error(f"Unexpected end tag at byte offset {offset}")
    i = begin + 2
    while i < n and not text[i].isspace() and text[i] != ">":
        i += 1
    name = text[begin + 2 : i].lower()
    while i < n and text[i].isspace():
        i += 1
    if i >= n or text[i] != ">":
        raise _parse_error(f"Unclosed end tag at byte offset {offset}")
    opened = stack.pop()
    if name and name != opened.tag:
        raise _parse_error(f'Unmatched end tag at byte offset {offset}, expected "</{opened.tag}>", found "</{name}>"')
    _close_html_entity(opened, out)
    return i + 1


def _close_html_entity(opened: _Open, out: _Builder) -> None:
    if opened.kind == "text_link":
        url = opened.argument or out.text_since(opened.offset)
        if _looks_like_url(url):
            out.close("text_link", opened.offset, url=url)
        return
    if opened.kind == "pre":
        _close_pre(opened, out)
        return
    if opened.kind == "blockquote" and opened.argument:
        out.close("expandable_blockquote", opened.offset)
        return
    if opened.kind == "custom_emoji":
        out.close("custom_emoji", opened.offset, custom_emoji_id=opened.argument)
        return
    out.close(opened.kind, opened.offset, language=opened.argument if opened.tag == "code" else "")


def _close_pre(opened: _Open, out: _Builder) -> None:
    """``<pre><code class="language-x">`` collapses into one ``pre`` entity with a language."""
    language = ""
    if out.entities:
        last = out.entities[-1]
        if last["type"] == "code" and last["offset"] == opened.offset and last["offset"] + last["length"] == out.u16:
            out.entities.pop()
            language = last.get("language", "")
    out.close("pre", opened.offset, language=language)


def _looks_like_url(url: str) -> bool:
    return bool(re.match(r"^(https?://|tg://|ton://)?[\w.-]+(\.[a-zA-Z]{2,}|:\d+)?\S*$", url))


# ------------------------------------------------------------------ entry points


def check_text(text: str | None, parse_mode: str | None, limit: int = MAX_TEXT_LENGTH) -> tuple[str, list[Entity]]:
    """Validate a message text (or a caption, with its own limit); the errors are Telegram's wording."""
    if not text:
        raise bad_request("message text is empty")
    if parse_mode and parse_mode.lower() != "html":
        raise bad_request(f"unsupported parse_mode {parse_mode!r}: the test server parses HTML only")
    plain, found = _trim(*parse_html(text)) if parse_mode else _trim(text, [])
    if not plain:
        raise bad_request("message text is empty")
    if len(plain) > limit:
        raise bad_request("message is too long" if limit == MAX_TEXT_LENGTH else "message caption is too long")
    return plain, found


def _trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Leading/trailing whitespace is dropped and entities are clipped to what remains."""
    stripped = text.strip(_TRIM)
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip(_TRIM))])
    total = utf16_len(stripped)
    clipped: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            clipped.append({**entity, "offset": start, "length": end - start})
    return stripped, clipped


# ------------------------------------------------------------------ reply markup


def check_inline_keyboard(markup: Any) -> dict[str, Any] | None:
    """Validate reply_markup the way the Bot API does; the bot only ever sends inline keyboards."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        raise bad_request("the test server simulates inline keyboards only")
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    for row in rows:
        for button in row:
            _check_inline_button(button)
    return {"inline_keyboard": rows}


def _check_inline_button(button: Any) -> None:
    prefix = "can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise bad_request(prefix + "InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request(prefix + 'Field "text" must be of type String')
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    if not any(button.get(name) not in (None, "") for name in _INLINE_BUTTON_ACTIONS):
        raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
        raise bad_request("BUTTON_DATA_INVALID")


def inline_buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    """All inline buttons of a Message's reply_markup, row by row."""
    if not markup:
        return []
    return [button for row in markup.get("inline_keyboard", []) for button in row]

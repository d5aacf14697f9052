"""Message text formatting and reply-markup validation, as Telegram's server does it.

The parsers follow tdlib's ``parse_html``, ``parse_markdown_v2`` and legacy
``parse_markdown`` closely enough that a bot producing malformed markup gets
the same ``400 Bad Request: can't parse entities: ...`` it would get in
production, with the same byte offsets.  On success they return the plain
text plus the MessageEntity list (offsets in UTF-16 code units), which is
what ends up in the Message object the bot receives back.
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
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MDV2_TYPE_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
    "custom_emoji": "CustomEmoji",
}
_INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


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
    begin: int
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

    def close(self, kind: str, offset: int, end: int | None = None, **extra: Any) -> None:
        end = self.u16 if end is None else end
        if end > offset:
            entity: Entity = {"type": kind, "offset": offset, "length": end - offset}
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
    stack.append(_Open(tag, _HTML_TAGS[tag], out.u16, begin, argument))
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


# ---------------------------------------------------------------------- MarkdownV2


def _reserved_error(text: str, i: int) -> ApiError:
    return _parse_error(f"Character '{text[i]}' is reserved and must be escaped with the preceding '\\'")


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    """MarkdownV2: every reserved character outside an entity must be escaped."""
    out = _Builder()
    stack: list[_Open] = []
    quote_start: int | None = None
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        at_line_start = i == 0 or text[i - 1] == "\n"
        if at_line_start:
            quote_start = _markdown_quote_line(text, i, quote_start, stack, out)
            if quote_start is not None and char == ">":
                i += 1
                continue
        if char == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.add(text[i + 1])
            i += 2
            continue
        in_code = bool(stack) and stack[-1].kind in ("code", "pre")
        reserved = "`" if in_code else _MDV2_RESERVED
        if char not in reserved:
            out.add(char)
            i += 1
            continue
        if stack and _mdv2_ends(stack[-1], text, i):
            i = _mdv2_close(stack.pop(), text, i, out)
        else:
            i = _mdv2_open(text, i, stack, out)
    if stack:
        opened = stack[-1]
        name = "PreCode" if opened.kind == "pre" and opened.argument else _MDV2_TYPE_NAMES[opened.kind]
        raise _parse_error(f"Can't find end of {name} entity at byte offset {_byte_offset(text, opened.begin)}")
    if quote_start is not None:
        out.close("blockquote", quote_start)
    return out.result()


def _markdown_quote_line(text: str, i: int, quote_start: int | None, stack: list[_Open], out: _Builder) -> int | None:
    """Lines starting with '>' form a blockquote; the quote ends at the first line without."""
    in_code = bool(stack) and stack[-1].kind in ("code", "pre")
    if text[i] == ">" and not in_code:
        return out.u16 if quote_start is None else quote_start
    if quote_start is not None:
        out.close("blockquote", quote_start, end=out.u16 - 1)  # the line break is not quoted
    return None


def _mdv2_ends(opened: _Open, text: str, i: int) -> bool:
    char = text[i]
    following = text[i + 1 : i + 3]
    kind = opened.kind
    if kind == "bold":
        return char == "*"
    if kind == "italic":
        return char == "_" and not following.startswith("_")
    if kind == "underline":
        return char == "_" and following.startswith("_")
    if kind == "strikethrough":
        return char == "~"
    if kind == "spoiler":
        return char == "|" and following.startswith("|")
    if kind in ("text_link", "custom_emoji"):
        return char == "]"
    if kind == "code":
        return char == "`"
    if kind == "pre":
        return text[i : i + 3] == "```"
    return False


def _mdv2_open(text: str, i: int, stack: list[_Open], out: _Builder) -> int:
    char = text[i]
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if char == "_" and nxt == "_":
        stack.append(_Open("__", "underline", out.u16, i))
        return i + 2
    simple = {"_": "italic", "*": "bold", "~": "strikethrough", "[": "text_link"}
    if char in simple:
        stack.append(_Open(char, simple[char], out.u16, i))
        return i + 1
    if char == "|" and nxt == "|":
        stack.append(_Open("||", "spoiler", out.u16, i))
        return i + 2
    if char == "!" and nxt == "[":
        stack.append(_Open("![", "custom_emoji", out.u16, i))
        return i + 2
    if char == "`":
        if text[i : i + 3] == "```":
            return _mdv2_open_pre(text, i, stack, out)
        stack.append(_Open("`", "code", out.u16, i))
        return i + 1
    raise _reserved_error(text, i)


def _mdv2_open_pre(text: str, i: int, stack: list[_Open], out: _Builder) -> int:
    begin = i
    i += 3
    end = i
    while end < len(text) and not text[end].isspace() and text[end] != "`":
        end += 1
    language = ""
    if end != i and end < len(text) and text[end] != "`":
        language = text[i:end]
        i = end
    i = _skip_one_newline(text, i)
    stack.append(_Open("```", "pre", out.u16, begin, language))
    return i


def _skip_one_newline(text: str, i: int) -> int:
    if text[i : i + 2] in ("\r\n", "\n\r"):
        return i + 2
    if text[i : i + 1] in ("\n", "\r"):
        return i + 1
    return i


def _mdv2_close(opened: _Open, text: str, i: int, out: _Builder) -> int:
    if opened.kind in ("text_link", "custom_emoji"):
        return _mdv2_close_link(opened, text, i, out)
    if opened.kind == "pre":
        out.close("pre", opened.offset, language=opened.argument)
        return i + 3
    out.close(opened.kind, opened.offset)
    return i + len(opened.tag) if opened.tag in ("__", "||") else i + 1


def _mdv2_close_link(opened: _Open, text: str, i: int, out: _Builder) -> int:
    if i + 1 >= len(text) or text[i + 1] != "(":
        if opened.kind == "custom_emoji":
            raise _parse_error("Custom emoji entity must contain a tg://emoji URL")
        url = out.text_since(opened.offset)
        if _looks_like_url(url):
            out.close("text_link", opened.offset, url=url)
        return i + 1
    start = i + 2
    j = start
    url_chars: list[str] = []
    while j < len(text) and text[j] != ")":
        if text[j] == "\\" and j + 1 < len(text) and 0 < ord(text[j + 1]) <= 126:
            url_chars.append(text[j + 1])
            j += 2
            continue
        url_chars.append(text[j])
        j += 1
    if j >= len(text):
        raise _parse_error(f"Can't find end of a URL at byte offset {_byte_offset(text, start)}")
    url = "".join(url_chars)
    if opened.kind == "custom_emoji":
        emoji_id = url.removeprefix("tg://emoji?id=")
        out.close("custom_emoji", opened.offset, custom_emoji_id=emoji_id)
    elif _looks_like_url(url):
        out.close("text_link", opened.offset, url=url)
    return j + 1


# ---------------------------------------------------------------- legacy Markdown


def parse_markdown(text: str) -> tuple[str, list[Entity]]:
    """Legacy ``Markdown``: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting."""
    out = _Builder()
    ends = {"*": "*", "_": "_", "`": "`", "[": "]"}
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char not in ends:
            out.add(char)
            i += 1
            continue
        begin, i = i, i + 1
        is_pre = char == "`" and text[i : i + 2] == "``"
        language = ""
        if is_pre:
            i += 2
            end = i
            while end < n and not text[end].isspace() and text[end] != "`":
                end += 1
            if end != i and end < n and text[end] != "`":
                language, i = text[i:end], end
            i = _skip_one_newline(text, i)
        offset = out.u16
        while i < n and (text[i] != ends[char] or (is_pre and text[i : i + 3] != "```")):
            out.add(text[i])
            i += 1
        if i >= n:
            raise _parse_error(f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}")
        i = _markdown_v1_close(char, is_pre, language, text, i, offset, out)
    return out.result()


def _markdown_v1_close(char: str, is_pre: bool, language: str, text: str, i: int, offset: int, out: _Builder) -> int:
    if char == "[":
        url = out.text_since(offset)
        if text[i + 1 : i + 2] == "(":
            end = text.find(")", i + 2)
            end = len(text) if end < 0 else end
            url, i = text[i + 2 : end], end
        if _looks_like_url(url):
            out.close("text_link", offset, url=url)
        return i + 1
    if is_pre:
        out.close("pre", offset, language=language)
        return i + 3
    out.close({"*": "bold", "_": "italic", "`": "code"}[char], offset)
    return i + 1


# ------------------------------------------------------------------ entry points


def format_text(text: str, parse_mode: str | None, entities: list[Entity] | None) -> tuple[str, list[Entity]]:
    """Apply parse_mode (or explicit entities, which win) and trim like Telegram."""
    if entities is not None:
        plain, found = text, [dict(e) for e in entities]
    elif not parse_mode:
        plain, found = text, []
    else:
        mode = parse_mode.lower()
        parsers = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}
        if mode not in parsers:
            raise bad_request("unsupported parse_mode")
        plain, found = parsers[mode](text)
    return _trim(plain, found)


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


def check_text(text: str | None, parse_mode: str | None, entities: Any) -> tuple[str, list[Entity]]:
    """Validate a message text; the errors are Telegram's wording."""
    if text is None or text == "":
        raise bad_request("message text is empty")
    plain, found = format_text(text, parse_mode, _entity_list(entities))
    if not plain:
        raise bad_request("message text is empty")
    if len(plain) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return plain, found


def check_caption(caption: str | None, parse_mode: str | None, entities: Any) -> tuple[str, list[Entity]]:
    """Captions are optional but share the parser; their limit is 1024 characters."""
    if not caption:
        return "", []
    plain, found = format_text(caption, parse_mode, _entity_list(entities))
    if len(plain) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    return plain, found


def _entity_list(entities: Any) -> list[Entity] | None:
    if entities is None:
        return None
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise bad_request("can't parse entities JSON object")
    return entities


# ------------------------------------------------------------------ reply markup


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Validate reply_markup the way the Bot API does before anything is sent."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    elif "keyboard" in markup:
        _check_rows(markup["keyboard"], "keyboard", "ReplyKeyboardMarkup")
    elif not (markup.get("remove_keyboard") or markup.get("force_reply")):
        raise bad_request('can\'t find field "inline_keyboard"')
    return markup


def _check_rows(rows: Any, field_name: str, owner: str) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{field_name}" of the {owner} must be an Array of Arrays')


def _check_inline_keyboard(rows: Any) -> None:
    _check_rows(rows, "inline_keyboard", "InlineKeyboardMarkup")
    for row in rows:
        for button in row:
            _check_inline_button(button)


def _check_inline_button(button: Any) -> None:
    prefix = "can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise bad_request(prefix + "InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request(prefix + 'Field "text" must be of type String')
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [name for name in _INLINE_BUTTON_ACTIONS if button.get(name) not in (None, "")]
    if not actions:
        raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
        raise bad_request("BUTTON_DATA_INVALID")


def inline_buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    """All inline buttons of a Message's reply_markup, row by row."""
    if not markup:
        return []
    return [button for row in markup.get("inline_keyboard", []) for button in row]

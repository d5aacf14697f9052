"""Keyboards serialise exactly as python-telegram-bot's own ``to_dict`` would."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.keyboards import Keyboard, _button, forget_buttons, language_buttons, staff_buttons


def generic(markup: InlineKeyboardMarkup) -> dict[str, object]:
    return InlineKeyboardMarkup(markup.inline_keyboard).to_dict()


def test_plain_keyboards_give_the_same_dict_as_the_library() -> None:
    for markup in (language_buttons(), forget_buttons("nb"), staff_buttons(7),
                   Keyboard([[_button("x" * 80, "m")], [_button("👍", "f:1:+"), _button("👎", "f:1:-")]])):
        assert markup.to_dict() == generic(markup)
        assert markup.to_json() == InlineKeyboardMarkup(markup.inline_keyboard).to_json()


def test_the_dict_is_new_each_time() -> None:
    markup = language_buttons()
    first = markup.to_dict()
    first["inline_keyboard"][0][0]["text"] = "changed"
    assert markup.to_dict()["inline_keyboard"][0][0]["text"] == "Bokmål"


def test_buttons_with_other_fields_fall_back_to_the_library() -> None:
    markup = Keyboard([[InlineKeyboardButton("Kart", url="https://kart.example.no")], [_button("a", "m")]])
    assert markup.to_dict() == generic(markup)
    assert "url" in markup.to_dict()["inline_keyboard"][0][0]

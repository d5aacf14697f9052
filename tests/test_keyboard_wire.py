"""Keyboards serialise exactly as python-telegram-bot would serialise the same buttons."""

from __future__ import annotations

import json

from handlers.keyboards import Keyboard, _button, forget_buttons, language_buttons, staff_buttons


def test_keyboards_give_the_same_dict_and_json_as_the_library() -> None:
    for keyboard in (language_buttons(), forget_buttons("nb"), staff_buttons(7),
                     Keyboard([[_button("x" * 80, "m")], [_button("👍", "f:1:+"), _button("👎", "f:1:-")]])):
        library = keyboard.markup()
        assert keyboard.to_dict() == library.to_dict()
        assert json.dumps(keyboard.to_dict()) == library.to_json()


def test_button_texts_are_cut_to_sixty_characters() -> None:
    (row,) = Keyboard([[_button("x" * 80, "m")]]).inline_keyboard
    assert row[0].text == "x" * 60 and row[0].callback_data == "m"


def test_the_dict_is_new_each_time() -> None:
    keyboard = language_buttons()
    first = keyboard.to_dict()
    first["inline_keyboard"][0][0]["text"] = "changed"
    assert keyboard.to_dict()["inline_keyboard"][0][0]["text"] == "Bokmål"

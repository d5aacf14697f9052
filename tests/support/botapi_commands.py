"""setMyCommands and setMessageReaction as the test server implements them.

Command menus are kept per scope and language, as Telegram keeps them: ``state.commands`` holds
the default scope by ``language_code`` ("" for every language), ``state.scoped_commands`` every
other scope by its key (``chat:<id>``, ``chat_administrators:<id>``, ``chat_member:<id>:<user>``,
``all_private_chats`` …). Reactions the bot sets are kept per message in ``state.reactions``.
"""

from __future__ import annotations

import re

from telegram.constants import ReactionEmoji

from tests.support.botapi_model import Chat, JsonDict
from tests.support.botapi_state import BotApiState
from tests.support.botapi_wire import ApiError, Params, bad_request

_PLAIN_SCOPES = {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}
_CHAT_SCOPES = {"chat", "chat_administrators", "chat_member"}
_EMOJI = frozenset(emoji.value for emoji in ReactionEmoji)


def _scope_chat(state: BotApiState, scope: JsonDict) -> Chat:
    chat_id = scope.get("chat_id")
    if chat_id in (None, ""):
        raise bad_request("chat_id is empty")
    try:
        chat = state.chats.get(int(chat_id))
    except (TypeError, ValueError):
        chat = None
    # A private chat exists for the bot only once the user has written to it.
    if chat is None or (chat.user is not None and not chat.user.started):
        raise bad_request("chat not found")
    return chat


def scope_key(state: BotApiState, p: Params) -> str:
    """The scope a setMyCommands call is for, checked like Telegram checks it."""
    scope = p.get_json("scope", "BotCommandScope")
    if scope is None:
        return "default"
    if not isinstance(scope, dict) or scope.get("type") not in _PLAIN_SCOPES | _CHAT_SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = str(scope["type"])
    if kind in _PLAIN_SCOPES:
        return kind
    chat = _scope_chat(state, scope)
    if kind != "chat" and chat.user is not None:
        raise bad_request("chat_administrators and chat_member scopes are for group chats only")
    if kind == "chat_member":
        user_id = scope.get("user_id")
        if not isinstance(user_id, int) or user_id not in state.users:
            raise bad_request("user not found")
        return f"chat_member:{chat.id}:{user_id}"
    return f"{kind}:{chat.id}"


def set_my_commands(state: BotApiState, p: Params) -> bool:
    """The bot's menu for one scope and language; an empty list removes it."""
    commands = p.get_json("commands", "commands")
    if not isinstance(commands, list):
        raise bad_request('parameter "commands" is required')
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand")
        if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", "")).lstrip("/")):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    key = scope_key(state, p)
    language = p.get_str("language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    menu = [{"command": c["command"], "description": c["description"]} for c in commands]
    if key == "default":
        state.commands[language] = menu
    else:
        state.scoped_commands.setdefault(key, {})[language] = menu
    return True


def set_message_reaction(state: BotApiState, p: Params) -> bool:
    """A bot sets at most one reaction per message, from Telegram's list of emoji."""
    if not p.has("chat_id"):
        raise bad_request("chat_id is empty")
    chat = state.chats.get(p.get_int("chat_id") or 0)
    if chat is None:
        raise bad_request("chat not found")
    message_id = p.get_int("message_id")
    if not message_id or message_id not in chat.messages:
        raise bad_request("MESSAGE_ID_INVALID")
    reaction = p.get_json("reaction", "reaction types") or []
    if not isinstance(reaction, list) or not all(isinstance(item, dict) for item in reaction):
        raise bad_request("can't parse reaction types JSON object")
    if len(reaction) > 1:
        raise bad_request("REACTIONS_TOO_MANY")
    for item in reaction:
        if item.get("type") != "emoji" or item.get("emoji") not in _EMOJI:
            raise bad_request("REACTION_INVALID")
    if chat.user is not None and not chat.user.started:
        raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
    state.reactions[(chat.id, message_id)] = [str(item["emoji"]) for item in reaction]
    state._changed()
    return True

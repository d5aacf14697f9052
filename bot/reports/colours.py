"""One colour per topic and per outcome, the same in every chart the bot draws.

A topic's colour is its place in the knowledge base's list of topics (matplotlib's ten-colour cycle,
then the twenty-colour map for longer lists), so "Starte bedrift" is the same blue in the weekly bars,
in a target panel and next month.
"""

from __future__ import annotations

from matplotlib import colormaps
from matplotlib.colors import to_hex

from bot.knowledge.model import KnowledgeBase

UNKNOWN = "unknown"
ANSWERED_COLOUR = "#1f77b4"  # answers as one stack, without a knowledge base
REMOVED_COLOUR = "#7f7f7f"  # answers whose entry has since been removed
OTHER_COLOUR = "#546e7a"  # a target that is not about a topic
OUTCOME_COLOURS = {"ambiguous": "#d9c27a", "fallback": "#9e9e9e", "to_staff": "#5d4037"}


def topic_colour(topic: str, knowledge: KnowledgeBase | None) -> str:
    """The topic's own colour; removed answers grey, anything unknown the single-stack blue."""
    topics = list(knowledge.topics) if knowledge else []
    if topic in topics:
        index = topics.index(topic)
        return f"C{index}" if index < 10 else to_hex(colormaps["tab20"](index % 20))
    return REMOVED_COLOUR if topic == UNKNOWN else ANSWERED_COLOUR

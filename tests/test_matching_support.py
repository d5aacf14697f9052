"""Support: whether the best entry rests on one strongly associated word or on several."""

from __future__ import annotations

import math

from bot.engine import AnswerEngine
from bot.matching.support import support


def test_a_near_miss_rests_on_one_word_and_a_described_situation_on_several(engine: AnswerEngine) -> None:
    near_miss = engine.matcher.match("konferanse for lærere om mobbing").features
    situation = engine.matcher.match(
        "Jeg har sagt opp jobben og vil starte egen nettbutikk, hvem kan hjelpe meg å starte bedrift?").features
    # "konferanse" carries the near-miss (the function words "for" and "om" bring a little);
    # the situation rests on many words, none of them carrying it alone.
    assert near_miss["strongest_share"] > 0.75
    assert situation["strongest_share"] < 0.25
    assert situation["supporting_words"] > near_miss["supporting_words"]


def test_words_the_knowledge_base_does_not_know_support_nothing(engine: AnswerEngine) -> None:
    matcher = engine.matcher
    best = matcher.entries.index(matcher.knowledge.entries["establisher-guidance"])
    assert support(matcher.coverage, ["xqzvw", "blorf"], best) == (1.0, 0.0)
    share, supporting = support(matcher.coverage, ["etablererveiledning", "xqzvw"], best)
    assert share == 1.0 and supporting == math.log1p(1)

"""How broadly the message's words support the best entry.

A near-miss ("konferanse for lærere om mobbing") reaches its entry through one strongly associated
word while the rest of the message is about something else; a person describing their situation
("jeg har sagt opp jobben og vil starte egen nettbutikk, hvor begynner jeg?") reaches it through
several words that each point the same way, among many the knowledge base never uses. Both can
have the same score and the same share of unknown words: what tells them apart is whether the best
entry rests on one word or on several. A signal for the confidence model, not for the ranking.
"""

from __future__ import annotations

import math

from bot.matching.coverage import CoverageScorer

SUPPORTING_SHARE = 0.25  # a word supports the entry when it brings at least this share of the strongest word's weight


def support(
    coverage: CoverageScorer, words: list[str], best: int, real: frozenset[str] = frozenset()
) -> tuple[float, float]:
    """``(strongest share, supporting words)``: the share of entry ``best``'s explained weight
    that its single strongest word brings (1.0: one word carries it), and log(1 + the number of
    words that each bring a fair share of it)."""
    contributions = []
    for word in words:
        evidence = coverage.evidence(word, word in real)
        if evidence.known and not evidence.courtesy:
            contributions.append(evidence.contribution(best))
    total = sum(contributions)
    if total <= 0:
        return 1.0, 0.0
    strongest = max(contributions)
    supporting = sum(1 for value in contributions if value >= SUPPORTING_SHARE * strongest)
    return strongest / total, math.log1p(supporting)

"""Guessing whether a message is Norwegian or English, so the reply follows the question."""

from __future__ import annotations

from typing import Literal

from bot.matching.normalise import token_tuple, tokens

Language = Literal["nb", "nn", "en"]

# Words that are common in one language and rare in the other (folded: æøå → a/o).
_NORWEGIAN = frozenset(
    tokens(
        """
        jeg eg meg deg du dere vi oss og ikke ikkje er det som på hva kva hvem kven hvor kor
        korleis hvordan hvorfor kvifor kan vil skal må har til fra frå med av om også noen nokon
        noe noko hjelp hjelpe bedrift bedrifter firma starte etablere gründer kommune kommunen
        eller men bare berre få får gjøre lurer trenger ønsker ein eit ei en et den hos
        tusen takk hei hallo næringsliv nå kurs søke søknad penger midler
        """
    )
)
_ENGLISH = frozenset(
    tokens(
        """
        me my you your we our the an and is are was be been what which who where when how why
        can could would should will do does did want need help with about from of to in on
        at it this that there any some business company start startup funding money thanks
        thank hello hi hey please course courses research university office tourist
        """
    )
)
_NORWEGIAN_LETTERS = set("æøåÆØÅ")
# Words a nynorsk writer uses and a Bokmål writer does not (folded like the rest).
_NYNORSK = frozenset(
    tokens(
        """
        eg ikkje kva kven korleis kvifor kor kvar nokon noko berre frå ein eit dykk dykkar
        mykje heile eigen eiga eige sjølv sjølvstendig vere vore blir vart verksemd verksemda
        treng ønskjer søkje søkjer hjelpe kjem korleis tilbod tilboda spørsmål spørsmåla
        òg au oss me
        """
    )
) - frozenset(tokens("hjelpe spørsmål oss og"))  # "òg" folds to Bokmål's "og"



def detect_language(text: str) -> Language | None:
    """'nb', 'nn' or 'en' when the text clearly is one of them, else None (the user's preference wins)."""
    words = token_tuple(text)  # the matcher has just read the same text: cached
    if not words:
        return None
    # Counted with C-level loops (map, str.count): a long message has hundreds of characters.
    norwegian = sum(map(_NORWEGIAN.__contains__, words))
    english = sum(map(_ENGLISH.__contains__, words))
    norwegian += 2 * sum(map(text.count, _NORWEGIAN_LETTERS))
    if norwegian >= english + 1 and norwegian >= 1:
        return "nn" if any(map(_NYNORSK.__contains__, words)) else "nb"
    if english >= norwegian + 1 and english >= 1:
        return "en"
    return None

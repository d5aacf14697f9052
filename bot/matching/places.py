"""Places a message names that the knowledge base is not about: "Gir Tromsø kommune tilskudd til nye
bedrifter?" is about another municipality, however well "tilskudd til nye bedrifter" matches.

A municipality's bot is asked about other towns and countries all the time, and their names are
ordinary content words to the other signals: a real word the knowledge base does not use, one of
several in a message that otherwise matches an entry well. The gazetteer (``places.txt``: Norway's
municipalities, towns and counties, the world's countries and best-known cities, in Norwegian and
English) says which words are places; the knowledge base's titles and answers say which places are
its own (a base about Drammen names Drammen throughout), and so do the places its alternate
questions are asked about ("får eg hjelp om eg bur i Lier") and those its keywords name (the
neighbouring municipalities an entry serves), so no place needs configuring. Where
someone comes from ("fra Eritrea", "visitors from Oslo") says nothing, and a message that names an
own place ("an Oslo firm looking at Drammen") is about that one. A knowledge base about no place in
particular (a bank's, an airline's) gets no signal at all: named places are ordinary content there.
The confidence model weighs the signal like any other.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from importlib import resources

from bot.knowledge.model import Entry
from bot.matching.normalise import token_tuple, tokens

LONGEST_NAME = 4  # tokens ("Sogn og Fjordane", "Mo i Rana")
SHORTEST = 3  # letters a one-word name needs more than, folded
HOME_SHARE = 0.25  # of the entries whose titles or answers name a place, for it to be the base's home
ORIGIN = frozenset({"fra", "from"})  # "fra Oslo", "frå Bergen", "from India": where someone comes from


@cache
def gazetteer() -> frozenset[tuple[str, ...]]:
    """Every place name as folded tokens (one name per line of ``places.txt``; ``#`` starts a comment).

    A one-word name of three letters or fewer once folded ("Åre" → "are", "Bø" → "bo") is left out
    unless written in capitals (USA, UK): folded, it is an everyday word.
    """
    text = (resources.files("bot.matching") / "places.txt").read_text("utf-8")
    places = set()
    for line in text.splitlines():
        name = line.split("#", 1)[0].strip()
        folded = tuple(tokens(name))
        if 0 < len(folded) <= LONGEST_NAME and (len(folded) > 1 or len(folded[0]) > SHORTEST or name.isupper()):
            places.add(folded)
    return frozenset(places)


@cache
def _starts() -> dict[str, tuple[int, ...]]:
    """For each first word of a place name, the lengths of the names it begins (a message's other
    words are looked up once each)."""
    starts: dict[str, set[int]] = {}
    for name in gazetteer():
        starts.setdefault(name[0], set()).add(len(name))
    return {word: tuple(sorted(sizes)) for word, sizes in starts.items()}


def mentions(words: tuple[str, ...]) -> list[tuple[tuple[str, ...], bool]]:
    """The place names among ``words`` (folded tokens, in order), each with whether it says where
    something is (True) or where someone comes from ("fra Oslo", "from India": False)."""
    places, starts, found = gazetteer(), _starts(), []
    for start, word in enumerate(words):
        for size in starts.get(word, ()):
            name = words[start:start + size]
            if name in places:
                found.append((name, not (start and words[start - 1] in ORIGIN)))
    return found


class OtherPlaces:
    """Built once per knowledge base; ``named`` once per message."""

    def __init__(self, entries: list[Entry]) -> None:
        own: set[tuple[str, ...]] = set()
        answering = [entry for entry in entries if not entry.decline]  # a decline entry names places not its own
        entries_naming: Counter[tuple[str, ...]] = Counter()
        for entry in answering:
            named = {name for field in (entry.title, entry.answer) for lang in field.languages()
                     for name, _ in mentions(token_tuple(field.get(lang)))}
            entries_naming.update(named)
            own |= named
        # A base about a place names it throughout (Drammen: 12 of 16 entries); a bank's, which names
        # the UK in one answer, is about no place, and a country in a question says nothing of scope.
        self.home = frozenset(place for place, count in entries_naming.items()
                              if count >= HOME_SHARE * len(answering))
        # An alternate question adds the places it is asked about ("bur i Lier"), unless it names
        # an own place as well ("an Oslo firm looking at Drammen" is about Drammen). A base about no
        # place never gives the signal, so its questions need no reading.
        asked: set[tuple[str, ...]] = set()
        for entry in answering if self.home else ():
            for question in entry.questions.all():
                found = mentions(token_tuple(question))
                if not any(name in own for name, _ in found):
                    asked |= {name for name, located in found if located}
        # An entry's keywords say what it is about, places included (the establisher guidance's name the
        # neighbouring municipalities it serves: "Lier", "Svelvik"), so those are the base's own too.
        keyworded = {name for entry in answering for keyword in entry.keywords
                     for name, _ in mentions(token_tuple(keyword))}
        self.own = frozenset(own | asked | keyworded)

    def named(self, text: str) -> float:
        """1 when the message says something is in a place not the knowledge base's own, and names
        none of its own, else 0; always 0 for a base about no place."""
        if not self.home:
            return 0.0
        found = mentions(token_tuple(text))
        return float(any(located and name not in self.own for name, located in found)
                     and not any(name in self.own for name, _ in found))

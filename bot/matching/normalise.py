"""Text normalisation shared by the matcher and the checker: folding, tokens, stop words, stems.

Users write "naeringsliv", "naringsliv" and "næringsliv" for the same word, and inflect freely
("kurset", "kursene"), so every text is folded to a-z0-9 and stemmed before it is compared.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

import snowballstemmer

_LETTER_PAIRS = (("æ", "a"), ("ø", "o"), ("å", "a"), ("ä", "a"), ("ö", "o"), ("ü", "u"), ("ß", "ss"))
_DIGRAPHS = re.compile(r"ae|oe|aa")
_DIGRAPH_FOLD = {"ae": "a", "oe": "o", "aa": "a"}
_TOKEN = re.compile(r"[a-z0-9]+")

_NB_STEMMER = snowballstemmer.stemmer("norwegian")
_EN_STEMMER = snowballstemmer.stemmer("english")

# Function words of Bokmål, nynorsk and English, plus words that say nothing about the topic
# ("lurer", "want", "info"). Written plainly; folded at import like every other text.
_STOP_WORDS_TEXT = """
jeg eg meg deg du dere vi oss han hun ho den det de dem seg sin sitt sine min mitt mine din ditt
dine vår vårt våre våres hans hennes hennar deres dykkar
og eller men så som at om for fra frå til med på i av ut inn opp ned over under etter før mot
ved hos mellom uten utan gjennom rundt
er var vært være blir ble blitt bli vera vore har hadde hatt ha kan kunne kunna skal skulle vil
ville må måtte bør burde får fikk få gjør gjorde gjort gjere
en ei et ein eit en den det denne dette disse desse hver kvar alle all alt noe noko noen nokon
ingen ikke ikkje ikkje bare berre også og òg nå no da då her der hit dit
hva kva hvem kven hvor kor hvordan korleis hvorfor kvifor når hvilken hvilke kva slags
lurer lure spørre spør spørsmål lurte tenkte tenker gjerne veldig mye litt mykje
please plz pls
info informasjon
i me my mine you your we our us he she it its they them their this that these those there here
a an the and or but so as if of for from to with on in at by about into over under after before
is are was were be been being am have has had do does did doing can could will would shall
should may might must get got getting go going
what which who whom whose where when why how
want wanted wanna need needs needed like would love know tell find looking look wondering
any some anything something all just also too very much more most info
information
vere vore vart blei ble kven kvar korleis kor kva ikkje berre dykk dykkar nokre nokon noko mykje
sjølv selv saman sammen gje gi gjev gir finst fins finnes finns trur tror kjem kommer
egen eget egne eiga eige eigen eigne own ting sånt slikt slik sånn thing things stuff kind sort
ja nei yes no ok okei greit liksom egentlig eigentleg faktisk actually really maybe kanskje
kanskje allerede allereie already still fortsatt framleis enda endå even though although
man dem ny nye nytt new one ones someone somebody anyone nokon finn finne find found ledig ledige
gjer gjere treng trenge trenger ønskjer ønsker ynskjer dei deira sjå enno fleire meir mest andre
sidan hjå attåt fortel fortelje fortell vert
"""


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower-case, æøå and accents folded to a-z, 'ae/oe/aa' spellings folded the same way.

    Cached: a message is folded for its meaning, its language and (for new words) word by word,
    and everyday words recur in every message.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    # Only non-ASCII letters are replaced: plain ASCII (most words, many messages) skips it, and
    # str.replace per letter is several times faster than str.translate, which pays a failed
    # lookup for every character it leaves alone.
    if not text.isascii():
        for letter, folded in _LETTER_PAIRS:
            if letter in text:
                text = text.replace(letter, folded)
    if not text.isascii():  # most messages are plain ASCII by now: skip the per-character pass
        text = "".join(
            char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
        )
    return _DIGRAPHS.sub(lambda match: _DIGRAPH_FOLD[match.group()], text)


def tokens(text: str) -> list[str]:
    """Folded word tokens, in order."""
    return list(token_tuple(text))


_BUILD_TOKENS: ContextVar[dict[str, tuple[str, ...]] | None] = ContextVar("build_tokens", default=None)


def token_tuple(text: str) -> tuple[str, ...]:
    """Folded word tokens as a tuple, read once per message (``recent_token_tuple``) or, while a
    matcher is built, once per text of the build (``tokenising_once``)."""
    build = _BUILD_TOKENS.get()
    if build is None:
        return recent_token_tuple(text)
    found = build.get(text)
    if found is None:
        found = build[text] = _read_tokens(text)
    return found


def _read_tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(fold(text)))


# Cached for a few messages, since the matcher and the language guess read the same message.
recent_token_tuple = lru_cache(maxsize=256)(_read_tokens)


@contextmanager
def tokenising_once() -> Iterator[None]:
    """While a matcher is built, each of its scorers reads every title and alternate question (five
    readings of each at 10,000 alternates, a fifth of the build): the tokens of each text are kept
    until the build ends, then freed. Per thread (a reload builds beside the messages answered)."""
    if _BUILD_TOKENS.get() is not None:  # a build within a build shares the outer one's
        yield
        return
    reset = _BUILD_TOKENS.set({})
    try:
        yield
    finally:
        _BUILD_TOKENS.reset(reset)


STOP_WORDS: frozenset[str] = frozenset(tokens(_STOP_WORDS_TEXT))


def content_tokens(text: str) -> list[str]:
    """Tokens without stop words."""
    return [token for token in token_tuple(text) if token not in STOP_WORDS]


_WRITTEN = re.compile(r"[^\W_]+")


def content_words(text: str, markers: bool = False) -> list[tuple[str, str]]:
    """Each content token with the word it came from as written (lower-case, æøå intact).

    The folded token is what the matcher compares; the written word is what a dictionary knows.
    With ``markers``, the marker words ("not", "why", "my") are kept too.
    """
    pairs = []
    for written in _WRITTEN.findall(unicodedata.normalize("NFKC", _NOT.sub(" not", text) if markers else text)
                                    .casefold()):
        for token in _TOKEN.findall(fold(written)):
            if token not in STOP_WORDS or (markers and token in MARKER_WORDS):
                pairs.append((token, written))
    return pairs


# Short words that carry the meaning of a short question: a negation, a question word, whose thing
# it is. They are stop words for topic matching, but "why was my card declined" is not "when was
# your card declined": the near-duplicate check and the closest-question score keep them.
_MARKER_WORDS_TEXT = """
not no never nothing without cannot ikke ikkje aldri ingen inga ingenting uten utan nei yes ja
why how when where what which who whose hvorfor kvifor hvordan korleis når hvor kor kvar hva kva
hvem kven hvilken hvilke kvifor
my mine your yours our ours their theirs his her min mitt mine din ditt dine deres dykkar hans hennes
hennar
"""
MARKER_WORDS: frozenset[str] = frozenset(tokens(_MARKER_WORDS_TEXT))
# In matching every stop word and marker word is a term of its own, weighed by how rare it is in
# the knowledge base like any other term: "what is your name" and "who made you" are told apart by
# them, while "the" or "jeg", in nearly every entry, weigh next to nothing. They are never typos of
# a topic word and never count against an entry when the knowledge base does not use them.
FUNCTION_WORDS: frozenset[str] = STOP_WORDS | MARKER_WORDS
_NOT = re.compile(r"n[\'’]t\b", re.IGNORECASE)


def meaning_tokens(text: str) -> list[str]:
    """Tokens without stop words, but with the marker words ("not", "why", "my") and "n't" as "not"."""
    return [token for token in term_tokens(text) if token in MARKER_WORDS or token not in STOP_WORDS]


def term_tokens(text: str) -> list[str]:
    """Every token, "n't" as "not": what the matcher scores (function words weigh by their rarity)."""
    return list(token_tuple(_NOT.sub(" not", text)))


def stems(token: str) -> tuple[str, ...]:
    """The token's Norwegian and English stems (one when they agree), Norwegian first."""
    return _stems(token)


def surface_stems(text: str) -> set[str]:
    """Stems of a text's content words before synonym mapping: what a typo is compared with."""
    words = [word for word in tokens(text) if word not in STOP_WORDS]
    return {stem for word in words for stem in _stems(word)}


# Everyday words that mean the same thing to this knowledge base, in Bokmål, nynorsk and English.
# Both the knowledge base and the message are mapped to the first word of each group, so a
# stranger's "verksemd" or "company" meets the editor's "bedrift" without an alternate question
# for every wording. Only plain synonyms belong here: words that tell entries apart ("etablere"
# a company in Drammen versus "starte" one) keep their own groups.
_CONCEPT_GROUPS = """
bedrift: bedrift bedrifter bedriften bedrifta firma firmaer firmaet selskap selskapet selskaper
  verksemd verksemda verksemder virksomhet virksomheten foretak foretaket føretak company companies firm
  firms business businesses enterprise enterprises
starte: starte start starter startar starta startet oppstart oppstarten begynne begynner byrje
  launch launching starting started åpne åpner opne opnar open opens
grunder: gründer gründere gründerar nyetablerer
  nyetablerere nyetablert nyetablerte entrepreneur entrepreneurs founder founders startup startups
hjelp: hjelp hjelpe hjelper hjelpa hjalp hjelpte veiledning veilede veileder rettleiing rettleie
  rettleiar rådgivning rådgiver rådgjeving rådgjevar råd advice advise advises advisor adviser
  guidance mentor help helps helped helping assistance assist support bistand
penger: penger pengar midler midlar tilskudd tilskot tilskotet støtte stønad finansiering
  finansiere finansieringa money funding fund funds funded grant grants financing finance subsidy
  subsidies kapital
kurs: kurs kursene kurset kursa course courses class classes workshop workshops training
  opplæring opplaering undervisning lære læra learn learning
konferanse: konferanse konferansar konferanser conference conferences seminar seminarer
  seminars kickoff samling samlinger
arrangement: arrangement arrangere arrangement event events arrange
forskning: forskning forsking forsker forskar forskere forskarar research researcher researchers
  fou
innovasjon: innovasjon innovasjonar innovation innovations nyskaping innovative
utvikling: utvikling utvikle utvikla development develop developing
turist: turist turister turistar turistane tourist tourists visitor visitors besøkende tilreisende
reiseliv: reiseliv reiselivet turisme tourism reiselivsbedrift hotell hotel hotels
  overnatting accommodation camping campingplass gjestehus guesthouse attraksjon attraction
  attractions opplevelse opplevelser
markedsforing: markedsføring marknadsføring markedsføre marknadsføre markedsfører
  marknadsfører marketing promote promotion promoting reklame
hogskole: høgskole høgskolen høgskule høgskulen høyskole høyskolen college
student: student studenter studentar studentane students
kontakt: kontakt kontakte kontakta contact reach
telefon: telefon telefonnummer ringe ring phone
epost: epost email mail
snakke: snakke snakker prate prater tale talk speak
lagre: lagre lagrer lagra lagres lagring store stored storing save saves saved logg logge
  logged log logs
slette: slette sletter sletting delete erase remove forget gløyme
personvern: personvern privacy gdpr personopplysninger opplysninger opplysningar
magasin: magasin magasinet magazine blad tidsskrift
artikkel: artikkel artikler artiklar article articles omtale omtalt featured
annonse: annonse annonsere advertise advertising advert reklame
strategi: strategi strategien strategy strategic strategisk
jobb: jobb jobber jobbar jobs job arbeidsplass arbeidsplasser arbeidsplassar employment
  sysselsetting
flytte: flytte flytter flytting flytta move moving relocate relocating relocation relokalisering
kommune: kommune kommunen kommunar kommuner municipality municipal council
pris: pris priser prisen koste koster kostar cost costs price prices fee fees
pamelding: påmelding påmeldinga melde meld register registration enrol enroll signup
ide: ide idé ideen idea ideas
bo: bor bur live lives living bosatt resident residents
soke: søke søkje søker søkjer søknad søknaden søknader apply applying application applications
utdanning: utdanning utdanninga education studier studies
"""


# Stems one language's stemmer makes of a group word that are common words of the other language
# with another meaning: the Norwegian stem of "lives" is "liv" (life), of "market" "mark" (field),
# of "founder" "found". A group is as wide as its context, so these stems stay out of it. (Found by
# stemming every group word both ways and looking the stems up in wordfreq.)
_FALSE_FRIENDS = frozenset({"liv", "mark", "found"})


def _concepts(text: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for line in text.replace("\n  ", " ").strip().splitlines():
        head, _, words = line.partition(":")
        canonical = tokens(head)[0]
        for word in tokens(words):
            for stem in _stems(word):
                if stem not in _FALSE_FRIENDS or stem == word:
                    mapping.setdefault(stem, canonical)
    return mapping


@lru_cache(maxsize=65536)
def _stems(token: str) -> tuple[str, ...]:
    if token.isdigit() or len(token) <= 3:
        return (token,)
    nb = _NB_STEMMER.stemWord(token)
    en = _EN_STEMMER.stemWord(token)
    return (nb,) if nb == en else (nb, en)


_CONCEPT = _concepts(_CONCEPT_GROUPS)


def concept(term: str) -> str:
    """The group word for a stem that has everyday synonyms, else the stem itself."""
    return _CONCEPT.get(term, term)


@lru_cache(maxsize=65536)
def terms(token: str) -> tuple[str, ...]:
    """The terms a token is compared by: its stems, each mapped to its synonym group."""
    return tuple(dict.fromkeys(concept(stem) for stem in _stems(token)))


def concept_words() -> frozenset[str]:
    """Every stem that has a synonym group: the typo matcher corrects towards these too."""
    return frozenset(_CONCEPT)

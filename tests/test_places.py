"""Other places: a message about another town or country, whatever else it matches."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import MatchingSettings
from bot.knowledge.model import Entry, load_knowledge
from bot.matching.matcher import Matcher
from bot.matching.places import OtherPlaces, gazetteer
from tests.helpers import english, entry, write_knowledge

GRANTS = entry(
    "grants",
    title={"nb": "Tilskudd til nye bedrifter i Drammen", "en": "Grants for new businesses in Drammen"},
    answer={"nb": "Drammen kommune gir tilskudd til nyetablerte bedrifter.",
            "en": "Drammen municipality gives grants to newly started businesses."},
    questions={"nb": ["gir kommunen tilskudd til nye bedrifter", "vi er et firma fra Bergen som vil flytte hit",
                      "får vi tilskudd om vi bor i Lier"],
               "en": ["are there grants for new businesses", "we are an Oslo firm looking at Drammen"]},
    keywords=["tilskudd", "grant", "Svelvik"],  # a neighbouring municipality the grants serve too
)
DECLINE = entry(
    "other-municipalities", decline=True,
    title={"nb": "Andre kommuner", "en": "Other municipalities"},
    answer={"nb": "Jeg svarer bare om Drammen.", "en": "I only answer about Drammen."},
    questions={"nb": ["næringsutvikling i Tromsø"], "en": ["business support in Stavanger"]},
)


@pytest.fixture(scope="module")
def entries(tmp_path_factory: pytest.TempPathFactory) -> list[Entry]:
    return list(load_knowledge(write_knowledge(tmp_path_factory.mktemp("kb"), GRANTS, DECLINE)))


def test_the_gazetteer_knows_norwegian_municipalities_and_countries_in_both_languages() -> None:
    places = gazetteer()
    for name in [("tromso",), ("kristiansand",), ("mo", "i", "rana"), ("tyskland",), ("germany",), ("usa",)]:
        assert name in places
    # Folded, these would be everyday words ("are", "bo", "moss").
    assert not {("are",), ("bo",), ("moss",), ("ski",)} & places


def test_a_base_s_own_places_are_those_it_is_about(entries: list[Entry]) -> None:
    places = OtherPlaces(entries)
    # Its titles and answers name Drammen; an alternate question is asked about Lier, and a keyword
    # names Svelvik.
    assert {("drammen",), ("lier",), ("svelvik",)} <= places.own
    # Where people come from, a place beside an own one, and what a decline entry turns away are not.
    assert not {("bergen",), ("oslo",), ("tromso",), ("stavanger",)} & places.own


@pytest.mark.parametrize(("message", "named"), [
    ("Gir Tromsø kommune tilskudd til nye bedrifter?", 1.0),
    ("Does Oslo municipality offer grants to new businesses?", 1.0),
    ("I want to open a branch in Germany", 1.0),
    ("jeg er gründer fra Eritrea, får jeg tilskudd?", 0.0),  # where someone comes from says nothing
    ("Gir Drammen kommune tilskudd til nye bedrifter?", 0.0),
    ("Eg bur i Svelvik, kan eg få tilskot til ei ny verksemd?", 0.0),  # a place its keywords name
    ("vi er et firma fra Bergen som vil etablere oss i Drammen", 0.0),  # names its own place too
    ("are there grants for new businesses", 0.0),
])
def test_a_message_names_another_place(entries: list[Entry], message: str, named: float) -> None:
    assert OtherPlaces(entries).named(message) == named


def test_the_matcher_gives_the_signal_to_the_confidence_model(tmp_path: Path) -> None:
    matcher = Matcher(load_knowledge(write_knowledge(tmp_path, GRANTS, DECLINE)), MatchingSettings())
    elsewhere = matcher.score("Gir Tromsø kommune tilskudd til nye bedrifter?")
    here = matcher.score("Gir kommunen tilskudd til nye bedrifter?")
    assert elsewhere.ranked[0].entry_id == here.ranked[0].entry_id == "grants"
    assert (elsewhere.features["other_place"], here.features["other_place"]) == (1.0, 0.0)


def test_a_base_about_no_place_gets_no_signal(tmp_path: Path) -> None:
    # A bank's answers may name a country once; in its questions places are ordinary content.
    transfer = english("transfer-abroad", "how do I send money abroad", "international transfer fees",
                       title="Transfers to the UK and abroad")
    others = [english("lost-card", "I lost my card"), english("open-account", "how do I open an account"),
              english("pin", "I forgot my PIN"), english("loan", "can I get a loan")]
    places = OtherPlaces(list(load_knowledge(write_knowledge(tmp_path, transfer, *others))))
    assert places.home == frozenset()
    assert places.named("can I transfer money to a bank in Germany") == 0.0

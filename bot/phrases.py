"""Everything the bot says that is not a knowledge-base answer, in Bokmål, nynorsk and English."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

import yaml

from bot.config import ContactFields

Language = Literal["nb", "nn", "en"]

PHRASES: dict[str, dict[str, str]] = {
    "welcome": {
        "nb": (
            "Hei! Jeg er Næringsbot, Drammen kommunes assistent for næringsutvikling. "
            "Spør meg om å starte bedrift, kurs, finansiering av forskning, Campus Drammen, "
            "reiseliv og konferanser, eller om å etablere seg i Drammen."
        ),
        "en": (
            "Hi! I am Næringsbot, Drammen municipality's business-development assistant. "
            "Ask me about starting a business, courses, research funding, Campus Drammen, "
            "tourism and conferences, or setting up in Drammen."
        ),
    },
    "privacy_line": {
        "nb": (
            "Spørsmålene dine lagres uten navn i {days} dager for å forbedre svarene og måle "
            "tjenesten; se /privacy."
        ),
        "en": (
            "Your questions are stored without your name for {days} days to improve answers and "
            "measure the service; see /privacy."
        ),
    },
    "choose_topic": {"nb": "Velg et tema, eller skriv spørsmålet ditt:", "en": "Pick a topic, or type your question:"},
    "did_you_mean": {"nb": "Mente du …", "en": "Did you mean …"},
    # One part of a message that asked several things ({question} is that part, as the user wrote it).
    "part_did_you_mean": {"nb": "«{question}» – mente du …", "en": "“{question}” – did you mean …"},
    "part_dont_know": {"nb": "«{question}»: det vet jeg dessverre ikke noe om.",
                       "en": "“{question}”: sorry, I don't know the answer to that."},
    "none_of_these": {"nb": "Ingen av disse", "en": "None of these"},
    "dont_know": {
        "nb": ("Det vet jeg dessverre ikke noe om. Jeg kan sende spørsmålet videre til {unit}, "
               "eller du kan velge et tema."),
        "en": ("Sorry, I don't know the answer to that. I can pass your question on to {unit}, "
               "or you can pick a topic."),
    },
    "dont_know_contact": {
        "nb": "Det vet jeg dessverre ikke noe om. Du kan kontakte {unit} (se /contact), eller velge et tema.",
        "en": "Sorry, I don't know the answer to that. You can contact {unit} (see /contact), or pick a topic.",
    },
    "dont_know_alone": {
        "nb": "Det vet jeg dessverre ikke noe om. Velg gjerne et tema, eller spør på en annen måte.",
        "en": "Sorry, I don't know the answer to that. Pick a topic, or ask in another way.",
    },
    "sources_line": {
        "nb": "Svarene mine bygger på {sources}, så noe kan være utdatert.",
        "en": "My answers are based on {sources}, so some of it may be out of date.",
    },
    "source_line": {
        "nb": "Kilde: {source} ({year}). Opplysningene kan være utdatert.",
        "en": "Source: {source} ({year}). This may be out of date.",
    },
    "reach_staff": {
        "nb": "Vil du snakke med {unit}? Trykk «Snakk med en person».",
        "en": "Want to talk to {unit}? Press \"Talk to a person\".",
    },
    "reach_contact": {
        "nb": "Kontaktinformasjon til {unit}: /contact",
        "en": "Contact details for {unit}: /contact",
    },
    "empty": {
        "nb": "Skriv spørsmålet ditt med vanlige ord, så skal jeg prøve å hjelpe.",
        "en": "Type your question in words and I will try to help.",
    },
    "talk_to_person": {"nb": "Snakk med en person", "en": "Talk to a person"},
    "topics": {"nb": "Temaer", "en": "Topics"},
    "related": {"nb": "Les også:", "en": "See also:"},
    "not_a_choice": {
        "nb": "Det tallet står ikke på lista: velg et tall fra 1 til {last}, eller skriv et spørsmål.",
        "en": "That number is not on the list: pick a number from 1 to {last}, or type a question.",
    },
    "helpful": {"nb": "Var svaret nyttig?", "en": "Was this helpful?"},
    "skip": {"nb": "Hopp over", "en": "Skip"},
    "help": {
        "nb": (
            "Skriv et spørsmål med egne ord, for eksempel «Hvem hjelper meg å starte bedrift?», "
            "eller bruk knappene.\n\n"
            "/topics – temaer\n/language – språk\n/contact – snakk med en person\n"
            "/privacy – hva som lagres\n/forget – slett det som er lagret om deg"
        ),
        "en": (
            "Type a question in your own words, for example \"Who helps me start a business?\", "
            "or use the buttons.\n\n"
            "/topics – topics\n/language – language\n/contact – talk to a person\n"
            "/privacy – what is stored\n/forget – delete what is stored about you"
        ),
    },
    "privacy": {
        "nb": (
            "Dette lagrer Næringsbot:\n"
            "• spørsmålene dine og hvilket svar du fikk, for at Drammen kommune skal kunne "
            "forbedre svarene og rapportere indikatorer og måltall for næringsarbeidet;\n"
            "• et pseudonym i stedet for navn, brukernavn eller Telegram-id;\n"
            "• språkvalg og, hvis du svarer, hvem du spør som og hvilken kommune du bor i.\n"
            "E-postadresser, telefonnumre, fødselsnumre og kontonumre fjernes før lagring. "
            "Tekstene slettes etter {days} dager; bare anonyme tall (dato, tema, utfall) blir igjen.\n"
            "Skriv /forget for å slette tekstene og pseudonymet ditt nå."
        ),
        "en": (
            "What Næringsbot stores:\n"
            "• your questions and which answer you got, so that Drammen municipality can improve "
            "the answers and report the business programme's indicators and targets;\n"
            "• a pseudonym instead of your name, username or Telegram id;\n"
            "• your language and, if you tell us, who you are asking as and where you live.\n"
            "E-mail addresses, phone numbers, national identity numbers and account numbers are "
            "removed before storing. Texts are deleted after {days} days; only anonymous counts "
            "(date, topic, outcome) remain.\n"
            "Type /forget to delete your texts and pseudonym now."
        ),
    },
    "forget_confirm": {
        "nb": "Vil du slette spørsmålene dine og pseudonymet ditt? Anonyme tall blir igjen.",
        "en": "Delete your questions and your pseudonym? Anonymous counts remain.",
    },
    "forget_yes": {"nb": "Ja, slett", "en": "Yes, delete"},
    "forget_no": {"nb": "Nei", "en": "No"},
    "forgotten": {
        "nb": "Ferdig: tekstene og pseudonymet ditt er slettet.",
        "en": "Done: your texts and pseudonym have been deleted.",
    },
    "not_forgotten": {"nb": "Ok, ingenting er slettet.", "en": "OK, nothing was deleted."},
    "language_prompt": {"nb": "Velg språk:", "en": "Choose a language:"},
    "language_set": {"nb": "Jeg svarer på norsk fra nå.", "en": "I will answer in English from now on."},
    "non_text": {
        "nb": "Jeg forstår bare tekst. Skriv spørsmålet ditt, eller velg et tema:",
        "en": "I only understand text. Type your question, or pick a topic:",
    },
    "slow_down": {
        "nb": "Du sender mange meldinger på kort tid. Vent litt, så svarer jeg igjen.",
        "en": "You are sending many messages quickly. Please wait a moment and I will answer again.",
    },
    "unknown_command": {
        "nb": "Den kommandoen kjenner jeg ikke. Skriv /help for å se hva jeg kan.",
        "en": "I don't know that command. Type /help to see what I can do.",
    },
    "error": {
        "nb": "Beklager, noe gikk galt hos meg. Prøv igjen om litt.",
        "en": "Sorry, something went wrong on my side. Please try again shortly.",
    },
    "expired_button": {
        "nb": "Den knappen virker ikke lenger. Bruk /topics.",
        "en": "That button no longer works. Use /topics.",
    },
    "feedback_thanks": {"nb": "Takk for tilbakemeldingen!", "en": "Thanks for the feedback!"},
    "profile_role": {
        "nb": "Et frivillig spørsmål, så vi kan måle hvem tjenesten hjelper: hvem spør du som?",
        "en": "An optional question, so we can measure who the service helps: who are you asking as?",
    },
    "profile_municipality": {
        "nb": "Hvilken kommune bor du i? (frivillig)",
        "en": "Which municipality do you live in? (optional)",
    },
    "profile_thanks": {"nb": "Takk! Spør gjerne videre.", "en": "Thank you! Ask away."},
    "handoff_ask_question": {
        "nb": "Skriv spørsmålet ditt i én melding, så sender jeg det til {unit}.",
        "en": "Write your question in one message and I will pass it on to {unit}.",
    },
    "handoff_end": {"nb": "Avslutt samtalen", "en": "End the conversation"},
    "handoff_followup_sent": {"nb": "Sendt videre til {unit}.", "en": "Passed on to {unit}."},
    "handoff_closed": {
        "nb": "Samtalen med {unit} er avsluttet. Spør meg gjerne igjen når som helst.",
        "en": "The conversation with {unit} is closed. Ask me again any time.",
    },
    "handoff_unreachable": {
        "nb": "Beklager, jeg får ikke sendt spørsmålet videre akkurat nå.",
        "en": "Sorry, I cannot pass your question on right now.",
    },
    "handoff_limit": {
        "nb": (
            "Du har sendt mange spørsmål til {unit} i dag. "
            "Prøv igjen i morgen, eller bruk kontaktinformasjonen:"
        ),
        "en": "You have sent many questions to {unit} today. Try again tomorrow, or use the contact details:",
    },
    "contact_intro": {
        "nb": "Du kan kontakte {unit}:",
        "en": "You can reach {unit}:",
    },
    "contact_missing": {
        "nb": "Kontaktinformasjonen til {unit} er ikke lagt inn i boten ennå.",
        "en": "The contact details of {unit} have not been added to the bot yet.",
    },
}


@cache
def _nynorsk() -> dict[str, str]:
    """The nynorsk phrases, kept in ``bot/phrases_nn.yaml`` for the translators.

    Read on first use with libyaml's loader where PyYAML has it (≈ 0.4 ms instead of ≈ 4 ms for
    the first nynorsk reply); the same data either way.
    """
    text = resources.files("bot").joinpath("phrases_nn.yaml").read_text("utf-8")
    loaded: dict[str, str] = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return loaded


_UNIT_NAMES: dict[str, str] = {}
# Phrases with the unit's name filled in, per key and language: several per update, the same each time.
_RENDERED: dict[tuple[str, str], str] = {}


def use_unit_names(names: dict[str, str]) -> None:
    """How the staff unit is named (``staff.unit_name``): filled into ``{unit}`` in every phrase."""
    _UNIT_NAMES.clear()
    _UNIT_NAMES.update(names)
    _RENDERED.clear()


def phrase(key: str, lang: str) -> str:
    """The phrase ``key`` in ``lang``: nynorsk falls back to Bokmål, anything else is English."""
    rendered = _RENDERED.get((key, lang))
    if rendered is None:
        texts = PHRASES[key]
        text = (_nynorsk().get(key) or texts["nb"]) if lang == "nn" else texts["nb" if lang == "nb" else "en"]
        unit = _UNIT_NAMES.get(lang) or _UNIT_NAMES.get("nb")
        rendered = _RENDERED[(key, lang)] = text.replace("{unit}", unit) if unit else text
    return rendered


_CONTACT_LABELS = {"email": ("E-post", "E-mail"), "phone": ("Telefon", "Phone"), "url": ("Nettside", "Web"),
                   "address": ("Adresse", "Address"), "hours": ("Åpningstid", "Hours")}


def contact_details(fields: ContactFields, lang: str) -> str:
    """How to reach staff: only the contact fields the municipality filled in, none invented."""
    details = [f"{_CONTACT_LABELS[key][lang == 'en']}: {value}" for key, value in fields.model_dump().items()
               if value and key in _CONTACT_LABELS]
    head = [fields.name] if fields.name else []
    if not details:
        return "\n".join([phrase("contact_missing", lang), *head])
    return "\n".join([phrase("contact_intro", lang), *head, *details])

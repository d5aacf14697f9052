"""Tests for bot.redaction: PII is removed before logging, everything else is left alone."""

import re

import pytest

from bot.redaction import ACCOUNT, EMAIL, NATIONAL_ID, PHONE, contains_pii, redact

PHONES = [
    # Norwegian, unprefixed
    "91234567",
    "12345678",
    "912 34 567",
    "123 45 678",
    "91 23 45 67",
    "12 34 56 78",
    "22 33 44 55",
    "9123 4567",
    "1234 5678",
    "22.33.44.55",
    "912-34-567",
    "91\u00a023\u00a045\u00a067",
    # Norwegian, with country code
    "+47 91234567",
    "+4791234567",
    "+47 123 45 678",
    "+47 91 23 45 67",
    "+47 9123 4567",
    "0047 91234567",
    "0047-12345678",
    "004791234567",
    "(+47) 12345678",
    "(+47)91234567",
    "47 91234567",
    "4791234567",
    # International
    "+46 70 123 45 67",
    "+44 20 7946 0958",
    "+44 (0)20 7946 0958",
    "+1 (555) 123-4567",
    "+1-555-123-4567",
    "+49 30 12345678",
    "+358 40 123 4567",
    "+45 32 12 34 56",
    "+4915112345678",
]

EMAILS = [
    "post@firma.no",
    "ola.nordmann@drammen.kommune.no",
    "kari+naering@gmail.com",
    "per.hansen@sub.example.co.uk",
    "a.b.c@mail.firma-navn.no",
    "Ola.Nordmann@Drammen.Kommune.NO",
    "ola_nordmann1990@hotmail.com",
    "kari.nordmann+skatt2026@post.example.org",
    "info@bærum.kommune.no",
]

NATIONAL_IDS = [
    "01019012345",
    "010190 12345",
    "010190-12345",
    "010190.12345",
    "41019012345",  # D-nummer (day + 40)
    "01459012345",  # H-nummer (month + 40)
    "31129956789",
    "15057712345",
]

ACCOUNTS = [
    "1234.56.78901",
    "1234 56 78901",
    "1503.12.34567",
    "9710 05 12345",
    "1234-56-78901",
    "NO93 8601 1117 947",
    "NO9386011117947",
]

CASES = (
    [(value, PHONE) for value in PHONES]
    + [(value, EMAIL) for value in EMAILS]
    + [(value, NATIONAL_ID) for value in NATIONAL_IDS]
    + [(value, ACCOUNT) for value in ACCOUNTS]
)


@pytest.mark.parametrize(("value", "placeholder"), CASES)
def test_pii_is_replaced_and_surrounding_text_kept(value: str, placeholder: str) -> None:
    out = redact(f"Hei, du når meg på {value} i morgen før lunsj.")
    assert out == f"Hei, du når meg på {placeholder} i morgen før lunsj."
    assert not re.search(r"\d", out)


@pytest.mark.parametrize(("value", "placeholder"), CASES)
def test_pii_alone_and_at_sentence_end(value: str, placeholder: str) -> None:
    assert redact(value) == placeholder
    assert redact(f"Kontakt: {value}.") == f"Kontakt: {placeholder}."
    assert redact(f"({value})") == f"({placeholder})"
    assert contains_pii(value)


NOT_PII = [
    "Programmet startet i 2012.",
    "Ordningen gjelder for 2013–2026.",
    "Ordningen gjelder 2013-2026.",
    "Byen vokste kraftig på 1990-tallet.",
    "Tilskuddet er på 3 millioner.",
    "Rammen er 3,0 millioner kroner.",
    "Budsjettet er NOK 3 000 000.",
    "Du kan få kr 150 000 i støtte.",
    "Totalt 1 500 000 kroner ble fordelt.",
    "Rammen økte til NOK 12 500 000 i år.",
    "Prosjektet koster 25000000 kroner.",
    "Beløpet er kr 25000000.",
    "Søknadsbeløp: 12345678,-",
    "Resultatet ble +1 500 000 kr.",
    "Se sak 25/10 i møtet.",
    "Bystyresak 25/10 ble vedtatt.",
    "Fristen er 26.11.2026.",
    "Fristen er 2026-11-26.",
    "Møtet starter kl 14:30 og slutter kl. 16.00.",
    "Adressen er Engene 1, 3015 Drammen.",
    "Postboks 7500, 3008 Drammen.",
    "Renten er 4,5 % og veksten var 12%.",
    "Vi bruker Python 3.11 og versjon 2.13.1.",
    "Bedriften har 50 ansatte.",
    "3 av 10 bedrifter svarte ja.",
    "Kommunen har 102 000 innbyggere.",
    "Orgnr 912 345 678 er registrert.",
    "Org.nr. 912345678 i Enhetsregisteret.",
    "Faktura fra NO 912 345 678 MVA.",
    "Referansen er ABC12345678XYZ.",
    "Koden X91234567 og 91234567Y er interne.",
    "Sporingsnummer 70701234567890123.",
    "Åpent 08-16, lørdag 10-14.",
    "Standarden ISO 9001:2015 gjelder langs E18 og Rv. 23.",
    "Side 12 av 345.",
    "Tallene for 2019 2020 og 2021 er klare.",
    "",
]


@pytest.mark.parametrize("text", NOT_PII)
def test_non_pii_is_unchanged(text: str) -> None:
    assert redact(text) == text
    assert not contains_pii(text)


def test_mixed_sentence_with_several_items() -> None:
    text = (
        "Hei! Jeg heter Kari (fnr 01019012345) og driver et enkeltpersonforetak, "
        "org.nr. 912 345 678. Ring 912 34 567 eller +46 70 123 45 67, eller send "
        "e-post til kari.nordmann@firma.no. Utbetaling til konto 1234.56.78901. "
        "Jeg søker om kr 150 000 for 2026, jf. sak 25/10, frist 26.11.2026 kl 14:30."
    )
    assert redact(text) == (
        "Hei! Jeg heter Kari (fnr [fødselsnummer]) og driver et enkeltpersonforetak, "
        "org.nr. 912 345 678. Ring [telefon] eller [telefon], eller send "
        "e-post til [e-post]. Utbetaling til konto [kontonummer]. "
        "Jeg søker om kr 150 000 for 2026, jf. sak 25/10, frist 26.11.2026 kl 14:30."
    )


def test_several_items_of_the_same_kind_and_adjacent_punctuation() -> None:
    text = "Tlf: 22 33 44 55/91234567; e-post: a@b.no,c.d@e.com. Fnr 010190 12345!"
    assert redact(text) == (
        "Tlf: [telefon]/[telefon]; e-post: [e-post],[e-post]. Fnr [fødselsnummer]!"
    )


def test_longer_ids_are_not_half_matched_as_phones() -> None:
    # 11-digit forms must become one placeholder, not "[telefon]" plus leftover digits.
    assert redact("Fnr 47123456789") == "Fnr [fødselsnummer]"
    assert redact("Konto 9123 45 67890") == "Konto [kontonummer]"
    assert redact("IBAN NO93 8601 1117 947") == "IBAN [kontonummer]"


def test_digits_in_email_local_part_do_not_leak_as_phone() -> None:
    assert redact("ola.91234567@gmail.com") == EMAIL


def test_redact_is_idempotent_and_placeholders_are_not_pii() -> None:
    text = "Ring 91234567 eller skriv til ola@firma.no, fnr 01019012345, konto 1234 56 78901."
    once = redact(text)
    assert redact(once) == once
    assert not contains_pii(once)
    assert contains_pii(text)

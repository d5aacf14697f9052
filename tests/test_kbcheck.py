"""``kb check``: what an editor reads — hints for each slip, entry ids, Norwegian or English, card lengths."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rapidfuzz import fuzz, process

from bot.cli import cli
from bot.config import Config, StaffSettings, load_config
from bot.knowledge.cards import TELEGRAM_MESSAGE_LIMIT, card_length
from bot.knowledge.check import REQUIRED_IDS, check_knowledge, near_duplicates
from bot.knowledge.model import load_knowledge
from tests.conftest import ROOT
from tests.helpers import entry, write_knowledge
from tests.offline import config_for, harness_for

STAFF_ID = 4242


def required(*extra: dict[str, object]) -> list[dict[str, object]]:
    return [entry(entry_id) for entry_id in REQUIRED_IDS] + list(extra)


def test_shipped_knowledge_base_passes() -> None:
    problems = check_knowledge(ROOT / "knowledge")
    assert [p for p in problems if p.severity == "error"] == []


def test_missing_required_entry_is_an_error(tmp_path: Path) -> None:
    write_knowledge(tmp_path, *[entry(i) for i in REQUIRED_IDS if i != "funding"])
    messages = [str(p) for p in check_knowledge(tmp_path, required_ids=REQUIRED_IDS)]
    assert any("oppføringen `funding` mangler" in m and "knowledge.required_ids" in m for m in messages)


def test_shipped_config_requires_the_contracts_ids() -> None:
    assert load_config(ROOT / "config.yaml").knowledge.required_ids == list(REQUIRED_IDS)


def test_a_knowledge_base_without_drammens_ids_passes_when_config_requires_none(tmp_path: Path) -> None:
    write_knowledge(tmp_path, entry("lost-card"), entry("open-account"))
    assert [p for p in check_knowledge(tmp_path) if p.severity == "error"] == []


def test_an_english_only_knowledge_base_passes_when_config_says_english(tmp_path: Path) -> None:
    english = {"topics": [{"id": "start", "title": {"en": "Cards"}}]}
    write_knowledge(tmp_path, entry("lost-card", title={"en": "Lost card"}, answer={"en": "Block it in the app."},
                                    questions={"en": ["I lost my card"]}), topics=english)
    assert [p for p in check_knowledge(tmp_path, languages=["en"]) if p.severity == "error"] == []
    missing = [str(p) for p in check_knowledge(tmp_path, languages=["nb", "en"])]
    assert any("oppføring `lost-card`: `answer` mangler bokmål (`nb`)" in m for m in missing)
    assert any("emne `start`: `title` mangler bokmål (`nb`)" in m for m in missing)


@pytest.mark.parametrize("name", ["bank", "clinc150", "clinc150-50", "banking77", "airline", "it-helpdesk"])
def test_each_other_domain_knowledge_base_passes_with_its_own_config(name: str) -> None:
    """None of them has Drammen's ids or Norwegian: their configs require neither."""
    result = CliRunner().invoke(cli, ["kb", "check", "--config", str(ROOT / "bench" / "data" / name / "config.yaml")])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_colliding_questions_under_two_ids_are_a_warning_that_names_both(tmp_path: Path) -> None:
    write_knowledge(
        tmp_path,
        *required(
            entry("course-a", questions={"nb": ["Finnes det kurs for gründere?"], "en": ["courses"]}),
            entry("course-b", questions={"nb": ["finnes det kurs for grundere"], "en": ["other thing"]}),
        ),
    )
    problems = [p for p in check_knowledge(tmp_path, required_ids=REQUIRED_IDS) if p.note and p.note.key == "collision"]
    assert len(problems) == 1 and problems[0].severity == "warning"
    lines = (tmp_path / "entries.yaml").read_text("utf-8").splitlines()
    assert "grundere" in lines[problems[0].line - 1]
    assert str(problems[0]).startswith(f"{tmp_path / 'entries.yaml'}:{problems[0].line}: ")
    assert "oppføring `course-b`, alternativt spørsmål 1 (nb): spørsmålet «finnes det kurs for grundere»" in str(
        problems[0])
    assert "the bot has to guess between them: rephrase one, or keep it under one entry only" in problems[0].render(
        "en")


def test_a_dataset_with_a_phrasing_under_two_intents_passes_kb_check(tmp_path: Path) -> None:
    """Knowledge bases built from labelled data hold such pairs: kb check warns and exits 0."""
    folder = write_knowledge(
        tmp_path / "kb",
        entry("where-are-you-from", questions={"en": ["where are you from", "which country are you from"]}),
        entry("where-do-you-live", questions={"en": ["where you from", "where do you live"]}),
    )
    config = tmp_path / "config.yaml"
    config.write_text(f"knowledge:\n  dir: {folder}\n  required_ids: []\n  languages: [en]\n", "utf-8")
    result = CliRunner().invoke(cli, ["kb", "check", "--config", str(config), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Warning: entry `where-do-you-live`, alternate question 1 (en): the question \"where you from\" is " \
           "nearly the same as \"where are you from\" in entry `where-are-you-from`" in result.output


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("why was my card declined", "when was my card declined"),
        ("I can log in to the app", "I can't log in to the app"),
        ("kan jeg endre min pin-kode", "kan jeg endre din pin-kode"),
        ("hvorfor er kontoen stengt", "hvordan er kontoen stengt"),
    ],
)
def test_questions_that_differ_by_a_meaningful_short_word_are_not_duplicates(
    tmp_path: Path, first: str, second: str
) -> None:
    write_knowledge(tmp_path, entry("one-thing", questions={"nb": [first], "en": ["one"]}),
                    entry("other-thing", questions={"nb": [second], "en": ["two"]}))
    assert not [p for p in check_knowledge(tmp_path) if p.note and p.note.key == "collision"]


def test_near_duplicates_finds_what_comparing_all_pairs_finds() -> None:
    from bot.knowledge.model import load_knowledge
    from bot.matching.normalise import meaning_tokens

    texts = sorted({" ".join(sorted(meaning_tokens(q))) for e in load_knowledge(ROOT / "knowledge")
                    for q in e.questions.all()})
    texts += [text + "s" for text in texts[::7]]  # near-duplicates for sure
    scores = process.cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=92, workers=1)
    expected = {(int(i), int(j)) for i, j in zip(*scores.nonzero(), strict=True) if i < j}
    assert set(near_duplicates(texts)) == expected and expected


def test_overdue_review_is_a_warning_not_an_error(tmp_path: Path) -> None:
    write_knowledge(tmp_path, *required(entry("old-news", review_by="2020-01-01")))
    problems = check_knowledge(tmp_path, today=dt.date(2026, 11, 26))
    overdue = [p for p in problems if "skulle vært gjennomgått 2020-01-01" in p.message]
    assert len(overdue) == 1 and overdue[0].severity == "warning"
    assert ": Advarsel: oppføring `old-news`: " in str(overdue[0])


def test_structural_errors_hold_back_the_checks_across_entries_but_not_each_entrys_own(tmp_path: Path) -> None:
    write_knowledge(tmp_path, entry("a-b", related=["ghost"], review_by="2020-01-01"),
                    entry("Bad", questions={"nb": ["spørsmål om a-b"], "en": ["x"]}))
    problems = check_knowledge(tmp_path, required_ids=["a-b", "bad"])
    errors = [p.message for p in problems if p.severity == "error"]
    assert len(errors) == 2 and "`ghost`" in errors[0] and "`Bad`" in errors[1]  # no collision, no missing `bad`
    assert [p.severity for p in problems if "skulle vært gjennomgått" in p.message] == ["warning"]


def test_every_answer_card_needs_a_source_and_its_date(tmp_path: Path) -> None:
    from tests.helpers import entry, write_knowledge

    unsourced = entry("funding")
    del unsourced["source"], unsourced["as_of"]
    folder = write_knowledge(tmp_path / "kb", unsourced)
    messages = [problem.message for problem in check_knowledge(folder) if problem.severity == "error"]
    assert any("mangler `source` og `as_of`" in message for message in messages), messages


def test_a_norwegian_entry_without_nynorsk_is_a_warning_not_an_error(tmp_path: Path) -> None:
    from tests.helpers import entry, write_knowledge

    folder = write_knowledge(tmp_path / "kb", entry("funding"))
    problems = check_knowledge(folder)
    assert [p.severity for p in problems if "nynorsk (`nn`)" in p.message] == ["warning"]
    assert not [p for p in problems if p.severity == "error"]


# What an editor sees: one hint per common slip, only the file that does not parse, entry ids

BROKEN = """\
entries:
  - id: broken-one
    topic: start
    owner: næringsavdelingen
    review_by: 2099-12-31
    source: Testkilde
    as_of: 2026
    title:
      nb: Tittel
      en: Title
    answer:
      nb: Svar
      en: Answer
    questions:
      nb:
        - spørsmål én
        - spørsmål to
      en:
        - question one
"""


def broken_knowledge(folder: Path, text: str | bytes) -> Path:
    """A valid file that points at ``broken-one``, and ``broken.yaml`` holding ``text``."""
    write_knowledge(folder, entry("other-one", related=["broken-one"]))
    (folder / "broken.yaml").write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return folder


def slip(old: str, new: str) -> str:
    assert old in BROKEN
    return BROKEN.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "line", "hint"),
    [
        (slip("    topic: start", "\ttopic: start"), 3, "bytt ut tabulatoren på linje 3 med mellomrom"),
        (slip("      nb: Svar", "      nb: Åpent: mandag til fredag"), 12,
         'sett teksten i anførselstegn: nb: "Åpent: mandag til fredag"'),
        (slip("      nb: Svar", '      nb: Han sa: "ja"'), 12, "sett teksten i anførselstegn: nb: 'Han sa: \"ja\"'"),
        (slip("    as_of: 2026\n", "    as_of: 2026\n    owner: noen andre\n"), 8,
         "nøkkelen `owner` står to ganger (også på linje 4)"),
        (BROKEN + "    id: second-one\n    topic: start\n", 20, "begynn en ny oppføring med «- » hvis dette er en ny"),
        (slip("    owner: næringsavdelingen", "      owner: næringsavdelingen"), 4,
         "linjen har mer innrykk (kolonne 7) enn linjen over (kolonne 5)"),
        (slip("    owner: næringsavdelingen", "  owner: næringsavdelingen"), 4,
         "begynn den nye oppføringen med «- », eller rykk linjen inn til kolonne 5"),
        (slip("        - spørsmål to", "        spørsmål to"), 17, "er den et spørsmål i listen, begynn den med «- »"),
        (slip("        - spørsmål to", "      - spørsmål to"), 17,
         "innrykket (kolonne 7) passer ikke med linjene over (kolonne 9)"),
        (slip("      nb: Tittel", '      nb: "Tittel'), 9, "anførselstegnet som åpnes på linje 9 lukkes aldri"),
        (slip("      nb: Tittel", '      nb: "Tittel" for gründere'), 9,
         "sett hele teksten i anførselstegn: nb: '\"Tittel\" for gründere'"),
        (slip("    as_of: 2026", "    as_of: 2026\n    keywords: [kurs, gründer"), 8,
         "«[» som åpnes på linje 8 lukkes ikke — sett inn «]» på slutten"),
        (BROKEN.encode("latin-1"), 4, "ikke lagret som UTF-8 (et ukjent tegn i kolonne 13, ofte æ, ø eller å)"),
    ],
    ids=["tab", "colon", "colon-and-quotes", "duplicate-key", "missing-dash", "indented-more", "entry-without-dash",
         "question-without-dash", "list-item-indent", "unclosed-quote", "text-after-quote", "unclosed-bracket",
         "not-utf8"],
)
def test_a_file_that_does_not_parse_is_reported_alone_with_a_hint(
    tmp_path: Path, text: str | bytes, line: int, hint: str
) -> None:
    folder = broken_knowledge(tmp_path, text)
    problems = check_knowledge(folder)
    *errors, note = problems
    assert [(p.file.name, p.line, p.severity) for p in errors] == [("broken.yaml", line, "error")], problems
    assert hint in errors[0].message
    assert str(errors[0]).startswith(f"{folder / 'broken.yaml'}:{line}: Feil: ")
    # other-one's related id points into the broken file: not reported, the other checks wait
    assert note.severity == "note" and "hoppet over til broken.yaml kan leses" in str(note)


def test_a_tab_in_a_file_that_parses_is_a_warning(tmp_path: Path) -> None:
    folder = broken_knowledge(tmp_path, slip("    as_of: 2026", "    as_of: 2026\n    keywords: [kurs,\n\tgründer]"))
    problems = [p for p in check_knowledge(folder) if p.note and p.note.key == "yaml_tab"]
    assert [(p.file.name, p.line, p.severity) for p in problems] == [("broken.yaml", 9, "warning")]
    assert "bytt ut tabulatoren på linje 9 med mellomrom" in problems[0].message


def errors_of(folder: Path, **options: Any) -> list[str]:
    return [p.message for p in check_knowledge(folder, **options) if p.severity == "error"]


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([{k: v for k, v in entry("funding").items() if k != "answer"}],
         "oppføring `funding`: har ingen `answer` — legg til `answer:` med en linje per språk (nb:, en:)"),
        ([{k: v for k, v in entry("funding").items() if k != "review_by"}],
         "oppføring `funding`: har ingen `review_by` — legg til `review_by:` med datoen"),
        ([{k: (v if k != "answer" else None) for k, v in entry("funding").items()} | {"anwser": {"nb": "x"}}],
         "oppføring `funding`: ukjent felt `anwser` — mente du `answer`?"),
        ([entry("funding", related="contact")],
         "oppføring `funding`: `related` skal være en liste — skriv hvert element på en egen linje"),
        ([entry("funding", questions={"nb": "hva er tilskudd", "en": ["grants"]})],
         "oppføring `funding`: `questions.nb` skal være en liste"),
        ([entry("funding", title="Tilskudd")], "oppføring `funding`: `title` skal ha underpunkter"),
        ([entry("funding", smalltalk="kanskje")], "oppføring `funding`: `smalltalk` skal være true eller false"),
        ([entry("funding", review_by="snart")], "`review_by` skal være en dato — skriv den ÅÅÅÅ-MM-DD"),
        ([entry("funding", as_of="i fjor")], "`as_of` skal være en dato eller et årstall"),
        ([entry("funding", title={"nb": "Tilskudd", "eng": "Grants"})], "ukjent felt `title.eng` — mente du `en`?"),
        ([entry("funding", questions={"nb": ["tilskudd", " "], "en": ["grants"]})],
         "oppføring `funding`, alternativt spørsmål 2 (nb): spørsmålet er tomt — skriv spørsmålet, eller slett linjen"),
        ([entry("funding"), entry("contact", related=["fundng"])],
         "oppføring `contact`: `related` viser til `fundng`, som ikke finnes — mente du `funding`?"),
        ([entry("funding", topic="strat")], "oppføring `funding`: emnet `strat` finnes ikke — mente du `start`?"),
        ([entry("funding", answer={"nb": "Svar"})], "oppføring `funding`: `answer` mangler engelsk (`en`)"),
        ([entry("Funding Help")], "id-en `Funding Help` kan bare ha små bokstaver, tall og bindestrek — skriv for "
                                  "eksempel `funding-help`"),
    ],
    ids=["missing-field", "missing-date", "unknown-field", "wrong-type-list", "wrong-type-questions", "wrong-type-text",
         "wrong-type-bool", "bad-date", "bad-as-of", "unknown-language", "empty-question", "unknown-related",
         "unknown-topic", "missing-language", "bad-id"],
)
def test_validation_errors_name_the_entry_and_say_what_to_write(
    tmp_path: Path, entries: list[dict[str, Any]], expected: str
) -> None:
    for item in entries:
        if item.get("answer", "") is None:
            del item["answer"]
    messages = errors_of(write_knowledge(tmp_path, *entries))
    assert any(expected in message for message in messages), messages
    assert not any("entries." in message or "Field required" in message for message in messages), messages


def test_a_misspelt_field_is_one_error_not_also_a_missing_one(tmp_path: Path) -> None:
    misspelt = entry("funding")
    misspelt["anwser"] = misspelt.pop("answer")
    assert errors_of(write_knowledge(tmp_path, misspelt)) == [
        "oppføring `funding`: ukjent felt `anwser` — mente du `answer`?"]


def test_an_invalid_entry_does_not_make_references_to_it_errors(tmp_path: Path) -> None:
    folder = write_knowledge(tmp_path, entry("Funding"), entry("contact", related=["funding"]))
    assert [m.split(":")[0] for m in errors_of(folder)] == ["oppføring `Funding`"]


def test_a_duplicate_id_names_both_places(tmp_path: Path) -> None:
    folder = write_knowledge(tmp_path, entry("funding"), entry("funding"))
    (problem,) = [p for p in check_knowledge(folder) if p.severity == "error"]
    first_line = (folder / "entries.yaml").read_text("utf-8").splitlines().index("- id: funding") + 1
    assert f"id-en er brukt to ganger, her og i {folder / 'entries.yaml'}:{first_line}" in problem.message
    assert problem.line > first_line


def test_a_missing_required_id_suggests_the_entry_it_was_probably_renamed_to(tmp_path: Path) -> None:
    folder = write_knowledge(tmp_path, entry("fundings"), entry("contact"))
    messages = errors_of(folder, required_ids=["funding", "contact"])
    assert messages == ["oppføringen `funding` mangler, og rapporter og testspørsmål viser til den "
                        "(knowledge.required_ids) — mente du at `fundings` skal hete `funding`?"]


def test_every_message_exists_in_both_languages_with_the_same_blanks() -> None:
    import string

    from bot.knowledge.messages import MESSAGES

    for key, texts in MESSAGES.items():
        assert set(texts) == {"nb", "en"}, key
        blanks = [{name for _, name, _, _ in string.Formatter().parse(text) if name} for text in texts.values()]
        assert blanks[0] == blanks[1], key


# The command line: Norwegian by default, English on request, a summary, the exit status


def test_kb_check_speaks_norwegian_by_default_and_english_with_lang_en(tmp_path: Path) -> None:
    folder = write_knowledge(tmp_path, entry("funding", related=["contact"]))
    norwegian = CliRunner().invoke(cli, ["kb", "check", str(folder)])
    english = CliRunner().invoke(cli, ["kb", "check", str(folder), "--lang", "en"])
    assert norwegian.exit_code == english.exit_code == 1
    line = (folder / "entries.yaml").read_text("utf-8").splitlines().index("  - contact") + 1
    where = folder / "entries.yaml"
    assert norwegian.output.splitlines() == [
        f"{folder / 'entries.yaml'}:{line}: Feil: oppføring `funding`: `related` viser til `contact`, som ikke finnes "
        "— rett id-en, eller fjern den fra `related`",
        f"{where}:2: Advarsel: oppføring `funding`: har bare 1 alternativt spørsmål på bokmål — legg til flere "
        "formuleringer folk faktisk bruker",
        f"{where}:2: Advarsel: oppføring `funding`: har bare 1 alternativt spørsmål på engelsk — legg til flere "
        "formuleringer folk faktisk bruker",
        f"{where}:2: Advarsel: oppføring `funding`: har ingen tittel eller svar på nynorsk (`nn`) — nynorske "
        "spørsmål får svaret på bokmål",
        f"{folder}: 1 feil, 3 advarsler i 2 filer",
    ]
    assert english.output.splitlines() == [
        f"{folder / 'entries.yaml'}:{line}: Error: entry `funding`: `related` refers to `contact`, which does not "
        "exist — fix the id, or remove it from `related`",
        f"{where}:2: Warning: entry `funding`: has only 1 alternate question in Bokmål — add more phrasings "
        "people really use",
        f"{where}:2: Warning: entry `funding`: has only 1 alternate question in English — add more phrasings "
        "people really use",
        f"{where}:2: Warning: entry `funding`: has no Nynorsk (`nn`) title or answer — Nynorsk questions get the "
        "Bokmål answer",
        f"{folder}: 1 error, 3 warnings in 2 files",
    ]


def test_kb_check_exits_0_with_warnings_only_and_sums_up(tmp_path: Path) -> None:
    folder = write_knowledge(tmp_path / "kb", entry("old-news", review_by="2020-01-01"))
    config = tmp_path / "config.yaml"
    config.write_text(f"knowledge:\n  dir: {folder}\n  required_ids: []\n", "utf-8")
    result = CliRunner().invoke(cli, ["kb", "check", "--config", str(config)])
    english = CliRunner().invoke(cli, ["kb", "check", "--config", str(config), "--lang", "en"])
    assert result.exit_code == english.exit_code == 0, result.output
    assert ": Advarsel: oppføring `old-news`: skulle vært gjennomgått 2020-01-01 — sjekk opplysningene med " in (
        result.output)
    assert ": Warning: entry `old-news`: was due for review on 2020-01-01 — check the facts with " in english.output
    assert result.output.splitlines()[-1] == f"{folder}: OK — 0 feil, 4 advarsler i 2 filer"
    assert english.output.splitlines()[-1] == f"{folder}: OK — 0 errors, 4 warnings in 2 files"


def test_kb_check_reports_only_the_file_that_does_not_parse(tmp_path: Path) -> None:
    folder = broken_knowledge(tmp_path, slip("      nb: Svar", "      nb: Åpent: mandag til fredag"))
    result = CliRunner().invoke(cli, ["kb", "check", str(folder), "--lang", "en"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{folder / 'broken.yaml'}:12: Error: a colon inside the text (column 16) makes YAML read the rest as a new "
        'key — put the text in quotes: nb: "Åpent: mandag til fredag"',
        f"{folder}: Note: the other checks were skipped until broken.yaml can be read — fix the error above and run "
        "the check again",
        f"{folder}: 1 error, 0 warnings in 3 files",
    ]


# Answer cards that do not fit in one Telegram message


def card_config(tmp_path: Path, base: Config, folder: Path, **staff: Any) -> Config:
    return config_for(tmp_path, base, profile__ask=False, knowledge={"dir": str(folder), "reload_seconds": 5},
                      staff={**base.staff.model_dump(), "user_ids": [STAFF_ID], **staff})


@pytest.mark.parametrize("staff", [{}, {"chat_id": -2001}, {"contact": {"email": "post@example.invalid"}}],
                         ids=["nobody", "staff-chat", "contact"])
async def test_the_card_length_rule_agrees_with_what_the_bot_sends(
    tmp_path: Path, shipped_config: Config, staff: dict[str, Any]
) -> None:
    folder = write_knowledge(
        tmp_path / "kb",
        entry("marked-up", title={"nb": "Kurs & <veiledning>", "en": "Courses & more"},
              answer={"nb": "Spør {unit} <i>nå</i> & «snart».\nLinje to.", "en": "Ask {unit} & > twice."}),
        entry("year-only", as_of=2013), entry("no-source", source=None, as_of=None),
    )
    config = card_config(tmp_path, shipped_config, folder, **staff)
    knowledge = load_knowledge(folder)
    async for harness in harness_for(config):
        for entry_id in knowledge.entries:
            for user, lang in ((1, "nb"), (2, "en")):
                await harness.press(f"e:{entry_id}:0", user_id=user, lang=lang)
                sent = harness.request.last_text()
                assert len(sent) == card_length(knowledge.entries[entry_id], lang, config.staff), (entry_id, lang)


LONG_ANSWER = ("Dette er en lang tekst om kurs for gründere. " * 95).strip()


async def test_a_card_over_the_limit_really_is_cut_by_the_bot(tmp_path: Path, shipped_config: Config) -> None:
    folder = write_knowledge(tmp_path / "kb", entry("long-one", answer={"nb": LONG_ANSWER, "en": "Short."}))
    async for harness in harness_for(card_config(tmp_path, shipped_config, folder)):
        await harness.press("e:long-one:0", user_id=1)
        sent = harness.request.last_text()
        assert len(sent) <= TELEGRAM_MESSAGE_LIMIT and sent.endswith("…") and "Kilde:" not in sent


def test_an_answer_card_too_long_for_one_telegram_message_is_a_warning(tmp_path: Path) -> None:
    folder = write_knowledge(tmp_path / "kb", entry("long-one", answer={"nb": LONG_ANSWER, "en": "Short."}))
    length = card_length(load_knowledge(folder).entries["long-one"], "nb", StaffSettings())
    over = length - TELEGRAM_MESSAGE_LIMIT
    assert 0 < over < 1000  # the arithmetic below has no thousands separator
    (warning,) = [p for p in check_knowledge(folder) if p.note and p.note.key == "card_too_long"]
    assert warning.severity == "warning"
    assert (folder / "entries.yaml").read_text("utf-8").splitlines()[warning.line - 1].strip().startswith("nb: ")
    assert warning.message == (
        f"oppføring `long-one`: svarkortet på bokmål blir {length:,} tegn med tittel og kildelinje, {over} for mye for "
        "én Telegram-melding (4\u00a0096), så slutten blir kuttet — forkort svaret med "
        f"{over} tegn, eller del det i to oppføringer").replace(",", "\u00a0", 1)
    assert warning.text("en").endswith(f"shorten the answer by {over} characters or split it into two entries")
    config = tmp_path / "config.yaml"
    config.write_text(f"knowledge:\n  dir: {folder}\n  required_ids: []\n", "utf-8")
    result = CliRunner().invoke(cli, ["kb", "check", "--config", str(config)])
    assert result.exit_code == 0 and "Advarsel: oppføring `long-one`: svarkortet på bokmål" in result.output


def test_the_card_length_counts_the_footer_the_configuration_adds(tmp_path: Path) -> None:
    folder = write_knowledge(tmp_path, entry("a-b"))
    item = load_knowledge(folder).entries["a-b"]
    alone, with_chat = card_length(item, "nb", StaffSettings()), card_length(item, "nb", StaffSettings(chat_id=-1))
    assert with_chat > alone


# The running bot refuses a broken reload with the same messages


async def test_the_bot_refuses_a_broken_reload_naming_only_the_broken_file(
    tmp_path: Path, shipped_config: Config
) -> None:
    folder = broken_knowledge(tmp_path / "kb", BROKEN)
    async for harness in harness_for(card_config(tmp_path, shipped_config, folder)):
        (folder / "broken.yaml").write_text(slip("      nb: Svar", "      nb: Åpent: mandag til fredag"), "utf-8")
        await harness.say("/reload", user_id=STAFF_ID)
        reply = harness.request.last_text()
        assert "Kunnskapsbasen har feil, så den gamle er beholdt (2 oppføringer)" in reply
        assert (f"{folder / 'broken.yaml'}:12: Feil: kolon midt i teksten (kolonne 16) får YAML til å lese resten som "
                'en ny nøkkel — sett teksten i anførselstegn: nb: "Åpent: mandag til fredag"') in reply
        assert "hoppet over til broken.yaml kan leses" in reply
        assert "other-one" not in reply and "entries.yaml" not in reply


def test_any_one_slip_gives_a_line_and_a_message_never_a_crash(tmp_path: Path) -> None:
    from bot.knowledge.reading import read_document

    lines = BROKEN.splitlines(keepends=True)
    path = tmp_path / "slip.yaml"
    for number, line in enumerate(lines):
        slips = [""] + [text for inserted in (":", '"', "\t", "- ", "  ") for text in
                        (inserted + line, line.rstrip("\n") + inserted + "\n")]
        for slipped in slips:
            path.write_text("".join([*lines[:number], slipped, *lines[number + 1:]]), "utf-8")
            document, problems = read_document(path, 1_000_000)
            if document is None:
                assert problems and all(1 <= p.line <= len(lines) + 1 and p.note is not None for p in problems)
                assert all(" — " in p.message for p in problems)


@pytest.mark.parametrize(("text", "message"), [
    ("- kurs\n- veiledning\n", "odd.yaml:1: Error: the file must consist of `topics:` and/or `entries:`"),
    ("entries: 5\n", "odd.yaml:1: Error: `entries` must be a list"),
])
def test_a_file_of_the_wrong_shape_is_an_error_not_a_crash(tmp_path: Path, text: str, message: str) -> None:
    write_knowledge(tmp_path, *[entry(i) for i in REQUIRED_IDS])
    (tmp_path / "odd.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["kb", "check", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit | None), result.exception
    assert message in result.output

"""``naeringsbot report``: the contract JSON with November's hand-counted figures, and its readable forms."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from bot.cli import cli
from bot.config import Config, Indicator
from bot.engine import AnswerEngine
from bot.knowledge.model import KnowledgeBase
from bot.reports.metrics import METRICS
from bot.reports.periods import parse_period
from bot.reports.report import build_report, render, stats_message
from bot.reports.sections import LABELS, WORDS, duration
from bot.reports.stats import change, compare, comparison_lines, previous_name, telegram_stats
from tests.conftest import ROOT
from tests.offline import config_for
from tests.sample_log import (
    EXPECTED_BY_ENTRY,
    EXPECTED_BY_TOPIC,
    EXPECTED_TOTALS,
    NOVEMBER,
    build_sample_log,
)

INDICATORS = [
    {"id": "inquiries", "title": {"nb": "Henvendelser totalt", "en": "Inquiries in total"},
     "metric": "inquiries", "target": 1200, "example": True},
    {"id": "satisfaction", "title": {"nb": "Andel fornøyde", "en": "Share satisfied"},
     "metric": "satisfaction", "target": 0.7},
]


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory, shipped_config: Config) -> Config:
    folder = tmp_path_factory.mktemp("report")
    return config_for(folder, shipped_config, indicators=INDICATORS)


@pytest.fixture(scope="module")
def db(config: Config) -> Database:
    return build_sample_log(config.database_path)


@pytest.fixture(scope="module")
def report(db: Database, config: Config, knowledge: KnowledgeBase, engine: AnswerEngine) -> dict[str, Any]:
    return build_report(db, config, NOVEMBER, knowledge, engine.matcher, today=dt.date(2026, 11, 15))


def test_the_report_has_every_contract_field_with_novembers_figures(report: dict[str, Any]) -> None:
    assert report["period"] == {"from": "2026-11-01", "to": "2026-11-30", "days": 30}
    assert report["totals"] == EXPECTED_TOTALS
    assert report["answered_share"] == 0.4615
    assert report["satisfaction"] == 0.5
    assert report["feedback"] == {"up": 2, "down": 2}  # 1 2 and 24 (1 November in Oslo); 27 is December's
    assert report["by_entry"] == EXPECTED_BY_ENTRY
    assert report["by_topic"] == EXPECTED_BY_TOPIC
    assert report["by_month"] == {
        "2026-11": {"inquiries": 13, "unique_users": 4, "answered": 6, "ambiguous": 2, "fallback": 4, "handoffs": 2}
    }
    assert report["handoffs"] == {"opened": 2, "answered": 1, "by_status": {"answered": 1, "unrouted": 1},
                                  "median_minutes_to_first_answer": 30.0}


def test_targets_are_the_year_to_date_against_the_yearly_target(report: dict[str, Any]) -> None:
    inquiries, satisfaction = report["targets"]
    keys = ("indicator", "target", "actual", "met", "expected_by_now", "on_track")
    # November's 13 (the log starts on 1 November in Oslo) against 1200 a year; the pace at "today",
    # 15 November (319 of 365 days)
    assert {key: inquiries[key] for key in keys} == {
        "indicator": "inquiries", "target": 1200, "actual": 13, "met": False, "expected_by_now": 1049,
        "on_track": False}
    assert inquiries["title"] == {"nb": "Henvendelser totalt", "en": "Inquiries in total"}
    # a share is the year's share (2 of 4 votes) against the target share, never a share of a share
    assert {key: satisfaction[key] for key in keys} == {
        "indicator": "satisfaction", "target": 0.7, "actual": 0.5, "met": False, "expected_by_now": None,
        "on_track": False}
    assert satisfaction["progress"] is None


def test_unique_users_are_never_pro_rated(db: Database, config: Config) -> None:
    users = Config(**{**config.__dict__, "indicators": [
        Indicator(id="users", title={"nb": "Unike", "en": "Unique"}, metric="unique_users", target=48)]})
    (target,) = build_report(db, users, NOVEMBER, today=dt.date(2026, 12, 5))["targets"]
    assert (target["target"], target["actual"], target["expected_by_now"], target["on_track"]) == (48, 4, None, None)


def test_unanswered_groups_have_example_count_and_closest_entry(report: dict[str, Any]) -> None:
    assert [{key: group[key] for key in ("example", "count", "suggested_entry")} for group in report["unanswered"]] == [
        {"example": "søke støtte til båt", "count": 2, "suggested_entry": "funding"},
        {"example": "kurs om regnskap", "count": 1, "suggested_entry": "establisher-courses"},
        {"example": "parkering ved rådhuset", "count": 1, "suggested_entry": None},
    ]


def test_json_form_is_the_report_itself(report: dict[str, Any]) -> None:
    assert json.loads(render(report, "json")) == report


def test_markdown_for_the_council_has_norwegian_headings_and_the_definitions(
    report: dict[str, Any], knowledge: KnowledgeBase, config: Config
) -> None:
    markdown = render(report, "md", "nb", knowledge, config)
    assert markdown.startswith("# Næringsbot – indikatorer og måltall\n")
    for heading in ("## Nøkkeltall", "## Måltall", "## Per måned", "## Mest viste svar", "## Per emne",
                    "## Spørsmål sendt til ansatte", "## Ubesvarte spørsmål", "## Slik telles tallene"):
        assert f"\n{heading}" in markdown
    assert "| Henvendelser | 13 |" in markdown
    assert "| Andel besvart | 46,2 % |" in markdown
    assert "| Indikator | Årsmål | Hittil i år | Forventet nå | Årsmål nådd | I rute |" in markdown
    assert "| Henvendelser totalt* | 1 200 | 13 | 1 049 | nei | nei |" in markdown
    assert "| Andel fornøyde | 70 % | 50 % | – | nei | nei |" in markdown
    assert "«hittil i år» teller fra 01.01.2026 til 30.11.2026" in markdown
    assert "| Midler til forskning, innovasjon og utvikling | 4 |" in markdown  # titles, not ids
    assert "(funding)" not in markdown and "0." not in markdown.split("## Ubesvarte")[1].split("## Slik")[0]
    assert "| norsk | 9 |" in markdown and "| engelsk | 4 |" in markdown
    assert "| Gründer / etablerer | 4 |" in markdown  # role titles from config
    assert "| Median tid til første svar | 30 min |" in markdown  # a duration, not a number of minutes
    assert "| november 2026 | 13 | 4 | 6 | 2 | 4 | 2 |" in markdown
    assert "Periode: 01.11.2026 – 30.11.2026 (30 dager)" in markdown
    assert "Måltall merket * er eksempler" in markdown


def test_english_markdown_on_request(report: dict[str, Any]) -> None:
    markdown = render(report, "md", "en")
    assert "## Key figures" in markdown and "| Share answered | 46.2% |" in markdown
    assert "## How the figures are counted" in markdown


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_definitions_section_defines_every_figure_of_the_table(report: dict[str, Any], lang: str) -> None:
    definitions = render(report, "md", lang).split("\n## Slik telles tallene\n" if lang == "nb" else
                                                   "\n## How the figures are counted\n")[1]
    for metric in METRICS:
        assert f"**: {metric.definition[0 if lang == 'nb' else 1]}\n" in definitions, metric.name
    assert ("- Datoene er hele døgn i norsk tid (Europe/Oslo)" in definitions
            or "- Dates are whole days in Norwegian time (Europe/Oslo)" in definitions)


def test_key_figures_are_titled_from_the_table_of_metrics() -> None:
    assert not set(LABELS) & {metric.name for metric in METRICS}
    assert all(WORDS[metric.name] == metric.title for metric in METRICS)


def test_table_form_aligns_figures_for_a_terminal(report: dict[str, Any]) -> None:
    lines = render(report, "table").splitlines()
    assert lines[0] == "Næringsbot – indikatorer og måltall"
    inquiries = next(line for line in lines if line.startswith("Henvendelser "))
    answered = next(line for line in lines if line.startswith("Besvart av boten"))
    assert inquiries.endswith(" 13") and answered.endswith(" 6")
    assert len(inquiries) == len(answered)  # right-aligned in one column


def test_table_form_has_no_markdown_markup(report: dict[str, Any], knowledge: KnowledgeBase, config: Config) -> None:
    table = render(report, "table", "nb", knowledge, config)
    assert "**" not in table and "| " not in table and "## " not in table and "![" not in table
    assert "- Henvendelser: Et spørsmål skrevet som tekst" in table  # the definitions, as plain text


def test_csv_form_opens_in_norwegian_excel(report: dict[str, Any]) -> None:
    text = render(report, "csv")
    assert text.startswith("\ufeffdel;nøkkel;verdi;årsmål;forventet nå;årsmål nådd;i rute\r\n")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    figures = {(row["del"], row["nøkkel"]): row for row in rows}
    assert figures[("nøkkeltall", "inquiries")]["verdi"] == "13"
    assert figures[("andeler", "satisfaction")]["verdi"] == "0,5"  # decimal comma
    assert figures[("per svar", "funding")]["verdi"] == "4"
    assert figures[("per måned", "2026-11:answered")]["verdi"] == "6"
    assert figures[("måltall", "inquiries")] == {"del": "måltall", "nøkkel": "inquiries", "verdi": "13",
                                                 "årsmål": "1200", "forventet nå": "1049", "årsmål nådd": "nei",
                                                 "i rute": "nei"}
    assert figures[("måltall", "satisfaction")]["forventet nå"] == ""  # a share has no pace
    assert figures[("ubesvarte", "søke støtte til båt")]["verdi"] == "2"


def test_stats_message_for_telegram(report: dict[str, Any]) -> None:
    text = stats_message(report, "nb")
    assert "Henvendelser: 13 (unike brukere: 4)" in text
    assert "Besvart: 6 (46,2 %) · forslag: 2 · ikke besvart: 4 · skrevet direkte til ansatte: 1" in text
    assert "Sendt videre til ansatte: 2, besvart av ansatte: 1 (median 30 min til første svar)" in text
    assert "Fornøyde: 50 % av 4 stemmer" in text
    assert "Måltall for året, hittil i år per 15.11.2026:" in text  # "today" in the fixture: the pace date
    assert "⏳ Henvendelser totalt: 13 av 1 200 i år (forventet nå: 1 049)" in text
    assert "⏳ Andel fornøyde: 50 %, målet er 70 % (ikke nådd)" in text
    assert "Inquiries: 13 (unique users: 4)" in stats_message(report, "en")


def test_telegram_stats_gives_text_a_png_and_a_caption(db: Database, config: Config, knowledge: KnowledgeBase) -> None:
    reply = telegram_stats(db, config, "2026-11", "en", knowledge, today=dt.date(2026, 12, 5))
    assert reply.text.startswith("Næringsbot 2026-11-01–2026-11-30\nInquiries: 13")
    assert reply.chart.startswith(b"\x89PNG\r\n\x1a\n")
    assert reply.caption == "Inquiries per week and targets year to date, 2026-11-01–2026-11-30"
    norwegian = telegram_stats(db, config, "forrige måned", "nb", knowledge, today=dt.date(2026, 12, 5))
    assert norwegian.text.startswith("Næringsbot 01.11.2026–30.11.2026\nHenvendelser: 13")
    assert "Sammenlignet med forrige måned (01.10.2026–31.10.2026):\n  henvendelser: 0 → 13\n" in norwegian.text
    assert norwegian.caption == "Henvendelser per uke og måltall hittil i år, 01.11.2026–30.11.2026"


def test_a_running_period_is_compared_up_to_the_same_day(db: Database) -> None:
    comparison = compare(db, parse_period("2026-12"), today=dt.date(2026, 12, 1))
    assert (comparison.now, comparison.before) == (parse_period("2026-12-01"), parse_period("2026-11-01"))
    assert (comparison.inquiries_before, comparison.inquiries_now) == (1, 2)  # 24 | 25 and 27 (Oslo days)
    lines = comparison_lines(comparison)
    assert lines[:2] == ["Sammenlignet med forrige måned (01.11.2026–01.11.2026):", "  henvendelser: 1 → 2 (+100 %)"]
    assert lines[-1] == "  (begge til og med dag 1)"


@pytest.mark.parametrize(("before", "now", "text"), [(31, 42, " (+35 %)"), (10, 5, " (-50 %)"), (0, 4, "")])
def test_the_change_from_the_period_before(before: int, now: int, text: str) -> None:
    assert change(before, now) == text


@pytest.mark.parametrize(("period", "name"), [
    ("2026-11", "forrige måned"), ("2026-Q4", "forrige kvartal"), ("2026", "året før"), ("2026-11-30", "dagen før"),
    ("2026-11-23..2026-11-29", "uka før"), ("2026-11-10..2026-11-12", "de 3 dagene før")])
def test_the_period_before_has_a_name_staff_use(period: str, name: str) -> None:
    assert previous_name(parse_period(period))[0] == name


@pytest.mark.parametrize(("minutes", "text"), [(30.0, "30 min"), (325, "5 t 25 min"), (120, "2 t"),
                                               (1530, "1 d 1 t"), (None, "–")])
def test_durations_are_hours_and_minutes(minutes: float | None, text: str) -> None:
    assert duration(minutes) == text


# The command ------------------------------------------------------------------------------------


def invoke(config: Config, *args: str) -> Any:
    config_file = ROOT / "config.yaml"
    env = {"NAERINGSBOT_DATABASE": str(config.database_path)}
    return CliRunner().invoke(cli, ["report", "--config", str(config_file), *args], env=env)


def test_report_command_prints_the_json(config: Config, db: Database) -> None:
    result = invoke(config, "--period", "2026-11", "--format", "json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["totals"] == EXPECTED_TOTALS
    assert [target["indicator"] for target in figures["targets"]] == ["inquiries", "unique-users", "answered-share",
                                                                       "satisfaction", "founder-guidance"]


def test_report_command_takes_from_and_to_and_saves_the_chart(config: Config, db: Database, tmp_path: Path) -> None:
    chart = tmp_path / "chart.png"
    result = invoke(config, "--from", "2026-11-01", "--to", "2026-11-01", "--format", "md", "--lang", "en",
                    "--chart", str(chart))
    assert result.exit_code == 0, result.output
    assert "Period: 2026-11-01 – 2026-11-01 (1 days)" in result.stdout
    assert "| Inquiries | 1 |" in result.stdout  # 24, at 00:59:59 on 1 November in Oslo
    assert f"![Inquiries per week and targets year to date]({chart})" in result.stdout  # linked in the Markdown
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_report_command_understands_norwegian_period_words(config: Config, db: Database) -> None:
    result = invoke(config, "--period", "november 2026", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["period"] == {"from": "2026-11-01", "to": "2026-11-30", "days": 30}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "30.11.2026"], "Error: --from: '30.11.2026' is not a date — write it as YYYY-MM-DD"),
        (["--from", "2026-12-01", "--to", "2026-11-01"], "before it starts"),
        (["--period", "2026-11", "--to", "2026-11-30"], "either --period or --from/--to"),
        (["--period", "neste år"], "write 2026, 2026-Q4, 2026-11"),
    ],
)
def test_bad_dates_exit_2_with_a_message_on_stderr(config: Config, args: list[str], message: str) -> None:
    result = invoke(config, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_a_missing_database_is_an_error_not_a_report_of_zeros(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "--config", str(ROOT / "config.yaml")],
                                env={"NAERINGSBOT_DATABASE": str(tmp_path / "nowhere.db")})
    assert result.exit_code == 1
    assert "no inquiry log at" in result.stderr
    assert not (tmp_path / "nowhere.db").exists()


def test_no_empty_months_before_the_first_inquiry(db: Database, config: Config) -> None:
    months = build_report(db, config, NOVEMBER.__class__(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
                          today=dt.date(2026, 12, 5))["by_month"]
    assert list(months) == ["2026-11", "2026-12"]  # the log starts at 00:59:59 on 1 November, Oslo time

"""``naeringsbot review``: the real Datasette server on 127.0.0.1 over the live log, read-only, with its queries."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.clock import LOCAL
from bot.config import Config, load_config
from bot.knowledge.model import KnowledgeBase
from bot.reports.metrics import BY_NAME
from bot.reports.periods import resolve_period
from bot.reports.review import INDICATORS_QUERY, ReviewError, metadata_template, review_metadata
from bot.reports.review_period import default_period
from bot.reports.targets import targets
from bot.store.database import open_database
from bot.store.inquiries import Inquiry, InquiryLog, utc_now
from tests.conftest import ROOT

QUERY_COLUMNS = {
    "ubesvarte-denne-maaneden": {"spørsmål", "del_uten_svar", "antall", "sist_spurt", "språk"},
    "henvendelser-per-svar-per-maaned": {"måned", "tema", "svar", "tittel", "visninger"},
    "tilbakemeldinger-per-svar": {"tema", "svar", "tittel", "tommel_opp", "tommel_ned", "andel_fornøyde", "siste"},
    "sendt-til-ansatte": {"referanse", "status", "sendt", "første_svar", "minutter_til_svar", "avsluttet",
                          "avsluttet_slik", "språk", "spørsmål"},
    INDICATORS_QUERY: {"indikator", "tittel", "mål", "faktisk", "oppnådd", "nådd", "eksempel"},
}
PERIOD_QUERIES = [name for name in QUERY_COLUMNS if name != INDICATORS_QUERY]
CHAT_ID = 731_902_466  # a Telegram chat id in the handoffs table, which no page may show
TODAY = dt.datetime.now(LOCAL).date()
DEFAULT_START, DEFAULT_END = default_period(TODAY)
TWO_PARTS = "Hvor kan jeg parkere i sentrum, og finnes det kurs for etablerere?"
# Whole period: every row of the log below, whatever today is.
EVERYTHING = {"fra": "2000-01-01", "til": "2999-12-31"}


def at(day: dt.date, clock: str = "12:00:00") -> str:
    """A UTC time stamp as the log writes them."""
    return f"{day.isoformat()}T{clock}+00:00"


def test_metadata_names_the_database_and_fills_in_the_shared_definitions(shipped_config: Config) -> None:
    metadata = review_metadata("mylog", shipped_config)
    (database,) = metadata["databases"]
    queries = metadata["databases"]["mylog"]["queries"]
    assert database == "mylog"
    assert set(queries) == set(QUERY_COLUMNS)
    for name, query in queries.items():
        assert query["title"] and "{" not in query["sql"], name
        assert not query.get("write") and query["hide_sql"] is True
        assert "i.is_staff = 0 AND i.channel = 'telegram'" in query["sql"], name
        assert query.get("params", []) == (["fra", "til"] if name in PERIOD_QUERIES else []), name
    for indicator in shipped_config.indicators:
        assert f"'{indicator.id}' AS indikator" in queries[INDICATORS_QUERY]["sql"]


def test_the_indicators_query_says_how_each_of_its_figures_is_counted(shipped_config: Config) -> None:
    description = review_metadata("x", shipped_config)["databases"]["x"]["queries"][INDICATORS_QUERY]["description"]
    assert description.startswith("Hver indikator i config.yaml mot årets måltall")
    for metric in {indicator.metric for indicator in shipped_config.indicators} & set(BY_NAME):
        assert f"{BY_NAME[metric].title[0]}: {BY_NAME[metric].definition[0]}" in description


def test_a_writing_query_is_refused(shipped_config: Config) -> None:
    template = metadata_template()
    template["databases"]["inquiries"]["queries"]["ubesvarte-denne-maaneden"]["write"] = True
    with pytest.raises(ReviewError, match="write: true"):
        review_metadata("inquiries", shipped_config, template=template)


# The real server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def log_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Inquiries of today (for this year's indicators), and of fixed days around a month's end."""
    path = tmp_path_factory.mktemp("review") / "inquiries.db"
    db = open_database(path)
    log = InquiryLog(db)
    log.record(Inquiry("telegram", "message", "answered", "anna", 1, text="Hvordan starter jeg?",
                       entry_id="establisher-guidance", lang="nb"))
    log.record(Inquiry("telegram", "message", "fallback", "bob", 2, text="parkering ved rådhuset", lang="nb"))
    log.record(Inquiry("telegram", "message", "fallback", "cara", 3, text="Parkering ved rådhuset ", lang="nb"))
    log.record(Inquiry("telegram", "message", "fallback", "staff", 4, text="staff test", is_staff=True))
    log.record(Inquiry("console", "message", "fallback", "editor", text="console test"))
    log.record_feedback(1, "anna", -1)
    # 23:30 UTC on 31 October is 00:30 on 1 November in Drammen: a November question.
    log.record(Inquiry("telegram", "message", "fallback", "dina", 10, text="oktoberspørsmål", lang="nb",
                       received_at=at(dt.date(2025, 10, 31), "21:00:00")))
    log.record(Inquiry("telegram", "message", "fallback", "emil", 11, text="natt til november", lang="nb",
                       received_at=at(dt.date(2025, 10, 31), "23:30:00")))
    # The first and the day before the first day of the default period.
    log.record(Inquiry("telegram", "message", "fallback", "frid", 12, text="første dag i standardperioden",
                       lang="nb", received_at=at(DEFAULT_START)))
    log.record(Inquiry("telegram", "message", "fallback", "gro", 13, text="dagen før standardperioden",
                       lang="nb", received_at=at(DEFAULT_START - dt.timedelta(days=1))))
    # Two questions in one message, the first unknown and the second answered: the message counts as answered.
    log.record(Inquiry("telegram", "message", "answered", "hans", 14, text=TWO_PARTS, entry_id="establisher-courses",
                       lang="nb", received_at=at(dt.date(2025, 9, 15)), parts=[
                           {"part": 1, "entry_id": None, "outcome": "fallback", "score": 0.2},
                           {"part": 2, "entry_id": "establisher-courses", "outcome": "answered", "score": 0.9}]))
    db.table("handoffs").insert({"reference": "H-1", "inquiry_id": 2, "status": "closed", "opened_at": utc_now(),
                                 "closed_at": utc_now(), "closed_by": "blocked", "chat_id": CHAT_ID})
    db.conn.close()
    return path


@pytest.fixture(scope="module")
def server(log_path: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "NAERINGSBOT_DATABASE": str(log_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "review", "--port", str(port), "--config", str(ROOT / "config.yaml")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                if httpx.get(f"{base}/-/versions.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"naeringsbot review did not start: {output}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def get_rows(server: str, path: str, **params: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{server}{path}", params={**params, "_shape": "array"}, timeout=5)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


@pytest.mark.parametrize("query", list(QUERY_COLUMNS))
def test_every_ready_made_query_answers_over_http(server: str, query: str) -> None:
    rows = get_rows(server, f"/inquiries/{query}.json", **EVERYTHING)
    assert rows, query
    assert set(rows[0]) == QUERY_COLUMNS[query]


def unanswered(server: str, **period: str) -> list[str]:
    return [row["spørsmål"] for row in get_rows(server, "/inquiries/ubesvarte-denne-maaneden.json", **period)]


def test_unanswered_groups_the_same_question_and_leaves_out_staff_and_tests(server: str) -> None:
    rows = get_rows(server, "/inquiries/ubesvarte-denne-maaneden.json", fra=TODAY.isoformat(), til=TODAY.isoformat())
    (row,) = [row for row in rows if row["spørsmål"].strip().lower() == "parkering ved rådhuset"]
    assert row["antall"] == 2
    assert not {"staff test", "console test"} & {row["spørsmål"] for row in rows}


def test_a_message_with_an_unanswered_part_is_listed_with_the_part_number(server: str) -> None:
    (row,) = get_rows(server, "/inquiries/ubesvarte-denne-maaneden.json", fra="2025-09-01", til="2025-09-30")
    assert (row["spørsmål"], row["del_uten_svar"], row["antall"]) == (TWO_PARTS, "1", 1)
    whole = get_rows(server, "/inquiries/ubesvarte-denne-maaneden.json", fra="2025-11-01", til="2025-11-30")
    assert [row["del_uten_svar"] for row in whole] == [None]  # an unanswered message has no part number


def test_the_period_is_whole_days_in_oslo(server: str) -> None:
    assert unanswered(server, fra="2025-10-01", til="2025-10-31") == ["oktoberspørsmål"]
    assert unanswered(server, fra="2025-11-01", til="2025-11-30") == ["natt til november"]
    assert unanswered(server, til="2025-10-31") == ["oktoberspørsmål"]  # only "til": that month


def test_without_a_period_the_queries_show_the_default_month(server: str) -> None:
    texts = unanswered(server)
    assert "første dag i standardperioden" in texts
    assert "dagen før standardperioden" not in texts and "oktoberspørsmål" not in texts
    todays = any(text.strip().lower() == "parkering ved rådhuset" for text in texts)
    if TODAY.day <= 5:  # the first days of a month show the previous month, so not today's questions
        assert not todays and DEFAULT_END < TODAY
    else:
        assert todays and TODAY.replace(day=1) == DEFAULT_START


def test_local_times_in_the_output(server: str) -> None:
    (row,) = get_rows(server, "/inquiries/ubesvarte-denne-maaneden.json", fra="2025-11-01", til="2025-11-01")
    assert row["sist_spurt"] == "2025-11-01 00:30"
    (handoff,) = get_rows(server, "/inquiries/sendt-til-ansatte.json", **EVERYTHING)
    expected = dt.datetime.fromisoformat(handoff_opened(server)).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
    assert handoff["sendt"] == expected and handoff["avsluttet_slik"] == "sperret"


def handoff_opened(server: str) -> str:
    (row,) = get_rows(server, "/inquiries/handoff_overview.json")
    return str(row["opened_at"])


def test_a_date_that_cannot_be_read_says_what_to_write(server: str) -> None:
    page = httpx.get(f"{server}/inquiries/ubesvarte-denne-maaneden", params={"fra": "1.11.2025"}, timeout=5).text
    assert '<p class="message-error">«fra» er «1.11.2025», som ikke er en dato: skriv den som ÅÅÅÅ-MM-DD' in page
    assert unanswered(server, fra="1.11.2025") == []


def test_the_query_page_shows_the_period_and_hides_the_sql(server: str) -> None:
    page = httpx.get(f"{server}/inquiries/ubesvarte-denne-maaneden", timeout=5).text
    assert "<title>Ubesvarte spørsmål i perioden</title>" in page
    assert f"Periode: {DEFAULT_START.day}.{DEFAULT_START.month}.{DEFAULT_START.year}–" in page
    assert f'name="fra" value="" placeholder="{DEFAULT_START.isoformat()}"' in page
    assert "group by lower(trim(i.text))" not in page and "from inquiries" not in page.lower()
    assert '<pre id="sql-query">' not in page and "Edit SQL" not in page and "_show_sql" not in page


@pytest.mark.parametrize("path", ["/", "/inquiries", "/inquiries/ubesvarte-denne-maaneden?fra=2999-01-01",
                                  "/inquiries/inquiry_overview", "/inquiries/handoffs"])
def test_pages_speak_norwegian(server: str, path: str) -> None:
    page = httpx.get(f"{server}{path}", timeout=5).text
    assert '<html lang="nb">' in page and "Laget med" in page
    for english in ("Powered by", "Queries took", "Run SQL", "0 results", "0 records", "This data as",
                    "Advanced export", "Suggested facets", "hidden table", "Custom SQL query", "Forbidden",
                    "permission"):
        assert english not in page, (path, english)


def test_the_front_page_leads_to_every_ready_made_query(server: str, shipped_config: Config) -> None:
    page = httpx.get(f"{server}/", timeout=5).text
    titles = review_metadata("inquiries", shipped_config)["databases"]["inquiries"]["queries"]
    for name, query in titles.items():
        assert f'<a href="/inquiries/{name}">{query["title"]}</a>' in page
    assert '<a href="/inquiries/inquiry_overview">Henvendelser med tema og måned</a>' in page


def test_the_overview_has_facets_on_outcome_topic_and_month(server: str, knowledge: KnowledgeBase) -> None:
    response = httpx.get(f"{server}/inquiries/inquiry_overview.json", timeout=5).json()
    facets = response["facet_results"]
    assert {"utfall", "tema", "måned"} <= set(facets)
    topic = knowledge.topics[knowledge.get("establisher-guidance").topic].title.nb  # type: ignore[union-attr]
    assert [value["value"] for value in facets["tema"]["results"]] == [topic]
    months = {value["value"]: value["count"] for value in facets["måned"]["results"]}
    assert months["2025-10"] == 1 and months["2025-11"] == 1  # by the clock in Drammen
    assert {value["value"] for value in facets["utfall"]["results"]} == {"answered", "fallback"}


def test_internal_tables_are_hidden(server: str) -> None:
    listed = httpx.get(f"{server}/inquiries.json", timeout=5).json()["tables"]
    tables = {table["name"]: table["hidden"] for table in listed}
    assert {name for name, hidden in tables.items() if hidden} >= {"_sqlite_migrations", "blocked",
                                                                   "suggestion_history", "entry_topics"}
    assert not tables["inquiries"] and not tables["feedback"]
    page = httpx.get(f"{server}/inquiries", timeout=5).text
    assert ">blocked</a>" not in page and ">suggestion_history</a>" not in page


def test_no_page_shows_a_telegram_chat_id(server: str) -> None:
    paths = ["/", "/inquiries", "/inquiries.json", "/inquiries/handoff_overview", "/inquiries/inquiry_overview",
             *(f"/inquiries/{name}" for name in QUERY_COLUMNS), *(f"/inquiries/{name}.json" for name in QUERY_COLUMNS)]
    for path in paths:
        response = httpx.get(f"{server}{path}", params=EVERYTHING if "-" in path else {}, timeout=5)
        assert response.status_code == 200, path
        assert str(CHAT_ID) not in response.text, path


def test_indicators_query_counts_what_the_report_counts(
    server: str, log_path: Path, shipped_config: Config, knowledge: KnowledgeBase
) -> None:
    rows = {row["indikator"]: row for row in get_rows(server, f"/inquiries/{INDICATORS_QUERY}.json")}
    expected = targets(open_database(log_path), shipped_config.indicators, resolve_period(), knowledge)
    assert {result.indicator: result.actual for result in expected} == {
        indicator: row["faktisk"] for indicator, row in rows.items()}
    assert rows["inquiries"]["faktisk"] >= 3 and rows["inquiries"]["mål"] == 1200
    assert rows["satisfaction"]["faktisk"] == 0.0


def test_the_server_reads_the_live_database(server: str, log_path: Path) -> None:
    db = open_database(log_path)
    InquiryLog(db).record(Inquiry("telegram", "message", "fallback", "dan", 99, text="nytt spørsmål om båt"))
    db.conn.close()
    assert "nytt spørsmål om båt" in unanswered(server, fra=TODAY.isoformat())


@pytest.mark.parametrize(
    "sql",
    [
        "delete from inquiries",
        "with anything as (select 1) delete from inquiries",
        "update inquiries set text = 'x'",
    ],
)
def test_free_sql_from_the_browser_is_refused(server: str, sql: str) -> None:
    before = get_rows(server, "/inquiries/inquiries.json", _size="max")
    response = httpx.get(f"{server}/inquiries.json", params={"sql": sql}, timeout=5)
    assert response.status_code in (400, 403)  # writes are refused as such, reads as not allowed
    assert get_rows(server, "/inquiries/inquiries.json", _size="max") == before


@pytest.mark.parametrize("sql", ["select chat_id from handoffs", "select count(*) as n from inquiries"])
def test_free_sql_reads_are_not_allowed_either(server: str, sql: str) -> None:
    assert httpx.get(f"{server}/inquiries.json", params={"sql": sql}, timeout=5).status_code == 403


@pytest.mark.parametrize("table", ["handoffs", "handoff_messages"])
def test_tables_with_telegram_chat_ids_are_not_served(server: str, table: str) -> None:
    assert httpx.get(f"{server}/inquiries/{table}.json", timeout=5).status_code == 403


def test_the_handoff_overview_has_no_chat_id_column(server: str) -> None:
    response = httpx.get(f"{server}/inquiries/handoff_overview.json", params={"_shape": "objects"}, timeout=5)
    assert response.status_code == 200
    assert "chat_id" not in response.json()["columns"]


def test_there_is_no_write_api(server: str) -> None:
    response = httpx.post(f"{server}/inquiries/inquiries/-/insert", json={"row": {"text": "x"}}, timeout=5)
    assert response.status_code in (403, 404, 405)
    plugins = httpx.get(f"{server}/-/plugins.json", timeout=5).json()
    assert [plugin["name"] for plugin in plugins] == ["bot.reports.review_plugin"]
    assert plugins[0]["hooks"] == ["prepare_jinja2_environment"]  # templates only: it reads and writes nothing


def test_config_targets_reach_the_query(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "indicators:\n  - {id: guidance, title: {nb: \"Veiledning\", en: Guidance}, metric: entry, "
        "value: establisher-guidance, target: 250}\n", "utf-8")
    sql = review_metadata("x", load_config(config))["databases"]["x"]["queries"][INDICATORS_QUERY]["sql"]
    assert "'guidance' AS indikator, 'Veiledning' AS tittel, 250.0 AS mål" in sql
    assert "coalesce(ip.entry_id, i.entry_id) = 'establisher-guidance'" in sql  # answered parts count too

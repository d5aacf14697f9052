"""``naeringsbot review``: the real Datasette server on 127.0.0.1 over the live log, read-only, with its queries."""

from __future__ import annotations

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

from bot.config import Config, load_config
from bot.knowledge.model import KnowledgeBase
from bot.reports.metrics import BY_NAME
from bot.reports.periods import resolve_period
from bot.reports.review import INDICATORS_QUERY, ReviewError, metadata_template, review_metadata
from bot.reports.targets import targets
from bot.store.database import open_database
from bot.store.inquiries import Inquiry, InquiryLog, utc_now
from tests.conftest import ROOT

QUERY_COLUMNS = {
    "ubesvarte-denne-maaneden": {"spørsmål", "antall", "sist_spurt", "språk"},
    "henvendelser-per-svar-per-maaned": {"måned", "svar", "visninger"},
    "tilbakemeldinger-per-svar": {"svar", "tommel_opp", "tommel_ned", "andel_fornøyde", "siste"},
    "sendt-til-ansatte": {"referanse", "status", "sendt", "første_svar", "minutter_til_svar", "avsluttet", "språk",
                          "spørsmål"},
    INDICATORS_QUERY: {"indikator", "tittel", "mål", "faktisk", "oppnådd", "nådd", "eksempel"},
}


def test_metadata_names_the_database_and_fills_in_the_shared_definitions(shipped_config: Config) -> None:
    metadata = review_metadata("mylog", shipped_config)
    (database,) = metadata["databases"]
    queries = metadata["databases"]["mylog"]["queries"]
    assert database == "mylog"
    assert set(queries) == set(QUERY_COLUMNS)
    for name, query in queries.items():
        assert query["title"] and "{" not in query["sql"], name
        assert not query.get("write")
        assert "i.is_staff = 0 AND i.channel = 'telegram'" in query["sql"], name
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
    """Inquiries of today, so that "this month" and "this year" queries have something to show."""
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
    db.table("handoffs").insert({"reference": "H-1", "inquiry_id": 2, "status": "open", "opened_at": utc_now()})
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
    rows = get_rows(server, f"/inquiries/{query}.json")
    assert rows, query
    assert set(rows[0]) == QUERY_COLUMNS[query]


def test_unanswered_this_month_groups_the_same_question_and_leaves_out_staff_and_tests(server: str) -> None:
    (row,) = get_rows(server, "/inquiries/ubesvarte-denne-maaneden.json")
    assert row["antall"] == 2 and row["spørsmål"].strip().lower() == "parkering ved rådhuset"


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
    texts = [row["spørsmål"] for row in get_rows(server, "/inquiries/ubesvarte-denne-maaneden.json")]
    assert "nytt spørsmål om båt" in texts


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
    assert httpx.get(f"{server}/-/plugins.json", timeout=5).json() == []


def test_config_targets_reach_the_query(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "indicators:\n  - {id: guidance, title: {nb: \"Veiledning\", en: Guidance}, metric: entry, "
        "value: establisher-guidance, target: 250}\n", "utf-8")
    sql = review_metadata("x", load_config(config))["databases"]["x"]["queries"][INDICATORS_QUERY]["sql"]
    assert "'guidance' AS indikator, 'Veiledning' AS tittel, 250.0 AS mål" in sql
    assert "coalesce(ip.entry_id, i.entry_id) = 'establisher-guidance'" in sql  # answered parts count too

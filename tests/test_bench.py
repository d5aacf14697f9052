"""The benchmark scripts run and keep their JSON contract (PRODUCT.md, "Benchmarks").

Each script runs once with ``--quick --json`` in a subprocess, all three at the same time. Only the
shape and sanity of the figures are checked: speed is judged by reading the benchmarks, never by
timed assertions in the test suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.conftest import ROOT

SCRIPTS = ("answer_engine", "updates", "quality", "startup")
FIGURES = ("answer_accuracy", "top1_accuracy", "top3_recall", "rejection_rate", "wrong_answer_rate")
SYSTEMS = ("matcher", "wratio", "bm25", "char_tfidf")
TIMEOUT_SECONDS = 120


@pytest.fixture(scope="module")
def reports() -> dict[str, dict[str, Any]]:
    """Each script's single JSON object, from runs started together to keep the suite quick."""
    running = {
        name: subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / f"{name}.py"), "--quick", "--json"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for name in SCRIPTS
    }
    results = {}
    for name, process in running.items():
        stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
        assert process.returncode == 0, f"bench/{name}.py failed:\n{stderr}"
        results[name] = json.loads(stdout)  # fails unless stdout is exactly one JSON document
        assert isinstance(results[name], dict)
    return results


def positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def share(value: Any) -> bool:
    return isinstance(value, int | float) and 0 <= value <= 1


@pytest.mark.parametrize("field", ["p50_us", "p99_us", "p99_us_1k", "p99_us_10k", "rss_mb_10k", "growth_ratio"])
def test_answer_engine_reports_positive_latency_and_memory(reports: dict[str, Any], field: str) -> None:
    assert positive(reports["answer_engine"][field])


@pytest.mark.parametrize("field", ["p99_cpu_us", "p99_cpu_us_10k", "build_s_10k"])
def test_answer_engine_reports_cpu_time_figures(reports: dict[str, Any], field: str) -> None:
    assert positive(reports["answer_engine"][field])


def test_answer_engine_reports_the_50k_memory_field_even_when_quick_skips_that_size(
    reports: dict[str, Any],
) -> None:
    report = reports["answer_engine"]
    assert "rss_mb_50k" in report
    assert report["rss_mb_50k"] is None or positive(report["rss_mb_50k"])
    assert report["p99_cpu_us"] == report["sizes"]["shipped"]["cold"]["cpu_p99_us"]


def test_answer_engine_judges_the_goals_on_cpu_time(reports: dict[str, Any]) -> None:
    names = [target["name"] for target in reports["answer_engine"]["targets"]]
    assert names and all("wall clock" not in name for name in names)
    assert any("RSS" in name for name in names) and any("build" in name for name in names)


def test_answer_engine_percentiles_and_build_times_are_consistent(reports: dict[str, Any]) -> None:
    report = reports["answer_engine"]
    assert report["p50_us"] <= report["p99_us"]
    assert set(report["build_ms"]) == {"shipped", "1k", "10k"}
    assert all(positive(value) for value in report["build_ms"].values())
    assert all(isinstance(target["met"], bool) for target in report["targets"])


def test_answer_engine_scales_the_knowledge_base_to_the_sizes_it_names(reports: dict[str, Any]) -> None:
    sizes = reports["answer_engine"]["sizes"]
    assert sizes["shipped"]["entries"] <= sizes["1k"]["entries"] < sizes["10k"]["entries"]
    assert sizes["1k"]["alternate_questions"] >= 950  # the shipped knowledge base may already be past 1k
    assert sizes["10k"]["alternate_questions"] == pytest.approx(10_000, rel=0.05)


@pytest.mark.parametrize("field", ["updates_per_s", "updates_per_cpu_s", "p50_us", "p99_us", "telegram_limit_ratio"])
def test_updates_reports_positive_throughput_and_latency(reports: dict[str, Any], field: str) -> None:
    assert positive(reports["updates"][field])


def test_updates_mix_questions_buttons_and_commands(reports: dict[str, Any]) -> None:
    kinds = set(reports["updates"]["by_kind"])
    assert {"question: answered", "question: ambiguous", "question: fallback", "command"} <= kinds
    assert any(kind.startswith("button: ") for kind in kinds)


def test_updates_log_every_update_once_in_a_wal_database(reports: dict[str, Any]) -> None:
    report = reports["updates"]
    database = report["database"]
    assert database["journal_mode"] == "wal"
    assert database["inquiries_rows"] == report["processed_updates"] >= report["updates"]
    assert database["pending_rows"] == 0


def test_updates_judge_the_goal_on_cpu_time(reports: dict[str, Any]) -> None:
    report = reports["updates"]
    assert report["target_met"] == (report["updates_per_cpu_s"] >= report["target_updates_per_cpu_s"])


def test_updates_also_report_a_pass_with_every_question_new(reports: dict[str, Any]) -> None:
    report = reports["updates"]
    new = report["new_questions"]
    assert new["updates"] == report["updates"] and positive(report["updates_per_cpu_s_new"])
    assert report["updates_per_cpu_s_new"] == new["updates_per_cpu_s"]
    assert {"question: answered", "question: fallback"} <= set(new["by_kind"])
    assert report["target_met_new"] == (report["updates_per_cpu_s_new"] >= report["target_updates_per_cpu_s"])


def test_startup_reports_the_median_time_to_a_first_answer(reports: dict[str, Any]) -> None:
    report = reports["startup"]
    assert positive(report["startup_s"]) and positive(report["startup_cpu_s"])
    assert report["startup_s_range"][0] <= report["startup_s"] <= report["startup_s_range"][1]
    assert len(report["runs"]) >= 3 and isinstance(report["target_met"], bool)
    assert all(value >= 0 for value in report["phases"].values())


def test_quality_covers_every_question_file_and_all_together(reports: dict[str, Any]) -> None:
    report = reports["quality"]
    files = sorted(path.name for path in (ROOT / "knowledge" / "eval").glob("*.yaml"))
    assert report["files"] == files
    for system in SYSTEMS:
        assert set(report["systems"][system]["by_file"]) == {*files, "all"}


@pytest.mark.parametrize("system", SYSTEMS)
def test_quality_figures_are_shares(reports: dict[str, Any], system: str) -> None:
    figures = reports["quality"]["systems"][system]
    for scope in [figures, *figures["by_file"].values()]:
        # A file of out-of-scope questions only has no in-scope share to report.
        expected = FIGURES if scope["in_scope"] else ("rejection_rate", "wrong_answer_rate")
        assert all(share(scope[name]) for name in expected), scope


@pytest.mark.parametrize("system", ["wratio", "bm25", "char_tfidf"])
def test_quality_baselines_report_the_thresholds_they_were_given(reports: dict[str, Any], system: str) -> None:
    thresholds = reports["quality"]["systems"][system]["thresholds"]
    assert {"answer", "suggest", "gap"} <= set(thresholds)
    assert thresholds["suggest"] <= thresholds["answer"]

"""Answer quality of the project's matcher next to simple baselines, on the same questions.

Systems, all on the shipped knowledge base and all scored by ``kb eval``'s own ``evaluate``:

- ``matcher``: the project's matcher as the bot runs it, with config.yaml's ``matching`` settings;
- ``matcher_tuned``: the matcher's ranking (the ranked entries' scores of ``Matcher.match``) with
  the baselines' decision rule and thresholds chosen exactly as theirs — rankings on equal terms;
- ``wratio``: rapidfuzz ``fuzz.WRatio`` against every alternate question (``utils.default_process``);
- ``bm25``: rank-bm25's ``BM25Okapi`` over each entry's pooled text;
- ``char_tfidf``: cosine of character 2–4-gram TF-IDF vectors, nearest alternate question.

A baseline's raw score is not on the matcher's scale, so each gets its own thresholds (answer,
suggest, gap), chosen on the evaluated questions the way ``naeringsbot kb tune`` chose the matcher's:
the most right answers with a wrong-answer rate ≤ 2 % and an out-of-scope rejection ≥ 92 %, over
grids spread across the ranker's own scores (bench/baselines.py). Decline entries (out-of-scope
topics the knowledge base recognises) are handled as the matcher handles them. Tuned on the
questions they are scored on, the baselines and ``matcher_tuned`` are measured in-sample, which
flatters them; ``matcher`` is in-sample only on the files its settings were fitted on.

Knowledge bases of other domains (``bench/data/``, English: the hand-written bank one, and ones built
from the public intent datasets CLINC150 and Banking77, see bench/data/README.md) are measured too:
the matcher with the settings ``naeringsbot kb tune`` finds for each alone (its own alternate
questions and the shipped corpus, no test questions), on its test questions, next to the same
baselines.

Usage: python bench/quality.py [--quick] [--json] [FILE ...]   (default: every knowledge/eval/*.yaml)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.baselines import (
    BM25Ranker,
    CharTfidfRanker,
    DeclineAware,
    MatcherRankings,
    RankedOnce,
    ThresholdMatcher,
    WRatioRanker,
    choose_thresholds,
    score_grids,
)
from bench.common import (
    emit,
    eval_files,
    machine,
    machine_line,
    percentile,
    questions_in,
    shipped_config,
    table,
)
from bot.config import MatchingSettings, load_config
from bot.engine import AnswerEngine
from bot.knowledge.evaluation import TestQuestion, evaluate
from bot.knowledge.model import KnowledgeBase, load_knowledge
from bot.knowledge.tuning import calibrate
from bot.matching.matcher import Matcher

FIGURES = ("answer_accuracy", "top1_accuracy", "top3_recall", "rejection_rate", "wrong_answer_rate")
KEPT = ("total", "in_scope", "out_of_scope", *FIGURES, "ambiguous_rate", "match_latency_us")
MAX_WRONG = 0.02
MIN_REJECTION = 0.92
GRID_POINTS = (66, 41, 11)  # answer × gap × suggest, as many as bot/knowledge/tuning.py's grids had
QUICK_GRID_POINTS = (21, 11, 6)
QUICK_SAMPLE = 3  # --quick: every third question of each file
BASELINES: dict[str, type[Any]] = {"wratio": WRatioRanker, "bm25": BM25Ranker, "char_tfidf": CharTfidfRanker}
DATA = Path(__file__).resolve().parent / "data"
# bench/data/ folders (bench/data/README.md)
OTHER_DOMAINS = ("bank", "clinc150", "clinc150-50", "banking77", "airline", "it-helpdesk")
QUICK_OTHER_DOMAINS = ("bank",)  # --quick: kb tune runs in full on each base (up to 20 s), so only the smallest


def figures_of(matcher: Any, knowledge: KnowledgeBase, questions: list[TestQuestion]) -> dict[str, Any]:
    summary = evaluate(SimpleNamespace(matcher=matcher, knowledge=knowledge), questions)  # type: ignore[arg-type]
    return {key: summary[key] for key in KEPT}


def compare(files: list[Path], quick: bool) -> dict[str, Any]:
    config = shipped_config()
    knowledge = load_knowledge(config.knowledge_dir)
    engine = AnswerEngine(knowledge, config.matching)
    sets = {path.name: questions_in(path)[:: QUICK_SAMPLE if quick else 1] for path in files}
    if len(files) > 1:
        sets["all"] = [question for questions in list(sets.values()) for question in questions]
    rankers = {"matcher": RankedOnce(MatcherRankings(engine.matcher))}  # scores before its own decision
    build_ms = {}
    for name, ranker_class in BASELINES.items():
        started = time.perf_counter()
        rankers[name] = RankedOnce(DeclineAware(ranker_class(knowledge), knowledge))
        build_ms[name] = round((time.perf_counter() - started) * 1000, 1)

    systems: dict[str, dict[str, Any]] = {name: {"by_file": {}} for name in ("matcher", "matcher_tuned", *BASELINES)}
    shipped = config.matching
    for set_name, questions in sets.items():
        figures = figures_of(engine.matcher, knowledge, questions)
        figures["thresholds"] = {"answer": shipped.answer_threshold, "suggest": shipped.suggest_threshold,
                                 "gap": shipped.min_gap, "from": "config.yaml"}
        systems["matcher"]["by_file"][set_name] = figures
        for name, ranker in rankers.items():
            rankings = [ranker.ranking(question.q) for question in questions]
            grids = score_grids(rankings, QUICK_GRID_POINTS if quick else GRID_POINTS)
            chosen, _ = choose_thresholds(rankings, [question.expect for question in questions], grids,
                                          MAX_WRONG, MIN_REJECTION)
            system = "matcher_tuned" if name == "matcher" else name
            figures = figures_of(ThresholdMatcher(ranker, chosen), knowledge, questions)
            latencies = [ranker.latency_us(question.q) for question in questions]
            figures["match_latency_us"] = {"p50": round(percentile(latencies, 50), 1),
                                           "p99": round(percentile(latencies, 99), 1)}
            figures["thresholds"] = {"answer": chosen.answer, "suggest": chosen.suggest, "gap": chosen.gap,
                                     "from": f"tuned on {set_name}"}
            systems[system]["by_file"][set_name] = figures
    headline = "all" if "all" in sets else next(iter(sets))
    domains = QUICK_OTHER_DOMAINS if quick else OTHER_DOMAINS
    other = {name: other_domain_figures(DATA / name, quick) for name in domains}
    for figures_by_file in systems.values():
        figures_by_file.update(figures_by_file["by_file"][headline])
    return {
        "quick": quick,
        "files": [path.name for path in files],
        "headline_set": headline,
        "constraints": {"max_wrong": MAX_WRONG, "min_rejection": MIN_REJECTION},
        "baseline_build_ms": build_ms,
        "systems": systems,
        "other_domains": other,
        "machine": machine(),
    }


def other_domain_figures(folder: Path, quick: bool) -> dict[str, Any]:
    """A knowledge base of another domain: the matcher tuned on it alone by ``kb tune``, and the baselines."""
    config = load_config(folder / "config.yaml")
    knowledge = load_knowledge(config.knowledge_dir)
    started = time.perf_counter()
    settings = calibrate(Matcher(knowledge, MatchingSettings()), config.knowledge.languages).settings
    tune_s = round(time.perf_counter() - started, 1)
    questions = questions_in(folder / "test-questions.yaml")[:: QUICK_SAMPLE if quick else 1]
    matcher = Matcher(knowledge, settings)
    systems: dict[str, Any] = {"matcher": figures_of(matcher, knowledge, questions)}
    systems["matcher"]["thresholds"] = {"answer": settings.answer_threshold, "suggest": settings.suggest_threshold,
                                        "gap": settings.min_gap, "from": "kb tune on this knowledge base alone"}
    for name, ranker_class in BASELINES.items():
        ranker = RankedOnce(DeclineAware(ranker_class(knowledge), knowledge))
        rankings = [ranker.ranking(question.q) for question in questions]
        grids = score_grids(rankings, QUICK_GRID_POINTS if quick else GRID_POINTS)
        chosen, _ = choose_thresholds(rankings, [question.expect for question in questions], grids,
                                      MAX_WRONG, MIN_REJECTION)
        systems[name] = figures_of(ThresholdMatcher(ranker, chosen), knowledge, questions)
        systems[name]["thresholds"] = {"answer": chosen.answer, "suggest": chosen.suggest, "gap": chosen.gap,
                                       "from": "tuned on these test questions"}
    return {"entries": len(knowledge), "questions": len(questions), "tune_s": tune_s, "systems": systems}


def report(result: dict[str, Any]) -> str:
    lines = [
        "Answer quality: the project's matcher and simple baselines, scored by kb eval's evaluate()"
        + (" (--quick: every third question, coarser threshold grids)" if result["quick"] else ""),
        "matcher: as the bot runs (config.yaml). Baselines and matcher_tuned (the matcher's ranking): thresholds "
        "chosen on the evaluated questions",
        f"(most right answers with wrong ≤ {result['constraints']['max_wrong']:.0%} and "
        f"rejection ≥ {result['constraints']['min_rejection']:.0%}; in-sample, so flattering).",
    ]
    systems = result["systems"]
    for set_name in next(iter(systems.values()))["by_file"]:
        first = systems["matcher"]["by_file"][set_name]
        lines += [
            "",
            f"{set_name}: {first['total']} questions ({first['in_scope']} in scope, {first['out_of_scope']} out)",
            table(
                ["system", "answer/suggest/gap", "answer acc.", "top-1", "top-3", "rejection", "wrong",
                 "p50 µs", "p99 µs"],
                [
                    [name, _thresholds(figures["thresholds"]),
                     *[_pct(figures[key]) for key in FIGURES],
                     figures["match_latency_us"]["p50"], figures["match_latency_us"]["p99"]]
                    for name, system in systems.items()
                    for figures in [system["by_file"][set_name]]
                ],
            ),
        ]
    for name, other in result["other_domains"].items():
        first = other["systems"]["matcher"]
        lines += [
            "",
            f"{name} knowledge base (bench/data/{name}: {other['entries']} entries, English; matcher tuned by kb tune "
            f"on it alone in {other['tune_s']} s): {first['total']} test questions ({first['in_scope']} in scope, "
            f"{first['out_of_scope']} out)",
            table(
                ["system", "answer/suggest/gap", "answer acc.", "top-1", "top-3", "rejection", "wrong", "p50 µs",
                 "p99 µs"],
                [
                    [system, _thresholds(figures["thresholds"]), *[_pct(figures[key]) for key in FIGURES],
                     figures["match_latency_us"]["p50"], figures["match_latency_us"]["p99"]]
                    for system, figures in other["systems"].items()
                ],
            ),
        ]
    lines += ["", machine_line()]
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _thresholds(values: dict[str, Any]) -> str:
    return "/".join(f"{values[key]:.3g}" for key in ("answer", "suggest", "gap"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="test-question files (default: knowledge/eval/*.yaml)")
    parser.add_argument("--quick", action="store_true", help="every third question, coarser threshold grids")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = parser.parse_args(argv)
    result = compare(list(args.files) or eval_files(), args.quick)
    emit(result, args.json, report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

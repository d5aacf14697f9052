"""Latency of the answer engine (matcher + ``AnswerEngine.answer``) per question, and how it grows.

Every knowledge-base size is measured in a fresh subprocess, so no cache of one size helps the next
and the peak RSS of that process is the memory the size needs. In each subprocess:

1. the knowledge base is loaded (and, for 1k/10k, scaled up with synthetic entries, bench/synthetic.py),
   and the engine is built (``build_ms``);
2. one warm-up pass answers sentences of the entries' answer texts from which every word of the timed
   questions is removed: the code paths are warm, the word caches hold none of the timed words;
3. **cold-word** pass: every test question of knowledge/eval/*.yaml answered once, timed separately —
   each is seen for the first time (words it shares with earlier questions are cached, as in a
   running bot);
4. **warm** passes: the same questions again, every word cached (a frequent question);
5. (full runs) a cProfile pass on a fresh engine: where the time goes.

Both wall-clock and CPU time are recorded: on a busy machine a wall-clock p99 is mostly waiting.

Sizes: shipped, 1k, 10k and 50k alternate questions (50k: memory and build time, a sample of the
questions; not in --quick). The goals (``targets``) are judged on CPU time.

Usage: python bench/answer_engine.py [--quick] [--json] [--repeats N] [--sizes LIST] [--gc-freeze]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    emit,
    eval_questions,
    machine,
    machine_line,
    peak_rss_mb,
    percentile,
    shipped_config,
    table,
    verdict,
)
from bench.profiling import GarbageCollections, clear_word_caches, profile, profile_lines
from bench.synthetic import alternate_questions, scaled
from bot.engine import AnswerEngine
from bot.knowledge.model import load_knowledge
from bot.knowledge.reloader import build_engine
from bot.matching.normalise import tokens

SIZES = {"shipped": 0, "1k": 1_000, "10k": 10_000, "50k": 50_000}
QUICK_SIZES = ("shipped", "1k", "10k")  # building 50k takes longer than the whole --quick run should
# The performance goals, judged on CPU time (this thread's), not wall clock.
TARGET_P99_CPU_SHIPPED_US = 500.0
TARGET_P99_CPU_10K_US = 2_000.0
TARGET_RSS_10K_MB = 150.0
TARGET_RSS_GROWTH_50K = 5.0
TARGET_BUILD_10K_S = 2.0


# The subprocess ---------------------------------------------------------------------------------


def measure(size: int, quick: bool, seed: int, freeze: bool = False, light: bool = False) -> dict[str, Any]:
    """Everything measured for one knowledge-base size, in this (fresh) process.

    ``light`` (the 50k size): a sample of the questions, one warm pass, no profile — the point of that
    size is its memory and build time.
    """
    config = shipped_config()
    started = time.perf_counter()
    shipped = load_knowledge(config.knowledge_dir)
    load_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    knowledge = scaled(shipped, size, seed) if size else shipped
    generate_ms = (time.perf_counter() - started) * 1000
    # The bench's own data first: like a bot's other long-lived state, it is frozen with the engine.
    questions = eval_questions()
    if quick or light:
        questions = questions[::6]
    timed: list[tuple[str, str]] = [(question.q, question.lang) for question in questions]
    warmup = warmup_texts(shipped, [text for text, _ in timed], limit=40 if quick or light else 400)
    clear_word_caches()  # choosing the warm-up texts read the timed questions
    gc.collect()
    started, cpu_started = time.perf_counter(), time.thread_time()
    engine = build_engine(knowledge, config.matching)  # as the bot builds it (EngineHolder)
    build_ms = (time.perf_counter() - started) * 1000
    build_cpu_s = time.thread_time() - cpu_started

    for text in warmup:
        engine.answer(text)
    if freeze:
        gc.freeze()  # the experiment of --gc-freeze: the warm-up's cache entries leave the collector's view too

    with GarbageCollections() as cold_collections:
        cold, cold_cpu, replies = time_each(engine, timed)
    warm: list[float] = []
    warm_cpu: list[float] = []
    with GarbageCollections() as warm_collections:
        for _ in range(1 if quick or light else 3):
            wall, cpu, _ = time_each(engine, timed)
            warm += wall
            warm_cpu += cpu

    right = sum(
        reply.confident and reply.entry_id in question.expect
        for question, reply in zip(questions, replies, strict=True)
        if question.expect
    )
    in_scope = sum(bool(question.expect) for question in questions)
    rss_mb = peak_rss_mb()  # before the profile pass builds a second engine
    vocabulary = len(getattr(engine.matcher, "vocabulary", ()))
    del engine
    return {
        "entries": len(knowledge),
        "synthetic_entries": len(knowledge) - len(shipped),
        "alternate_questions": alternate_questions(knowledge),
        "vocabulary": vocabulary,
        "questions_timed": len(timed),
        "warmup_texts": len(warmup),
        "load_ms": round(load_ms, 1),
        "generate_ms": round(generate_ms, 1),
        "build_ms": round(build_ms, 1),
        "build_cpu_s": round(build_cpu_s, 3),
        "cold": {**_stats(cold, cold_cpu), "gc": cold_collections.summary()},
        "warm": {**_stats(warm, warm_cpu), "gc": warm_collections.summary()},
        "gc_frozen": freeze,
        "outcomes": dict(Counter(reply.outcome for reply in replies)),
        "slowest_cold": [
            {"q": text[:70], "cpu_us": round(cpu, 1), "us": round(wall, 1)}
            for cpu, wall, (text, _) in sorted(zip(cold_cpu, cold, timed, strict=True), reverse=True)[:3]
        ],
        "answer_accuracy": round(right / in_scope, 4) if in_scope else None,
        "profile": None if quick or light else _profile(knowledge, config, warmup, timed),
        "rss_mb": round(rss_mb, 1),
    }


def _profile(knowledge: Any, config: Any, warmup: list[str], timed: list[tuple[str, str]]) -> dict[str, Any]:
    fresh = AnswerEngine(knowledge, config.matching)
    return profile(fresh, warmup, lambda: time_each(fresh, timed), len(timed))


def warmup_texts(knowledge: Iterable[Any], timed: list[str], limit: int) -> list[str]:
    """Sentences of the answer texts without any word of the timed questions (so none is cached)."""
    timed_words = {word for text in timed for word in tokens(text)}
    texts = []
    for entry in knowledge:
        for lang in ("nb", "en"):
            for sentence in entry.answer.get(lang).replace("\n", " ").split(". "):
                words = [word for word in sentence.split() if not timed_words & set(tokens(word))]
                if len(words) >= 2:
                    texts.append(" ".join(words[:12]))
    return texts[:limit]


def time_each(engine: Any, questions: list[tuple[str, str]]) -> tuple[list[float], list[float], list[Any]]:
    """Wall-clock and CPU microseconds of ``engine.answer`` per question, each timed on its own.

    CPU time (this thread's) leaves out the time the process waited for a CPU, which on a busy
    machine is most of a wall-clock p99.
    """
    wall, cpu, replies = [], [], []
    clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns
    for text, lang in questions:
        cpu_started, started = cpu_clock(), clock()
        reply = engine.answer(text, "en" if lang == "en" else "nb")
        wall.append((clock() - started) / 1000)
        cpu.append((cpu_clock() - cpu_started) / 1000)
        replies.append(reply)
    return wall, cpu, replies


def _stats(wall: list[float], cpu: list[float]) -> dict[str, float]:
    return {
        "p50_us": round(percentile(wall, 50), 1), "p99_us": round(percentile(wall, 99), 1),
        "max_us": round(max(wall), 1), "mean_us": round(sum(wall) / len(wall), 1),
        "cpu_p50_us": round(percentile(cpu, 50), 1), "cpu_p99_us": round(percentile(cpu, 99), 1),
    }


# The parent -------------------------------------------------------------------------------------


def run_size(size: int, quick: bool, seed: int, repeats: int, freeze: bool = False) -> dict[str, Any]:
    """The median of ``repeats`` fresh subprocesses: a shared machine makes single runs noisy."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(size), "--seed", str(seed)]
    if quick:
        command.append("--quick")
    if freeze:
        command.append("--gc-freeze")
    if size >= SIZES["50k"]:
        command.append("--light")
    runs = []
    for _ in range(repeats):
        finished = subprocess.run(command, capture_output=True, text=True, check=False)
        if finished.returncode != 0:
            raise SystemExit(f"size {size} failed:\n{finished.stderr}")
        runs.append(json.loads(finished.stdout))
    result: dict[str, Any] = _median(runs)
    result["runs"] = repeats
    result["cold_p99_us_runs"] = [run["cold"]["p99_us"] for run in runs]
    result["cold_cpu_p99_us_runs"] = [run["cold"]["cpu_p99_us"] for run in runs]
    result["rss_mb_runs"] = [run["rss_mb"] for run in runs]
    result["build_cpu_s_runs"] = [run["build_cpu_s"] for run in runs]
    return result


def _target(name: str, actual: float | None, limit: float, unit: str = "µs", digits: int = 0) -> dict[str, Any]:
    """A goal ``actual ≤ limit``; a size not measured (``None``, --quick's 50k) is not met."""
    return {"name": name, "target": f"≤ {limit:,.{digits}f} {unit}",
            "actual": "not measured" if actual is None else f"{actual:,.{digits}f} {unit}",
            "met": actual is not None and actual <= limit}


def _median(values: list[Any]) -> Any:
    """Field by field: the median of numbers, the first of anything else."""
    first = values[0]
    if isinstance(first, dict):
        return {key: _median([value.get(key) for value in values]) for key in first}
    if isinstance(first, int | float) and not isinstance(first, bool) and all(
        isinstance(value, int | float) for value in values
    ):
        if all(isinstance(value, int) for value in values):
            return statistics.median_low(values)
        return round(statistics.median(values), 4)
    return first


def summarise(sizes: dict[str, dict[str, Any]], quick: bool) -> dict[str, Any]:
    shipped, thousand, ten = sizes["shipped"], sizes["1k"], sizes["10k"]
    fifty = sizes.get("50k")
    growth = ten["cold"]["p99_us"] / shipped["cold"]["p99_us"]
    growth_cpu = ten["cold"]["cpu_p99_us"] / shipped["cold"]["cpu_p99_us"]
    questions_ratio = ten["alternate_questions"] / shipped["alternate_questions"]
    rss_growth = fifty["rss_mb"] / ten["rss_mb"] if fifty else None
    targets = [
        _target("p99 cold-word, shipped, CPU time", shipped["cold"]["cpu_p99_us"], TARGET_P99_CPU_SHIPPED_US),
        _target("p99 cold-word, 10k, CPU time", ten["cold"]["cpu_p99_us"], TARGET_P99_CPU_10K_US),
        _target("peak RSS, 10k", ten["rss_mb"], TARGET_RSS_10K_MB, "MiB"),
        _target("peak RSS growth 10k → 50k", rss_growth, TARGET_RSS_GROWTH_50K, "×", 2),
        _target("build of the 10k matcher, CPU time", ten["build_cpu_s"], TARGET_BUILD_10K_S, "s", 2),
        {"name": "growth of p99 shipped → 10k, CPU time",
         "target": f"≤ {questions_ratio:.1f}× (linear in alternate questions)",
         "actual": f"{growth_cpu:.2f}×", "met": growth_cpu <= questions_ratio},
    ]
    return {
        "quick": quick,
        "measured": "cold-word: each test question answered for the first time after a warm-up over other "
                    "texts (p50_us, p99_us, p99_us_1k, p99_us_10k); warm: the same questions again "
                    "(*_warm). Matcher + AnswerEngine.answer, each question timed separately, wall clock; "
                    "*_cpu: the same in CPU time.",
        "p50_us": shipped["cold"]["p50_us"],
        "p99_us": shipped["cold"]["p99_us"],
        "p99_us_cpu": shipped["cold"]["cpu_p99_us"],
        "p99_cpu_us": shipped["cold"]["cpu_p99_us"],
        "p50_cpu_us": shipped["cold"]["cpu_p50_us"],
        "p99_cpu_us_10k": ten["cold"]["cpu_p99_us"],
        "p99_cpu_us_50k": fifty["cold"]["cpu_p99_us"] if fifty else None,
        "rss_mb_50k": fifty["rss_mb"] if fifty else None,
        "rss_growth_50k": round(rss_growth, 3) if rss_growth is not None else None,
        "build_s_10k": ten["build_cpu_s"],
        "build_s_50k": fifty["build_cpu_s"] if fifty else None,
        "ranges": {label: {"p99_cpu_us": _range(size["cold_cpu_p99_us_runs"]), "rss_mb": _range(size["rss_mb_runs"]),
                           "build_cpu_s": _range(size["build_cpu_s_runs"])}
                   for label, size in sizes.items()},
        "p50_us_warm": shipped["warm"]["p50_us"],
        "p99_us_warm": shipped["warm"]["p99_us"],
        "p50_us_1k": thousand["cold"]["p50_us"],
        "p99_us_1k": thousand["cold"]["p99_us"],
        "p99_us_1k_cpu": thousand["cold"]["cpu_p99_us"],
        "p99_us_warm_1k": thousand["warm"]["p99_us"],
        "p50_us_10k": ten["cold"]["p50_us"],
        "p99_us_10k": ten["cold"]["p99_us"],
        "p99_us_10k_cpu": ten["cold"]["cpu_p99_us"],
        "p99_us_warm_10k": ten["warm"]["p99_us"],
        "growth_ratio_cpu": round(growth_cpu, 3),
        "build_ms": {label: size["build_ms"] for label, size in sizes.items()},
        "rss_mb": {label: size["rss_mb"] for label, size in sizes.items()},
        "rss_mb_10k": ten["rss_mb"],
        "growth_ratio": round(growth, 3),
        "alternate_questions_ratio": round(questions_ratio, 1),
        "targets": targets,
        "targets_met": all(target["met"] for target in targets),
        "sizes": sizes,
        "machine": machine(),
    }


def _range(values: list[float]) -> list[float]:
    return [min(values), max(values)]


def report(result: dict[str, Any]) -> str:
    sizes = result["sizes"]
    rows = [
        [label, size["entries"], size["synthetic_entries"], size["alternate_questions"], size["vocabulary"],
         size["build_ms"], size["build_cpu_s"],
         size["cold"]["p50_us"], size["cold"]["p99_us"], size["cold"]["cpu_p99_us"],
         size["warm"]["p50_us"], size["warm"]["p99_us"], size["warm"]["cpu_p99_us"],
         size["rss_mb"], size["answer_accuracy"]]
        for label, size in sizes.items()
    ]
    headers = ["knowledge base", "entries", "synthetic", "alt. questions", "terms", "build ms", "build CPU s",
               "cold p50", "cold p99", "cold p99 CPU", "warm p50", "warm p99", "warm p99 CPU",
               "peak RSS MiB", "answer acc."]
    shipped = sizes["shipped"]
    lines = [
        "Answer engine latency: matcher + AnswerEngine.answer, per question"
        + (" (--quick: a sample of the questions)" if result["quick"] else ""),
        f"{shipped['questions_timed']} test questions (knowledge/eval/*.yaml), each timed separately; "
        f"warm-up over {shipped['warmup_texts']} other texts first.",
        "cold-word = each question's first time (no word of it pre-cached by the warm-up); "
        "warm = the same questions again. Latencies in µs, wall clock unless marked CPU (this thread's CPU time).",
        f"Each size in {shipped['runs']} fresh subprocess(es), median shown; cold p99 per run: "
        + "; ".join(f"{label} {size['cold_p99_us_runs']}" for label, size in sizes.items()),
        "cold p99 CPU per run: "
        + "; ".join(f"{label} {size['cold_cpu_p99_us_runs']}" for label, size in sizes.items()),
        "peak RSS MiB per run: " + "; ".join(f"{label} {size['rss_mb_runs']}" for label, size in sizes.items()),
        "build CPU s per run: " + "; ".join(f"{label} {size['build_cpu_s_runs']}" for label, size in sizes.items()),
        *(["50k: a sample of the questions (every 6th), one warm pass, no profile — measured for memory and build "
           "time"] if "50k" in sizes else ["--quick: no 50k size (its build alone takes longer than the run should)"]),
        "",
        table(headers, rows),
        "answer acc. = in-scope test questions answered with a right entry; the synthetic entries reuse the "
        "real vocabulary, so they compete with the real ones. A size the shipped knowledge base already "
        "reaches gets no synthetic entries.",
        "",
        *profile_lines(sizes),
        "Python garbage collections during the cold-word pass"
        + (" (gc.freeze() after warm-up)" if shipped["gc_frozen"] else "") + ": "
        + "; ".join(f"{label} {size['cold']['gc']['collections']} ({size['cold']['gc']['full_collections']} full), "
                    f"longest pause {size['cold']['gc']['longest_pause_us'] / 1000:.1f} ms"
                    for label, size in sizes.items()),
        "",
        "Slowest cold-word questions by CPU time (first run):",
        *[f"  {label:<8} {item['cpu_us']:>8.0f} µs CPU {item['us']:>8.0f} µs wall  {item['q']!r}"
          for label, size in sizes.items() for item in size["slowest_cold"]],
        "",
        "Targets:",
        table(["target", "wanted", "measured", "verdict"],
              [[t["name"], t["target"], t["actual"], verdict(t["met"])] for t in result["targets"]]),
        "",
        machine_line(),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a sample of the questions, one warm pass")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--repeats", type=int, help="fresh subprocesses per size, median taken (default 3, quick 1)")
    parser.add_argument("--seed", type=int, default=2013, help="seed of the synthetic entries")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="experiment: gc.freeze() after building and warming up, so full collections skip "
                             "the knowledge base")
    parser.add_argument("--sizes", help=f"comma-separated sizes to measure, of {', '.join(SIZES)} "
                        f"(default all; quick {', '.join(QUICK_SIZES)}); shipped, 1k and 10k are always measured")
    parser.add_argument("--worker", type=int, metavar="QUESTIONS", help=argparse.SUPPRESS)
    parser.add_argument("--light", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        json.dump(measure(args.worker, args.quick, args.seed, args.gc_freeze, args.light), sys.stdout)
        return 0
    repeats = args.repeats or (1 if args.quick else 3)
    wanted = set(args.sizes.split(",")) if args.sizes else set(QUICK_SIZES if args.quick else SIZES)
    unknown = wanted - set(SIZES)
    if unknown:
        parser.error(f"unknown size(s): {', '.join(sorted(unknown))}")
    wanted |= set(QUICK_SIZES)
    sizes = {label: run_size(size, args.quick, args.seed, repeats, args.gc_freeze)
             for label, size in SIZES.items() if label in wanted}
    result = summarise(sizes, args.quick)
    emit(result, args.json, report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where the time goes: cProfile summaries and Python's garbage-collection pauses, for the benchmarks.

Generic on purpose — functions and packages, not the matcher's current insides — so the summaries
keep working while ``bot/`` changes. cProfile slows Python calls down more than C calls: read shares.
"""

from __future__ import annotations

import cProfile
import gc
import pstats
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import ROOT, table
from bot.matching import normalise


class GarbageCollections:
    """Python's garbage collections during a pass: how many, and the longest pause."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._started = 0

    def __enter__(self) -> GarbageCollections:
        gc.callbacks.append(self._note)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._note)

    def _note(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter_ns()
        else:
            self.pauses.append((info["generation"], (time.perf_counter_ns() - self._started) / 1000))

    def summary(self) -> dict[str, Any]:
        full = [pause for generation, pause in self.pauses if generation == 2]
        return {"collections": len(self.pauses), "full_collections": len(full),
                "longest_pause_us": round(max((pause for _, pause in self.pauses), default=0.0), 1)}


def clear_word_caches() -> None:
    """Empty the ``lru_cache``s of ``bot.matching.normalise`` (words, texts, stems)."""
    for name in dir(normalise):
        clear = getattr(getattr(normalise, name), "cache_clear", None)
        if clear is not None:
            clear()


def profile(engine: Any, warmup: list[str], run_pass: Callable[[], object], questions_per_pass: int,
            top: int = 8) -> dict[str, Any]:
    """cProfile over a cold-word and a warm pass (``run_pass``) of a fresh engine, per question.

    Kept: the functions of ``bot/`` with the most cumulative time, and the functions anywhere
    (numpy, rapidfuzz, regex …) with the most own time.
    """
    clear_word_caches()  # the timed passes filled the word caches; this pass starts cold again
    for text in warmup:
        engine.answer(text)
    result = {}
    passes = max(1, questions_per_pass)
    for label in ("cold", "warm"):
        profiler = cProfile.Profile()
        profiler.enable()
        run_pass()
        profiler.disable()
        stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
        rows = [
            {"function": _function_name(key), "calls": calls / passes, "own_us": own * 1e6 / passes,
             "cumulative_us": cumulative * 1e6 / passes, "in_bot": _in_bot(key[0])}
            for key, (_, calls, own, cumulative, _) in stats.items()
        ]
        total = max((row["cumulative_us"] for row in rows if row["function"].endswith("answer")), default=1.0)
        for row in rows:
            row["share"] = row["cumulative_us"] / total
        cumulative = sorted((row for row in rows if row["in_bot"]), key=lambda row: -row["cumulative_us"])[:top]
        own = sorted(rows, key=lambda row: -row["own_us"])[:top]
        result[label] = {
            "answer_us": round(total, 1),
            "bot_cumulative": [_rounded(row) for row in cumulative],
            "own_time": [_rounded(row) for row in own],
        }
    return result


def _in_bot(filename: str) -> bool:
    return filename.startswith(str(ROOT / "bot"))


def _function_name(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    if filename == "~":  # a C function: its name says enough ("<method 'argsort' ...>")
        return name
    return f"{Path(filename).parent.name}/{Path(filename).name}:{line}:{name}"


def _rounded(row: dict[str, Any]) -> dict[str, Any]:
    return {key: round(value, 3 if key == "share" else 1) if isinstance(value, float) else value
            for key, value in row.items() if key != "in_bot"}


def profile_lines(sizes: dict[str, dict[str, Any]]) -> list[str]:
    """The report's section on where the time goes, for the shipped and the 10k knowledge base."""
    profiled = [label for label in ("shipped", "10k") if sizes[label]["profile"]]
    if not profiled:
        return ["(--quick: no profile of where the time goes)", ""]
    return [
        "Where the time goes: cProfile over the cold-word pass on a fresh engine (first run), as shares of "
        "AnswerEngine.answer",
        "(cProfile slows Python calls more than C calls: the shares lean towards Python code).",
        *[profile_table(label, sizes[label]["profile"]["cold"]) for label in profiled],
        "",
    ]


def profile_table(label: str, profile: dict[str, Any]) -> str:
    total = profile["answer_us"]
    rows = [[row["function"], round(row["calls"], 1), f"{row['share']:.0%}", f"{row['own_us'] / total:.0%}"]
            for row in profile["bot_cumulative"]]
    rows += [[f"(own time) {row['function']}", round(row["calls"], 1), "", f"{row['own_us'] / total:.0%}"]
             for row in profile["own_time"][:5]]
    return "\n" + f"{label}:\n" + table(["function", "calls/question", "cumulative", "own"], rows)


def own_time_by_package(profiler: cProfile.Profile) -> dict[str, float]:
    """Shares of the profiled time spent in each package's own code (C calls by the library that owns them)."""
    totals: Counter[str] = Counter()
    for (filename, _, name), (_, _, own, _, _) in pstats.Stats(profiler).stats.items():  # type: ignore[attr-defined]
        totals[_package(filename, name)] += own
    everything = sum(totals.values()) or 1.0
    return {package: round(own / everything, 3) for package, own in totals.most_common()}


def _package(filename: str, name: str) -> str:
    if filename == "~":  # a C function: "<method 'execute' of 'sqlite3.Connection' objects>"
        for library in ("sqlite3", "json", "numpy", "rapidfuzz", "re.Pattern", "_asyncio"):
            if library in name:
                return f"{library} (C)"
        return "builtins (C)"
    path = Path(filename)
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1]
    if str(path).startswith(str(ROOT)):
        return "/".join(path.relative_to(ROOT).parts[:1])
    return f"stdlib: {path.stem}"


def top_functions(profiler: cProfile.Profile, packages: tuple[str, ...], top: int = 12) -> list[dict[str, Any]]:
    """The functions of ``packages`` (as ``_package`` names them) with the most cumulative time.

    Shares of all profiled time, so "``Update.de_json`` 20 %" reads as a fifth of an update.
    """
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    everything = sum(own for (_, _, own, _, _) in stats.values()) or 1.0
    rows = [
        {"function": _function_name(key), "calls": calls, "own_share": round(own / everything, 3),
         "cumulative_share": round(cumulative / everything, 3)}
        for key, (_, calls, own, cumulative, _) in stats.items() if _package(key[0], key[2]) in packages
    ]
    return sorted(rows, key=lambda row: -row["cumulative_share"])[:top]

"""``kb eval``: run test questions through the matcher and score it like a regression test."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from bot.engine import AnswerEngine
from bot.knowledge.files import load_yaml
from bot.knowledge.model import Problem
from bot.matching.matcher import Match, Matcher
from bot.matching.split import split_message

CONFIDENT = ("answered", "smalltalk")


class TestQuestion(BaseModel):
    """One line of a test-question file; unknown keys are ignored by contract."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    q: str
    expect: list[str] = []
    lang: Literal["nb", "nn", "en"] = "nb"
    kind: str | None = None

    @field_validator("expect", mode="before")
    @classmethod
    def _as_list(cls, value: Any) -> list[str]:
        if value is None:
            return []
        return [value] if isinstance(value, str) else list(value)

    @property
    def in_scope(self) -> bool:
        return bool(self.expect)


class QuestionFileError(Exception):
    """The test-question file is malformed; the message names file and line."""


def load_questions(path: Path) -> list[TestQuestion]:
    document = load_yaml(path)
    if not isinstance(document.data, list):
        raise QuestionFileError(f"{path}:1: expected a list of {{q, expect, lang}} items")
    questions = []
    for index, item in enumerate(document.data):
        try:
            questions.append(TestQuestion.model_validate(item))
        except ValidationError as error:
            detail = error.errors()[0]
            key = ".".join(str(step) for step in detail["loc"])
            line = document.line_of([index, *detail["loc"]])
            raise QuestionFileError(f"{path}:{line}: {key}: {detail['msg']}") from error
    return questions


def unknown_ids(questions: list[TestQuestion], engine: AnswerEngine, path: Path) -> list[Problem]:
    """Expected ids that the knowledge base does not have (a typo in the test file)."""
    known = engine.knowledge.entries
    return [
        Problem(path, index + 1, f"unknown entry id '{entry_id}' in expect")
        for index, question in enumerate(questions)
        for entry_id in question.expect
        if entry_id not in known
    ]


def evaluate(engine: AnswerEngine, questions: list[TestQuestion],
             progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The contract's ``kb eval --json`` object; ``progress(done, total)`` reports the questions run."""
    engine.matcher.match("warm up the matcher before timing")
    results = []
    latencies = []
    for index, question in enumerate(questions):
        if progress is not None:  # before the clock starts: drawing the bar is not matcher latency
            progress(index, len(questions))
        started = time.perf_counter_ns()
        match = engine.matcher.match(question.q)
        # Only the bot's own matcher splits; the baselines of bench/quality.py rank whole texts.
        parts = split_message(question.q, match, engine.matcher) if isinstance(engine.matcher, Matcher) else None
        latencies.append((time.perf_counter_ns() - started) / 1000)
        if parts is None:
            result = _scored(engine, question.q, match)
        else:
            result = _split_result(question.q, [_scored(engine, part.text, part.match) for part in parts],
                                   match)
        results.append({**result, "expect": question.expect or None, "lang": question.lang, "kind": question.kind})
    if progress is not None:
        progress(len(questions), len(questions))
    summary = _summarise(questions, results)
    summary["match_latency_us"] = {
        "p50": round(_percentile(latencies, 50), 1),
        "p99": round(_percentile(latencies, 99), 1),
    }
    summary["by_kind"] = _by_kind(questions, results)
    summary["failures"] = [
        {key: result[key] for key in ("q", "expect", "got", "outcome", "score", "parts") if key in result}
        for question, result in zip(questions, results, strict=True)
        if not _passed(question, result)
    ]
    summary["results"] = [
        {key: result[key] for key in ("q", "expect", "got", "outcome", "score", "ranked", "parts") if key in result}
        for result in results
    ]
    return summary


def _scored(engine: AnswerEngine, text: str, match: Match) -> dict[str, Any]:
    """One question (or one part of a split message) as the matcher decided it."""
    entry = engine.knowledge.get(match.best.entry_id) if match.best else None
    outcome: str = match.outcome
    if outcome == "answered" and entry is not None and entry.smalltalk:
        outcome = "smalltalk"
    got = match.best.entry_id if match.best and outcome != "fallback" else None
    return {
        "q": text,
        "got": got,
        "outcome": outcome,
        "score": round(match.score, 4),
        "ranked": [candidate.entry_id for candidate in match.ranked[:3]],
        "answered": [got] if outcome in CONFIDENT and got else [],
    }


def _split_result(text: str, parts: list[dict[str, Any]], whole: Match) -> dict[str, Any]:
    """A split message scored as the user sees it: the first answered part (or first suggestion) is
    what it got, and every answered part must be right."""
    confident = [part for part in parts if part["outcome"] in CONFIDENT]
    unsure = [part for part in parts if part["outcome"] == "ambiguous"]
    lead = confident[0] if confident else unsure[0] if unsure else parts[0]
    ranked = [part["got"] for part in parts if part["got"]] + [c.entry_id for c in whole.ranked]
    return {
        "q": text,
        "got": lead["got"],
        "outcome": lead["outcome"],
        "score": lead["score"],
        "ranked": list(dict.fromkeys(ranked))[:3],
        "answered": [entry for part in confident for entry in part["answered"]],
        "parts": [{key: part[key] for key in ("q", "got", "outcome", "score")} for part in parts],
    }


def _right(question: TestQuestion, result: dict[str, Any]) -> bool:
    """Answered confidently, and every confidently answered part with a right entry."""
    answered = result["answered"]
    return bool(answered) and result["got"] in question.expect and all(e in question.expect for e in answered)


def _wrong(question: TestQuestion, result: dict[str, Any]) -> bool:
    """Some confidently answered part has an entry that is not among ``expect``."""
    return any(entry not in question.expect for entry in result["answered"])


def _passed(question: TestQuestion, result: dict[str, Any]) -> bool:
    confident = result["outcome"] in CONFIDENT
    if not question.in_scope:
        return not confident
    return _right(question, result)


def _summarise(questions: list[TestQuestion], results: list[dict[str, Any]]) -> dict[str, Any]:
    pairs = list(zip(questions, results, strict=True))
    in_scope = [(q, r) for q, r in pairs if q.in_scope]
    out_of_scope = [(q, r) for q, r in pairs if not q.in_scope]
    answered_right = sum(_right(q, r) for q, r in in_scope)
    top1 = sum(r["got"] in q.expect for q, r in in_scope)
    top3 = sum(any(entry in q.expect for entry in r["ranked"]) for q, r in in_scope)
    rejected = sum(r["outcome"] not in CONFIDENT for _, r in out_of_scope)
    wrong = sum(_wrong(q, r) for q, r in pairs)
    return {
        "total": len(pairs),
        "in_scope": len(in_scope),
        "out_of_scope": len(out_of_scope),
        "answer_accuracy": _share(answered_right, len(in_scope)),
        "top1_accuracy": _share(top1, len(in_scope)),
        "top3_recall": _share(top3, len(in_scope)),
        "rejection_rate": _share(rejected, len(out_of_scope)),
        "wrong_answer_rate": _share(wrong, len(pairs)),
        "ambiguous_rate": _share(sum(r["outcome"] == "ambiguous" for _, r in pairs), len(pairs)),
    }


def _by_kind(questions: list[TestQuestion], results: list[dict[str, Any]]) -> dict[str, Any]:
    groups: dict[str, list[int]] = defaultdict(list)
    for index, question in enumerate(questions):
        if question.kind:
            groups[question.kind].append(index)
    return {
        kind: {
            "total": len(indices),
            "passed": _share(
                sum(_passed(questions[i], results[i]) for i in indices), len(indices)
            ),
            **{
                key: value
                for key, value in _summarise(
                    [questions[i] for i in indices], [results[i] for i in indices]
                ).items()
                if key in ("answer_accuracy", "rejection_rate", "wrong_answer_rate")
            },
        }
        for kind, indices in sorted(groups.items())
    }


def _share(count: int, total: int) -> float | None:
    return round(count / total, 4) if total else None


def _percentile(values: list[float], percent: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(percent / 100 * (len(ordered) - 1))))
    return ordered[rank]


def format_table(summary: dict[str, Any]) -> str:
    """The human-readable report of ``kb eval``."""
    def pct(value: float | None) -> str:
        return "   –  " if value is None else f"{value * 100:5.1f}%"

    lines = [
        f"questions: {summary['total']} ({summary['in_scope']} in scope, "
        f"{summary['out_of_scope']} out of scope)",
        f"answer accuracy   {pct(summary['answer_accuracy'])}   (confident and right, of in-scope)",
        f"top-1 accuracy    {pct(summary['top1_accuracy'])}   (shown or first suggested is right)",
        f"top-3 recall      {pct(summary['top3_recall'])}   (a right entry among the best three)",
        f"rejection rate    {pct(summary['rejection_rate'])}   (out-of-scope given no confident answer)",
        f"wrong answers     {pct(summary['wrong_answer_rate'])}   (confident but wrong, of all)",
        f"did-you-mean      {pct(summary['ambiguous_rate'])}   (ambiguous, of all)",
        f"match latency     p50 {summary['match_latency_us']['p50']:.0f} µs, "
        f"p99 {summary['match_latency_us']['p99']:.0f} µs",
    ]
    if summary["by_kind"]:
        lines += ["", f"{'kind':<12} {'n':>4} {'passed':>7} {'answer':>7} {'reject':>7} {'wrong':>7}"]
        for kind, figures in summary["by_kind"].items():
            lines.append(
                f"{kind:<12} {figures['total']:>4} {pct(figures['passed']):>7} "
                f"{pct(figures['answer_accuracy']):>7} {pct(figures['rejection_rate']):>7} "
                f"{pct(figures['wrong_answer_rate']):>7}"
            )
    if summary["failures"]:
        lines += ["", "failures (expected → got, outcome, score):"]
        for failure in summary["failures"]:
            expected = "/".join(failure["expect"] or ["out of scope"])
            lines.append(
                f"  {failure['q'][:70]!r}: {expected} → {failure['got'] or '–'} "
                f"({failure['outcome']}, {failure['score']:.2f})"
            )
    return "\n".join(lines)

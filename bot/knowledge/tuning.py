"""Choosing the confidence model and the decision thresholds (``matching:`` in config).

``kb tune`` first chooses the ranking weights (``bot.knowledge.ranking``), then fits the confidence
model on example questions (is the question in scope at all, and is the best-ranked entry right if
it is?), then grid-searches the thresholds. The examples need no
hand-written test set: the knowledge base's own alternate questions, each scored by a matcher built
without it (``self_examples``, k-fold over the questions), are the in-scope ones, and the general
out-of-scope corpus shipped with the package (``corpus/``) plus the decline entries' questions are
the ones to refuse. Hand-written development sets are added on top when given.

Scoring is the slow part and does not depend on the model or the thresholds, so each question is
scored once and ``decide()`` is simulated, vectorised, for every point of the grid. A wrong
confident answer is the worst outcome, so the wrong-answer rate (of all questions and of the
in-scope ones) and the rejection rate are constraints, and only then is answer accuracy maximised.

Longer than most modules on purpose: building the calibration examples and fitting the model on them
are one procedure, shared by the CLI, the benchmarks and the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from typing import Protocol

import numpy as np
import yaml

from bot.config import MatchingSettings
from bot.knowledge.folds import Example, NearCopies, deal_folds, fold_matcher, map_folds, near_copies
from bot.knowledge.model import KnowledgeBase
from bot.knowledge.ranking import RankingChoice, choose_weights
from bot.matching.confidence import ConfidenceModel, fit_two_stage
from bot.matching.matcher import Matcher, Scoring

ANSWER_GRID = tuple(round(0.30 + 0.01 * step, 2) for step in range(70))  # 0.30 … 0.99
SUGGEST_GRID = tuple(round(0.10 + 0.05 * step, 2) for step in range(11))  # 0.10 … 0.60
GAP_GRID = tuple(round(0.02 * step, 2) for step in range(11))  # 0.00 … 0.20
SUGGEST_CONFIDENCE_GRID = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3)
TOP1_SLACK = 0.005  # top-1 a setting may give up to offer "did you mean" to fewer out-of-scope questions


class Question(Protocol):
    """What tuning needs of a test question (``bot.knowledge.evaluation.TestQuestion`` fits)."""

    @property
    def q(self) -> str: ...

    @property
    def expect(self) -> list[str]: ...


def corpus(languages: Sequence[str] = ("nb", "nn", "en")) -> list[Example]:
    """The shipped general out-of-scope questions in ``languages`` (nynorsk comes with Bokmål)."""
    wanted = set(languages) | ({"nn"} if "nb" in languages else set())
    text = (resources.files("bot.knowledge") / "corpus" / "general-out-of-scope.yaml").read_text("utf-8")
    items = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or []
    return [Example(str(item["q"]), [], str(item.get("lang", "en")), "corpus", kind=item.get("kind"))
            for item in items if item.get("lang", "en") in wanted]


def self_examples(
    knowledge: KnowledgeBase, languages: Sequence[str] = ("nb", "nn", "en"), folds: int | None = None,
    workers: int | None = None, progress: Callable[[int, int], None] | None = None,
    *, settings: MatchingSettings, copies: NearCopies | None = None,
) -> tuple[list[Scoring], list[Example]]:
    """The knowledge base's own questions and the corpus, each scored by a matcher that never saw it.

    Alternate questions are dealt round-robin into ``folds``; for each fold a matcher is built on
    the knowledge base without that fold's questions, and scores them and its share of the corpus.
    A decline entry's questions are out of scope. Folds run in parallel on ``workers`` processes.
    The fold matchers rank with ``settings``' weights (the thresholds and model do not matter here).
    With ``copies`` (``bot.knowledge.folds.near_copies``) each fold's questions leave the knowledge
    base with their near-copies.
    """
    held_out = deal_folds(knowledge, folds)
    folds = len(held_out)
    for index, example in enumerate(corpus(languages)):
        held_out[index % folds].append(("", example))
    background = [example.q for fold in held_out for _, example in fold if example.source == "corpus"]
    jobs = [(knowledge, fold, background, settings, copies or {}) for fold in held_out]
    results = map_folds(_score_fold, jobs, workers, progress)
    scored = [scoring for fold in results for scoring in fold]
    examples = [example for fold in held_out for _, example in fold]
    # Chit-chat ("thanks, you're the best!") is out of scope for the corpus, but a knowledge base
    # with small-talk entries rightly answers it with them: such pairs say nothing either way.
    smalltalk = {entry.id for entry in knowledge if entry.smalltalk}
    kept = [index for index, (scoring, example) in enumerate(zip(scored, examples, strict=True))
            if not (example.kind == "chitchat" and scoring.ranked and scoring.ranked[0].entry_id in smalltalk)]
    return [scored[index] for index in kept], [examples[index] for index in kept]


def _score_fold(job: tuple[KnowledgeBase, list[tuple[str, Example]], list[str], MatchingSettings, NearCopies],
                ) -> list[Scoring]:
    knowledge, fold, background, settings, copies = job
    own = {example.q for _, example in fold if example.source == "corpus"}
    # The fold's corpus questions are left out of the background as its alternate questions are
    # left out of the knowledge base: nothing is scored against itself.
    matcher = fold_matcher(knowledge, fold, settings, [question for question in background if question not in own],
                           copies)
    return [matcher.score(example.q) for _, example in fold]


def balanced(examples: Sequence[Example], out_of_scope_share: float, dev_share: float) -> list[Example]:
    """Weights so that out-of-scope questions make up ``out_of_scope_share`` of each source's weight,
    and hand-written development questions (when there are any) ``dev_share`` of the whole.

    The corpus is large on purpose (it must cover many subjects), but the rates the limits are
    about are those of a realistic mix of questions, not of the corpus's size.
    """
    def weigh(group: list[Example], share: float) -> list[Example]:
        inside = sum(1 for example in group if example.expect)
        outside = len(group) - inside
        if not inside or not outside:
            return [replace(example, weight=share / len(group)) for example in group] if group else []
        return [replace(example, weight=share * ((1 - out_of_scope_share) / inside if example.expect
                                                 else out_of_scope_share / outside)) for example in group]

    own = [example for example in examples if example.source in ("self", "corpus", "decline")]
    dev = [example for example in examples if example.source not in ("self", "corpus", "decline")]
    if not dev:
        return weigh(own, 1.0)
    if not own:
        return weigh(dev, 1.0)
    return [*weigh(own, 1 - dev_share), *weigh(dev, dev_share)]


@dataclass(frozen=True)
class TuningResult:
    """One grid point and the figures ``kb eval`` would report with it."""

    answer_threshold: float
    suggest_threshold: float
    min_gap: float
    answer_accuracy: float
    top1_accuracy: float
    rejection_rate: float
    wrong_answer_rate: float
    suggest_confidence: float = 0.0
    out_of_scope_suggested: float = 0.0  # share of out-of-scope questions offered "did you mean"


def score_questions(matcher: Matcher, questions: Sequence[Question]) -> list[Scoring]:
    """Each question scored once (the expensive step), ready for ``fit_confidence`` and ``tune``."""
    return [matcher.score(question.q) for question in questions]


def _weight(question: Question) -> float:
    return float(getattr(question, "weight", 1.0))


def fit_confidence(scored: Sequence[Scoring], questions: Sequence[Question]) -> ConfidenceModel:
    """Fit the model that tells a right best entry from a wrong or out-of-scope one: whether the
    question is in scope at all, and whether the best entry is right if it is (``fit_two_stage``)."""
    usable = [(scoring, question) for scoring, question in zip(scored, questions, strict=True)
              if scoring.ranked and scoring.declined is None]
    rows = [scoring.features for scoring, _ in usable]
    in_scope = [bool(question.expect) for _, question in usable]
    right = [scoring.ranked[0].entry_id in question.expect for scoring, question in usable]
    return fit_two_stage(rows, in_scope, right, [_weight(question) for _, question in usable])


def out_of_fold_confidence(scored: Sequence[Scoring], questions: Sequence[Question], folds: int = 5) -> list[float]:
    """Each question's confidence from a model fitted without it (k-fold cross-validation).

    Thresholds chosen on a model's own training questions are too trusting: the model has seen
    their answers. Confidences from models that never saw the question behave like those of
    questions from real users, so the thresholds chosen on them hold up better.
    """
    confidence = [0.0] * len(scored)
    for fold in range(folds):
        held_out = set(range(fold, len(scored), folds))
        training = [i for i in range(len(scored)) if i not in held_out]
        model = fit_confidence([scored[i] for i in training], [questions[i] for i in training])
        for i in held_out:
            confidence[i] = model.probability(scored[i].features) if scored[i].ranked else 0.0
    return confidence


def tune(
    scored: Sequence[Scoring],
    questions: Sequence[Question],
    confidences: Sequence[float],
    max_wrong: float = 0.02,
    min_rejection: float = 0.92,
    answer_grid: Sequence[float] = ANSWER_GRID,
    suggest_grid: Sequence[float] = SUGGEST_GRID,
    gap_grid: Sequence[float] = GAP_GRID,
    suggest_confidence_grid: Sequence[float] = SUGGEST_CONFIDENCE_GRID,
) -> list[TuningResult]:
    """Grid points that meet both constraints, best first (most right answers, then fewest wrong).

    The wrong-answer limit holds for all questions and for the in-scope ones alone: a knowledge base
    whose users mostly ask what it covers must not get a ranking that is often wrong because the
    many out-of-scope examples, easily refused, dilute its wrong answers.

    Ties go to the best top-1, the highest suggest threshold (fewer pointless "did you mean") and
    then to the largest gap and answer threshold, which leave the most margin on questions not seen
    yet. Then, among the settings that answer exactly like the best one, the one that offers "did you
    mean" to the fewest out-of-scope questions while giving up at most ``TOP1_SLACK`` of top-1 goes
    first: "What is the capital of France?" deserves "I don't know", not "did you mean funding".
    """
    if len(scored) != len(questions):
        raise ValueError("one scoring per question is needed")
    first = np.array([s.ranked[0].score if s.ranked else 0.0 for s in scored])
    second = np.array([s.ranked[1].score if len(s.ranked) > 1 else 0.0 for s in scored])
    confidence = np.asarray(confidences, dtype=float)
    weight = np.array([_weight(question) for question in questions], dtype=float)
    in_scope = np.array([bool(question.expect) for question in questions], dtype=bool)
    right = np.array(
        [bool(s.ranked) and s.ranked[0].entry_id in question.expect
         for s, question in zip(scored, questions, strict=True)],
        dtype=bool,
    )
    has_ranking = np.array([bool(s.ranked) and s.declined is None for s in scored], dtype=bool)
    total = max(float(weight.sum()), 1e-12)
    scope_weight = max(float(weight[in_scope].sum()), 1e-12)
    out_weight = max(float(weight[~in_scope].sum()), 1e-12)

    # Axes: gap × suggest threshold × suggest confidence × question, one answer threshold at a time
    # (memory stays small).
    gap = np.asarray(gap_grid)[:, None, None, None]
    suggest = np.asarray(suggest_grid)[None, :, None, None]
    floor = np.asarray(suggest_confidence_grid)[None, None, :, None]
    leads = has_ranking & (first - second >= gap)
    shown_by_suggestion = has_ranking & (first >= suggest) & (confidence >= floor)
    results = []
    for answer in answer_grid:
        confident = leads & (confidence >= answer) & (suggest >= 0) & (floor >= 0)
        shown = confident | shown_by_suggestion  # answered or suggested first
        answer_accuracy = (confident & right & in_scope) @ weight / scope_weight
        top1 = (shown & right & in_scope) @ weight / scope_weight
        rejection = (~confident & ~in_scope) @ weight / out_weight
        wrong = (confident & ~right) @ weight / total
        wrong_in_scope = (confident & ~right & in_scope) @ weight / scope_weight
        suggested_out = (~confident & shown_by_suggestion & ~in_scope) @ weight / out_weight
        valid = (wrong <= max_wrong) & (wrong_in_scope <= max_wrong) & (rejection >= min_rejection)
        results += [
            TuningResult(
                answer_threshold=float(answer),
                suggest_threshold=float(suggest_grid[s]),
                min_gap=float(gap_grid[g]),
                answer_accuracy=round(float(answer_accuracy[g, s, c]), 4),
                top1_accuracy=round(float(top1[g, s, c]), 4),
                rejection_rate=round(float(rejection[g, s, c]), 4),
                wrong_answer_rate=round(float(wrong[g, s, c]), 4),
                suggest_confidence=float(suggest_confidence_grid[c]),
                out_of_scope_suggested=round(float(suggested_out[g, s, c]), 4),
            )
            for g, s, c in zip(*np.nonzero(valid), strict=True)
        ]
    results.sort(
        key=lambda r: (
            -r.answer_accuracy,
            r.wrong_answer_rate,
            -r.top1_accuracy,
            -r.rejection_rate,
            -r.suggest_threshold,
            -r.min_gap,
            -r.answer_threshold,
            -r.suggest_confidence,
        )
    )
    if results:
        best = results[0]
        alike = [r for r in results if (r.answer_threshold, r.min_gap, r.answer_accuracy, r.wrong_answer_rate)
                 == (best.answer_threshold, best.min_gap, best.answer_accuracy, best.wrong_answer_rate)
                 and r.top1_accuracy >= best.top1_accuracy - TOP1_SLACK]
        quieter = min(alike, key=lambda r: (r.out_of_scope_suggested, -r.top1_accuracy, -r.suggest_threshold))
        results.remove(quieter)
        results.insert(0, quieter)
    return results


@dataclass(frozen=True)
class Calibration:
    """What ``calibrate`` found: the settings to put in config, their figures, and what they came from."""

    settings: MatchingSettings
    results: list[TuningResult]
    questions: list[Example]
    ranking: RankingChoice | None = None


def calibrate(
    matcher: Matcher,
    languages: Sequence[str],
    dev: Sequence[Example] = (),
    max_wrong: float = 0.02,
    min_rejection: float = 0.92,
    out_of_scope_share: float = 0.3,
    dev_share: float = 0.5,
    progress: Callable[[int, int], None] | None = None,
    choose_ranking: bool = True,
) -> Calibration:
    """``kb tune``: the ranking weights, the confidence model and thresholds for ``matcher``'s knowledge base.

    The ranking weights are chosen first (``bot.knowledge.ranking``; kept as they are without
    ``choose_ranking``), since every score the rest is fitted on depends on them. The examples are
    ``self_examples`` (alternate questions and the corpus) plus ``dev``, weighted by ``balanced``;
    raises ValueError when no grid point meets the limits. ``progress(done, total)`` counts the folds
    scored, the slow part: those of the weights' choice, then those of the examples. When the weights
    change, the development questions are scored by a new matcher with the shipped background corpus.

    Without development questions the alternate questions are the only in-scope examples, and
    each is scored without its near-copies too: beside them it looks easier than a user's question,
    and the figures tuned on would promise fewer wrong answers than the bot then gives. With
    development questions, which show how people write, near-copies stay (leaving them out then
    chose a lower answer threshold for the shipped knowledge base, and more wrong answers).
    """
    ranking = None
    copies = {} if dev else near_copies(matcher.knowledge)  # the same for every ranking: worked out once
    phases = 2 if choose_ranking else 1
    if choose_ranking:
        ranking = choose_weights(matcher.knowledge, matcher.settings, progress=_phase(progress, 0, phases),
                                 copies=copies)
        if ranking.changed:
            matcher = Matcher(matcher.knowledge, matcher.settings.model_copy(update=ranking.weights._asdict()))
    scored, questions = self_examples(matcher.knowledge, languages, progress=_phase(progress, phases - 1, phases),
                                      settings=matcher.settings, copies=copies)
    scored += [matcher.score(question.q) for question in dev]
    weighted = balanced([*questions, *dev], out_of_scope_share, dev_share)
    model = fit_confidence(scored, weighted)
    results = tune(scored, weighted, out_of_fold_confidence(scored, weighted),
                   max_wrong=max_wrong, min_rejection=min_rejection)
    if not results:
        raise ValueError("no thresholds meet the limits; loosen max_wrong or min_rejection")
    best = results[0]
    settings = matcher.settings.model_copy(update={
        "answer_threshold": best.answer_threshold, "suggest_threshold": best.suggest_threshold,
        "min_gap": best.min_gap, "suggest_confidence": best.suggest_confidence,
        "confidence": model.settings(),
    })
    return Calibration(settings, results, weighted, ranking)


def _phase(progress: Callable[[int, int], None] | None, index: int, phases: int) -> Callable[[int, int], None] | None:
    """``progress`` for phase ``index`` of ``phases`` that each score the same folds, counted over all."""
    if progress is None:
        return None
    report = progress
    return lambda done, total: report(index * total + done, phases * total)

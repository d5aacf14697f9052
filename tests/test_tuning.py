"""Tuning: the confidence model is fitted and the thresholds grid-searched under the safety limits."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.config import MatchingSettings
from bot.engine import AnswerEngine
from bot.knowledge.tuning import fit_confidence, out_of_fold_confidence, score_questions, tune
from bot.matching.confidence import FEATURES, ConfidenceModel, fit, fit_two_stage
from bot.matching.matcher import Candidate, Scoring, decide


@dataclass(frozen=True)
class Question:
    q: str
    expect: list[str]


def features(score: float) -> dict[str, float]:
    return {name: 0.0 for name in FEATURES} | {"score": score}


QUESTIONS = [
    Question("clear", ["a"]),
    Question("close call", ["b"]),
    Question("weak but right", ["a"]),
    Question("trap", []),
]
SCORED = [
    Scoring([Candidate("a", 0.9), Candidate("b", 0.2)], features(0.9)),
    Scoring([Candidate("b", 0.7), Candidate("a", 0.65)], features(0.7)),
    Scoring([Candidate("a", 0.55), Candidate("c", 0.1)], features(0.55)),
    Scoring([Candidate("c", 0.6), Candidate("a", 0.1)], features(0.6)),  # out of scope, like the weak right one
]
MODEL = ConfidenceModel(-6.0, {"score": 10.0})  # probability 0.38 at score 0.55, 0.95 at 0.9
CONFIDENCES = [MODEL.probability(scoring.features) for scoring in SCORED]


def test_best_setting_answers_most_without_breaking_the_constraints() -> None:
    best = tune(SCORED, QUESTIONS, CONFIDENCES, max_wrong=0.0, min_rejection=1.0)[0]
    assert best.wrong_answer_rate == 0.0 and best.rejection_rate == 1.0
    # The weak right answer scores below the trap, so it cannot be answered without the trap.
    assert best.answer_accuracy == pytest.approx(2 / 3, abs=1e-4)


def test_figures_match_what_decide_would_do() -> None:
    for result in tune(SCORED, QUESTIONS, CONFIDENCES, max_wrong=1.0, min_rejection=0.0)[:50]:
        settings = MatchingSettings(answer_threshold=result.answer_threshold,
                                    suggest_threshold=result.suggest_threshold, min_gap=result.min_gap,
                                    suggest_confidence=result.suggest_confidence)
        outcomes = [decide(s.ranked, MODEL.probability(s.features), settings) for s in SCORED]
        right = sum(outcome == "answered" and s.ranked[0].entry_id in question.expect
                    for outcome, s, question in zip(outcomes, SCORED, QUESTIONS, strict=True))
        assert result.answer_accuracy == pytest.approx(right / 3, abs=1e-4)
        assert result.rejection_rate == (0.0 if outcomes[3] == "answered" else 1.0)


def test_allowing_a_wrong_answer_buys_more_right_ones() -> None:
    strict = tune(SCORED, QUESTIONS, CONFIDENCES, max_wrong=0.0, min_rejection=0.0)[0]
    lenient = tune(SCORED, QUESTIONS, CONFIDENCES, max_wrong=0.25, min_rejection=0.0)[0]
    assert lenient.answer_accuracy > strict.answer_accuracy


def test_fitted_model_separates_right_from_wrong() -> None:
    rows = [features(0.9), features(0.85), features(0.8), features(0.3), features(0.25), features(0.2)]
    model = fit(rows, [True, True, True, False, False, False])
    assert model.probability(features(0.9)) > 0.5 > model.probability(features(0.2))


def features_of(**values: float) -> dict[str, float]:
    return {name: 0.0 for name in FEATURES} | values


def test_two_stages_learn_scope_and_ranking_from_different_signals() -> None:
    # In scope or not shows in the share of known words; right or wrong entry in the lead over the
    # runner-up. One model over both would have to blur them; two keep each sharp.
    rows, in_scope, right = [], [], []
    for known in (0.9, 1.0):
        for gap, hit in ((0.3, True), (0.25, True), (0.02, False), (0.01, False)):
            rows.append(features_of(known_share=known, gap=gap))
            in_scope.append(True)
            right.append(hit)
    for gap in (0.3, 0.02):
        for known in (0.1, 0.2):
            rows.append(features_of(known_share=known, gap=gap))
            in_scope.append(False)
            right.append(False)
    model = fit_two_stage(rows, in_scope, right)
    assert model.scope is not None
    clear = model.parts(features_of(known_share=0.95, gap=0.3))
    torn = model.parts(features_of(known_share=0.95, gap=0.01))
    elsewhere = model.parts(features_of(known_share=0.15, gap=0.3))
    assert clear[0] > 0.5 and torn[0] > 0.5 > elsewhere[0]  # both in scope, the third not
    assert clear[1] > 0.5 > torn[1]  # only the clear one is right
    assert model.probability(features_of(known_share=0.95, gap=0.3)) == pytest.approx(clear[0] * clear[1])


def test_two_stages_fall_back_to_one_model_when_every_in_scope_question_is_right() -> None:
    rows = [features(0.9), features(0.85), features(0.3), features(0.2)]
    model = fit_two_stage(rows, [True, True, False, False], [True, True, False, False])
    assert model.scope is None
    assert model.probability(features(0.9)) > 0.5 > model.probability(features(0.2))


def test_a_two_stage_model_goes_through_config_unchanged() -> None:
    model = ConfidenceModel(-1.0, {"score": 3.0}, scope=ConfidenceModel(0.5, {"known_share": 2.0}))
    block = MatchingSettings.model_validate({"confidence": model.settings().model_dump(exclude_none=True)})
    again = ConfidenceModel.from_settings(block.confidence)
    assert again.probability(features(0.7)) == pytest.approx(model.probability(features(0.7)))
    single = ConfidenceModel.from_settings(MatchingSettings().confidence)
    assert single.scope is None and single.parts(features(0.7))[0] == 1.0


def test_unknown_features_in_the_scope_model_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown features"):
        MatchingSettings.model_validate({"confidence": {"scope": {"weights": {"colour": 1.0}}}})


def test_fitting_needs_both_kinds_of_question() -> None:
    with pytest.raises(ValueError, match="right and questions it gets wrong"):
        fit([features(0.9)], [True])


def test_unknown_features_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown confidence features"):
        ConfidenceModel(0.0, {"colour": 1.0})


def test_tuning_on_real_questions_end_to_end(engine: AnswerEngine) -> None:
    questions = [Question("Hvordan starter jeg en bedrift?", ["establisher-guidance"]),
                 Question("hvor er turistkontoret", ["tourist-office"]),
                 Question("hva er visit drammensregionen", ["tourist-office"]),  # ranked "wrong" on purpose
                 Question("kurs i svømming for barn", [])]
    scored = score_questions(engine.matcher, questions)
    model = fit_confidence(scored, questions)
    confidences = [model.probability(scoring.features) for scoring in scored]
    assert tune(scored, questions, confidences, max_wrong=0.0, min_rejection=1.0)


def test_out_of_fold_confidences_come_from_models_that_did_not_see_the_question(engine: AnswerEngine) -> None:
    questions = [Question(text, expect) for text, expect in [
        ("Hvordan starter jeg en bedrift?", ["establisher-guidance"]), ("hvor er turistkontoret", ["tourist-office"]),
        ("kurs for gründere", ["tourist-office"]), ("turistkontor", ["funding"]),
        ("hva er visit drammensregionen", ["visit-drammensregionen"]), ("forskningsmidler", ["contact"]),
    ]]
    scored = score_questions(engine.matcher, questions)
    confidences = out_of_fold_confidence(scored, questions, folds=2)
    assert len(confidences) == len(questions) and all(0.0 <= c <= 1.0 for c in confidences)


def test_a_declined_question_is_never_counted_as_answered() -> None:
    declined = [Scoring([Candidate("a", 0.95), Candidate("b", 0.1)], features(0.95), declined="decline-x")]
    (result,) = tune(declined, [Question("parkering", [])], [0.99], max_wrong=0.0, min_rejection=1.0,
                     answer_grid=[0.5], suggest_grid=[0.1], gap_grid=[0.0], suggest_confidence_grid=[0.0])
    assert result.rejection_rate == 1.0 and result.wrong_answer_rate == 0.0


def test_out_of_scope_questions_are_offered_no_pointless_did_you_mean() -> None:
    # The trap ranks its entry as high as the weak right answer, but with a far lower confidence:
    # a floor on the confidence keeps it from being offered as "did you mean", at no cost.
    scored = [SCORED[0], SCORED[2], SCORED[3]]
    questions = [QUESTIONS[0], QUESTIONS[2], QUESTIONS[3]]
    best = tune(scored, questions, [0.95, 0.4, 0.05], max_wrong=0.0, min_rejection=1.0)[0]
    assert best.top1_accuracy == 1.0 and best.out_of_scope_suggested == 0.0
    assert 0.05 < best.suggest_confidence <= 0.4


def test_easy_out_of_scope_questions_do_not_dilute_wrong_answers_to_in_scope_ones() -> None:
    # Answering the third question right means answering the second one wrongly: one wrong answer
    # in ten questions is within a 10 % limit, but one in three in-scope questions is not.
    scored = [
        Scoring([Candidate("a", 0.9), Candidate("b", 0.2)], features(0.9)),
        Scoring([Candidate("a", 0.8), Candidate("b", 0.2)], features(0.8)),
        Scoring([Candidate("b", 0.7), Candidate("a", 0.2)], features(0.7)),
        *[Scoring([Candidate("c", 0.2), Candidate("a", 0.1)], features(0.2)) for _ in range(7)],
    ]
    questions = [Question("clear", ["a"]), Question("misranked", ["b"]), Question("weaker", ["b"]),
                 *[Question(f"unrelated {n}", []) for n in range(7)]]
    grids = dict(answer_grid=[0.5, 0.86, 0.92], suggest_grid=[0.5], gap_grid=[0.0], suggest_confidence_grid=[0.0])
    best = tune(scored, questions, [0.95, 0.9, 0.85, *[0.1] * 7], max_wrong=0.1, min_rejection=1.0, **grids)[0]
    assert best.answer_threshold == 0.92
    assert best.answer_accuracy == pytest.approx(1 / 3, abs=1e-4) and best.wrong_answer_rate == 0.0

"""A knowledge base scaled up with synthetic entries, to see how the matcher grows with it.

Each synthetic entry gets a theme of real words and a new compound of two real words ("kursstøtte",
"hotelfunding"), and its alternate questions are real questions of the same language with their
content words swapped for theme words, other real words or inflected variants of them. So the
vocabulary, the sentence shapes and the share of stop words stay those of the shipped knowledge
base, while the number of entries, terms and alternate questions grows.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

from bot.knowledge.model import Entry, KnowledgeBase, Questions, Text
from bot.matching.normalise import STOP_WORDS, fold

LANGUAGES = ("nb", "en")
QUESTIONS_PER_ENTRY = 10  # 5 per language; the shipped entries have about 20
SUFFIXES = {"nb": ("en", "er", "ene", "et", "a", "ing", "s"), "en": ("s", "ing", "ed", "er")}
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)


def alternate_questions(knowledge: KnowledgeBase) -> int:
    return sum(len(entry.questions.nb) + len(entry.questions.en) for entry in knowledge)


@dataclass
class _Language:
    """One language's real questions and content words, to recombine."""

    questions: list[str]
    words: list[str]


def _languages(knowledge: KnowledgeBase) -> dict[str, _Language]:
    result = {}
    for lang in LANGUAGES:
        questions = [question for entry in knowledge for question in entry.questions.get(lang)]
        words = sorted(
            {
                word.lower()
                for question in questions
                for word in _WORD.findall(question)
                if len(word) >= 4 and fold(word) not in STOP_WORDS
            }
        )
        result[lang] = _Language(questions, words)
    return result


def _variant(word: str, lang: str, rng: random.Random) -> str:
    """An inflected or compounded form, so the vocabulary grows as a real knowledge base's would."""
    if rng.random() < 0.3:
        return word + rng.choice(SUFFIXES[lang])
    return word


def _question(template: str, theme: list[str], language: _Language, lang: str, rng: random.Random) -> str:
    """A real question with its content words replaced: mostly by the theme, some by other real words."""

    def swap(match: re.Match[str]) -> str:
        word = match.group()
        if len(word) < 4 or fold(word) in STOP_WORDS:
            return word
        roll = rng.random()
        if roll < 0.55:
            return rng.choice(theme)
        if roll < 0.75:
            return _variant(rng.choice(language.words), lang, rng)
        return word

    text = _WORD.sub(swap, template)
    if not any(word in text for word in theme):
        text = f"{text.rstrip('?.! ')} {rng.choice(theme)}?"
    return text


def _theme(language: _Language, lang: str, rng: random.Random) -> list[str]:
    first, second = rng.sample(language.words, 2)
    compound = first + (second if lang == "en" else second.replace("-", ""))
    return [compound, *(_variant(word, lang, rng) for word in rng.sample(language.words, 2))]


def synthetic_entry(
    languages: dict[str, _Language], topics: list[str], rng: random.Random, questions_per_entry: int
) -> Entry:
    themes = {lang: _theme(languages[lang], lang, rng) for lang in LANGUAGES}
    per_language = max(1, questions_per_entry // 2)
    questions = {
        lang: [
            _question(rng.choice(languages[lang].questions), themes[lang], languages[lang], lang, rng)
            for _ in range(per_language)
        ]
        for lang in LANGUAGES
    }
    entry_id = f"syn-{rng.getrandbits(40):010x}"
    return Entry(
        id=entry_id,
        topic=rng.choice(topics),
        owner="benchmark",
        review_by=dt.date(2099, 12, 31),
        title=Text(nb=" ".join(themes["nb"][:2]).capitalize(), en=" ".join(themes["en"][:2]).capitalize()),
        answer=Text(nb=f"Syntetisk svar {entry_id}.", en=f"Synthetic answer {entry_id}."),
        questions=Questions(nb=questions["nb"], en=questions["en"]),
        keywords=[themes["nb"][0], themes["en"][0]],
    )


def scaled(
    knowledge: KnowledgeBase, target_questions: int, seed: int = 2013,
    questions_per_entry: int = QUESTIONS_PER_ENTRY,
) -> KnowledgeBase:
    """The shipped entries plus synthetic ones, up to about ``target_questions`` alternate questions."""
    rng = random.Random(seed)
    languages = _languages(knowledge)
    topics = [topic.id for topic in knowledge.menu_topics()]
    entries = dict(knowledge.entries)
    missing = target_questions - alternate_questions(knowledge)
    per_entry = 2 * max(1, questions_per_entry // 2)
    for _ in range(max(0, round(missing / per_entry))):
        entry = synthetic_entry(languages, topics, rng, questions_per_entry)
        entries.setdefault(entry.id, entry)
    return KnowledgeBase(topics=dict(knowledge.topics), entries=entries)

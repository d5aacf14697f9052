"""Staff decide: accept a suggestion as an alternate question, reject it, mark it as needing an
answer, or undo an accepted one, each behind the same guard.

The guard makes the edit in a copy of the knowledge base first. It refuses (and nothing is
written) when ``kb check`` fails, when the wrong-answer rate of any evaluation set rises, or when
a question that was answered right would be answered wrongly or not at all. Accepted phrasings are also added to
``knowledge/eval/learned.yaml``, so ``kb tune`` and ``kb eval`` learn from them too.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import Config
from bot.engine import AnswerEngine
from bot.knowledge.evaluation import evaluate, load_questions
from bot.knowledge.model import KnowledgeBaseError, load_knowledge
from bot.learning import yamledit
from bot.learning.suggestions import SuggestionBox
from bot.matching.language import detect_language

LEARNED_FILE = "learned.yaml"
CONFIDENT = ("answered", "smalltalk", "handoff")


class Refused(Exception):
    """The guard or the request refused the change; the message says why and what to do."""


@dataclass(frozen=True)
class Change:
    suggestion_id: int
    entry: str
    lang: str
    text: str
    file: Path
    diff: str


def evaluation_sets(config: Config) -> list[Path]:
    return sorted((config.knowledge_dir / "eval").glob("*.yaml"))


def _results(directory: Path, config: Config, sets: list[Path]) -> dict[str, dict[str, Any]]:
    engine = AnswerEngine(load_knowledge(directory, config.knowledge.max_file_kb * 1024), config.matching)
    return {path.name: evaluate(engine, load_questions(path)) for path in sets}


def _right(result: dict[str, Any], expect: list[str] | None) -> bool:
    return bool(expect) and result["outcome"] in CONFIDENT and result["got"] in (expect or [])


def _wrong(result: dict[str, Any], expect: list[str] | None) -> bool:
    confident = result["outcome"] in CONFIDENT
    return confident and (not expect or result["got"] not in expect)


def guard(config: Config, edits: dict[Path, str]) -> None:
    """Raise ``Refused`` unless the knowledge base with ``edits`` (path → new text) passes the guard."""
    directory = config.knowledge_dir
    sets = evaluation_sets(config)
    with tempfile.TemporaryDirectory() as temporary:
        trial = Path(temporary) / directory.name
        shutil.copytree(directory, trial, ignore=shutil.ignore_patterns("eval", "__pycache__"))
        for path, text in edits.items():
            (trial / path.relative_to(directory)).write_text(text, "utf-8")
        try:
            after = _results(trial, config, sets)
        except KnowledgeBaseError as error:
            problems = str(error).replace(str(trial), str(directory))
            raise Refused(f"the knowledge base would not pass 'naeringsbot kb check':\n{problems}") from error
    before = _results(directory, config, sets)
    for name in before:
        questions = {question.q: question.expect for question in load_questions(directory / "eval" / name)}
        old, new = before[name], after[name]
        if new["wrong_answer_rate"] > old["wrong_answer_rate"] + 1e-12:
            raise Refused(f"wrong answers in eval/{name} would rise from {old['wrong_answer_rate']:.1%} "
                          f"to {new['wrong_answer_rate']:.1%}")
        for was, now in zip(old["results"], new["results"], strict=True):
            expect = questions.get(was["q"])
            if _right(was, expect) and not _right(now, expect):
                after_text = f"get {now['got']}" if _wrong(now, expect) else "no longer be answered"
                raise Refused(f"eval/{name}: «{was['q']}» was answered with {was['got']} and would {after_text} "
                              "— choose another entry or reject the suggestion")


def accept(config: Config, box: SuggestionBox, suggestion_id: int, by: str, entry: str | None = None,
           lang: str | None = None) -> Change:
    """Add the suggestion's text as an alternate question, if the guard allows it."""
    suggestion = box.get(suggestion_id)
    if suggestion is None or suggestion["status"] != "open":
        raise Refused(f"no open suggestion {suggestion_id} — list them with 'naeringsbot kb suggestions'")
    text = " ".join(str(suggestion["text"] or "").split())
    if any(marker in text for marker in ("[e-post]", "[telefon]", "[fødselsnummer]", "[kontonummer]")):
        raise Refused("the text still holds redacted personal data, so it cannot become a phrasing — reject it")
    entry = entry or suggestion["entry"]
    if not entry:
        raise Refused("this question has no proposed entry — give one with --entry ID")
    if load_knowledge(config.knowledge_dir).get(entry) is None:
        raise Refused(f"no entry '{entry}' — check the id with 'naeringsbot kb check'")
    lang = lang or detect_language(text) or "nb"
    path = _entry_file(config, entry)
    before = path.read_text("utf-8")
    after = _edit(yamledit.with_question, text, entry, lang, before)
    guard(config, {path: after})
    path.write_text(after, "utf-8")
    _add_learned(config, text, entry, lang)
    box.decide(suggestion_id, "accepted", by, entry=entry, lang=lang, text=text)
    return Change(suggestion_id, entry, lang, text, path, yamledit.diff(before, after, _name(config, path)))


def undo(config: Config, box: SuggestionBox, suggestion_id: int, by: str) -> Change:
    """Take an accepted phrasing out of the knowledge base and the learned set again."""
    suggestion = box.get(suggestion_id)
    if suggestion is None or suggestion["status"] != "accepted":
        raise Refused(f"suggestion {suggestion_id} was not accepted — see 'naeringsbot kb history'")
    text, entry, lang = suggestion["accepted_text"], suggestion["accepted_entry"], suggestion["accepted_lang"]
    path = _entry_file(config, entry)
    before = path.read_text("utf-8")
    after = _edit(yamledit.without_question, text, entry, lang, before)
    path.write_text(after, "utf-8")
    _remove_learned(config, text, entry)
    box.decide(suggestion_id, "undone", by, entry=entry, lang=lang, text=text)
    return Change(suggestion_id, entry, lang, text, path, yamledit.diff(before, after, _name(config, path)))


def reject(box: SuggestionBox, suggestion_id: int, by: str, status: str = "rejected") -> None:
    """Reject, or keep on the editors' "needs a new answer" list (``status='needs_answer'``)."""
    suggestion = box.get(suggestion_id)
    if suggestion is None or suggestion["status"] != "open":
        raise Refused(f"no open suggestion {suggestion_id} — list them with 'naeringsbot kb suggestions'")
    box.decide(suggestion_id, status, by, entry=suggestion["entry"])


def _edit(function: Any, text: str, entry: str, lang: str, source: str) -> str:
    try:
        edited: str = function(text, entry, lang, source)
    except yamledit.EditError as error:
        raise Refused(str(error)) from error
    return edited


def _entry_file(config: Config, entry: str) -> Path:
    try:
        return yamledit.entry_file(config.knowledge_dir, entry)
    except yamledit.EditError as error:
        raise Refused(str(error)) from error


def _name(config: Config, path: Path) -> str:
    try:
        return str(path.relative_to(config.knowledge_dir.parent))
    except ValueError:
        return path.name


def _learned(config: Config) -> Path:
    return config.knowledge_dir / "eval" / LEARNED_FILE


def _line(text: str, entry: str, lang: str) -> str:
    return f"- {{q: {json.dumps(text, ensure_ascii=False)}, expect: {entry}, lang: {lang}, kind: learned}}\n"


def _add_learned(config: Config, text: str, entry: str, lang: str) -> None:
    path = _learned(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text("# Phrasings staff accepted from use (naeringsbot kb accept): a regression set that\n"
                        "# kb eval and kb tune use too. Written by the bot; remove a line with kb undo.\n", "utf-8")
    with path.open("a", encoding="utf-8") as file:
        file.write(_line(text, entry, lang))


def _remove_learned(config: Config, text: str, entry: str) -> None:
    path = _learned(config)
    if path.exists():
        prefix = f"- {{q: {json.dumps(text, ensure_ascii=False)}, expect: {entry},"
        lines = path.read_text("utf-8").splitlines(True)
        path.write_text("".join(line for line in lines if not line.startswith(prefix)), "utf-8")

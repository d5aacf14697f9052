"""Helpers shared by test modules: small knowledge bases written to a temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

TOPICS = {"topics": [{"id": "start", "title": {"nb": "Starte bedrift", "en": "Starting a business"}}]}


def entry(entry_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid entry; override any field."""
    base: dict[str, Any] = {
        "id": entry_id,
        "topic": "start",
        "owner": "næringsavdelingen",
        "review_by": "2099-12-31",
        "source": "Testkilde",
        "as_of": "2026-01-01",
        "title": {"nb": f"Tittel {entry_id}", "en": f"Title {entry_id}"},
        "answer": {"nb": f"Svar om {entry_id}.", "en": f"Answer about {entry_id}."},
        "questions": {"nb": [f"spørsmål om {entry_id}"], "en": [f"question about {entry_id}"]},
    }
    base.update(overrides)
    return base


def english(entry_id: str, *questions: str, title: str | None = None) -> dict[str, Any]:
    """An entry in English only, as a knowledge base of another domain has them (no keywords)."""
    title = title or entry_id.replace("-", " ")
    return entry(entry_id, title={"en": title}, answer={"en": f"About {title.lower()}."},
                 questions={"en": list(questions)}, keywords=[])


def write_knowledge(folder: Path, *entries: dict[str, Any], topics: dict[str, Any] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "topics.yaml").write_text(yaml.safe_dump(topics or TOPICS, allow_unicode=True), "utf-8")
    (folder / "entries.yaml").write_text(
        yaml.safe_dump({"entries": list(entries)}, allow_unicode=True, sort_keys=False), "utf-8"
    )
    return folder

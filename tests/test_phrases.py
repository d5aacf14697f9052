"""Phrases: nynorsk from its YAML file, the unit's name filled in, and a new name used at once."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources

import pytest
import yaml

from bot import phrases
from bot.phrases import PHRASES, phrase, use_unit_names


@pytest.fixture
def unit_names() -> Iterator[None]:
    saved = dict(phrases._UNIT_NAMES)
    yield
    use_unit_names(saved)


def test_nynorsk_phrases_are_the_files_with_the_unit_filled_in(unit_names: None) -> None:
    use_unit_names({"nb": "næringsavdelingen", "nn": "næringsavdelinga"})
    written = yaml.safe_load(resources.files("bot").joinpath("phrases_nn.yaml").read_text("utf-8"))
    for key in PHRASES:
        expected = (written.get(key) or PHRASES[key]["nb"]).replace("{unit}", "næringsavdelinga")
        assert phrase(key, "nn") == expected


def test_a_new_unit_name_is_used_by_phrases_already_said(unit_names: None) -> None:
    use_unit_names({"nb": "næringsavdelingen i Drammen kommune"})
    assert "næringsavdelingen i Drammen kommune" in phrase("contact_intro", "nb")
    use_unit_names({"nb": "servicetorget"})
    assert phrase("contact_intro", "nb") == PHRASES["contact_intro"]["nb"].replace("{unit}", "servicetorget")
    assert phrase("contact_intro", "en") == PHRASES["contact_intro"]["en"].replace("{unit}", "servicetorget")

"""The review's own Datasette hooks: the query page shows the period it used (``review_period``).

It reads nothing and writes nothing; every other plugin is switched off for the review.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from bot.reports.review_period import shown_period


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    """The query page template calls ``review_period(fra, til)``."""
    env.globals["review_period"] = shown_period

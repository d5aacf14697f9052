"""``naeringsbot review``: the live inquiry log in Datasette on 127.0.0.1, read-only, with ready-made queries.

The database is served as a normal (mutable) file, never ``immutable``, because the bot keeps
writing to it; Datasette reads such files through ``mode=ro`` connections and allows only SELECT
statements. The only ways it could write are canned queries marked ``write: true`` and plugins,
so this module refuses the first and switches off every plugin that is not part of Datasette
(except its own, ``review_plugin``, which only adds a template function). Before serving it
writes one lookup table, ``entry_topics``, from the knowledge base, for the overview's topics.
"""

from __future__ import annotations

import copy
import html
import logging
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlite_utils import Database

from bot.clock import oslo_time_sql
from bot.config import Config, Indicator
from bot.knowledge.model import KnowledgeBase
from bot.reports.metrics import (
    BY_NAME,
    CARD_ENTRY,
    CARD_PARTS,
    CARD_SHOWN,
    COUNTED,
    INQUIRY,
    SHARES,
    UNANSWERED_PART,
    text,
)
from bot.reports.review_period import in_period_sql, period_sql
from bot.reports.targets import metric_sql, sql_literal
from bot.reports.unanswered import UNANSWERED

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
DEFAULT_PORT = 8001
METADATA_FILE = "review_metadata.yaml"
TEMPLATES = "review_templates"  # Datasette 0.65's own templates, translated to Bokmål
OVERVIEW_TABLE = "inquiry_overview"
TEMPLATE_DATABASE = "inquiries"
INDICATORS_QUERY = "indikatorer-mot-maltall"
# The current calendar year in Oslo, as the report's default period, bounded by Oslo's midnights in UTC
# (1 January is always winter time: 23:00 UTC the day before); no parameters, so Datasette asks for none.
_OSLO_YEAR = f"cast({oslo_time_sql(repr('now'), '%Y')} AS integer)"
YEAR_BOUNDS = (f"WITH bounds AS (SELECT ({_OSLO_YEAR} - 1) || '-12-31T23:00:00+00:00' AS start, "
               f"{_OSLO_YEAR} || '-12-31T23:00:00+00:00' AS stop)")


class _PerColumn(dict[str, str]):
    """``{name[COLUMN]}`` in a query: the SQL ``expression(COLUMN)``."""

    def __init__(self, expression: Callable[[str], str]) -> None:
        super().__init__()
        self.expression = expression

    def __missing__(self, column: str) -> str:
        return self.expression(column)


PLACEHOLDERS: dict[str, Any] = {
    "counted": COUNTED, "inquiry": INQUIRY, "card_shown": CARD_SHOWN, "unanswered": UNANSWERED,
    "card_parts": CARD_PARTS, "card_entry": CARD_ENTRY, "unanswered_part": UNANSWERED_PART,
    "period": period_sql(),
    "in_period": _PerColumn(in_period_sql),
    "oslo": _PerColumn(lambda column: oslo_time_sql(column, "%Y-%m-%d %H:%M")),
    "month": _PerColumn(lambda column: oslo_time_sql(column, "%Y-%m")),
}


class ReviewError(Exception):
    """The review server cannot start safely; the message says why."""


def indicators_sql(indicators: list[Indicator], knowledge: KnowledgeBase | None = None) -> str:
    """Each configured indicator against its yearly target for the current year, counted as the report counts."""
    rows = []
    for indicator in indicators:
        actual = (metric_sql(indicator, knowledge)
                  .replace(":start", "(SELECT start FROM bounds)").replace(":end", "(SELECT stop FROM bounds)"))
        rows.append(
            f"SELECT {sql_literal(indicator.id)} AS indikator, {sql_literal(indicator.title.nb)} AS tittel, "
            f"{float(indicator.target)!r} AS mål, ({actual}) AS faktisk, "
            f"{int(indicator.metric in SHARES)} AS er_andel, {int(indicator.example)} AS eksempel"
        )
    if not rows:
        rows.append("SELECT NULL AS indikator, NULL AS tittel, NULL AS mål, NULL AS faktisk, "
                    "0 AS er_andel, 0 AS eksempel WHERE 0")
    return (
        f"{YEAR_BOUNDS},\ntargets AS (\n  " + "\n  UNION ALL\n  ".join(rows) + "\n)\n"
        "SELECT indikator, tittel, mål, faktisk, round(1.0 * faktisk / nullif(mål, 0), 3) AS oppnådd, "
        "faktisk >= mål AS nådd, eksempel FROM targets"
    )


def indicators_description(indicators: list[Indicator], lead: str) -> str:
    """The query's description, then the Norwegian definition of each figure the indicators count."""
    metrics = [BY_NAME[name] for name in dict.fromkeys(indicator.metric for indicator in indicators) if name in BY_NAME]
    return " ".join([lead, *(f"{text(metric.title, 'nb')}: {text(metric.definition, 'nb')}" for metric in metrics)])


def metadata_template() -> dict[str, Any]:
    """``bot/review_metadata.yaml`` as shipped in the package."""
    text = resources.files("bot.reports").joinpath(METADATA_FILE).read_text("utf-8")
    template: dict[str, Any] = yaml.safe_load(text)
    return template


def review_metadata(
    database_name: str,
    config: Config,
    knowledge: KnowledgeBase | None = None,
    template: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The metadata with the database's own name, the shared definitions and this year's targets."""
    metadata = copy.deepcopy(template if template is not None else metadata_template())
    database = metadata["databases"].pop(TEMPLATE_DATABASE)
    metadata["databases"][database_name] = database
    for name, query in database["queries"].items():
        if query.get("write"):
            raise ReviewError(f"{METADATA_FILE}: query '{name}' is marked write: true — the review is read-only")
        query["sql"] = query["sql"].format(**PLACEHOLDERS)
    indicators = database["queries"][INDICATORS_QUERY]
    indicators["sql"] = indicators_sql(config.indicators, knowledge)
    indicators["description"] = indicators_description(config.indicators, indicators["description"])
    metadata["description_html"] = front_page(database_name, metadata)
    return metadata


def front_page(database_name: str, metadata: dict[str, Any]) -> str:
    """The front page's text: the description, then links to the ready-made queries and the overview."""
    database = metadata["databases"][database_name]
    links = [(f"/{database_name}/{name}", query["title"]) for name, query in database["queries"].items()]
    overview = database.get("tables", {}).get(OVERVIEW_TABLE)
    if overview:
        links.append((f"/{database_name}/{OVERVIEW_TABLE}", overview["title"]))
    items = "".join(f'<li><a href="{html.escape(href)}">{html.escape(title)}</a></li>' for href, title in links)
    return (f"<p>{html.escape(metadata.get('description', ''))}</p>"
            f'<h2 id="ferdige-sporringer">Ferdige spørringer</h2><ul class="bullets">{items}</ul>')


def store_entry_topics(db: Database, knowledge: KnowledgeBase | None) -> int:
    """Each entry's title and topic, for the overview's topic column; replaced whole, in one transaction."""
    rows = []
    if knowledge is not None:
        for entry in knowledge:
            topic = knowledge.topics.get(entry.topic)
            rows.append({"entry_id": entry.id, "title": entry.title.get("nb"), "topic_id": entry.topic,
                         "topic": topic.title.get("nb") if topic else entry.topic})
    with db.atomic():
        db.execute("delete from entry_topics")
        if rows:
            db.table("entry_topics").insert_all(rows)
    return len(rows)


def disable_plugins() -> list[str]:
    """Unregister every plugin that does not ship with Datasette; some (like write APIs) could change data."""
    from datasette.plugins import DEFAULT_PLUGINS, pm

    own = ("bot.reports.review_plugin",)
    extra = [plugin for plugin in pm.get_plugins() if getattr(plugin, "__name__", "") not in (*DEFAULT_PLUGINS, *own)]
    for plugin in extra:
        pm.unregister(plugin)
    return [getattr(plugin, "__name__", repr(plugin)) for plugin in extra]


def enable_own_plugin() -> None:
    """The review's own hooks (the period shown on query pages); they read nothing and write nothing."""
    from datasette.plugins import pm

    from bot.reports import review_plugin

    if not pm.is_registered(review_plugin):
        pm.register(review_plugin)


def build_datasette(database_path: Path, metadata: dict[str, Any]) -> Any:
    """A Datasette over the live file (mutable, read through ``mode=ro``), with other plugins switched off."""
    from datasette.app import Datasette

    disabled = disable_plugins()
    if disabled:
        logger.warning("Datasette plugins switched off for the read-only review: %s", ", ".join(disabled))
    enable_own_plugin()
    templates = resources.files("bot.reports").joinpath(TEMPLATES)
    return Datasette(files=[str(database_path)], metadata=metadata, settings={"allow_download": False},
                     template_dir=str(templates))


def serve(config: Config, port: int = DEFAULT_PORT, knowledge: KnowledgeBase | None = None) -> None:
    """Run Datasette on 127.0.0.1 until interrupted (Ctrl-C or SIGTERM)."""
    import uvicorn

    from bot.store.database import open_database

    path = config.database_path
    db = open_database(path)  # create and migrate first, so every table exists
    try:
        store_entry_topics(db, knowledge)  # the one write: the knowledge base's topics, for the overview
    finally:
        db.conn.close()
    datasette = build_datasette(path, review_metadata(path.stem, config, knowledge))
    logger.info("Serving %s read-only at http://%s:%d/", path, HOST, port)
    uvicorn.run(datasette.app(), host=HOST, port=port, log_level="warning")

"""Every figure of the report, defined once: its SQL, its title and its definition in Norwegian and English.

These numbers go to the municipal council, so every definition is chosen to be honest rather than
flattering. The totals, the months, the targets (and so ``/stats`` and Datasette's "indicators" query),
the report's key figures and its definitions section all read :data:`METRICS`; the README's list of
definitions is checked against it by ``tests/test_metrics.py``.

Only real users count: rows from staff (``is_staff = 1``) and from the terminal chat
(``channel = 'console'``, editors trying the bot) are left out of every figure.
"""

from __future__ import annotations

from dataclasses import dataclass

COUNTED = "i.is_staff = 0 AND i.channel = 'telegram'"
IN_PERIOD = "i.received_at >= :start AND i.received_at < :end"
QUESTION = "i.kind = 'message' AND i.outcome IN ('answered', 'ambiguous', 'fallback', 'handoff')"
# A pick among "did you mean" suggestions, also those of the unsure part of a two-question message.
SUGGESTION_PICK = ("EXISTS (SELECT 1 FROM inquiries p WHERE p.id = i.parent_id AND (p.outcome = 'ambiguous' "
                   "OR EXISTS (SELECT 1 FROM json_each(p.suggested) s WHERE s.value = i.entry_id)))")
CARD_SHOWN = "i.outcome = 'answered' AND i.entry_id IS NOT NULL"
CARD_OPENED = f"i.kind = 'button' AND {CARD_SHOWN} AND NOT {SUGGESTION_PICK}"
# Answer cards shown, one row each: a message answered in parts showed a card per answered part
# (``inquiry_parts``), each counted under its own entry, ``CARD_ENTRY``; any other card is its row's entry.
CARD_PARTS = "LEFT JOIN inquiry_parts ip ON ip.inquiry_id = i.id AND ip.outcome = 'answered'"
CARDS = f"FROM inquiries i {CARD_PARTS} WHERE {COUNTED} AND {IN_PERIOD} AND {CARD_SHOWN}"
CARD_ENTRY = "coalesce(ip.entry_id, i.entry_id)"
INQUIRY = f"(({QUESTION}) OR ({CARD_OPENED}))"
NONE_OF_THESE = "i.kind = 'button' AND i.outcome = 'fallback' AND i.parent_id IS NOT NULL"
# Not correlated, so SQLite collects the picked suggestions once instead of once per ambiguous question.
PICKED = ("i.id IN (SELECT c.parent_id FROM inquiries c "
          "WHERE c.outcome = 'answered' AND c.kind = 'button' AND c.entry_id IS NOT NULL)")
# An unknown part (``ip``, a row of ``inquiry_parts``) of a message that is not itself "I don't know":
# the other part was answered, so the message counts as answered and only its part is unanswered.
UNANSWERED_PART = f"ip.outcome = 'fallback' AND {QUESTION} AND i.outcome != 'fallback'"
UNANSWERED_PARTS = ("coalesce(sum((SELECT count(*) FROM inquiry_parts ip WHERE ip.inquiry_id = i.id "
                    f"AND {UNANSWERED_PART})), 0)")
HANDOFFS_COUNTED = (
    "h.opened_at >= :start AND h.opened_at < :end "
    f"AND (i.id IS NULL OR ({COUNTED}))"
)


@dataclass(frozen=True)
class Source:
    """The rows a metric aggregates, for the period ``:start``–``:end``, and the UTC time that places a row.

    ``time`` is turned into an Oslo month by :func:`bot.clock.oslo_time_sql` for ``by_month``.
    """

    name: str
    rows: str
    time: str


INQUIRIES = Source("inquiries", f"FROM inquiries i WHERE {COUNTED} AND {IN_PERIOD}", "i.received_at")
HANDOFFS = Source(
    "handoffs",
    f"FROM handoffs h LEFT JOIN inquiries i ON i.id = h.inquiry_id WHERE {HANDOFFS_COUNTED}",
    "h.opened_at",
)
# Votes count in the period of the inquiry they rate.
FEEDBACK = Source(
    "feedback",
    f"FROM feedback f JOIN inquiries i ON i.id = f.inquiry_id WHERE {COUNTED} AND {IN_PERIOD}",
    "i.received_at",
)


@dataclass(frozen=True)
class Metric:
    """One figure: an SQL aggregate over its ``source``, and what the report calls and says about it.

    ``title`` and ``definition`` are (nb, en). A ``part_of`` figure is a row under another one in the
    key figures, so its title starts with "– ". ``in_totals`` figures are the report's ``totals``,
    ``monthly`` ones its ``by_month``; ``key_figure`` ones are rows of the report's key figures.
    """

    name: str
    sql: str
    title: tuple[str, str]
    definition: tuple[str, str]
    source: Source = INQUIRIES
    share: bool = False
    in_totals: bool = True
    monthly: bool = False
    key_figure: bool = True
    part_of: str | None = None


def _outcome(outcome: str) -> str:
    return f"count(*) FILTER (WHERE {INQUIRY} AND i.outcome = '{outcome}')"


# In the order of the report's key figures.
METRICS: tuple[Metric, ...] = (
    Metric("inquiries", f"count(*) FILTER (WHERE {INQUIRY})", monthly=True, title=("Henvendelser", "Inquiries"),
           definition=("Et spørsmål skrevet som tekst, eller et svar åpnet med en knapp i menyen eller under et svar; "
                       "kommandoer, menyvalg, 👍/👎, bilder, hilsener og takk er ikke henvendelser, og heller ikke et "
                       "valg blant «mente du …?»-forslagene eller «ingen av disse», som avslutter et spørsmål som alt "
                       "er talt.",
                       "A question typed as text, or an answer opened with a menu or related-topic button; commands, "
                       "menu navigation, 👍/👎, photos, greetings and thanks are not inquiries, and neither is picking "
                       "a \"did you mean…?\" suggestion or \"none of these\", which settles a question already "
                       "counted.")),
    Metric("questions", f"count(*) FILTER (WHERE {QUESTION})", part_of="inquiries",
           title=("– spørsmål skrevet som tekst", "– questions typed as text"),
           definition=("Henvendelser skrevet som fritekst, hva boten enn svarte.",
                       "Inquiries typed as free text, whatever the bot answered.")),
    Metric("cards_opened", f"count(*) FILTER (WHERE {CARD_OPENED})", part_of="inquiries",
           title=("– svar åpnet fra menyen", "– answers opened from the menu"),
           definition=("Henvendelser der brukeren åpnet et svar med en knapp i emnemenyen eller under et annet svar.",
                       "Inquiries where the user opened an answer with a button in the topic menu or under another "
                       "answer.")),
    Metric("unique_users", f"count(DISTINCT CASE WHEN {INQUIRY} THEN i.user_ref END)", monthly=True,
           title=("Unike brukere", "Unique users"),
           definition=("Ulike pseudonymer blant henvendelsene; /forget og sletting etter oppbevaringstiden fjerner "
                       "pseudonymet, så for eldre perioder er tallet et minimum.",
                       "Distinct pseudonyms among the inquiries; /forget and the retention purge erase pseudonyms, so "
                       "for periods older than privacy.retention_days this is a minimum.")),
    Metric("answered", _outcome("answered"), monthly=True, title=("Besvart av boten", "Answered by the bot"),
           definition=("Henvendelser boten svarte sikkert på med et svar fra kunnskapsbasen, svar åpnet med en knapp "
                       "medregnet.",
                       "Inquiries the bot answered confidently with an entry of the knowledge base, answers opened "
                       "with a button included.")),
    Metric("answered_share", f"round(avg(i.outcome = 'answered') FILTER (WHERE {INQUIRY}), 4)", share=True,
           in_totals=False, title=("Andel besvart", "Share answered"),
           definition=("Besvart delt på henvendelser; forslag brukeren siden valgte, telles ikke som besvart.",
                       "Answered divided by inquiries; suggestions the user then picked do not count as answered.")),
    Metric("ambiguous", _outcome("ambiguous"), monthly=True,
           title=("Bare forslag («mente du …?»)", "Only suggestions (\"did you mean…?\")"),
           definition=("Spørsmål boten bare kunne gi «mente du …?»-forslag til.",
                       "Questions to which the bot could only offer \"did you mean…?\" suggestions.")),
    Metric("ambiguous_resolved", f"count(*) FILTER (WHERE ({QUESTION}) AND i.outcome = 'ambiguous' AND {PICKED})",
           part_of="ambiguous", title=("– der brukeren valgte et forslag", "– where the user picked a suggestion"),
           definition=("Spørsmål med bare forslag der brukeren så valgte ett av forslagene.",
                       "Questions with only suggestions where the user then picked one of them.")),
    Metric("none_of_these", f"count(*) FILTER (WHERE {NONE_OF_THESE})", part_of="ambiguous", key_figure=False,
           title=("– der brukeren svarte «ingen av disse»", "– where the user answered \"none of these\""),
           definition=("Ganger en bruker svarte «ingen av disse» på forslagene; de er med blant de ubesvarte "
                       "spørsmålene, men er ikke nye henvendelser.",
                       "Times a user answered \"none of these\" to the suggestions; they are listed among the "
                       "unanswered questions but are not new inquiries.")),
    Metric("fallback", _outcome("fallback"), monthly=True,
           title=("Ikke besvart («vet ikke»)", "Not answered (\"I don't know\")"),
           definition=("Spørsmål boten sa at den ikke kunne svare på.",
                       "Questions the bot said it could not answer.")),
    Metric("to_staff", _outcome("handoff"), title=("Skrevet direkte til ansatte", "Written directly to staff"),
           definition=("Meldinger skrevet direkte til ansatte, det siste av de fire utfallene: henvendelser = besvart "
                       "+ bare forslag + ikke besvart + skrevet til ansatte.",
                       "Messages written directly to staff, the last of the four outcomes: inquiries = answered + "
                       "only suggestions + not answered + written to staff.")),
    Metric("unanswered_parts", UNANSWERED_PARTS,
           title=("Deler uten svar i spørsmål som også fikk svar", "Unanswered parts of questions also answered"),
           definition=("Deler boten ikke visste noe om i en melding som spurte om to ting og fikk svar på den "
                       "andre; meldingen er talt som besvart, og delen står blant de ubesvarte spørsmålene.",
                       "Parts the bot knew nothing about in a message that asked two things and got an answer to "
                       "the other; the message counts as answered, and the part is listed among the unanswered "
                       "questions.")),
    Metric("handoffs", "count(*)", source=HANDOFFS, monthly=True,
           title=("Sendt videre til ansatte", "Passed on to staff"),
           definition=("Spørsmål sendt videre til en person i perioden, til ansattes chat eller, uten en slik chat, "
                       "med kontaktinformasjonen vist.",
                       "Questions passed on to a person in the period, to the staff chat or, without one, by showing "
                       "the contact details.")),
    Metric("handoffs_answered", "count(h.first_answered_at)", source=HANDOFFS, in_totals=False, key_figure=False,
           title=("Besvart av ansatte", "Answered by staff"),
           definition=("Spørsmål sendt videre i perioden som en ansatt har svart på.",
                       "Questions passed on in the period that a member of staff has answered.")),
    Metric("satisfaction", "round(avg(f.value > 0), 4)", source=FEEDBACK, share=True, in_totals=False,
           title=("Andel fornøyde (👍)", "Share satisfied (👍)"),
           definition=("Andel 👍 av alle 👍/👎 gitt på periodens henvendelser; tomt uten stemmer.",
                       "Share of 👍 among the 👍/👎 given on the period's inquiries; none without votes.")),
    Metric("smalltalk", "count(*) FILTER (WHERE i.outcome = 'smalltalk')",
           title=("Hilsener og takk (ikke talt som henvendelser)", "Greetings and thanks (not counted)"),
           definition=("Hilsener og takk boten svarte på, talt for seg og ikke som henvendelser.",
                       "Greetings and thanks the bot replied to, counted on their own and not as inquiries.")),
    Metric("without_pseudonym", f"count(*) FILTER (WHERE {INQUIRY} AND i.user_ref IS NULL)",
           title=("Henvendelser uten pseudonym (slettet)", "Inquiries without pseudonym (erased)"),
           definition=("Henvendelser der pseudonymet er slettet (/forget eller sletting etter oppbevaringstiden), så "
                       "de ikke kan knyttes til en bruker.",
                       "Inquiries whose pseudonym was erased (/forget or the retention purge), so they cannot be "
                       "attributed to a user.")),
    Metric("dropped_by_flood_control", "count(*) FILTER (WHERE i.outcome = 'flood')",
           title=("Meldinger stoppet av flomvern (for mange på kort tid)",
                  "Messages dropped by flood control (too many too fast)"),
           definition=("Meldinger og knappetrykk boten lot være å svare på fordi brukeren sendte for mange på kort "
                       "tid; de er logget uten tekst og er ikke henvendelser.",
                       "Messages and button presses the bot did not answer because the user sent too many too fast; "
                       "they are logged without their text and are not inquiries.")),
    Metric("unreadable_updates", "count(*) FILTER (WHERE i.outcome = 'invalid')",
           title=("Oppdateringer som ikke kunne leses", "Updates that could not be read"),
           definition=("Oppdateringer fra Telegram som ikke kunne leses, talt én gang hver og ikke som henvendelser.",
                       "Updates from Telegram that could not be read, counted once each and not as inquiries.")),
)

BY_NAME: dict[str, Metric] = {metric.name: metric for metric in METRICS}
SHARES = tuple(metric.name for metric in METRICS if metric.share)


def text(pair: tuple[str, str], lang: str) -> str:
    """The Norwegian (``nb``, the default) or English half of a title or definition."""
    return pair[0 if lang == "nb" else 1]


def term(metric: Metric, lang: str) -> str:
    """The title that stands on its own: a part's title follows its whole's ("Henvendelser – spørsmål …")."""
    title = text(metric.title, lang)
    return f"{text(BY_NAME[metric.part_of].title, lang)} {title}" if metric.part_of else title


def columns(metrics: list[Metric]) -> str:
    """``metric.sql AS metric.name`` for each metric, for one ``SELECT`` over their common source."""
    return ", ".join(f"{metric.sql} AS {metric.name}" for metric in metrics)

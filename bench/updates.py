"""Updates per second through the real Telegram application, with the inquiry log on disk.

Many simulated users talk to the bot built by ``handlers.app.build_application``: /start and other
commands, questions that get an answer, a "did you mean" or an honest "I don't know" (taken from the
project's test questions), and presses of the buttons the bot actually sent them — topics, entries,
👍/👎, suggestions, language and profile. Every update goes through ``Application.process_update``
with the offline Bot API of the handler tests (tests/offline.py: no network, no rate limiter), and
every inquiry is written to a real SQLite file in WAL mode in a temporary folder. One process, one
thread (``--pin`` pins it to one CPU). Each update is timed from ``Update.de_json`` to the end of
``process_update``, in wall-clock and in CPU time; the goal (≥ 1,500 updates per CPU-second) is
judged on CPU time, ``updates_per_cpu_s``.

The users ask the project's test questions, so most questions have been asked before and the
matcher's cache of recent texts answers them. A second timed pass of as many updates makes every
question new to the matcher: before each question (outside the timed part) the caches keyed by whole
texts are emptied, as ``/forget`` empties them; its figures are ``updates_per_cpu_s_new`` and ``new_questions``.

Usage: python bench/updates.py [--quick] [--json] [--updates N] [--users N] [--dir FOLDER] [--no-new-questions]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update

from bench.common import emit, eval_questions, machine, machine_line, percentile, shipped_config, table
from bench.profiling import own_time_by_package, top_functions
from tests.offline import OfflineRequest, Users, config_for, offline_application

TARGET_UPDATES_PER_S = 1_000  # the old wall-clock target, still reported
TARGET_UPDATES_PER_CPU_S = 1_500  # the throughput goal, judged on CPU time (waiting for the disk or a CPU excluded)
TELEGRAM_LIMIT_PER_S = 30  # messages per second one bot may send (Telegram's bot FAQ)
QUESTION_MIX = {"answered": 0.55, "smalltalk": 0.05, "ambiguous": 0.2, "fallback": 0.2}
ACTION_MIX = {"question": 0.5, "button": 0.35, "command": 0.15}
COMMANDS = ("/help", "/topics", "/privacy", "/language", "/start")
# Buttons a user may press; "talk to a person" and "delete my data" start other flows.
# What --profile lists function by function: the core, the adapter and the library under it.
PROFILED_PACKAGES = ("bot", "handlers", "telegram")
BUTTON_KINDS = {"t": "topic", "e": "entry", "f": "feedback", "n": "none of these", "m": "menu",
                "p": "profile", "l": "language"}


class Simulation:
    """Users who each remember the buttons of the last message the bot sent them."""

    def __init__(self, questions: dict[str, list[str]], users: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.questions = {outcome: texts for outcome, texts in questions.items() if texts}
        self.payloads = Users()
        self.user_ids = [100_000 + index for index in range(users)]
        self.langs = {user: "en" if index % 3 == 0 else "nb" for index, user in enumerate(self.user_ids)}
        self.started: set[int] = set()
        self.buttons: dict[int, list[str]] = defaultdict(list)

    def next(self) -> tuple[str, int, dict[str, Any]]:
        """(kind, user id, update payload) of the next update."""
        user = self.rng.choice(self.user_ids)
        lang = self.langs[user]
        if user not in self.started:
            self.started.add(user)
            return "command", user, self.payloads.message("/start", user_id=user, lang=lang)
        action = self._weighted(ACTION_MIX)
        if action == "button" and self.buttons[user]:
            data = self.rng.choice(self.buttons[user])
            return f"button: {BUTTON_KINDS[data[0]]}", user, self.payloads.press(data, user_id=user, lang=lang)
        if action == "command":
            return "command", user, self.payloads.message(self.rng.choice(COMMANDS), user_id=user, lang=lang)
        outcome = self._weighted({key: weight for key, weight in QUESTION_MIX.items() if key in self.questions})
        text = self.rng.choice(self.questions[outcome])
        return f"question: {outcome}", user, self.payloads.message(text, user_id=user, lang=lang)

    def saw(self, user: int, request: OfflineRequest, first_call: int) -> None:
        """Remember the pressable buttons of the last message the bot sent or edited for ``user``."""
        for endpoint, parameters in reversed(request.calls[first_call:]):
            if endpoint in ("sendMessage", "editMessageText") and parameters.get("chat_id") == user:
                buttons = request.buttons(parameters)
                if buttons:
                    self.buttons[user] = [data for _, data in buttons if data[:1] in BUTTON_KINDS]
                return

    def _weighted(self, weights: dict[str, float]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]


def pin_to_one_cpu() -> int | None:
    """Run on one core, as the target says; None where the OS cannot pin."""
    try:
        cpu = sorted(os.sched_getaffinity(0))[-1]
        os.sched_setaffinity(0, {cpu})
        return cpu
    except (AttributeError, OSError):
        return None


async def run(
    updates: int, users: int, warmup: int, folder: Path, seed: int, synchronous: str | None = None,
    profiler: cProfile.Profile | None = None, new_questions: bool = True,
) -> dict[str, Any]:
    """Warm up, time ``updates`` updates (and as many with every question new), then count the SQL of some more."""
    config = config_for(folder, shipped_config(), flood__max_messages=10**9)  # flood control runs, never stops
    application, request = offline_application(config)
    async with application:
        await application.post_init(application)  # type: ignore[misc]
        services = application.bot_data.services
        if synchronous:  # an experiment: how much of an update is the commit's fsync
            services.db.execute(f"pragma synchronous = {synchronous}")
        simulation = Simulation(question_pools(services.engines.engine), users, seed)
        api_calls: Counter[str] = Counter()

        async def feed(count: int, new: bool = False) -> tuple[dict[str, list[float]], float]:
            """Wall-clock µs per update by kind, and the CPU µs of them all; ``new``: every question unseen."""
            latencies: dict[str, list[float]] = defaultdict(list)
            cpu_us = 0.0
            clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns
            for _ in range(count):
                kind, user, payload = simulation.next()
                if new and kind.startswith("question"):
                    services.engines.engine.matcher.forget_texts()
                first_call = len(request.calls)
                cpu_started, started = cpu_clock(), clock()
                await application.process_update(Update.de_json(payload, application.bot))
                latencies[kind].append((clock() - started) / 1000)
                cpu_us += (cpu_clock() - cpu_started) / 1000
                simulation.saw(user, request, first_call)
                # The offline Bot API keeps every call for the tests' assertions; a running bot keeps
                # none, and 40,000 kept calls would make each of Python's full collections walk them.
                api_calls.update(endpoint for endpoint, _ in request.calls)
                request.calls.clear()
                request.results.clear()
            return latencies, cpu_us

        await feed(warmup)
        if profiler is not None:
            profiler.enable()
        wall_started = time.perf_counter()
        latencies, cpu_us = await feed(updates)
        wall = time.perf_counter() - wall_started
        new_pass = await feed(updates, new=True) if new_questions else None
        if profiler is not None:
            profiler.disable()
        # Counted after the timed updates, so the trace callback costs them nothing.
        statements: Counter[str] = Counter()
        services.db.conn.set_trace_callback(lambda sql: statements.update([sql.split(None, 1)[0].upper()]))
        counted = max(1, updates // 10)
        await feed(counted)
        services.db.conn.set_trace_callback(None)
        database = database_figures(services)
        database["sql_per_update"] = {verb: round(n / counted, 1) for verb, n in statements.most_common()}
        await application.post_shutdown(application)  # type: ignore[misc]
    all_latencies = [value for values in latencies.values() for value in values]
    new = pass_figures(*new_pass) if new_pass is not None else None
    return {
        **pass_figures(latencies, cpu_us),
        "updates_per_s_wall": round(len(all_latencies) / wall, 1),
        "updates_per_cpu_s_new": new["updates_per_cpu_s"] if new else None,
        "new_questions": new,
        "warmup_updates": warmup,
        "processed_updates": warmup + updates * (2 if new_pass is not None else 1) + counted,
        "users": users,
        "bot_api_calls": dict(api_calls.most_common()),
        "database": {**database, "path": str(config.database_path),
                     "size_kb": round(config.database_path.stat().st_size / 1024, 1)},
    }


def pass_figures(latencies: dict[str, list[float]], cpu_us: float) -> dict[str, Any]:
    """Throughput and latencies of one timed pass."""
    all_latencies = [value for values in latencies.values() for value in values]
    return {
        "updates": len(all_latencies),
        "updates_per_s": round(len(all_latencies) / (sum(all_latencies) / 1e6), 1),
        "updates_per_cpu_s": round(len(all_latencies) / (cpu_us / 1e6), 1),
        "cpu_us_per_update": round(cpu_us / len(all_latencies), 1),
        "p50_us": round(percentile(all_latencies, 50), 1),
        "p99_us": round(percentile(all_latencies, 99), 1),
        "by_kind": {
            kind: {"count": len(values), "p50_us": round(percentile(values, 50), 1),
                   "p99_us": round(percentile(values, 99), 1)}
            for kind, values in sorted(latencies.items())
        },
    }


def question_pools(engine: Any) -> dict[str, list[str]]:
    """The test questions grouped by the outcome the engine gives them."""
    pools: dict[str, list[str]] = defaultdict(list)
    for question in eval_questions():
        pools[engine.answer(question.q).outcome].append(question.q)
    return dict(pools)


def database_figures(services: Any) -> dict[str, Any]:
    """What the inquiry log holds after the run, and how the database is set up."""
    db = services.db

    def one(sql: str) -> Any:
        return db.execute(sql).fetchone()[0]

    return {
        "journal_mode": db.journal_mode,
        "synchronous": one("pragma synchronous"),
        "inquiries_rows": one("select count(*) from inquiries"),
        "feedback_rows": one("select count(*) from feedback"),
        "users_rows": one("select count(*) from users"),
        "pending_rows": services.log.pending,
        "logged_outcomes": dict(db.execute("select outcome, count(*) from inquiries group by outcome").fetchall()),
    }


def report(result: dict[str, Any]) -> str:
    database = result["database"]
    kinds = [[kind, figures["count"], figures["p50_us"], figures["p99_us"]]
             for kind, figures in result["by_kind"].items()]
    kinds.append(["all updates", result["updates"], result["p50_us"], result["p99_us"]])
    met = result["updates_per_cpu_s"] >= TARGET_UPDATES_PER_CPU_S
    met_wall = result["updates_per_s"] >= TARGET_UPDATES_PER_S
    pinned = f", pinned to CPU {result['cpu']}" if result["cpu"] is not None else ""
    new = result["new_questions"]
    counted = (result["processed_updates"] - result["updates"] - result["warmup_updates"]
               - (new["updates"] if new else 0))
    new_lines = [
        "",
        f"Every question new (a second pass of {new['updates']:,} updates; the matcher's caches of whole texts "
        "emptied before each question, outside the timed part):",
        table(["update", "count", "p50 µs", "p99 µs"],
              [[kind, figures["count"], figures["p50_us"], figures["p99_us"]]
               for kind, figures in new["by_kind"].items() if kind.startswith("question")]
              + [["all updates", new["updates"], new["p50_us"], new["p99_us"]]]),
        f"CPU time          {new['cpu_us_per_update']:,.0f} µs per update = {new['updates_per_cpu_s']:,.0f} "
        f"updates per CPU-second: "
        f"{'met' if new['updates_per_cpu_s'] >= TARGET_UPDATES_PER_CPU_S else 'NOT met'}",
    ] if new else []
    return "\n".join([
        "Updates through Application.process_update (offline Bot API, no rate limiter), inquiry log in SQLite"
        + (" (--quick)" if result["quick"] else ""),
        f"{result['updates']:,} timed updates from {result['users']:,} users after {result['warmup_updates']} "
        f"warm-up updates; one process, one thread{pinned}; database {database['journal_mode']} mode, "
        f"synchronous={database['synchronous']} (0 off, 1 normal, 2 full), {database['path']}",
        "",
        table(["update", "count", "p50 µs", "p99 µs"], kinds),
        "",
        f"throughput        {result['updates_per_s']:,.0f} updates/s (time inside de_json + process_update); "
        f"{result['updates_per_s_wall']:,.0f} updates/s wall clock incl. the simulated users",
        f"CPU time          {result['cpu_us_per_update']:,.0f} µs per update = {result['updates_per_cpu_s']:,.0f} "
        "updates per CPU-second (the rest of an update's time is waiting: fsync, other processes)",
        f"target            ≥ {TARGET_UPDATES_PER_CPU_S:,} updates per CPU-second: {'met' if met else 'NOT met'} "
        f"(wall clock ≥ {TARGET_UPDATES_PER_S:,} updates/s on one core: {'met' if met_wall else 'NOT met'})",
        *new_lines,
        "",
        f"Telegram's limit  {result['telegram_limit_ratio']:.0f}× Telegram's ~{TELEGRAM_LIMIT_PER_S} messages/s "
        "per bot",
        f"inquiry log       {database['inquiries_rows']:,} rows for {result['processed_updates']:,} "
        f"updates ({database['pending_rows']} queued in memory), {database['feedback_rows']:,} feedback rows, "
        f"{database['users_rows']:,} users, {database['size_kb']:,.0f} kB; outcomes {database['logged_outcomes']}",
        f"SQL per update    {database['sql_per_update']} (counted over {counted:,} further updates)",
        f"Bot API calls     {result['bot_api_calls']}",
        *(["", "Own time by package (--profile: cProfile on, so the throughput above is lower than without):",
           table(["package", "share"], [[package, f"{share:.1%}"] for package, share in
                                        list(result["profile_own_time"].items())[:12]]),
           "", "Functions of the bot, its adapter and python-telegram-bot with the most cumulative time (shares "
               "of all profiled time):",
           table(["function", "calls", "cumulative", "own"],
                 [[row["function"], row["calls"], f"{row['cumulative_share']:.1%}", f"{row['own_share']:.1%}"]
                  for row in result["profile_functions"]])]
          if result.get("profile_own_time") else []),
        "",
        machine_line(),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="400 updates from 40 users")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--updates", type=int, help="timed updates (default 20,000; quick 400)")
    parser.add_argument("--users", type=int, help="simulated users (default 2,000; quick 40)")
    parser.add_argument("--dir", type=Path, help="folder for the temporary database (default: the system's temp)")
    parser.add_argument("--synchronous", choices=("OFF", "NORMAL", "FULL"),
                        help="override SQLite's synchronous setting, to see what the commits' fsync costs")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the timed updates and show the own time by package (slows it down)")
    parser.add_argument("--pin", action="store_true",
                        help="pin the process to one CPU (it uses one anyway: asyncio, SQLite in-process)")
    parser.add_argument("--no-new-questions", action="store_true",
                        help="leave out the second pass, in which every question is new to the matcher")
    parser.add_argument("--seed", type=int, default=2013)
    args = parser.parse_args(argv)
    for name in ("NAERINGSBOT_DATABASE", "NAERINGSBOT_CONFIG"):
        os.environ.pop(name, None)  # the benchmark's own temporary database, whatever the shell says
    updates = args.updates or (400 if args.quick else 20_000)
    users = args.users or (40 if args.quick else 2_000)
    cpu = pin_to_one_cpu() if args.pin else None
    folder = Path(tempfile.mkdtemp(prefix="naeringsbot-bench-", dir=args.dir))
    try:
        profiler = cProfile.Profile() if args.profile else None
        result = asyncio.run(run(updates, users, min(200, updates // 4), folder, args.seed, args.synchronous,
                                 profiler, not args.no_new_questions))
        if profiler is not None:
            result["profile_own_time"] = own_time_by_package(profiler)
            result["profile_functions"] = top_functions(profiler, PROFILED_PACKAGES, top=20)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result.update(
        quick=args.quick,
        cpu=cpu,
        target_updates_per_s=TARGET_UPDATES_PER_S,
        target_updates_per_cpu_s=TARGET_UPDATES_PER_CPU_S,
        target_met=result["updates_per_cpu_s"] >= TARGET_UPDATES_PER_CPU_S,
        target_met_new=(result["updates_per_cpu_s_new"] >= TARGET_UPDATES_PER_CPU_S
                        if result["updates_per_cpu_s_new"] is not None else None),
        target_met_wall=result["updates_per_s"] >= TARGET_UPDATES_PER_S,
        telegram_limit_ratio=round(result["updates_per_s"] / TELEGRAM_LIMIT_PER_S, 1),
        machine=machine(),
    )
    emit(result, args.json, report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

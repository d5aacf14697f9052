"""Start-up to ready: from starting ``python -m bot chat`` to its answer of a first question.

Each run starts a fresh ``python -m bot chat`` (the shipped config and knowledge base, a temporary
database) with the question already waiting on its piped stdin and unbuffered stdout, and times
from spawning the process to the line that answers the question: interpreter start, imports,
config, loading the knowledge base, building the matcher, opening the database, then the answer.
At that line the process's CPU time so far (user + system, all threads, ``/proc/PID/stat``, 10 ms
ticks) is read too; then stdin is closed and the process exits (``exit_*``: the whole run).
``startup_s`` is the median wall clock over the runs, ``startup_cpu_s`` the median CPU time to the
answer (what counts on a shared machine, and what the target is judged on).

A second, in-process pass (``phases``) times the steps one by one in another fresh process, in CPU
time: ``import bot.cli.serve``, ``read_config``, ``load_engines`` (knowledge base + matcher) split into
loading and building, and ``build_services``.

Usage: python bench/startup.py [--quick] [--json] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, emit, machine, machine_line, table, verdict

TARGET_STARTUP_S = 1.0
QUESTION = "Hvordan starter jeg en bedrift?"
TIMEOUT_S = 60


def _environment(folder: Path) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("NAERINGSBOT_CONFIG", "NAERINGSBOT_DATABASE")}
    environment.update(NAERINGSBOT_DATABASE=str(folder / "inquiries.db"), PYTHONUNBUFFERED="1")
    return environment


def one_run(folder: Path) -> dict[str, float]:
    """Seconds from spawning ``python -m bot chat`` to its answer, and the process's CPU seconds."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat"], cwd=ROOT, env=_environment(folder),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(QUESTION + "\n")
    process.stdin.flush()
    ready = ready_cpu = None
    for line in process.stdout:  # the welcome line, then "> " followed by the answer's first line
        if line.startswith("> ") and line[2:].strip():
            ready = time.perf_counter() - started
            ready_cpu = _cpu_seconds(process.pid)
            break
    process.stdin.close()
    process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if ready is None or ready_cpu is None or process.returncode != 0:
        raise SystemExit(f"python -m bot chat gave no answer (exit {process.returncode}):\n"
                         f"{process.stderr.read() if process.stderr else ''}")
    if process.stderr:
        process.stderr.close()
    return {"wall_s": ready, "cpu_s": ready_cpu, "exit_wall_s": time.perf_counter() - started,
            "exit_cpu_s": usage.ru_utime + usage.ru_stime}


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a running process, all its threads (``/proc/PID/stat``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime (fields 14, 15)


PHASES_SCRIPT = """
import json, sys, time
clock = time.process_time
result = {}
started = clock()
from bot.cli.serve import read_config, load_engines_or_exit
from bot.services import build_services
result["import_s"] = clock() - started
started = clock(); config = read_config(None); result["read_config_s"] = clock() - started
from bot.knowledge.model import load_knowledge
from bot.engine import AnswerEngine
started = clock(); knowledge = load_knowledge(config.knowledge_dir); result["load_knowledge_s"] = clock() - started
started = clock(); AnswerEngine(knowledge, config.matching); result["build_engine_s"] = clock() - started
del knowledge
started = clock(); engines = load_engines_or_exit(config); result["load_engines_s"] = clock() - started
started = clock(); services = build_services(config, engines); result["build_services_s"] = clock() - started
started = clock(); services.engines.engine.answer(sys.argv[1]); result["first_answer_s"] = clock() - started
services.close()
json.dump({key: round(value, 4) for key, value in result.items()}, sys.stdout)
"""


def phases(folder: Path) -> dict[str, float]:
    """CPU seconds of each start-up step, in a fresh process (``load_engines`` = load + build)."""
    finished = subprocess.run([sys.executable, "-c", PHASES_SCRIPT, QUESTION], cwd=ROOT, env=_environment(folder),
                              capture_output=True, text=True, check=False, timeout=TIMEOUT_S)
    if finished.returncode != 0:
        raise SystemExit(f"the phases pass failed:\n{finished.stderr}")
    result: dict[str, float] = json.loads(finished.stdout)
    return result


def report(result: dict[str, Any]) -> str:
    rows = [[f"run {index + 1}", run["wall_s"], run["cpu_s"], run["exit_wall_s"], run["exit_cpu_s"]]
            for index, run in enumerate(result["runs"])]
    return "\n".join([
        "Start-up to ready: python -m bot chat, from spawning the process to its answer of a first question"
        + (" (--quick)" if result["quick"] else ""),
        "",
        table(["run", "to answer s", "to answer CPU s", "to exit s", "to exit CPU s"], rows),
        "",
        f"startup_s       {result['startup_s']:.3f} s median wall clock (range {result['startup_s_range'][0]:.3f}–"
        f"{result['startup_s_range'][1]:.3f})",
        f"startup_cpu_s   {result['startup_cpu_s']:.3f} s median CPU time (range "
        f"{result['startup_cpu_s_range'][0]:.3f}–{result['startup_cpu_s_range'][1]:.3f})",
        f"target          ≤ {TARGET_STARTUP_S:.1f} s (CPU time): {verdict(result['target_met'])}",
        "",
        "Where the time goes (CPU s, one fresh process; load_engines = load_knowledge + build_engine again):",
        table(["step", "CPU s"], list(result["phases"].items())),
        "",
        machine_line(),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--runs", type=int, help="fresh processes, median taken (default 7; quick 3)")
    args = parser.parse_args(argv)
    count = args.runs or (3 if args.quick else 7)
    folder = Path(tempfile.mkdtemp(prefix="naeringsbot-startup-"))
    try:
        one_run(folder)  # creates the database and its secret, and warms the disk cache
        runs = [one_run(folder) for _ in range(count)]
        steps = phases(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    wall = [run["wall_s"] for run in runs]
    cpu = [run["cpu_s"] for run in runs]
    result = {
        "quick": args.quick,
        "measured": "python -m bot chat: spawn → the line answering a first question, wall clock (startup_s) "
                    "and the process's CPU time up to that line, all threads (startup_cpu_s)",
        "startup_s": round(statistics.median(wall), 4),
        "startup_s_range": [round(min(wall), 4), round(max(wall), 4)],
        "startup_cpu_s": round(statistics.median(cpu), 4),
        "startup_cpu_s_range": [round(min(cpu), 4), round(max(cpu), 4)],
        "runs": [{key: round(value, 4) for key, value in run.items()} for run in runs],
        "phases": steps,
        "target_startup_s": TARGET_STARTUP_S,
        "target_met": statistics.median(cpu) <= TARGET_STARTUP_S,
        "machine": machine(),
    }
    emit(result, args.json, report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the benchmark scripts share: paths, the shipped knowledge base and questions, figures, tables."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as ``python bench/NAME.py``: ``bot`` and ``tests`` live beside ``bench``
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from pydantic import ValidationError  # noqa: E402

from bot.config import Config, load_config  # noqa: E402
from bot.knowledge.evaluation import TestQuestion, load_questions  # noqa: E402

EVAL_DIR = ROOT / "knowledge" / "eval"


def shipped_config() -> Config:
    return load_config(ROOT / "config.yaml")


def eval_files() -> list[Path]:
    """The project's test-question files, in name order."""
    return sorted(EVAL_DIR.glob("*.yaml"))


def questions_in(path: Path) -> list[TestQuestion]:
    """A test-question file, validated by ``kb eval``'s own model.

    Read with libyaml when it is there (``kb eval``'s line-tracking loader takes most of a second
    per file); a malformed file is read again by ``load_questions`` for its file:line message.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        items = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        if isinstance(items, list):
            return [TestQuestion.model_validate(item) for item in items]
    except (yaml.YAMLError, ValidationError):
        pass
    return load_questions(path)


def eval_questions(files: Sequence[Path] | None = None) -> list[TestQuestion]:
    return [question for path in (files or eval_files()) for question in questions_in(path)]


def percentile(values: Sequence[float], percent: float) -> float:
    """Nearest-rank percentile, the same rule ``kb eval`` uses for its latency figures."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(percent / 100 * (len(ordered) - 1))))
    return float(ordered[rank])


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """Where the figures were measured; benchmark figures mean little without it."""
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "code": code_version(),
    }


def code_version() -> dict[str, Any]:
    """The commit measured, and whether the code or knowledge base differed from it (read-only git)."""
    def git(*arguments: str) -> str:
        try:
            finished = subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=False)
        except OSError:
            return ""
        return finished.stdout.strip() if finished.returncode == 0 else ""

    changed = git("status", "--porcelain", "--", "bot", "handlers", "knowledge", "config.yaml")
    return {"commit": git("rev-parse", "--short", "HEAD") or None,
            "uncommitted_changes": len(changed.splitlines())}


def machine_line() -> str:
    info = machine()
    load = ", ".join(f"{value:.2f}" for value in info["load_average"])
    code = info["code"]
    changes = f" + {code['uncommitted_changes']} uncommitted file(s)" if code["uncommitted_changes"] else ""
    return (
        f"machine: {info['nproc']} CPUs, {info['cpu']}, Python {info['python']}, {info['platform']}; "
        f"load average {load} (other work on the machine makes the figures noisier); "
        f"code: commit {code['commit']}{changes}"
    )


def peak_rss_mb() -> float:
    """This process's peak resident set size (VmHWM), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    cells = [[str(header) for header in headers], *[[_cell(value) for value in row] for row in rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(
            value.ljust(width) if column == 0 else value.rjust(width)
            for column, (value, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def emit(result: dict[str, Any], as_json: bool, text: str) -> None:
    """Exactly one JSON object on stdout with ``--json``; the readable report otherwise."""
    if as_json:
        json.dump(result, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(text)

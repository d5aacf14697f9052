"""The service definitions in deploy/: a valid systemd unit and a container definition whose paths exist."""

from __future__ import annotations

import configparser
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "naeringsbot.service"
CONTAINERFILE = DEPLOY / "Containerfile"


def unit_sections() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string(UNIT.read_text("utf-8"))
    return parser


def test_the_systemd_unit_runs_the_bot_unprivileged_and_hardened() -> None:
    unit = unit_sections()
    service = unit["Service"]
    assert service["ExecStart"].endswith("/naeringsbot run")
    assert service["User"] not in ("", "root", "0")
    assert service["Restart"] == "on-failure"
    assert service["EnvironmentFile"].startswith("/etc/")
    assert "0600" in UNIT.read_text("utf-8")  # the environment file's mode is documented where it is used
    assert service["WorkingDirectory"] and service["StateDirectory"] == "naeringsbot"
    assert service["ProtectSystem"] == "strict"
    assert "/var/lib/naeringsbot" in service["ReadWritePaths"].split()
    assert "Environment=NAERINGSBOT_DATABASE=/var/lib/naeringsbot/" in UNIT.read_text("utf-8")
    for option in ("NoNewPrivileges", "PrivateTmp", "ProtectHome"):
        assert service[option] == "true", option
    assert unit["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    # The unit names the installed path; point it at this checkout's console script so verify can check it.
    executable = Path(sys.executable).with_name("naeringsbot")
    if not executable.exists():
        pytest.skip("the naeringsbot console script is not installed in this environment")
    text = re.sub(r"^ExecStart=\S+", f"ExecStart={executable}", UNIT.read_text("utf-8"), flags=re.MULTILINE)
    unit = tmp_path / "naeringsbot.service"
    unit.write_text(text, "utf-8")
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "naeringsbot.service" not in result.stderr, result.stderr  # no warning about this unit


def containerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments left out."""
    logical: list[str] = []
    pending = ""
    for line in CONTAINERFILE.read_text("utf-8").splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    assert not pending, "the Containerfile ends in a continuation line"
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in logical]


def test_the_container_starts_from_an_official_slim_python_image() -> None:
    instructions = containerfile_instructions()
    assert instructions[0][0] == "FROM"
    assert re.fullmatch(r"(docker\.io/(library/)?)?python:3\.\d+-slim(-\w+)?", instructions[0][1].split()[0])


def test_every_path_the_container_copies_exists_in_the_repository() -> None:
    copies = [arguments for name, arguments in containerfile_instructions() if name in ("COPY", "ADD")]
    assert copies
    for arguments in copies:
        words = [word for word in arguments.split() if not word.startswith("--")]
        for source in words[:-1]:
            assert (ROOT / source).exists(), f"the Containerfile copies {source}, which is not in the repository"


def test_the_container_runs_as_a_user_other_than_root_with_the_data_on_a_volume() -> None:
    instructions = containerfile_instructions()
    users = [arguments for name, arguments in instructions if name == "USER"]
    assert users, "the container must switch to an unprivileged user"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert [name for name, _ in instructions].index("USER") < [name for name, _ in instructions].index("CMD")
    volumes = [arguments for name, arguments in instructions if name == "VOLUME"]
    data = json.loads(volumes[-1])[0] if volumes[-1].startswith("[") else volumes[-1].split()[0]
    environment = " ".join(arguments for name, arguments in instructions if name == "ENV")
    assert f"NAERINGSBOT_DATABASE={data}/" in environment  # the database, and secret.key beside it, on the volume


def test_the_container_has_a_health_check_and_runs_the_bot() -> None:
    instructions = dict(containerfile_instructions())
    assert "naeringsbot" in instructions["HEALTHCHECK"] and "CMD" in instructions["HEALTHCHECK"]
    assert json.loads(instructions["CMD"]) == ["naeringsbot", "run"]
    install = [arguments for name, arguments in containerfile_instructions()
               if name == "RUN" and "pip install" in arguments]
    assert install and "pip install ." in install[0]


def test_the_environment_example_names_every_secret_and_no_value() -> None:
    example = (DEPLOY / "naeringsbot.env.example").read_text("utf-8")
    settings = dict(line.split("=", 1) for line in example.splitlines() if line and not line.startswith("#"))
    assert settings == {"TELEGRAM_BOT_TOKEN": "", "NAERINGSBOT_SECRET": ""}
    assert "0600" in example


def healthcheck_command() -> list[str]:
    arguments = dict(containerfile_instructions())["HEALTHCHECK"]
    command: list[str] = json.loads(arguments.split("CMD", 1)[1])
    return command


def container_environment() -> dict[str, str]:
    words = " ".join(arguments for name, arguments in containerfile_instructions() if name == "ENV").split()
    return dict(word.split("=", 1) for word in words if "=" in word)


def test_the_container_health_check_is_doctor_live_and_the_heartbeat_is_on_the_volume() -> None:
    from bot.config import Config
    from bot.health import heartbeat_path

    assert healthcheck_command() == ["naeringsbot", "doctor", "--live"]
    database = container_environment()["NAERINGSBOT_DATABASE"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NAERINGSBOT_DATABASE", database)
        assert heartbeat_path(Config()) == Path("/data/heartbeat")


def test_the_heartbeat_of_the_systemd_unit_is_in_a_path_the_hardened_service_may_write() -> None:
    from bot.config import Config
    from bot.health import heartbeat_path

    service = unit_sections()["Service"]
    prefix = "Environment=NAERINGSBOT_DATABASE="
    lines = UNIT.read_text("utf-8").splitlines()
    (database,) = [line.removeprefix(prefix) for line in lines if line.startswith(prefix)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NAERINGSBOT_DATABASE", database)
        heartbeat = heartbeat_path(Config())
    assert any(heartbeat.is_relative_to(path) for path in service["ReadWritePaths"].split())
    assert "doctor --live" in UNIT.read_text("utf-8")  # how to monitor it is documented where it is installed


@pytest.mark.parametrize(("poll_age", "status"), [(5, 0), (600, 1), (None, 1)])
def test_the_container_health_check_command_tells_a_polling_bot_from_a_stalled_one(
    tmp_path: Path, poll_age: float | None, status: int
) -> None:
    """The HEALTHCHECK's own command, run here as the container would run it (no image needed)."""
    import os
    import time

    from bot.store.database import open_database

    executable = Path(sys.executable).with_name("naeringsbot")
    if not executable.exists():
        pytest.skip("the naeringsbot console script is not installed in this environment")
    database = tmp_path / "inquiries.db"
    open_database(database).conn.close()
    if poll_age is not None:
        heartbeat = tmp_path / "heartbeat"
        heartbeat.touch()
        os.utime(heartbeat, (time.time() - poll_age, time.time() - poll_age))
    environment = {**container_environment(), "NAERINGSBOT_DATABASE": str(database),
                   "NAERINGSBOT_CONFIG": str(ROOT / "config.yaml"), "PATH": os.environ.get("PATH", "")}
    command = [str(executable), *healthcheck_command()[1:]]
    result = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=60)
    assert result.returncode == status, result.stdout + result.stderr

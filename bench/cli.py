"""CLI start-up: how long `mwo --help`, `mwo --version`, `mwo list --json` and a few other light
commands take from process start to exit, against `python -c "import typer, rich"` measured in the
same run (issue #15's baseline and targets: `--help` <= 2x, `mwo list` <= 3x).

Every command runs as its own process, as a person or a script runs it, on an empty MWO home (one
untimed warm-up creates the database, so the timed runs open it like any later command does).
Commands are interleaved round by round, so a change of machine load touches them all alike; the
figures are medians. `python -X importtime` then names what the heaviest imports are, by package.
Plain subprocess timing, not hyperfine: nothing to install, and the same figures in any checkout.

    python -m bench cli [--runs 15]
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

RUNS = 15
BASELINE = "import typer, rich"
TYPER_HELP_FLOOR = (
    "import typer\n"
    "app = typer.Typer(add_completion=False)\n"
    "@app.command()\n"
    "def one() -> None:\n"
    "    '''One command.'''\n"
    "@app.command()\n"
    "def two() -> None:\n"
    "    '''Another.'''\n"
    "app(['--help'])\n"
)
"""What any Typer app pays to print its rich --help (typer.rich_utils loads rich.markdown, pygments and
rich.traceback): the floor of `mwo --help` short of giving up Typer's formatted help, which
`TYPER_USE_RICH=0` does (plain Click help, measured too)."""

TARGETS = {"mwo --help": 2.0, "mwo list --json": 3.0}


@dataclass(frozen=True)
class Case:
    label: str
    argv: list[str]
    baseline: bool = False
    env: dict[str, str] = field(default_factory=dict)
    """Set for this case only."""


def _mwo() -> list[str]:
    """The `mwo` console script beside this interpreter, as people run it (else `python -m mwo`)."""
    script = Path(sys.executable).with_name("mwo")
    return [str(script)] if script.exists() else [sys.executable, "-m", "mwo"]


def cases() -> list[Case]:
    py, mwo = sys.executable, _mwo()
    return [
        Case(f'python -c "{BASELINE}"', [py, "-c", BASELINE], baseline=True),
        Case("python -c pass", [py, "-c", "pass"]),
        Case('python -c "import mwo"', [py, "-c", "import mwo"]),
        Case("typer --help, 2-command app", [py, "-c", TYPER_HELP_FLOOR]),
        Case("mwo --help", [*mwo, "--help"]),
        Case("mwo --help, TYPER_USE_RICH=0", [*mwo, "--help"], env={"TYPER_USE_RICH": "0"}),
        Case("mwo --version", [*mwo, "--version"]),
        Case("mwo runs --help", [*mwo, "runs", "--help"]),
        Case("mwo list --json", [*mwo, "list", "--json"]),
        Case("mwo runs --json", [*mwo, "runs", "--json"]),
        Case("mwo secrets list --json", [*mwo, "secrets", "list", "--json"]),
        Case("mwo schedule preview --cron", [*mwo, "schedule", "preview", "--cron", "0 9 * * *", "--json"]),
    ]


def _once(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return seconds


def timed(all_cases: list[Case], runs: int, env: dict[str, str]) -> dict[str, list[float]]:
    """Seconds per run of each case, after one untimed warm-up of each; round-robin order."""
    for case in all_cases:
        _once(case.argv, env | case.env)
    seconds: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        for case in all_cases:
            seconds[case.label].append(_once(case.argv, env | case.env))
    return seconds


_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_offenders(argv: list[str], env: dict[str, str], top: int = 8) -> list[tuple[str, float]]:
    """Seconds of import time by package (mwo by subpackage) under `-X importtime`, largest first:
    each module's own time counted to its package, so a library is not charged for what it imports."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv], env=env, capture_output=True, text=True, check=False
    )
    own: dict[str, float] = defaultdict(float)
    for line in done.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            parts = match.group(4).split(".")
            package = ".".join(parts[:2]) if parts[0] == "mwo" else parts[0]
            own[package] += int(match.group(1)) / 1e6
    return sorted(own.items(), key=lambda item: item[1], reverse=True)[:top]


def report(all_cases: list[Case], seconds: dict[str, list[float]]) -> None:
    base = statistics.median(seconds[next(c.label for c in all_cases if c.baseline)])
    print(f"{'command':34} {'median s':>9} {'min s':>7} {'x baseline':>10}  target")
    for case in all_cases:
        median = statistics.median(seconds[case.label])
        ratio = median / base
        target = TARGETS.get(case.label)
        verdict = f"<= {target:.0f}x: {'met' if ratio <= target else 'NOT met'}" if target else ""
        print(f"{case.label:34} {median:9.3f} {min(seconds[case.label]):7.3f} {ratio:9.1f}x  {verdict}")


def main(options: list[str] | None = None) -> None:
    args = options or []
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else RUNS
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    with tempfile.TemporaryDirectory(prefix="mwo-bench-cli-") as home:
        env = {**os.environ, "MWO_HOME": home, "COLUMNS": "100"}
        all_cases = cases()
        print(f"{runs} runs each, interleaved; load average {load:.2f} at the start, {os.cpu_count()} CPUs")
        seconds = timed(all_cases, runs, env)
        report(all_cases, seconds)
        for label, argv in (
            ("mwo --help", ["-m", "mwo", "--help"]),
            ("mwo list --json", ["-m", "mwo", "list", "--json"]),
        ):
            offenders = ", ".join(f"{name} {s * 1000:.0f} ms" for name, s in import_offenders(argv, env))
            print(f"importtime {label}: {offenders}")
    print(f"load average {os.getloadavg()[0]:.2f} at the end" if hasattr(os, "getloadavg") else "")


if __name__ == "__main__":
    main(sys.argv[1:])

"""CLI start-up: whole-process wall time of the quick commands, next to an empty interpreter.

Each command runs as its own process, with this script's interpreter and the `callcenter`
package this script imports (its parent directory first on PYTHONPATH, the working directory
an empty one: `python -m` puts the working directory first on sys.path):
`python -m callcenter ...` by default, or the `callcenter` console script next to the
interpreter with `--console-script`. Measured: `python -c pass`, `callcenter --version`,
`callcenter --help` and one Erlang C figure
(`erlang --calls 360 --interval 30m --aht 240 --agents 55 --target 20 --json`), the runs
interleaved so that a burst of load on a shared machine hits all of them alike; the median and
the spread (min-max) of `--runs` runs each.

Bytecode: the children keep their compiled modules in a temporary PYTHONPYCACHEPREFIX (and
PYTHONDONTWRITEBYTECODE is dropped for them), after one warm-up run per command, as an
installed package runs; `--no-bytecode-cache` measures the environment as it is (every
project module compiled again on each start when PYTHONDONTWRITEBYTECODE is set).

Bars on this machine: `--version` <= 0.30 s, `erlang` <= 0.50 s.

    python benchmarks/cli_bench.py [--runs 10] [--console-script] [--no-bytecode-cache]

The last line is `RESULT cli_erlang_s=<n> s` (the median of the erlang runs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import callcenter

ERLANG = ("erlang", "--calls", "360", "--interval", "30m", "--aht", "240", "--agents", "55",
          "--target", "20", "--json")
VERSION_BAR_S = 0.30
ERLANG_BAR_S = 0.50


@dataclass(slots=True)
class Case:
    label: str
    argv: list[str]
    bar_s: float | None = None
    times: list[float] = field(default_factory=list)


def run_once(case: Case, env: dict[str, str], cwd: str) -> float:
    """Wall time of one process, seconds; exits naming the command if it fails."""
    started = time.perf_counter()
    result = subprocess.run(case.argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env, cwd=cwd, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{case.label}: exit code {result.returncode}: {result.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--console-script", action="store_true",
                        help="run the `callcenter` script next to the interpreter")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="keep the environment's PYTHONDONTWRITEBYTECODE/PYCACHEPREFIX")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs: expected at least 1")

    if args.console_script:
        script = Path(sys.executable).with_name("callcenter")
        if not script.is_file():
            sys.exit(f"--console-script: no {script} (install the project into this venv)")
        cli, how = [str(script)], f"console script {script}"
    else:
        cli, how = [sys.executable, "-m", "callcenter"], f"{sys.executable} -m callcenter"
    cases = [
        Case("python -c pass", [sys.executable, "-c", "pass"]),
        Case("callcenter --version", [*cli, "--version"], VERSION_BAR_S),
        Case("callcenter --help", [*cli, "--help"]),
        Case("callcenter erlang ... --json", [*cli, *ERLANG], ERLANG_BAR_S),
    ]

    code = Path(callcenter.__file__).resolve().parent
    with tempfile.TemporaryDirectory(prefix="cli-bench-") as scratch:
        pycache, cwd = Path(scratch, "pycache"), Path(scratch, "cwd")
        cwd.mkdir()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code.parent),
                                                          env.get("PYTHONPATH")]))
        if args.no_bytecode_cache:
            bytecode = (f"as the environment has it (PYTHONDONTWRITEBYTECODE="
                        f"{env.get('PYTHONDONTWRITEBYTECODE', '')!r})")
        else:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(pycache)
            bytecode = "cached in a temporary PYTHONPYCACHEPREFIX, after one warm-up run each"
            for case in cases:
                run_once(case, env, str(cwd))
        for _ in range(args.runs):
            for case in cases:
                case.times.append(run_once(case, env, str(cwd)))

    print(f"CLI: {how}; code in {code}")
    print(f"bytecode: {bytecode}; {args.runs} runs each, interleaved")
    print(f"{'command':<30} {'median s':>9} {'min-max s':>13}  bar")
    ok = True
    for case in cases:
        median = statistics.median(case.times)
        spread = f"{min(case.times):.3f}-{max(case.times):.3f}"
        bar = ""
        if case.bar_s is not None:
            met = median <= case.bar_s
            ok = ok and met
            bar = f"<= {case.bar_s:.2f} s {'met' if met else 'MISSED'}"
        print(f"{case.label:<30} {median:>9.3f} {spread:>13}  {bar}".rstrip())
    print("bars met" if ok else "BARS MISSED", file=sys.stderr)
    print(f"RESULT cli_erlang_s={statistics.median(cases[-1].times):.3f} s")


if __name__ == "__main__":
    main()

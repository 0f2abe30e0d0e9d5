"""Starting the command line: lazy imports, one registry of commands, Ctrl-C at any moment.

Start-up times are in ``benchmarks/startup.py``; here, what makes them short: which modules
a command loads.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click
import pytest

from diffcompare.cli import EXIT_INTERRUPTED
from diffcompare.cli.main import SUBCOMMANDS, load

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENT = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
HEAVY = ("numpy", "sympy", "rich", "mpmath")


def at_exit_of_the_script(
    arguments: list[str], value: str, environment: dict[str, str] = ENVIRONMENT
) -> Any:
    """`value` (Python, with gc, json, os and sys imported) as the script's process exits
    after running the command line on `arguments`, through JSON."""
    script = (
        "import atexit, gc, json, os, sys\n"
        f"atexit.register(lambda: sys.__stderr__.write('VALUE ' + json.dumps({value}) + '\\n'))\n"
        "from diffcompare.cli import run\n"
        f"sys.argv = ['diffcompare', *{arguments!r}]\n"
        "run()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, cwd=ROOT
    )
    line = next(ln for ln in done.stderr.splitlines() if ln.startswith("VALUE "))
    return json.loads(line.removeprefix("VALUE "))


def modules_loaded_by(arguments: list[str]) -> set[str]:
    """The modules the command line has loaded when it exits."""
    return set(at_exit_of_the_script(arguments, "sorted(sys.modules)"))


def test_help_loads_no_heavy_module_and_no_command() -> None:
    loaded = modules_loaded_by(["--help"])
    assert not {name for name in loaded if name.split(".")[0] in HEAVY}
    commands = {f"diffcompare.cli{spec.target.split(':')[0]}" for spec in SUBCOMMANDS.values()}
    assert not commands & loaded


def test_version_loads_no_heavy_module() -> None:
    loaded = modules_loaded_by(["--version"])
    assert not {name for name in loaded if name.split(".")[0] in HEAVY}


def test_the_single_command_loads_no_other_command() -> None:
    loaded = modules_loaded_by(["x**2", "--at", "x=1", "--order", "1"])
    assert "diffcompare.cli.compare" in loaded
    assert not {"diffcompare.cli.batch", "diffcompare.cli.grade"} & loaded
    assert not {name for name in loaded if name.startswith("diffcompare.grading")}


def test_a_typo_in_the_expression_is_reported_before_sympy_is_loaded() -> None:
    loaded = modules_loaded_by(["3*x+", "--at", "x=1"])
    assert "diffcompare.cli.compare" in loaded
    assert not {name for name in loaded if name.split(".")[0] in ("sympy", "mpmath")}


def test_importing_the_package_loads_nothing_heavy() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys, diffcompare; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        env=ENVIRONMENT,
        cwd=ROOT,
        check=True,
    )
    loaded = done.stdout
    assert not [name for name in HEAVY if f"'{name}'" in loaded]
    assert "'typing'" not in loaded  # slower to import than the whole package


def test_the_function_compare_wins_over_the_subpackage_of_that_name() -> None:
    import diffcompare
    from diffcompare.compare import comparison as comparison_module

    assert diffcompare.compare is comparison_module.compare
    assert callable(diffcompare.compare)


def test_every_registered_command_loads_under_its_name() -> None:
    for name, spec in SUBCOMMANDS.items():
        command = load(name)
        assert isinstance(command, click.Command)
        assert command.name == name
        assert spec.summary and len(spec.summary) <= 60


def test_help_lists_every_command_with_its_summary() -> None:
    from click.testing import CliRunner

    from diffcompare.cli.main import main

    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name, spec in SUBCOMMANDS.items():
        assert f"{name}  " in result.output and spec.summary in result.output


def interrupt_after(delay: float, arguments: list[str]) -> subprocess.CompletedProcess[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "diffcompare", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENVIRONMENT,
        cwd=ROOT,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


# Python kills itself with SIGINT on exit when the interrupt landed inside exec() (dataclasses
# build their methods that way), after our line is written; a shell reports both as 130.
INTERRUPTED = (EXIT_INTERRUPTED, -signal.SIGINT)


@pytest.mark.parametrize("delay", [0.25, 0.6, 1.5])
def test_ctrl_c_at_any_moment_is_one_line_and_status_130(delay: float) -> None:
    # this order 6 takes seconds: the interrupt lands during the imports or the work
    done = interrupt_after(delay, ["tan(sin(x))**5*exp(cos(x))", "--at", "x=1", "--order", "6"])
    assert done.returncode in INTERRUPTED, done.stderr
    assert done.stderr.strip().splitlines() == ["interrupted"]
    assert "Traceback" not in done.stderr


def test_the_single_command_ends_with_its_objects_out_of_the_collectors_walk() -> None:
    # the interpreter's last collection runs after the atexit functions: by then the command
    # has frozen what it made, so that collection walks nothing of sympy's
    frozen, left = at_exit_of_the_script(
        ["x**2", "--at", "x=1", "--order", "1"], "[gc.get_freeze_count(), len(gc.get_objects())]"
    )
    assert frozen > 40_000  # importing sympy alone makes more than that
    assert left < frozen / 100


def test_a_command_run_in_a_callers_process_leaves_its_collector_alone() -> None:
    # only the script owns its process; a test or a notebook invoking a command keeps its
    # cyclic garbage collectable
    import gc

    from click.testing import CliRunner

    from diffcompare.cli.main import main

    before = gc.get_freeze_count()
    result = CliRunner().invoke(main, ["x**2", "--at", "x=1", "--order", "1"])
    assert result.exit_code == 0, result.output
    assert gc.get_freeze_count() == before


@pytest.mark.parametrize("enabled", [True, False])
def test_importing_the_engines_leaves_the_collector_as_it_found_it(enabled: bool) -> None:
    # in a fresh interpreter, so that the engines are really imported (with the collector
    # paused) rather than found loaded
    script = (
        "import gc, sys\n"
        f"gc.{'enable' if enabled else 'disable'}()\n"
        "from diffcompare.compare.comparison import import_engines\n"
        "runners = import_engines(('symbolic', 'tape'))\n"
        "assert 'sympy' in sys.modules and callable(runners['tape'])\n"
        "print('ENABLED', gc.isenabled(), sorted(runners))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=ENVIRONMENT, cwd=ROOT
    )
    assert done.stdout.split() == ["ENABLED", str(enabled), "['symbolic',", "'tape']"], done.stderr


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("4", "4")])
def test_the_script_asks_numpy_for_one_blas_thread_unless_told(
    given: str | None, expected: str
) -> None:
    environment = {k: v for k, v in ENVIRONMENT.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        environment["OPENBLAS_NUM_THREADS"] = given
    arguments = ["x**2", "--at", "x=1", "--order", "1"]
    value = "os.environ.get('OPENBLAS_NUM_THREADS')"
    assert at_exit_of_the_script(arguments, value, environment) == expected

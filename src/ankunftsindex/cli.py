"""The command line: parses arguments, calls the library, renders, maps errors to exit codes.

Nothing here computes. Heavy modules (polars, pyarrow) are imported inside commands so
that ``--help`` and ``--version`` start fast.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import traceback
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ._version import __version__
from .errors import EXIT_INTERNAL, AnkunftsindexError

app = typer.Typer(
    name="ankunftsindex",
    help="Arrival index (Ankunftsindex) for small areas from register extracts.\n\n"
    "Exit codes: 0 ok, 1 findings/differences, 2 usage, 3 spec, 4 input, 5 output, "
    "70 internal error, 130 interrupted.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"


class DecimalMark(StrEnum):
    comma = ","
    point = "."


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ankunftsindex {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True,
                           help="Print the version and exit.")
    ] = False,
) -> None:
    """Arrival index (Ankunftsindex) for small areas from register extracts."""


def _stderr() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


@contextlib.contextmanager
def handle_errors(debug: bool) -> Iterator[None]:
    """The one place where errors become messages on stderr and exit codes."""
    debug = debug or bool(os.environ.get("ANKUNFTSINDEX_DEBUG"))
    try:
        yield
    except (typer.Exit, typer.Abort, typer.BadParameter):
        raise
    except AnkunftsindexError as exc:
        if debug:
            traceback.print_exc()
        _stderr().print(exc.render(), markup=False)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        _stderr().print("interrupted: no output was written", markup=False)
        raise typer.Exit(130) from None
    except BaseException as exc:
        if isinstance(exc, SystemExit | GeneratorExit):
            raise
        if debug:
            traceback.print_exc()
        _stderr().print(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in ankunftsindex; nothing was written. Rerun with --debug for a "
            "traceback and report it.", markup=False)
        raise typer.Exit(EXIT_INTERNAL) from None


DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a traceback on errors.")]
SpecOpt = Annotated[Path, typer.Option("--spec", "-s", help="The spec (YAML).")]


@app.command()
def compute(
    extracts: Annotated[list[Path], typer.Argument(
        help="Register extract(s): CSV or Parquet, one row per area and period; several "
        "files (e.g. one per month) are concatenated.", show_default=False)],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Output file (.parquet or .csv).", show_default=False)],
    spec: SpecOpt = Path("indicators.yaml"),
    fmt: Annotated[OutputFormat | None, typer.Option(
        "--format", help="Output format (default: from the output's suffix).")] = None,
    period: Annotated[list[str] | None, typer.Option(
        "--period", "-p", help="Period(s) to output, e.g. 2025-12 (repeat or separate "
        "with commas). Default: every period that can be scored.")] = None,
    encoding: Annotated[str | None, typer.Option(
        help="Input encoding (default: detect UTF-8, UTF-8 with BOM, cp1252).")] = None,
    separator: Annotated[str | None, typer.Option(
        help="CSV separator (default: detect ; , or tab).")] = None,
    decimal: Annotated[DecimalMark | None, typer.Option(
        help="Decimal mark in CSV input: ',' or '.' (default: ',' for ;-files).")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print a machine-readable JSON summary on stdout.")] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Print nothing on success but warnings (on stderr).")] = False,
    debug: DebugOpt = False,
) -> None:
    """Compute indicators, indices, ranks, classes and typology; write Parquet or CSV."""
    with handle_errors(debug):
        _tune_allocator()
        from .pipeline import compute as run
        from .write import check_target, format_for, write_output

        kind = format_for(output, fmt.value if fmt else None)  # fail before any work
        check_target(output, extracts, spec)
        periods = [p.strip() for item in (period or []) for p in item.split(",") if p.strip()]
        bad = [p for p in periods if not re.match(r"^\d{4}(-(0[1-9]|1[0-2]))?$", p)]
        if bad:
            raise typer.BadParameter(f"{bad[0]!r} is neither YYYY-MM nor YYYY",
                                     param_hint="--period")
        from .cli_progress import stage_progress

        show = not (as_json or quiet) and _on_terminal() and _stderr_on_terminal()
        with stage_progress(show, _stderr()) as step:
            result = run(extracts, spec, periods=periods or None, encoding=encoding,
                         separator=separator, decimal=decimal.value if decimal else None,
                         progress=step)
            summary = {"output": str(output), **result.summary()}
            view = None
            if not (as_json or quiet) and _on_terminal():
                from .cli_render import summary_view

                view = summary_view(result, summary, output)
            # everything that could fail is done: from here on, write and report
            step("writing")
            write_output(result.frame, output, result.metadata(), kind)
        for warning in result.warnings:
            _stderr().print(f"warning[{warning.code}]: {warning.render()}"
                            + (f"\nhint: {warning.hint}" if warning.hint else ""),
                            markup=False)
        if as_json:
            typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        elif view is not None:
            from rich.console import Console

            Console().print(view)
        elif not quiet:
            typer.echo(str(output))
            _stderr().print(one_line(summary), markup=False)


def _tune_allocator() -> None:
    """polars' allocator (jemalloc) keeps freed memory for a while, gigabytes at the peak
    of a large run; a background thread hands it back within half a second. Must run
    before polars is loaded; the user's own setting wins."""
    os.environ.setdefault("_RJEM_MALLOC_CONF",
                          "background_thread:true,dirty_decay_ms:500,muzzy_decay_ms:0")


def _on_terminal() -> bool:
    return sys.stdout.isatty()


def _stderr_on_terminal() -> bool:
    return sys.stderr.isatty()


def one_line(summary: dict[str, Any]) -> str:
    """The one-line summary printed when not on a terminal."""
    periods = summary["periods"] or [""]
    span = periods[0] if len(periods) == 1 else f"{periods[0]}…{periods[-1]}"
    span = "" if span == "" else f" {span}"
    parts = [f"{summary['areas']} areas", f"{len(periods)} period(s){span}",
             f"{summary['status'].get('scored', 0)} scored rows"]
    for index_id, info in summary["indices"].items():
        counts = ", ".join(f"{k} {v}" for k, v in info["classes"].items())
        parts.append(f"{index_id}: {counts}")
    return "ankunftsindex: " + "; ".join(parts)


def main() -> None:
    """Console entry point."""
    app()

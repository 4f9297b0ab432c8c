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


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


class CsvDialect(StrEnum):
    standard = "standard"
    excel_de = "excel-de"


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
        print_warnings(exc.warnings)
        _stderr().print(exc.render(), markup=False)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt as exc:
        from .write import InterruptedAfterWrite

        written = isinstance(exc, InterruptedAfterWrite)
        _stderr().print("interrupted: " + ("the output had been written completely"
                                           if written else "no output was written"),
                        markup=False)
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
#: The largest count an option takes (rows to list): more is a usage error, not an overflow.
MAX_COUNT = 2**31 - 1
SpecOpt = Annotated[Path, typer.Option("--spec", "-s", help="The spec (YAML).")]
ExtractsArg = Annotated[list[Path], typer.Argument(
    help="Register extract(s): CSV, XLSX or Parquet, one row per area and period; several "
    "files (e.g. one per month) are concatenated.", show_default=False)]
EncodingOpt = Annotated[str | None, typer.Option(
    help="Input encoding (default: detect UTF-8, UTF-8 with BOM, UTF-16 with BOM, cp1252).")]
SeparatorOpt = Annotated[str | None, typer.Option(
    help="CSV separator: ; , or tab (written 'tab' or '\\t'). Default: detect.")]
DecimalOpt = Annotated[DecimalMark | None, typer.Option(
    help="Decimal mark in CSV input: ',' or '.' (default: ',' for ;-files).")]
SheetOpt = Annotated[str | None, typer.Option(
    help="XLSX input: the worksheet, by name or by its place counted from 1 (default: "
    "input.sheet of the spec, else the first that is not hidden).")]
StrictOpt = Annotated[bool, typer.Option(
    "--strict", help="Treat warnings (gaps, jumps, zero denominators, …) as errors.")]


@app.command()
def compute(
    extracts: ExtractsArg,
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Output file (.parquet or .csv).", show_default=False)],
    spec: SpecOpt = Path("indicators.yaml"),
    fmt: Annotated[OutputFormat | None, typer.Option(
        "--format", help="Output format (default: from the output's suffix).")] = None,
    csv_dialect: Annotated[CsvDialect, typer.Option(
        "--csv-dialect", help="CSV output: 'standard' (, and decimal point, UTF-8) or "
        "'excel-de' (; and decimal comma, UTF-8 with BOM, for German Excel).")
    ] = CsvDialect.standard,
    period: Annotated[list[str] | None, typer.Option(
        "--period", "-p", help="Period(s) to output, e.g. 2025-12 (repeat or separate "
        "with commas). Default: every period that can be scored.")] = None,
    encoding: EncodingOpt = None,
    separator: SeparatorOpt = None,
    decimal: DecimalOpt = None,
    sheet: SheetOpt = None,
    crosswalk: Annotated[Path | None, typer.Option(
        help="Map the counts onto a new area layout first: a CSV old_id;new_id;weight "
        "(weights of each old area sum to 1).", show_default=False)] = None,
    strict: StrictOpt = False,
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
        check_target(output, [*extracts, *([crosswalk] if crosswalk else [])], spec)
        periods = [p.strip() for item in (period or []) for p in item.split(",") if p.strip()]
        bad = [p for p in periods if not re.match(r"^[0-9]{4}(-(0[1-9]|1[0-2]))?$", p)]
        if bad:
            raise typer.BadParameter(f"{bad[0]!r} is neither YYYY-MM nor YYYY",
                                     param_hint="--period")
        from .cli_progress import stage_progress

        show = not (as_json or quiet) and _on_terminal() and _stderr_on_terminal()
        with stage_progress(show, _stderr() if show else None) as step:
            result = run(extracts, spec, periods=periods or None, encoding=encoding,
                         separator=separator, decimal=decimal.value if decimal else None,
                         sheet=sheet, strict=strict, crosswalk=crosswalk, progress=step)
            summary = {"output": str(output), **result.summary()}
            view = None
            if not (as_json or quiet) and _on_terminal():
                from .cli_render import summary_view

                view = summary_view(result, summary, output)
            # everything that could fail is done: from here on, write and report
            step("writing")
            write_output(result.frame, output, result.metadata(), kind, csv_dialect.value)
        print_warnings(result.warnings)
        if as_json:
            typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        elif view is not None:
            from rich.console import Console

            Console().print(view)
        elif not quiet:
            typer.echo(str(output))
            typer.echo(one_line(summary), err=True)  # plain text: no rich needed


@app.command()
def validate(
    extracts: ExtractsArg,
    spec: SpecOpt = Path("indicators.yaml"),
    fmt: Annotated[ReportFormat, typer.Option(
        "--format", help="'text' (on stderr, for people) or 'json' (on stdout, for "
        "machines).")] = ReportFormat.text,
    strict: StrictOpt = False,
    encoding: EncodingOpt = None,
    separator: SeparatorOpt = None,
    decimal: DecimalOpt = None,
    sheet: SheetOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Check spec and data without computing; report every problem at once.

    Exit 0 when valid (warnings allowed unless --strict), 3 for spec errors, 4 for input
    errors (with --strict also for warnings)."""
    with handle_errors(debug):
        from .check import validate as run_checks
        from .errors import SpecError
        from .spec import load_spec

        try:
            loaded = load_spec(spec)
        except SpecError as exc:
            if fmt is ReportFormat.json:
                typer.echo(json.dumps(_spec_failure(exc, strict), ensure_ascii=False,
                                      indent=2))
                raise typer.Exit(exc.exit_code) from None
            raise
        report = run_checks(extracts, loaded, encoding=encoding, separator=separator,
                            decimal=decimal.value if decimal else None, sheet=sheet)
        data = report.to_dict(strict)
        if fmt is ReportFormat.json:
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            from .cli_render import report_lines

            for line in report_lines(report.findings, data, strict):
                _stderr().print(line, markup=False)
        if not data["valid"]:
            raise typer.Exit(4)


def _spec_failure(exc: Any, strict: bool) -> dict[str, Any]:
    from .errors import findings_of

    found = [f.to_dict() for f in findings_of(exc)]
    return {"valid": False, "strict": strict, "errors": len(found), "warnings": 0,
            "notes": 0, "files_given": None, "total_findings": len(found),
            "shown_findings": len(found),
            "findings": found, "files": [], "spec_sha256": None}


def _tune_allocator() -> None:
    """polars' allocator (jemalloc) keeps freed memory for a while, gigabytes at the peak
    of a large run; a background thread hands it back within half a second. Must run
    before polars is loaded; the user's own setting wins."""
    os.environ.setdefault("_RJEM_MALLOC_CONF",
                          "background_thread:true,dirty_decay_ms:500,muzzy_decay_ms:0")


def print_warnings(findings: list[Any]) -> None:
    """Warnings on stderr, one line each with its hint, whatever else is printed."""
    for w in findings:
        _stderr().print(f"warning[{w.code}]: {w.render()}"
                        + (f"\nhint: {w.hint}" if w.hint else ""), markup=False)


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
    """Entry point of ``python -m ankunftsindex`` (ends the ordinary way)."""
    app()


def run() -> None:
    """The ``ankunftsindex`` console script: :func:`main`, then the process ends at once
    (``os._exit``) with the command's exit code once stdout and stderr are flushed.
    Everything a command does (output written and renamed, temporary files removed,
    messages printed) is done by then; tearing down the interpreter (its modules,
    polars' thread pool, frames of hundreds of MB) would add 0.1 s to every run and
    more to large ones."""
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): printed, exit 1, as Python does
        print(code, file=sys.stderr)
        status = 1
    try:
        sys.stdout.flush()
    except Exception:  # e.g. a closed pipe: what Python itself exits with then
        status = status or 120
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    os._exit(status)
# the other commands register themselves on `app`
from . import cli_explain, cli_time  # noqa: E402,F401

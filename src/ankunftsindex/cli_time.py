"""Commands over time: ``diff`` (compare two outputs) and ``watch`` (early warning).

Both print their result on stdout (text for people, ``--format json``/``csv`` for
machines), warnings on stderr, and exit 0 when there is nothing to report and 1 when
there is (differences, flagged areas), so that a cron job can act on the exit code.
"""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .cli import MAX_COUNT, DebugOpt, ReportFormat, app, handle_errors, print_warnings
from .errors import EXIT_FINDINGS, EXIT_OK


class DiffFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"


class WatchRule(StrEnum):
    both = "both"
    rise = "rise"
    persistence = "persistence"


@app.command(help=(
    "Compare two outputs (or two periods of one): class transitions, areas entering and "
    "leaving classes, largest movers, areas only in one.\n\n"
    "Exit 0: no differences beyond --tolerance; 1: differences (as diff(1))."))
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier output of compute (Parquet or "
                                        "CSV with its .meta.json).", show_default=False)],
    new: Annotated[Path | None, typer.Argument(
        help="The later output (default: OLD again, to compare two of its periods).",
        show_default=False)] = None,
    old_period: Annotated[str | None, typer.Option(
        help="Compare only this period of OLD, e.g. 2024-12.", show_default=False)] = None,
    new_period: Annotated[str | None, typer.Option(
        help="Compare only this period of NEW, e.g. 2025-12.", show_default=False)] = None,
    tolerance: Annotated[float, typer.Option(
        min=0.0, help="Index values and other decimal numbers that differ by at most this "
        "much count as equal; ranks, classes and text are compared exactly.")] = 0.0,
    top: Annotated[int, typer.Option(min=1, max=MAX_COUNT,
                                     help="How many of the largest movers to list.")] = 10,
    fmt: Annotated[DiffFormat, typer.Option(
        "--format", help="text for people; json (the whole report) or csv (one row per "
        "index and area) for machines.")] = DiffFormat.text,
    debug: DebugOpt = False,
) -> None:
    """Compare two outputs of compute (the help text is given to the decorator)."""
    with handle_errors(debug):
        if new is None and (old_period is None or new_period is None):
            raise typer.BadParameter(
                "give NEW, or --old-period and --new-period to compare two periods of OLD",
                param_hint="NEW")
        if not math.isfinite(tolerance):
            raise typer.BadParameter("need a finite number", param_hint="--tolerance")
        from .diff import diff_outputs, read_output, select_period

        old_out = read_output(old)
        new_out = old_out if new is None else read_output(new)
        report = diff_outputs(select_period(old_out, old_period, "--old-period"),
                              select_period(new_out, new_period, "--new-period"),
                              tolerance=tolerance)
        print_warnings(report.warnings)
        if fmt == DiffFormat.json:
            typer.echo(json.dumps(report.to_dict(top), ensure_ascii=False, indent=2))
        elif fmt == DiffFormat.csv:
            typer.echo(report.changes_table().write_csv(), nl=False)
        else:
            typer.echo(render_diff(report, top))
        raise typer.Exit(EXIT_FINDINGS if report.differences else EXIT_OK)


def _side(out: Any) -> str:
    periods = out.periods
    if not periods:
        return str(out.path)
    span = periods[0] if len(periods) == 1 else f"{periods[0]}…{periods[-1]}"
    return f"{out.path} ({span})"


def _table(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=True)]
    out = []
    for row in [header, *rows]:
        cells = [c.rjust(w) if i in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        out.append("  " + "  ".join(cells).rstrip())
    return out


def _who(row: dict[str, Any]) -> str:
    where = f"{row['period']} " if "period" in row else ""
    return f"{where}{row['area']} {row['name'] or ''}".rstrip()


def _num(v: float | None, signed: bool = False) -> str:
    return "" if v is None else (f"{v:+.2f}" if signed else f"{v:.2f}")


def render_diff(report: Any, top: int) -> str:
    """The diff report as text for people."""
    lines = [f"old: {_side(report.old)}", f"new: {_side(report.new)}",
             f"joined on: {', '.join(report.keys)}"]
    for d in report.indices:
        lines += ["", f"index {d.index}: class transitions (rows: old class, columns: new)"]
        matrix = d.matrix()
        lines += _table(["", *d.labels], [[lab, *[str(n) for n in row]]
                                          for lab, row in zip(d.labels, matrix, strict=True)],
                        set(range(1, len(d.labels) + 1)))
        for what, fn in (("entered", d.entered), ("left", d.left)):
            for label in d.labels:
                rows = fn(label).to_dicts()
                if rows:
                    lines.append(f"{what} {label} ({len(rows)}):")
                    lines += [f"  {_who(r)}: {r['old_class']} → {r['new_class']}" for r in rows]
        movers = d.rank_movers(top).to_dicts()
        if movers:
            lines.append(f"largest rank movers (up = towards rank 1), top {top}:")
            lines += _table(["area", "old rank", "new rank", "change"],
                            [[_who(r), str(r["old_rank"]), str(r["new_rank"]),
                              f"{r['rank_change']:+d}"] for r in movers], {1, 2, 3})
        movers = d.value_movers(top, report.tolerance).to_dicts()
        if movers:
            lines.append(f"largest {d.index} movers, top {top}:")
            lines += _table(["area", "old", "new", "change"],
                            [[_who(r), _num(r["old_value"]), _num(r["new_value"]),
                              _num(r["value_change"], True)] for r in movers], {1, 2, 3})
    for which, frame in (("old", report.only_old), ("new", report.only_new)):
        if frame.height:
            lines += ["", f"only in {which} ({frame.height}):"]
            lines += [f"  {_who(r)}" for r in frame.to_dicts()]
    changed = {c: n for c, n in report.changed_columns.items() if n}
    lines.append("")
    if changed:
        lines.append("changed cells per column: "
                     + ", ".join(f"{c} {n}" for c, n in changed.items()))
    if report.differences:
        lines.append("differences: yes")
    else:
        tol = f" beyond the tolerance {report.tolerance:g}" if report.tolerance else ""
        lines.append(f"no differences{tol}")
    return "\n".join(lines)


@app.command(help=(
    "Early warning: areas whose index rose by more than --rise over the last --over "
    "periods, or that have been in a higher class than --over periods ago for the last "
    "--persist periods.\n\n"
    "Exit 0: no area flagged; 1: areas flagged."))
def watch(
    output: Annotated[Path, typer.Argument(
        help="A panel output of compute (several periods; Parquet or CSV).",
        show_default=False)],
    index: Annotated[str | None, typer.Option(
        help="The index to watch (default: the first of the spec).", show_default=False)
    ] = None,
    rise: Annotated[float, typer.Option(
        help="Rise rule: flag a rise of the index value by more than this over --over "
        "periods.")] = 0.5,
    over: Annotated[int, typer.Option(
        min=1, help="Look-back in periods (months for monthly data).")] = 12,
    persist: Annotated[int, typer.Option(
        min=1, help="Persistence rule: flag a class higher than --over periods ago in "
        "each of the last PERSIST periods.")] = 3,
    at_least: Annotated[str | None, typer.Option(
        help="Persistence rule: count only classes at least this high, e.g. 'erhöht'.",
        show_default=False)] = None,
    rule: Annotated[WatchRule, typer.Option(help="Which rules to apply.")] = WatchRule.both,
    as_of: Annotated[str | None, typer.Option(
        help="Look from this period (default: the latest in the file).", show_default=False)
    ] = None,
    fmt: Annotated[ReportFormat, typer.Option(
        "--format", help="text for people, json for machines.")] = ReportFormat.text,
    debug: DebugOpt = False,
) -> None:
    """Flag areas of a panel output by the rise and persistence rules."""
    with handle_errors(debug):
        if not math.isfinite(rise):
            raise typer.BadParameter("need a finite number, e.g. 0.5", param_hint="--rise")
        from .diff import read_output
        from .watch import WatchRules
        from .watch import watch as run

        rules = WatchRules(
            index=index, over=over, as_of=as_of, at_least=at_least,
            rise=rise if rule != WatchRule.persistence else None,
            persist=persist if rule != WatchRule.rise else None)
        report = run(read_output(output), rules)
        print_warnings(report.warnings)
        if fmt == ReportFormat.json:
            typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        else:
            typer.echo(render_watch(report))
        raise typer.Exit(EXIT_FINDINGS if report.flagged.height else EXIT_OK)


def render_watch(report: Any) -> str:
    """The watch report as text for people."""
    r = report.rules
    rules = []
    if r.rise is not None:
        rules.append(f"rise by more than {r.rise:g} over {r.over} periods")
    if r.persist is not None:
        floor = f", at least {r.at_least!r}" if r.at_least else ""
        rules.append(f"class higher than in {report.since} in each of the last "
                     f"{r.persist} periods{floor}")
    lines = [f"index {report.index} as of {report.as_of} (compared with {report.since}): "
             f"{report.flagged.height} area(s) flagged",
             "rules: " + "; ".join(rules)]
    rows = report.flagged.to_dicts()
    if rows:
        lines += _table(
            ["area", "name", "value", "then", "rise", "class", "then", "rules"],
            [[x["area"], x["name"] or "", _num(x["value"]), _num(x["value_then"]),
              _num(x["rise"], True), x["class"] or "", x["class_then"] or "",
              ", ".join(k for k in ("rise", "persistence") if x[f"{k}_rule"])]
             for x in rows], {2, 3, 4})
    return "\n".join(lines)

"""Commands that explain and examine a result: ``explain``, ``sensitivity``, ``report``.

Registered on the app of :mod:`ankunftsindex.cli`; like it, nothing here computes, and
polars, numpy and matplotlib are imported inside the commands.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

import typer

from .cli import DebugOpt, _on_terminal, _stderr, app, handle_errors

PeriodOpt = Annotated[str | None, typer.Option(
    "--period", "-p", help="Period, e.g. 2025-12 (default: the latest).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]


def _check_period(period: str | None) -> None:
    if period is not None and not re.match(r"^\d{4}(-(0[1-9]|1[0-2]))?$", period):
        raise typer.BadParameter(f"{period!r} is neither YYYY-MM nor YYYY", param_hint="--period")


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


@app.command()
def explain(
    source: Annotated[Path, typer.Argument(
        help="An output of `compute` (Parquet, or CSV with its .meta.json); with --spec, "
        "a register extract to compute first.", show_default=False)],
    area: Annotated[str, typer.Argument(help="Area ID, e.g. 03030202.", show_default=False)],
    period: PeriodOpt = None,
    spec: Annotated[Path | None, typer.Option(
        "--spec", "-s", help="Compute from SOURCE as an extract with this spec instead of "
        "reading an output file.")] = None,
    as_json: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Why an area has its index values, classes and type: raw values against the city,
    scores, weights, contributions (they add up to the index), ranks, class thresholds and
    the typology rule that matched."""
    with handle_errors(debug):
        _check_period(period)
        from .explain import explain as run
        from .explain import read_output

        if spec is not None:
            from .pipeline import compute

            result = compute([source], spec, periods=[period] if period else None)
            frame, the_spec = result.frame, result.spec
        else:
            frame, the_spec, _ = read_output(source)
        info = run(frame, the_spec, area.strip(), period)
        if as_json:
            typer.echo(json.dumps(info, ensure_ascii=False, indent=2))
            return
        from rich.console import Console

        Console(highlight=False, soft_wrap=True).print(_explain_view(info))


def _explain_view(info: dict[str, Any]) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    head = f"{info['area']} {info['name'] or ''}".strip()
    when = f", {info['period']}" if info["period"] else ""
    parts: list[Any] = [Text.assemble((head, "bold"), f"{when} — status {info['status']}, "
                                      f"population {_fmt(info['population'], 0)}, "
                                      f"{info['scored_areas']} scored areas")]
    ind = Table(title=Text("Indicators (rank 1 = most arrival-like among scored areas)"),
                show_edge=False)
    for h in ("indicator", "value", "city mean", "city median", "rank"):
        ind.add_column(Text(h), justify="left" if h == "indicator" else "right")
    for d in info["indicators"].values():
        ind.add_row(Text(d["label"]), Text(_fmt(d["value"])), Text(_fmt(d["city_mean"])),
                    Text(_fmt(d["city_median"])),
                    Text(f"{_fmt(d['rank'])}/{info['scored_areas']}" if d["rank"] else "–"))
    parts.append(ind)
    for index_id, x in info["indices"].items():
        if x["value"] is None:
            parts.append(Text(f"{x['label']} ({index_id}): not scored ({info['status']})"))
            continue
        t = Table(title=Text(f"{x['label']} ({index_id}) = {x['value']:.3f}, rank {x['rank']}"
                             f"/{x['of']}, class {x['class']}"), show_edge=False)
        for h in ("indicator", "score", "weight", "contribution"):
            t.add_column(Text(h), justify="left" if h == "indicator" else "right")
        for d in x["indicators"]:
            t.add_row(Text(d["label"]), Text(_fmt(d["score"], 3)),
                      Text(f"{d['weight']:g} ({d['weight_share']:.0%})"),
                      Text(_fmt(d["contribution"], 3)))
        total = "sum = index" if x["contributions_add_up_to"] == "index" else "sum = ln aggregate"
        t.add_row(Text(total), Text(""), Text(""), Text(_fmt(x["contribution_sum"], 3)))
        parts.append(t)
        lines = []
        if x["drivers"]:
            labels = {d["indicator"]: d["label"] for d in x["indicators"]}
            lines.append("driven by: " + ", ".join(labels[i] for i in x["drivers"]))
        pos = x["class_position"]
        span = (f"[{_fmt(pos['from'])}, {_fmt(pos['to'])})" if pos["from"] is not None
                and pos["to"] is not None else f">= {_fmt(pos['from'])}"
                if pos["from"] is not None else f"< {_fmt(pos['to'])}")
        lines.append(f"class {pos['label']}: {span}")
        for side, word in (("next_higher", "up to"), ("next_lower", "down to")):
            nxt = pos[side]
            if nxt is not None:
                lines.append(f"  {nxt['distance']:.3f} {word} {nxt['label']}")
        if x.get("note"):
            lines.append(f"note: {x['note']}")
        parts.append(Text("\n".join(lines)))
    typ = info["typology"]
    if typ is not None:
        lines = [f"type ({typ['column']}): {typ['type']}"]
        for k, r in enumerate(typ["rules"]):
            mark = "→" if k == typ["matched_rule"] else " "
            res = {True: "true", False: "false", None: "null"}[r["result"]]
            lines.append(f" {mark} {r['label']}: {r['when']}  [{res}]")
        if typ["matched_rule"] is None:
            lines.append(f" → no rule matched: default {typ['default']!r}")
        parts.append(Text("\n".join(lines)))
    return Group(*parts)

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

from .cli import MAX_COUNT, DebugOpt, _on_terminal, _stderr, app, handle_errors

PeriodOpt = Annotated[str | None, typer.Option(
    "--period", "-p", help="Period, e.g. 2025-12 (default: the latest).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]


def _check_period(period: str | None) -> None:
    if period is not None and not re.match(r"^[0-9]{4}(-(0[1-9]|1[0-2]))?$", period):
        raise typer.BadParameter(f"{period!r} is neither YYYY-MM nor YYYY", param_hint="--period")


def _console() -> Any:
    """stdout; off a terminal wide enough that tables are not cut (and without colour)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True, width=None if _on_terminal() else 160)


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


@app.command(short_help="Why an area has its values: contributions, ranks, classes, type.")
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
            from .spec import load_spec

            the_spec = load_spec(spec)
            # a reference period is computed too, for the contributions of its indices
            periods = sorted({period, *(i.reference_period for i in the_spec.indices.values()
                                        if i.reference_period)}) if period else None
            frame = compute([source], the_spec, periods=periods).frame
        else:
            frame, the_spec, _ = read_output(source)
        info = run(frame, the_spec, area.strip(), period)
        if as_json:
            typer.echo(json.dumps(info, ensure_ascii=False, indent=2))
            return
        _console().print(_explain_view(info))


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
        if x["standardised"] and x["contributions_add_up_to"] == "index":
            lines.append("standardise: true, so a contribution is (weight share × score − "
                         "its city mean) / sd of the aggregate, not weight share × score "
                         "(docs/method.md)")
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


def _load(source: Path, spec: Path | None, periods: list[str] | None) -> tuple[Any, Any, Any]:
    """An output table with its spec and provenance: read, or computed from an extract."""
    if spec is None:
        from .explain import read_output

        return read_output(source)
    from .pipeline import compute

    result = compute([source], spec, periods=periods)
    return result.frame, result.spec, result.metadata()


@app.command(short_help="How robust the ranking is to the analyst's choices (Monte Carlo).")
def sensitivity(
    source: Annotated[Path, typer.Argument(
        help="A register extract (with --spec), or an output of `compute`.",
        show_default=False)],
    spec: Annotated[Path | None, typer.Option(
        "--spec", "-s", help="The spec (YAML); without it SOURCE is read as an output of "
        "`compute` and its embedded spec is used.")] = None,
    index: Annotated[str | None, typer.Option(
        "--index", "-i", help="The index to examine (default: the spec's first).")] = None,
    period: PeriodOpt = None,
    runs: Annotated[int, typer.Option("--runs", "-n", min=1, max=1_000_000,
                                      help="Monte Carlo runs.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 1,
    vary: Annotated[str, typer.Option(
        "--vary", help="Choices drawn in each run, comma-separated: weights, normalise, "
        "ddof, winsorise, leave_out; 'none' for the nominal run only.")] =
        "weights,normalise,ddof,winsorise,leave_out",
    weights: Annotated[str, typer.Option(
        "--weights", help="perturb: each weight × U(1 − r, 1 + r); simplex: weights drawn "
        "uniformly from the simplex.")] = "perturb",
    weight_range: Annotated[float, typer.Option(
        "--weight-range", help="r for --weights perturb.")] = 0.25,
    normalise: Annotated[str, typer.Option(
        "--normalise", help="Normalisation methods drawn from (besides the spec's), "
        "comma-separated.")] = "zscore,robust_zscore,minmax,percentile",
    winsorise: Annotated[str, typer.Option(
        "--winsorise", help="Quantiles for 'winsorising on' when the spec has none.")] =
        "0.05,0.95",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the per-area table (.parquet or .csv).")] = None,
    top: Annotated[int, typer.Option("--top", min=1, max=MAX_COUNT,
                                     help="Areas shown in the text view.")] = 20,
    as_json: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """How robust the ranking is to the analyst's choices: Monte Carlo over weights,
    normalisation, ddof, winsorising and leaving one indicator out. Per area: the median
    rank, the 5–95 % rank interval and the share of runs per class; per choice: the mean
    absolute rank shift."""
    with handle_errors(debug):
        _check_period(period)
        settings = _settings(runs, seed, vary, weights, weight_range, normalise, winsorise)
        from .explain import select_period
        from .sensitivity import sensitivity as run
        from .write import check_target, format_for, write_output

        if output is not None:
            format_for(output, None)
            check_target(output, [source], spec)
        frame, the_spec, meta = _load(source, spec, None)
        index_id = index or next(iter(the_spec.indices))
        _, chosen = select_period(frame, period)
        with _progress(runs) as tick:
            result = run(frame, the_spec, index_id, chosen, settings, progress=tick)
        data = result.to_dict()
        if output is not None:
            meta = {**meta, "ankunftsindex.sensitivity": json.dumps(
                {k: v for k, v in data.items() if k not in ("areas", "choices")},
                ensure_ascii=False, separators=(",", ":"))}
            write_output(result.areas, output, meta)
        if as_json:
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        _console().print(_sensitivity_view(result, the_spec, top))
        if output is not None:
            _stderr().print(f"written: {output}", markup=False)


def _settings(runs: int, seed: int, vary: str, weights: str, weight_range: float,
              normalise: str, winsorise: str) -> Any:
    from .sensitivity import Settings

    def items(text: str) -> tuple[str, ...]:
        return tuple(p.strip() for p in text.split(",") if p.strip())

    chosen = () if vary.strip() == "none" else items(vary)
    try:
        quantiles = tuple(float(q) for q in items(winsorise))
    except ValueError:
        raise typer.BadParameter(f"{winsorise!r}: give two quantiles, e.g. 0.05,0.95",
                                 param_hint="--winsorise") from None
    if len(quantiles) != 2:
        raise typer.BadParameter(f"{winsorise!r}: give two quantiles, e.g. 0.05,0.95",
                                 param_hint="--winsorise")
    settings = Settings(runs=runs, seed=seed, vary=chosen, weights=weights,
                        weight_range=weight_range, methods=items(normalise),
                        winsorise=(quantiles[0], quantiles[1]))
    try:
        settings.check()
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return settings


class _progress:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, total: int):
        self.total = total
        self.bar: Any = None

    def __enter__(self) -> Any:
        import sys

        if not sys.stderr.isatty():
            return None
        from rich.progress import Progress

        self.bar = Progress(console=_stderr(), transient=True)
        self.bar.start()
        task = self.bar.add_task("runs", total=self.total)
        return lambda n: self.bar.advance(task, n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _sensitivity_view(result: Any, spec: Any, top: int) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    s = result.settings
    index = spec.indices[result.index_id]
    when = f", {result.period}" if result.period else ""
    varied = ", ".join(s.vary) if s.vary else "nothing (nominal run)"
    parts: list[Any] = [Text.assemble(
        (f"{index.label or result.index_id} ({result.index_id}){when}", "bold"),
        f" — {s.runs} runs, seed {s.seed}, {result.info['areas_scored']} areas; varied: "
        f"{varied}; mean absolute rank shift {result.overall_shift:.2f}, class changed in "
        f"{result.overall_class_changed:.1%} of area-runs")]
    if result.choices.height:
        t = Table(title=Text("One choice at a time (against the nominal ranking)"),
                  show_edge=False)
        for h in ("choice", "runs", "mean |rank shift|", "max |rank shift|", "class changed"):
            t.add_column(Text(h), justify="left" if h == "choice" else "right")
        for r in result.choices.iter_rows(named=True):
            t.add_row(Text(r["choice"]), Text(str(r["runs"])),
                      Text(f"{r['mean_abs_rank_shift']:.2f}"),
                      Text(str(r["max_abs_rank_shift"])),
                      Text(f"{r['share_class_changed']:.1%}"))
        parts.append(t)
    t = Table(title=Text(f"Areas by nominal rank (first {top}); share of runs per class"),
              show_edge=False)
    for h in ("rank", "area", "name", "class", "median", "5–95 %", "in class"):
        t.add_column(Text(h), justify="left" if h in ("area", "name", "class") else "right")
    for label in result.classes:
        t.add_column(Text(label), justify="right")
    for r in result.areas.head(top).iter_rows(named=True):
        t.add_row(Text(str(r["rank"])), Text(r["area"]), Text(r["name"] or ""),
                  Text(r["class"]), Text(f"{r['rank_median']:g}"),
                  Text(f"{r['rank_p05']}–{r['rank_p95']}"),
                  Text(f"{r['share_nominal_class']:.0%}"),
                  *[Text(f"{r['share_' + lab]:.0%}") for lab in result.classes])
    parts.append(t)
    return Group(*parts)


@app.command(short_help="One self-contained offline HTML report with charts and a map.")
def report(
    source: Annotated[Path, typer.Argument(
        help="An output of `compute` (Parquet, or CSV with its .meta.json).",
        show_default=False)],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="The HTML file to write.", show_default=False)],
    geo: Annotated[Path | None, typer.Option(
        "--geo", help="GeoJSON of the areas, for a map of the classes.")] = None,
    geo_id: Annotated[str | None, typer.Option(
        "--geo-id", help="The GeoJSON property holding the area ID (default: the spec's "
        "area column, else 'area', else 'id').")] = None,
    index: Annotated[str | None, typer.Option(
        "--index", "-i", help="The index of the top table, time series and map (default: "
        "the spec's first).")] = None,
    period: PeriodOpt = None,
    top: Annotated[int, typer.Option("--top", min=1, max=MAX_COUNT,
                                     help="Areas in the top table.")] = 15,
    debug: DebugOpt = False,
) -> None:
    """One self-contained HTML report that works offline: classes, index distribution,
    indicator correlations, top areas with their drivers, time series of flagged areas,
    a map of the classes (with --geo), method and provenance."""
    with handle_errors(debug):
        _check_period(period)
        from .errors import OutputError
        from .explain import read_output
        from .report import build_report
        from .write import atomic_file, check_target

        if output.suffix.lower() not in (".html", ".htm"):
            raise OutputError(f"{output}: the report is HTML; name the file .html",
                              code="output-format", hint="e.g. -o bericht.html")
        check_target(output, [source, *([geo] if geo else [])])
        frame, spec, meta = read_output(source)
        page = build_report(frame, spec, meta, period=period, index_id=index, geo=geo,
                            geo_id=geo_id, top=top)
        with atomic_file(output) as fh:
            fh.write(page.encode("utf-8"))
        if not _on_terminal():
            typer.echo(str(output))
        else:
            _stderr().print(f"written: {output}", markup=False)

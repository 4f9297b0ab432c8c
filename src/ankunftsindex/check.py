"""Data checks → findings: empty IDs, period formats, duplicates, negative counts, shares
(errors); zero denominators, gaps in the period series, implausible jumps (warnings).

Each check returns findings; :func:`validate` reads the files and runs every check, so
that all problems are reported at once; :func:`~ankunftsindex.read.raise_errors` turns
the failing ones into one :class:`~ankunftsindex.errors.InputError` so that nothing is
written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from .derive import PERIOD_NUMBER
from .errors import Finding, rows_to_findings
from .exclude import unknown_exclusions
from .read import FILE_COL, LINE_COL, Extract, count_columns, raise_errors, read_inputs
from .spec import Spec

MONTHLY = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
YEARLY = r"^[0-9]{4}$"


def check_ids(frame: pl.DataFrame, spec: Spec, *, areas: bool = True) -> list[Finding]:
    """Area IDs must be present; periods (when the spec has them) present and well-formed.
    With ``areas`` false (no empty ID, as :func:`quick_check` found) only periods are
    checked."""
    area = spec.input.area
    findings = rows_to_findings(
        frame.filter(pl.col(area).is_null() | (pl.col(area) == "")), area,
        "input-empty-id", "empty area ID", "every row needs an area ID") if areas else []
    period = spec.input.period
    if period is None:
        return findings
    if PERIOD_NUMBER in frame.columns and frame.get_column(PERIOD_NUMBER).null_count() == 0:
        return findings  # every period has a number: one format, none missing
    p = pl.col(period)
    # judged once per distinct period (a few dozen), then the rows are looked up
    distinct = frame.get_column(period).unique()
    kinds = pl.DataFrame({"text": distinct}).select(
        pl.col("text"), pl.col("text").str.contains(MONTHLY).fill_null(False).alias("m"),
        pl.col("text").str.contains(YEARLY).fill_null(False).alias("y"))
    wrong = kinds.filter(~pl.col("m") & ~pl.col("y"))
    if wrong.height:
        bad = frame.filter(p.is_in(wrong["text"].drop_nulls().implode()) | p.is_null())
        findings += rows_to_findings(
            bad, period, "input-bad-period", "period is neither YYYY-MM nor YYYY",
            "write periods as 2025-01 (monthly) or 2025 (yearly)")
    if not (kinds["m"].any() and kinds["y"].any()):
        return findings
    monthly = frame.filter(p.is_in(kinds.filter("m")["text"].implode()))
    yearly = frame.filter(p.is_in(kinds.filter("y")["text"].implode()))
    if monthly.height and yearly.height:
        minority = yearly if yearly.height <= monthly.height else monthly
        kind = "yearly" if minority is yearly else "monthly"
        findings += rows_to_findings(
            minority, period, "input-mixed-periods",
            f"{kind} period in a file set that mostly has the other format",
            "use one period format (YYYY-MM or YYYY) in all files")
    return findings


def check_duplicates(frame: pl.DataFrame, spec: Spec) -> list[Finding]:
    """Each area appears once per period."""
    keys = [spec.input.area] + ([spec.input.period] if spec.input.period else [])
    from .derive import is_presorted

    # the usual case, decided in one pass without hashing: rows in strictly increasing
    # area, period order (an extract written area by area) cannot repeat a key
    no_nulls = sum(frame.get_column(k).null_count() for k in keys) == 0
    if no_nulls and is_presorted(frame, spec.input.area, spec.input.period):
        return []
    if frame.select(pl.struct(keys).n_unique()).item() == frame.height:
        return []
    # position in the concatenated input: (file, line) is not unique when a file is
    # given twice
    dup = (
        frame.with_row_index("_row")
        .with_columns(pl.col("_row").min().over(keys).alias("_first_row"),
                      pl.col(LINE_COL).first().over(keys).alias("_first_line"),
                      pl.col(FILE_COL).first().over(keys).alias("_first_file"))
        .filter(pl.col("_row") != pl.col("_first_row"))
    )
    what = "area × period" if spec.input.period else "area"
    return rows_to_findings(
        dup, spec.input.area, "input-duplicate",
        f"duplicate {what} row (first seen at {{_first_file}}:{{_first_line}})",
        "remove one of the rows; several files must not overlap in periods")


def check_counts(frame: pl.DataFrame, count_columns: list[str]) -> list[Finding]:
    """Counts (population, numerators, denominators) must not be negative."""
    findings: list[Finding] = []
    for c in count_columns:
        findings += rows_to_findings(
            frame.filter(pl.col(c) < 0), c, "input-negative-count", "negative count",
            "counts cannot be below zero; check the extract")
    return findings


def check_shares(frame: pl.DataFrame, spec: Spec,
                 only: frozenset[str] | None = None) -> list[Finding]:
    """Stock indicators per 100 are shares: a numerator above its denominator (a share
    above 100 %) is impossible. ``only``: the indicators to check (default all)."""
    findings: list[Finding] = []
    where = _row_label(spec)
    for ident, ind in _share_indicators(spec).items():
        if only is not None and ident not in only:
            continue
        num = pl.sum_horizontal(ind.numerator_columns)
        bad = frame.filter(_share_above(ind)).with_columns(
            (num / pl.col(ind.denominator) * 100).round(2).alias("_share"))
        cols = " + ".join(ind.numerator_columns)
        findings += rows_to_findings(
            bad, ind.numerator_columns[0], "input-share-above-100",
            f"{ident} = {{_share}} %: {cols} is larger than {ind.denominator} ({where})",
            "two extracts may be mixed up; check numerator and denominator of that row")
    return findings


def _row_label(spec: Spec) -> str:
    """A message fragment naming the row's area (and period) as format fields."""
    text = f"area {{{spec.input.area}}}"
    return text + (f", period {{{spec.input.period}}}" if spec.input.period else "")


def check_zero_denominators(frame: pl.DataFrame, spec: Spec,
                            only: frozenset[str] | None = None) -> list[Finding]:
    """A denominator of 0 gives no value (the area is not scored): suspicious. ``only``:
    the denominator columns to check (default all)."""
    findings: list[Finding] = []
    for c in _denominators(spec):
        if only is not None and c not in only:
            continue
        findings += rows_to_findings(
            frame.filter(pl.col(c) == 0), c, "input-zero-denominator",
            f"{c} is 0, so the indicators divided by it have no value ({_row_label(spec)})",
            "check the extract; an area without residents is usually left out by "
            "min_population", severity="warning")
    return findings


def _period_number() -> pl.Expr:
    from .derive import period_number

    return period_number(pl.col("_period"))


def _period_label(number: int, monthly: bool) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}" if monthly else f"{number:04d}"


def with_period_numbers(frame: pl.DataFrame, spec: Spec) -> pl.DataFrame:
    """The frame with :data:`PERIOD_NUMBER`: its period as a number for the rows whose
    period has the data's (majority) format, null otherwise. Computed once per distinct
    period and added as one column (the others are shared, not copied)."""
    period = spec.input.period
    if period is None or frame.height == 0 or PERIOD_NUMBER in frame.columns:
        return frame
    distinct = frame.select(pl.col(period).unique().drop_nulls().alias("_period"))
    monthly = distinct.select(pl.col("_period").str.contains(MONTHLY).any()).item()
    pattern = MONTHLY if monthly else YEARLY
    numbers = distinct.with_columns(
        pl.when(pl.col("_period").str.contains(pattern)).then(_period_number())
        .alias("_number"))
    # each row's position among the distinct periods, by a cast to an enum of them (half
    # the time of a look-up of every text), picks its number
    position = pl.col(period).cast(pl.String).cast(pl.Enum(numbers["_period"])).to_physical()
    return frame.with_columns(
        pl.lit(numbers["_number"]).gather(position).alias(PERIOD_NUMBER))


def _periodic(frame: pl.DataFrame, spec: Spec) -> tuple[pl.DataFrame, bool] | None:
    """Rows with a well-formed period and an area, with ``_p`` (the period as a number)
    and ``_period`` (its text)."""
    period = spec.input.period
    if period is None or frame.height == 0:
        return None
    frame = with_period_numbers(frame, spec)
    jump = spec.checks.jump
    keep = dict.fromkeys([FILE_COL, LINE_COL, spec.input.area, period, PERIOD_NUMBER,
                          *((jump.columns or [spec.input.population]) if jump else [])])
    rows = frame.select(list(keep))
    usable = (pl.col(PERIOD_NUMBER).is_not_null() & pl.col(spec.input.area).is_not_null()
              & (pl.col(spec.input.area) != ""))
    if not rows.select(usable.all()).item():  # else no copy of the (large) frame
        rows = rows.filter(usable)
    monthly = rows.height > 0 and len(rows[period][0]) == 7
    return rows.with_columns(pl.col(period).alias("_period"),
                             pl.col(PERIOD_NUMBER).alias("_p")), monthly


def check_gaps(frame: pl.DataFrame, spec: Spec) -> list[Finding]:
    """Periods missing inside the data's span: for the whole city, and for single areas
    (an area absent from some periods in which other areas are present)."""
    got = _periodic(frame, spec)
    if got is None or not spec.checks.gaps:
        return []
    rows, monthly = got
    area = spec.input.area
    lo, hi = rows.select(pl.col("_p").min().alias("lo"), pl.col("_p").max().alias("hi")).row(0)
    if lo is None:
        return []  # no readable period: input-bad-period says so
    present = rows.select(pl.col("_p").unique().sort()).to_series()
    n_areas = rows.select(pl.col(area).n_unique()).item()
    if present.len() == hi - lo + 1 and rows.height == n_areas * present.len():
        return []  # every area in every period (duplicates are errors of their own)
    missing = sorted(set(range(lo, hi + 1)) - set(present.to_list()))
    findings = [
        Finding("input-gap", "no row for any area in this period", severity="warning",
                value=_period_label(p, monthly), column=spec.input.period,
                hint="an extract may be missing; flows over a window that includes this "
                "period cannot be computed")
        for p in missing[:200]
    ]
    if len(missing) > 200:
        findings.append(Finding(
            "input-gap", f"{len(missing) - 200} more period(s) without any row (not listed; "
            f"the data span {_period_label(lo, monthly)} … {_period_label(hi, monthly)})",
            severity="warning", column=spec.input.period))
    per_area = (
        rows.group_by(area).agg(pl.col("_p").unique().sort().alias("have"),
                                pl.col(FILE_COL).first(), pl.col(LINE_COL).first())
        .filter(pl.col("have").list.len() < present.len())
    )
    if per_area.height == 0:
        return findings
    per_area = (
        per_area.with_columns(pl.lit(present.implode()).first().list.set_difference("have")
                      .list.sort().alias("lacks"))
        .filter(pl.col("lacks").list.len() > 0)
        .sort(area)
    )
    e = pl.element()
    label = (e.cast(pl.String).str.zfill(4) if not monthly else
             (e // 12).cast(pl.String).str.zfill(4) + "-"
             + (e % 12 + 1).cast(pl.String).str.zfill(2))
    labels = pl.col("lacks").list.eval(label)
    per_area = per_area.with_columns(
        pl.col("lacks").list.len().alias("_n"),
        pl.when(pl.col("lacks").list.len() <= 4).then(labels.list.join(", "))
        .otherwise(labels.list.first() + " … " + labels.list.last()).alias("_span"))
    return findings + rows_to_findings(
        per_area, area, "input-gap",
        f"area {{{area}}} has no row for {{_n}} period(s) that other areas have: {{_span}}",
        "the area is missing from some extracts (new or renamed area? see docs/errors.md); "
        "its flows and changes over those periods have no value", severity="warning",
        limit=200)


def check_jumps(frame: pl.DataFrame, spec: Spec,
                only: frozenset[str] | None = None) -> list[Finding]:
    """A count that changes by more than ``checks.jump.max_change`` (relative) from one
    period of an area to the next is implausible (two extracts mixed up, a boundary
    change, a typo). ``only``: the jump columns to check (default all)."""
    jump = spec.checks.jump
    got = _periodic(frame, spec)
    if got is None or jump is None:
        return []
    rows, _ = got
    area = spec.input.area
    findings: list[Finding] = []
    from .derive import is_presorted

    ordered = rows if is_presorted(rows, area, "_p") else rows.sort(area, "_p")
    same_area = pl.col(area) == pl.col(area).shift(1)  # the rows are in area order
    for c in _jump_columns(spec):
        if only is not None and c not in only:
            continue
        jumped = _jumped(c, jump, same_area)
        # only the (few) rows that jumped are materialised, with their predecessor
        at = ordered.lazy().with_row_index("_i").filter(jumped).select("_i").collect()["_i"]
        before = ordered[(at - 1).cast(pl.Int64)]
        bad = (
            ordered[at.cast(pl.Int64)]
            .with_columns(before.get_column(c).alias("_prev"),
                          before.get_column("_period").alias("_prev_period"))
            .with_columns(_percent_text((pl.col(c) / pl.col("_prev") - 1) * 100)
                          .alias("_pct"))
            .with_columns(pl.col("_prev").cast(pl.String).str.strip_suffix(".0"))
            .sort(FILE_COL, LINE_COL)
        )
        findings += rows_to_findings(
            bad, c, "input-jump",
            f"{c} changes by {{_pct}} % from {{_prev}} in {{_prev_period}} "
            f"({_row_label(spec)})",
            f"more than ±{jump.max_change:.0%} from one period to the next is implausible; "
            "check the extract (tune or switch off with checks.jump in the spec)",
            severity="warning")
    return findings


def _percent_text(pct: pl.Expr) -> pl.Expr:
    """A signed whole percentage ("+120", "-60"); beyond the integers (a count like
    1e224 is a typo too) the number as it is."""
    rounded = pct.round(0)
    whole = rounded.cast(pl.Int64, strict=False).cast(pl.String)
    text = pl.coalesce(whole, pct.cast(pl.String))
    return pl.when(rounded >= 0).then(pl.lit("+") + text).otherwise(text)  # "+0" too


def check_history(frame: pl.DataFrame, spec: Spec, quick: Quick | None = None) -> list[Finding]:
    """Some period must have at least two areas whose series reach back as far as the
    spec's windows and lags need (the rule of the default output periods)."""
    from .exclude import history_need

    need = history_need(spec)
    if need == 0 or spec.input.period is None or frame.height == 0:
        return []
    lo, hi, areas = quick.span if quick is not None else (None, None, 0)
    if lo is not None and hi is not None and hi - need >= lo and areas >= 2:
        return []  # a complete panel: every area has the periods from lo on
    got = _periodic(frame, spec)
    if got is None:
        return []
    rows, _ = got
    ok = (
        rows.filter(pl.col("_p") - need >= pl.col("_p").min().over(spec.input.area))
        .group_by("_p").len().filter(pl.col("len") >= 2).height
    )
    if ok or rows.height == 0:
        return []
    periods = rows.select(pl.col("_p").n_unique()).item()
    return [Finding(
        "input-too-short", f"no period has enough history for the spec ({need} earlier "
        f"periods needed, the data have {periods} period(s))", column=spec.input.period,
        hint="give more periods of data, or a smaller window or lag in the spec")]


@dataclass(frozen=True)
class Quick:
    """What one pass over the rows tells about every check (one collect, no copy of the
    frame): a check whose flag is clear has nothing to find and does not look at the rows
    one by one. Flags are conservative: set when the check may find something."""

    ids: bool  # an empty area ID or period
    duplicates: bool  # rows not in strictly increasing area, period order
    counts: frozenset[str]  # count columns with a negative value
    shares: frozenset[str]  # share indicators with a numerator above its denominator
    zeros: frozenset[str]  # denominator columns with a zero
    complete: bool  # every area in every period of the span, rows in order
    jumps: frozenset[str]  # jump columns that may have a jump (all when unsure)
    #: the earliest and latest period number and the number of areas (with ``complete``)
    span: tuple[int | None, int | None, int] = (None, None, 0)
    #: rows in strictly increasing area, then period order (see derive.is_presorted)
    presorted: bool = False


def _share_indicators(spec: Spec) -> dict[str, Any]:
    return {ident: ind for ident, ind in spec.indicators.items()
            if ind.kind == "ratio" and ind.type == "stock" and ind.per == 100
            and ind.denominator}


def _share_above(ind: Any) -> pl.Expr:
    """Rows whose stock share is above 100 % (5 of 0 too; negative and non-finite counts
    are errors of their own)."""
    num = pl.sum_horizontal(ind.numerator_columns)
    den = pl.col(ind.denominator)
    return (num > den) & (den >= 0) & num.is_finite()


def _denominators(spec: Spec) -> list[str]:
    return list(dict.fromkeys(
        ind.denominator for ind in spec.indicators.values()
        if ind.kind == "ratio" and ind.denominator is not None))


def _jump_columns(spec: Spec) -> list[str]:
    jump = spec.checks.jump
    return (jump.columns or [spec.input.population]) if jump else []


def _jumped(column: str, jump: Any, same_area: pl.Expr) -> pl.Expr:
    """Rows whose ``column`` changed by more than ``jump.max_change`` from the row before
    (of the same area: rows in area, period order)."""
    prev = pl.when(same_area).then(pl.col(column).shift(1))
    return (prev >= max(jump.min_base, 1e-12)) & (
        (pl.col(column) - prev).abs() / prev > jump.max_change)


NEW_AREA = "_new_area"  # quick_check: the row starts a run of rows of one area


def quick_check(frame: pl.DataFrame, spec: Spec) -> Quick:
    """The :class:`Quick` flags of a frame with :data:`PERIOD_NUMBER` (when the spec has
    periods).

    The ID texts are compared once, row with row before, which marks where each run of
    rows of one area starts; everything else about IDs looks at the run starts only (one
    row per area in ordered input), and order within a run at the period numbers."""
    inp = spec.input
    area = pl.col(inp.area)
    marked = frame.with_columns((area != area.shift()).fill_null(True).alias(NEW_AREA))
    new_area = pl.col(NEW_AREA)
    # every ID of the frame is the ID of some run start
    starts = area.filter(new_area)
    keys = [inp.area, *([inp.period] if inp.period else [])]
    exprs = [
        (starts.is_null().any() | (starts == "").any()
         | (pl.col(inp.period).is_null().any() if inp.period else pl.lit(False))).alias("ids"),
        (pl.all_horizontal(pl.col(k).null_count() == 0 for k in keys)
         & (starts > starts.shift()).fill_null(True).all()).alias("ids ascending"),
        *[(pl.col(c) < 0).any().alias(f"neg {c}") for c in count_columns(spec)],
        *[_share_above(ind).any().alias(f"share {i}")
          for i, ind in _share_indicators(spec).items()],
        *[(pl.col(c) == 0).any().alias(f"zero {c}") for c in _denominators(spec)],
        new_area.sum().alias("areas"),
    ]
    jump = spec.checks.jump
    if inp.period is not None:
        number = pl.col(PERIOD_NUMBER)
        exprs += [number.min().alias("lo"), number.max().alias("hi"),
                  number.null_count().alias("bad periods"),
                  number.n_unique().alias("periods"),
                  # within a run, periods rise (a null period number: not known, so no)
                  (new_area | (number > number.shift())).fill_null(False).all()
                  .alias("periods ascending"),
                  *[_jumped(c, jump, ~new_area).any().alias(f"jump {c}")
                    for c in _jump_columns(spec)]]
    else:
        exprs.append(new_area.all().alias("periods ascending"))  # one row per area
    got = (marked.lazy().select(exprs).collect(engine="in-memory").row(0, named=True)
           if frame.height else {})

    def flagged(prefix: str, columns: list[str]) -> frozenset[str]:
        return frozenset(c for c in columns if got.get(f"{prefix} {c}", True))

    presorted = bool(got.get("ids ascending", False) and got.get("periods ascending", False))
    ordered = presorted and not got.get("ids", True) and got.get("bad periods", 1) == 0
    complete = (ordered and got["hi"] - got["lo"] + 1 == got["periods"]
                and frame.height == got["areas"] * got["periods"])
    return Quick(
        ids=bool(got.get("ids", True)), duplicates=not presorted,
        counts=flagged("neg", count_columns(spec)),
        shares=flagged("share", list(_share_indicators(spec))),
        zeros=flagged("zero", _denominators(spec)),
        complete=complete,
        # in area, period order the jump expression saw each area's periods in turn
        jumps=flagged("jump", _jump_columns(spec)) if ordered else frozenset(
            _jump_columns(spec)),
        span=(got.get("lo"), got.get("hi"), got.get("areas", 0)) if complete else
        (None, None, 0),
        presorted=presorted,
    )


def check_frame(frame: pl.DataFrame, spec: Spec, quick: Quick | None = None) -> list[Finding]:
    """Every data check on the parsed input rows, errors first. Checks that the one pass
    of :func:`quick_check` clears are skipped."""
    frame = with_period_numbers(frame, spec)
    q = quick or quick_check(frame, spec)
    jump = spec.checks.jump
    return (
        check_ids(frame, spec, areas=q.ids)
        + (check_duplicates(frame, spec) if q.duplicates else [])
        + check_counts(frame, [c for c in count_columns(spec) if c in q.counts])
        + check_shares(frame, spec, only=q.shares)
        + check_zero_denominators(frame, spec, only=q.zeros)
        + ([] if q.complete else check_gaps(frame, spec))
        + (check_jumps(frame, spec, only=q.jumps) if jump and q.jumps else [])
    )


def unknown_total_rows(extracts: list[Extract], spec: Spec) -> list[Finding]:
    """``input.drop_areas`` IDs that no file had (a typo lets a total be scored)."""
    seen = {a for e in extracts for a in e.dropped_areas}
    return [Finding("input-unknown-total", f"input.drop_areas names {a!r}, which is in no "
                    "file", severity="warning", value=a,
                    hint="check the ID (a total row that is not left out is scored as an "
                    "area)")
            for a in spec.input.drop_areas if a not in seen]


SEVERITIES = ("error", "warning", "info")


@dataclass
class Report:
    """What :func:`validate` found: the findings (errors, warnings, notes), the files
    read and the parsed rows (None when no file could be read)."""

    spec: Spec
    findings: list[Finding] = field(default_factory=list)
    extracts: list[Extract] = field(default_factory=list)
    frame: pl.DataFrame | None = None
    #: how many files were given (some may not be readable)
    given: int = 0
    #: the rows are in strictly increasing area, then period order (None: not known)
    presorted: bool | None = None

    def count(self, severity: str) -> int:
        return sum(f.severity == severity for f in self.findings)

    def failing(self, strict: bool = False) -> list[Finding]:
        return [f for f in self.findings
                if f.severity == "error" or (strict and f.severity == "warning")]

    def raise_for(self, strict: bool = False) -> None:
        """Raise one InputError for the errors (and, with ``strict``, warnings)."""
        raise_errors(self.findings, "input", strict=strict)

    def to_dict(self, strict: bool = False, limit: int = 1000) -> dict[str, Any]:
        """Plain data for ``validate --format json`` (the first ``limit`` findings)."""
        ordered = sorted(self.findings, key=lambda f: SEVERITIES.index(f.severity))
        rows: dict[str, int] = {}
        if self.frame is not None:  # rows of each file that were read
            counts = self.frame.get_column(FILE_COL).cast(pl.String).value_counts()
            rows = dict(zip(*(counts.get_column(c).to_list() for c in counts.columns),
                            strict=True))
        return {
            "valid": not self.failing(strict),
            "strict": strict,
            "errors": self.count("error"),
            "warnings": self.count("warning"),
            "notes": self.count("info"),
            "files_given": self.given,
            "total_findings": len(ordered),
            "shown_findings": min(len(ordered), limit),
            "findings": [f.to_dict() for f in ordered[:limit]],
            "files": [{"file": str(e.path), "sha256": e.sha256, "encoding": e.encoding,
                       "separator": e.separator, "decimal": e.decimal,
                       "rows": rows.get(str(e.path), 0)} for e in self.extracts],
            "spec_sha256": self.spec.sha256(),
        }


def validate(
    paths: list[str | Path] | list[Path],
    spec: Spec,
    *,
    encoding: str | None = None,
    separator: str | None = None,
    decimal: str | None = None,
    sheet: str | None = None,
    periods: list[str] | None = None,
) -> Report:
    """Read every file and run every check, collecting all problems (nothing raised for
    bad data; only for no input files at all). Without ``periods`` (the periods to
    output), some period must have enough history for the spec (``input-too-short``)."""
    frame, extracts, findings = read_inputs(paths, spec, encoding=encoding,
                                            separator=separator, decimal=decimal, sheet=sheet)
    quick = None
    if frame is not None:
        numbered = with_period_numbers(frame, spec)
        quick = quick_check(numbered, spec)
        findings = findings + check_frame(numbered, spec, quick) + unknown_exclusions(
            frame, spec, spec.input.area) + unknown_total_rows(
            extracts, spec)
        if not periods:
            findings += check_history(numbered, spec, quick)
    # the rows with their period numbers: compute need not parse the periods again
    return Report(spec, findings, extracts, numbered if frame is not None else None,
                  len(paths),
                  presorted=quick.presorted if quick is not None else None)

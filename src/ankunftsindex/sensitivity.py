"""Sensitivity of an index's ranking to the analyst's choices (Monte Carlo).

One index, one period. The raw indicator values of the scored areas are fixed; each run
draws the analyst's choices — weights, normalisation method, ``ddof``, winsorising on or
off, one indicator left out — and recomputes scores, index, ranks and classes. Runs are
vectorised: every distinct normalisation (method × ddof × winsorising, a handful) gives
one score matrix (areas × indicators), and all runs that share it are one matrix product
with their weight matrix; ranks and classes are computed on the areas × runs matrix at
once. The statistics follow docs/method.md and are checked against the pipeline (the
nominal choices reproduce the output's ranks and classes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from .aggregate import RANK_DECIMALS
from .errors import ComputeError, InputError
from .explain import select_period
from .normalise import MAD_SCALE
from .spec import Index, Spec

CHOICES = ("weights", "normalise", "ddof", "winsorise", "leave_out")
METHODS = ("zscore", "robust_zscore", "minmax", "percentile", "rank", "none")
DEFAULT_METHODS = ("zscore", "robust_zscore", "minmax", "percentile")


@dataclass(frozen=True)
class Settings:
    """What varies and how. ``vary`` holds the choices drawn in each run; the others stay
    at the spec's values."""

    runs: int = 1000
    seed: int = 1
    vary: tuple[str, ...] = CHOICES
    weights: str = "perturb"            # perturb: w × U(1 − r, 1 + r); simplex: uniform
    weight_range: float = 0.25
    methods: tuple[str, ...] = DEFAULT_METHODS
    winsorise: tuple[float, float] = (0.05, 0.95)  # used for "on" when the spec has none

    def check(self) -> None:
        bad = [c for c in self.vary if c not in CHOICES]
        if bad:
            raise ValueError(f"unknown choice {bad[0]!r}; choices: {', '.join(CHOICES)}")
        if self.runs < 1:
            raise ValueError("runs must be at least 1")
        if self.weights not in ("perturb", "simplex"):
            raise ValueError("weights is perturb or simplex")
        if not 0 <= self.weight_range < 1:
            raise ValueError("weight range must be in [0, 1)")
        unknown = [m for m in self.methods if m not in METHODS]
        if unknown or not self.methods:
            raise ValueError(f"normalisation methods are {', '.join(METHODS)}")
        lo, hi = self.winsorise
        if not 0 <= lo < hi <= 1:
            raise ValueError("winsorise quantiles need 0 <= lower < upper <= 1")


@dataclass
class Sensitivity:
    """The result: per area and per choice, plus what was run."""

    areas: pl.DataFrame
    choices: pl.DataFrame
    index_id: str
    period: str | None
    classes: list[str]
    settings: Settings
    overall_shift: float
    overall_class_changed: float
    info: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        s = self.settings
        return {
            "index": self.index_id, "period": self.period, "runs": s.runs, "seed": s.seed,
            "vary": list(s.vary), "weights": s.weights, "weight_range": s.weight_range,
            "methods": list(s.methods), "winsorise": list(s.winsorise),
            "classes": self.classes,
            "mean_abs_rank_shift": self.overall_shift,
            "share_class_changed": self.overall_class_changed,
            "choices": self.choices.to_dicts(),
            "areas": self.areas.to_dicts(),
            **self.info,
        }


# --- normalisation in numpy, column-wise (areas × indicators) -------------------------

def _ranks_min(values: np.ndarray, descending: bool) -> np.ndarray:
    """Ranks 1..n per column, ties at the lowest rank ("min"), as polars' rank."""
    v = np.round(-values if descending else values, RANK_DECIMALS)  # ties as compute's
    order = np.argsort(v, axis=0, kind="stable")
    sv = np.take_along_axis(v, order, axis=0)
    n = v.shape[0]
    pos = np.arange(n)[:, None].repeat(v.shape[1], axis=1)
    new = np.ones_like(sv, dtype=bool)
    new[1:] = sv[1:] != sv[:-1]
    first = np.maximum.accumulate(np.where(new, pos, 0), axis=0) + 1
    ranks = np.empty_like(first)
    np.put_along_axis(ranks, order, first, axis=0)
    return ranks


def _rank_against(ref: np.ndarray, x: np.ndarray) -> np.ndarray:
    """1 + number of reference values below x, per column (rank against a reference)."""
    out = np.empty_like(x)
    for j in range(x.shape[1]):  # one column per indicator, a handful
        out[:, j] = np.searchsorted(np.sort(ref[:, j]), x[:, j], side="left") + 1
    return out


def normalise(x: np.ndarray, ref: np.ndarray | None, method: str, ddof: int,
              winsorise: tuple[float, float] | None) -> np.ndarray:
    """Scores of ``x`` (areas × indicators) against the reference rows ``ref`` (None: x
    itself), as normalise.py computes them."""
    r = x if ref is None else ref
    if winsorise is not None:
        lo = np.quantile(r, winsorise[0], axis=0, method="linear")
        hi = np.quantile(r, winsorise[1], axis=0, method="linear")
        x = np.clip(x, lo, hi)
        r = x if ref is None else np.clip(r, lo, hi)
    if method == "zscore":
        return (x - r.mean(axis=0)) / r.std(axis=0, ddof=ddof)
    if method == "robust_zscore":
        med = np.median(r, axis=0)
        return (x - med) / (MAD_SCALE * np.median(np.abs(r - med), axis=0))
    if method == "minmax":
        lo = r.min(axis=0)
        return (x - lo) / (r.max(axis=0) - lo)
    if method in ("rank", "percentile"):
        rk = _ranks_min(x, descending=False) if ref is None else _rank_against(r, x)
        rk = rk.astype(float)
        return rk if method == "rank" else (rk - 1) / (r.shape[0] - 1)
    return x.astype(float, copy=True)


# --- the runs -------------------------------------------------------------------------

@dataclass
class Draws:
    """The choices of every run: weight matrix (runs × indicators, 0 = left out) and
    the normalisation of each run."""

    weights: np.ndarray
    method: np.ndarray      # index into methods
    ddof: np.ndarray
    winsorise: np.ndarray   # bool
    methods: tuple[str, ...]


def nominal_draws(index: Index, n: int) -> Draws:
    w = np.array(list(index.weights.values()), dtype=float)
    return Draws(np.tile(w, (n, 1)), np.zeros(n, dtype=int), np.full(n, index.ddof),
                 np.full(n, index.winsorise is not None), (index.normalise,))


def draw(index: Index, settings: Settings, vary: tuple[str, ...], runs: int,
         rng: np.random.Generator) -> Draws:
    """Draw ``runs`` sets of choices; a choice not in ``vary`` stays at the spec's value.
    Every choice is drawn (from the generator, in a fixed order) even when it does not
    vary, so that a seed gives the same draws whatever is varied."""
    base = np.array(list(index.weights.values()), dtype=float)
    k = base.size
    factors = rng.uniform(1 - settings.weight_range, 1 + settings.weight_range, (runs, k))
    simplex = rng.dirichlet(np.ones(k), runs) * base.sum()
    methods = tuple(dict.fromkeys([index.normalise, *settings.methods]))
    method = rng.integers(0, len(methods), runs)
    ddof = rng.integers(0, 2, runs)
    wins = rng.integers(0, 2, runs).astype(bool)
    # 0 = keep all indicators, j = leave indicator j − 1 out
    leave = rng.integers(0, k + 1 if k > 1 else 1, runs)
    d = nominal_draws(index, runs)
    d.methods = methods
    if "weights" in vary:
        d.weights = base * factors if settings.weights == "perturb" else simplex
    if "normalise" in vary:
        d.method = method
    if "ddof" in vary:
        d.ddof = ddof
    if "winsorise" in vary:
        d.winsorise = wins
    if "leave_out" in vary and k > 1:
        out = leave > 0
        d.weights = d.weights.copy()
        d.weights[out, leave[out] - 1] = 0.0
    return d


def run_index(x: np.ndarray, ref: np.ndarray | None, index: Index, d: Draws,
              settings: Settings, index_id: str,
              progress: Callable[[int], None] | None = None) -> np.ndarray:
    """The index value of every area (rows) in every run (columns)."""
    runs = d.weights.shape[0]
    out = np.empty((x.shape[0], runs))
    spec_wins = tuple(index.winsorise) if index.winsorise is not None else None
    combos = np.stack([d.method, d.ddof, d.winsorise.astype(int)], axis=1)
    for combo in np.unique(combos, axis=0):  # a handful of normalisations, not runs
        m, ddof, wins = (int(v) for v in combo)
        sel = np.flatnonzero((combos == combo).all(axis=1))
        method = d.methods[m]
        q = (spec_wins or settings.winsorise) if wins else None
        with np.errstate(divide="ignore", invalid="ignore"):
            s = normalise(x, ref, method, ddof, q)
            s_ref = s if ref is None else normalise(ref, ref, method, ddof, q)
        _check_scores(s_ref, method, index_id, index)
        w = d.weights[sel]
        total = w.sum(axis=1)
        if index.aggregate == "geometric":
            if (s <= 0).any():
                raise ComputeError(
                    f"index {index_id!r}: geometric aggregation needs positive scores, "
                    f"normalise: {method} gives scores <= 0",
                    code="compute-geometric-nonpositive",
                    hint="vary only methods with positive scores: --normalise rank")
            agg = np.exp(_weighted_sum(np.log(s), w) / total)
            agg_ref = agg if ref is None else np.exp(_weighted_sum(np.log(s_ref), w) / total)
        else:
            agg = _weighted_sum(s, w)
            agg_ref = agg if ref is None else _weighted_sum(s_ref, w)
            if index.aggregate == "mean":
                agg, agg_ref = agg / total, agg_ref / total
        if index.standardise:
            dd = d.ddof[sel]
            n = agg_ref.shape[0]
            mean = agg_ref.mean(axis=0)
            sd = np.sqrt(((agg_ref - mean) ** 2).sum(axis=0) / (n - dd))
            with np.errstate(divide="ignore", invalid="ignore"):
                agg = (agg - mean) / sd
        if not np.isfinite(agg).all():
            raise ComputeError(
                f"index {index_id!r}: normalise: {method} gives an aggregate with zero "
                "spread among the scored areas in some runs (e.g. when an indicator is "
                "left out), so the index cannot be standardised",
                code="compute-zero-spread",
                hint="leave out that choice: --vary without leave_out, or --normalise "
                f"without {method}")
        out[:, sel] = agg
        if progress is not None:
            progress(sel.size)
    return out


def _weighted_sum(s: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Σⱼ sⱼwⱼ for every area (rows) and run (columns), summed left to right as the
    pipeline does, so that tied areas stay exactly tied (a matrix product may round
    differently)."""
    out = s[:, :1] * w[None, :, 0]
    for j in range(1, s.shape[1]):  # one term per indicator
        out = out + s[:, j:j + 1] * w[None, :, j]
    return out


def _check_scores(s: np.ndarray, method: str, index_id: str, index: Index) -> None:
    if not np.isfinite(s).all():
        raise ComputeError(
            f"index {index_id!r}: normalise: {method} gives no finite scores for some "
            "indicator (zero spread among the scored areas)",
            code="compute-zero-spread",
            hint=f"leave {method} out of --normalise (name the other methods to vary)")


def classify(values: np.ndarray, index: Index) -> np.ndarray:
    """Class number (position in the spec's list) of every value, as class_expr does."""
    out = np.full(values.shape, -1, dtype=int)
    for k, c in enumerate(index.classes):
        lo = -math.inf if c.from_ is None else c.from_
        hi = math.inf if c.to is None else c.to
        out[(values >= lo) & (values < hi) & (out < 0)] = k
    return out


#: The runs are computed a chunk at a time, at most this many cells (areas × runs) each:
#: ranking takes about 60 bytes a cell, while a run's result is kept as its ranks and
#: classes (6 bytes a cell). So 100,000 runs over 500 areas need about 0.3 GB, not 4 GB.
CHUNK_CELLS = 1 << 22


def chunks(runs: int, areas: int) -> list[slice]:
    """The runs (columns) in chunks of at most :data:`CHUNK_CELLS` cells (at least one run)."""
    step = max(1, CHUNK_CELLS // max(areas, 1))
    return [slice(i, min(i + step, runs)) for i in range(0, runs, step)]


def ranks_and_classes(x: np.ndarray, ref: np.ndarray | None, index: Index, d: Draws,
                      settings: Settings, index_id: str,
                      progress: Callable[[int], None] | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Rank and class number of every area (rows) in every run (columns), computed a
    chunk of runs at a time (each run is computed on its own, so the chunks do not change
    any number)."""
    areas, runs = x.shape[0], d.weights.shape[0]
    ranks = np.empty((areas, runs), dtype=np.uint32)
    classes = np.empty((areas, runs), dtype=np.int16)
    for part in chunks(runs, areas):
        some = Draws(d.weights[part], d.method[part], d.ddof[part], d.winsorise[part],
                     d.methods)
        values = run_index(x, ref, index, some, settings, index_id, progress)
        ranks[:, part] = _ranks_min(values, descending=True)
        classes[:, part] = classify(values, index)
    return ranks, classes


def rank_shift(ranks: np.ndarray, nominal: np.ndarray) -> tuple[float, int]:
    """Mean and largest absolute shift of the ranks from the nominal ranks, a chunk of
    runs at a time (the sum is of integers, exact in any order)."""
    if not ranks.size:
        return 0.0, 0
    total, largest = 0, 0
    for part in chunks(ranks.shape[1], ranks.shape[0]):
        shift = np.abs(ranks[:, part].astype(np.int64) - nominal[:, None])
        total += int(shift.sum())
        largest = max(largest, int(shift.max()))
    return total / ranks.size, largest


def sensitivity(frame: pl.DataFrame, spec: Spec, index_id: str, period: str | None,
                settings: Settings, progress: Callable[[int], None] | None = None
                ) -> Sensitivity:
    """Monte Carlo over the analyst's choices for one index and one period of an output
    table (it must hold the index's ``reference_period`` when it has one)."""
    settings.check()
    if index_id not in spec.indices:
        raise InputError(f"the spec has no index {index_id!r}", code="input-unknown-index",
                         hint=f"indices of the spec: {', '.join(spec.indices)}")
    index = spec.indices[index_id]
    indicators = list(index.weights)
    direction = np.array([spec.indicators[i].direction for i in indicators], dtype=float)
    _, period = select_period(frame, period)
    scored = frame.filter(pl.col("status") == "scored")
    if "period" in frame.columns:
        rows = scored.filter(pl.col("period") == period).sort("area")
        ref_rows = (scored.filter(pl.col("period") == index.reference_period).sort("area")
                    if index.reference_period is not None else None)
    else:
        rows, ref_rows = scored.sort("area"), None
    if ref_rows is not None and ref_rows.height < 2:
        raise ComputeError(
            f"reference period {index.reference_period} of index {index_id!r}: "
            f"{ref_rows.height} scored area(s) in the output; the runs need its areas",
            code="compute-too-few-areas",
            hint="compute the output with the reference period included (--period "
            f"{index.reference_period},{period}), or give the extract with --spec")
    if rows.height < 2:
        raise ComputeError(f"period {period}: {rows.height} scored area(s); sensitivity "
                           "needs at least two", code="compute-too-few-areas",
                           hint="choose another --period")
    x = rows.select(indicators).to_numpy().astype(float) * direction
    ref = None if ref_rows is None else ref_rows.select(indicators).to_numpy() * direction
    nominal_rank = rows[f"{index_id}_rank"].to_numpy().astype(int)
    labels = [c.label for c in index.classes]
    nominal_class = np.array([labels.index(c) for c in rows[f"{index_id}_class"].to_list()])

    rng = np.random.default_rng(settings.seed)
    vary = tuple(c for c in CHOICES if c in settings.vary)
    draws = draw(index, settings, vary, settings.runs, rng)
    ranks, classes = ranks_and_classes(x, ref, index, draws, settings, index_id, progress)

    shares = {lab: (classes == k).mean(axis=1) for k, lab in enumerate(labels)}
    in_nominal = (classes == nominal_class[:, None]).mean(axis=1)
    lo = np.quantile(ranks, 0.05, axis=1, method="inverted_cdf")
    hi = np.quantile(ranks, 0.95, axis=1, method="inverted_cdf")
    areas = pl.DataFrame({
        "area": rows["area"],
        "name": rows["name"],
        index_id: rows[index_id],
        "rank": nominal_rank.astype(np.uint32),
        "class": rows[f"{index_id}_class"],
        "rank_median": np.median(ranks, axis=1),
        "rank_p05": lo.astype(np.uint32),
        "rank_p95": hi.astype(np.uint32),
        "rank_interval": (hi - lo).astype(np.uint32),
        "share_nominal_class": in_nominal,
        **{f"share_{lab}": v for lab, v in shares.items()},
    }).sort("rank", "area")

    # one choice at a time: how far it alone moves the ranks from the nominal ranking
    choice_rows = []
    for choice in vary:
        d = _one_at_a_time(index, settings, choice, rng)
        if d is None:
            continue
        r, c = ranks_and_classes(x, ref, index, d, settings, index_id)
        mean_shift, max_shift = rank_shift(r, nominal_rank)
        choice_rows.append({
            "choice": choice, "runs": int(r.shape[1]),
            "mean_abs_rank_shift": mean_shift,
            "max_abs_rank_shift": max_shift,
            "share_class_changed": float((c != nominal_class[:, None]).mean()),
        })
    choices = pl.DataFrame(choice_rows, schema={"choice": pl.String, "runs": pl.Int64,
                                                "mean_abs_rank_shift": pl.Float64,
                                                "max_abs_rank_shift": pl.Int64,
                                                "share_class_changed": pl.Float64})
    # the nominal choices must give the output's index values (up to rounding)
    check = run_index(x, ref, index, nominal_draws(index, 1), settings, index_id)[:, 0]
    deviation = float(np.abs(check - rows[index_id].to_numpy()).max())
    return Sensitivity(
        areas=areas, choices=choices, index_id=index_id, period=period, classes=labels,
        settings=Settings(**{**settings.__dict__, "vary": vary}),
        overall_shift=rank_shift(ranks, nominal_rank)[0],
        overall_class_changed=float((classes != nominal_class[:, None]).mean()),
        info={"areas_scored": int(rows.height),
              "nominal_max_deviation": deviation,
              "nominal_reproduced": deviation <= 1e-9},
    )


def _one_at_a_time(index: Index, settings: Settings, choice: str,
                   rng: np.random.Generator) -> Draws | None:
    """Runs in which only ``choice`` differs from the spec: every alternative of a
    discrete choice once, ``runs`` random draws of the weights."""
    k = len(index.weights)
    if choice == "weights":
        return draw(index, settings, ("weights",), settings.runs, rng)
    if choice == "normalise":
        methods = tuple(dict.fromkeys([index.normalise, *settings.methods]))
        if len(methods) < 2:
            return None
        d = nominal_draws(index, len(methods) - 1)
        d.methods, d.method = methods, np.arange(1, len(methods))
        return d
    if choice == "ddof":
        d = nominal_draws(index, 1)
        d.ddof = 1 - d.ddof
        return d
    if choice == "winsorise":
        d = nominal_draws(index, 1)
        d.winsorise = ~d.winsorise
        return d
    if choice == "leave_out":
        if k < 2:
            return None
        d = nominal_draws(index, k)
        d.weights[np.arange(k), np.arange(k)] = 0.0
        return d
    return None


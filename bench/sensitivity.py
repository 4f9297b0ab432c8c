"""Benchmark: sensitivity with 1,000 runs over 500 areas, against one plain compute.

    python bench/sensitivity.py [--areas 500] [--runs 1000] [--repeat 3]

Prints the best of ``--repeat`` wall-clock times of (a) one ``compute_frame`` of a
500-area cross-section with four indicators (the baseline, measured in the same run) and
(b) ``sensitivity`` with every choice varied, and their ratio. Not part of the tests
(timings depend on the machine); the issue's target is "seconds" for (b).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import polars as pl

from ankunftsindex.pipeline import compute_frame
from ankunftsindex.sensitivity import Settings, sensitivity
from ankunftsindex.spec import parse_spec

SPEC = """\
spec_version: 1
title: Benchmark
input: {area: area_id, name: area_name, population: residents}
min_population: 300
indicators:
  intl_inflow: {numerator: inflow_abroad, per: 1000}
  foreign_share: {numerator: foreigners, per: 100}
  fluctuation: {numerator: [inflow, outflow], per: 1000}
  sgb2_share: {numerator: sgb2, per: 100}
indices:
  arrival:
    weights: {intl_inflow: 1, foreign_share: 1, fluctuation: 1, sgb2_share: 1}
    normalise: zscore
    winsorise: [0.01, 0.99]
    standardise: true
    classes:
      - {label: sehr hoch, from: 1.5}
      - {label: hoch, from: 1.0, to: 1.5}
      - {label: mittel, from: -1.0, to: 1.0}
      - {label: niedrig, to: -1.0}
"""


def city(areas: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    residents = rng.integers(500, 20_000, areas).astype(float)
    share = rng.beta(2, 8, areas)
    return pl.DataFrame({
        "area_id": [f"{k:08d}" for k in range(areas)],
        "area_name": [f"Gebiet {k}" for k in range(areas)],
        "residents": residents,
        "inflow_abroad": np.round(residents * share * rng.uniform(0.02, 0.1, areas)),
        "foreigners": np.round(residents * share),
        "inflow": np.round(residents * rng.uniform(0.05, 0.2, areas)),
        "outflow": np.round(residents * rng.uniform(0.05, 0.2, areas)),
        "sgb2": np.round(residents * share * rng.uniform(0.2, 0.6, areas)),
    })


def best(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=500)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    spec = parse_spec(SPEC)
    raw = city(args.areas)
    out, _ = compute_frame(raw, spec)
    base = best(lambda: compute_frame(raw, spec), args.repeat)
    settings = Settings(runs=args.runs, seed=1)
    sens = best(lambda: sensitivity(out, spec, "arrival", None, settings), args.repeat)
    result = sensitivity(out, spec, "arrival", None, settings)
    print(f"areas {args.areas}, runs {args.runs} (+ one-at-a-time runs), best of "
          f"{args.repeat}")
    print(f"  compute_frame (baseline)   {base:8.3f} s")
    print(f"  sensitivity                {sens:8.3f} s   = {sens / base:6.1f} × baseline")
    print(f"  nominal reproduced: {result.info['nominal_reproduced']}; mean |rank shift| "
          f"{result.overall_shift:.2f}")


if __name__ == "__main__":
    main()

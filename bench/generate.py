"""Seeded generator of large register extracts for the benchmark (areas × months).

Writes ``extract_<areas>x<months>.parquet`` and ``extract_<areas>x<months>.csv`` with the
columns the default ``indicators.yaml`` reads (the shape of
``sample_data/make_sample_data.py``, but vectorised with numpy so that 36 million rows take
a minute, not an hour). The same seed and size give the same files.

- About 3 % of the areas are tiny (fewer than 300 residents: ``excluded_small``),
  about 5 % are arrival areas (high in-migration, foreign share, turnover and SGB II),
  and about 2 % are *new* arrival areas whose foreign share and in-migration rise from
  the middle of the series.
- 0.1 % of the ``SGBII_Empfaenger`` cells are withheld (empty: ``missing_data``).
- The CSV is German-style: ``;`` separated, UTF-8, integers only.

Areas are written in chunks (area-major), so memory stays at one chunk.

Usage: ``python bench/generate.py --areas 11000 --months 120 --out /tmp/bench``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

SEED = 20261125
FIRST_YEAR = 2016
COLUMNS = ["Monat", "Gebiet_Nr", "Gebiet_Name", "Einwohner", "Einwohner_u65", "Auslaender",
           "Zuzuege_Ausland", "Zuzuege", "Fortzuege", "SGBII_Empfaenger"]
SEASON = np.array([0.85, 0.85, 0.95, 0.95, 0.95, 0.95, 1.05, 1.15, 1.25, 1.15, 0.95, 0.95])
CHUNK = 50_000  # areas per chunk


def stem(areas: int, months: int) -> str:
    return f"extract_{areas}x{months}"


def month_labels(months: int) -> list[str]:
    return [f"{FIRST_YEAR + t // 12}-{t % 12 + 1:02d}" for t in range(months)]


def chunk_frame(first: int, count: int, months: int, seed: int) -> pl.DataFrame:
    """``count`` areas starting at area number ``first``: one row per area and month."""
    rng = np.random.default_rng([seed, first])
    a = count
    kind = rng.random(a)
    tiny = kind < 0.03
    arrival = (kind >= 0.03) & (kind < 0.08)
    new = (kind >= 0.08) & (kind < 0.10)
    pop0 = np.where(tiny, rng.uniform(60, 290, a), np.exp(rng.normal(np.log(4000), 0.8, a)))
    pop0 = np.clip(pop0, 60, 60_000)
    foreign0 = np.where(arrival, rng.uniform(0.25, 0.45, a), rng.uniform(0.03, 0.18, a))
    inflow0 = np.where(arrival, rng.uniform(0.004, 0.008, a), rng.uniform(0.0005, 0.002, a))
    turnover0 = np.where(arrival, rng.uniform(0.02, 0.03, a), rng.uniform(0.006, 0.012, a))
    sgb0 = np.where(arrival, rng.uniform(0.20, 0.35, a), rng.uniform(0.03, 0.12, a))
    u65 = rng.uniform(0.72, 0.85, a)
    onset = rng.integers(months // 3, max(months // 3 + 1, 2 * months // 3), a)

    t = np.arange(months)
    rise = np.where(new[:, None], np.clip((t[None, :] - onset[:, None]) / 24.0, 0, 1), 0.0)
    growth = 1 + rng.normal(0, 0.0005, (a, months)).cumsum(axis=1)
    pop = np.maximum(np.rint(pop0[:, None] * growth), 1).astype(np.int64)
    season = SEASON[(t % 12)][None, :]
    foreign = np.clip(foreign0[:, None] + 0.15 * rise, 0, 0.95)
    inflow_rate = inflow0[:, None] * (1 + 3 * rise) * season
    turnover = turnover0[:, None] * (1 + rise) * season
    sgb = np.clip(sgb0[:, None] + 0.08 * rise, 0, 0.9)

    pop_u65 = np.rint(pop * u65[:, None]).astype(np.int64)
    auslaender = rng.binomial(pop, foreign)
    zuz_ausland = rng.poisson(pop * inflow_rate)
    zuzuege = zuz_ausland + rng.poisson(pop * turnover)
    fortzuege = rng.poisson(pop * (turnover + inflow_rate * 0.8))
    sgb2 = rng.binomial(pop_u65, sgb).astype(np.float64)
    sgb2[rng.random((a, months)) < 0.001] = np.nan

    ids = np.arange(first, first + a)
    labels = pl.Series("Monat", month_labels(months))
    area = pl.Series("Gebiet_Nr", [f"{i:08d}" for i in ids])
    name = pl.Series("Gebiet_Name", [f"Gebiet {i}" for i in ids])
    flat = lambda x: x.reshape(-1)  # noqa: E731  (area-major: area, then month)
    return pl.DataFrame({
        "Monat": pl.concat([labels] * a) if a else labels.clear(),
        "Gebiet_Nr": area.gather(np.repeat(np.arange(a), months)),
        "Gebiet_Name": name.gather(np.repeat(np.arange(a), months)),
        "Einwohner": flat(pop),
        "Einwohner_u65": flat(pop_u65),
        "Auslaender": flat(auslaender),
        "Zuzuege_Ausland": flat(zuz_ausland),
        "Zuzuege": flat(zuzuege),
        "Fortzuege": flat(fortzuege),
        "SGBII_Empfaenger": pl.Series(flat(sgb2), nan_to_null=True).cast(pl.Int64),
    }).select(COLUMNS)


def generate(areas: int, months: int, out: Path, seed: int = SEED,
             formats: tuple[str, ...] = ("parquet", "csv")) -> dict[str, Path]:
    """Write the extract in each format (skipping files that already exist)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {fmt: out / f"{stem(areas, months)}.{fmt}" for fmt in formats}
    todo = {fmt: p for fmt, p in paths.items() if not p.exists()}
    if not todo:
        return paths
    tmp = {fmt: p.with_name(p.name + ".part") for fmt, p in todo.items()}
    writer = None
    csv = tmp["csv"].open("wb") if "csv" in tmp else None
    try:
        for first in range(0, areas, CHUNK):
            frame = chunk_frame(first, min(CHUNK, areas - first), months, seed)
            if "parquet" in tmp:
                table = frame.to_arrow()
                if writer is None:
                    writer = pq.ParquetWriter(tmp["parquet"], table.schema, compression="zstd")
                writer.write_table(table)
            if csv is not None:
                frame.write_csv(csv, separator=";", include_header=first == 0)
    finally:
        if writer is not None:
            writer.close()
        if csv is not None:
            csv.close()
    for fmt, p in todo.items():
        tmp[fmt].replace(p)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, required=True)
    parser.add_argument("--months", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True, help="scratch folder (not the repo)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    for path in generate(args.areas, args.months, args.out, args.seed).values():
        print(path)


if __name__ == "__main__":
    main()

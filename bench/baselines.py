"""The alternatives that ``ankunftsindex compute`` is measured against, each a program of
its own (``bench/run.py`` runs every one in a fresh process to measure its peak memory):

- ``floor``: a minimal polars script that reads the same input and writes an output of the
  same shape (rows × columns) without computing anything: the cost of reading and writing.
- ``pandas``: a straightforward pandas implementation of the default spec's index.
- ``polars``: the same index as one lazy polars query streamed to Parquet, as someone who
  knows polars would write it: no checks, no provenance.
- ``ideal`` (only when asked for): that query cut down to what the generated extracts
  allow (rows in area, period order, no gaps): how close polars gets to the floor.
- ``duckdb``: the same index as one DuckDB SQL query.

The pandas, polars and DuckDB versions hard-code the default ``indicators.yaml`` (window 12,
lag 24, ``min_population`` 300, z-scores with ddof 0, mean, re-standardised, classes and
typology) and follow ``docs/method.md``: flows need all 12 calendar months, a change
needs the month 24 months earlier, statistics per period over the scored areas.

Usage::

    python bench/baselines.py {floor,pandas,polars,ideal,duckdb} INPUT OUTPUT [--rows N --columns N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

WINDOW, LAG, MIN_POPULATION = 12, 24, 300
HISTORY = WINDOW - 1 + LAG
ARRIVAL = ["intl_inflow", "foreign_share", "fluctuation", "sgb2_share"]
DYNAMICS = ["foreign_share_change", "intl_inflow_change"]
ARRIVAL_CLASSES = [("sehr hoch", 1.5, None), ("hoch", 1.0, 1.5), ("erhöht", 0.5, 1.0),
                   ("mittel", -1.0, 0.5), ("niedrig", None, -1.0)]
DYNAMICS_CLASSES = [("steigend", 1.0, None), ("stabil", -1.0, 1.0), ("rückläufig", None, -1.0)]
COUNTS = ["Einwohner", "Einwohner_u65", "Auslaender", "Zuzuege_Ausland", "Zuzuege", "Fortzuege",
          "SGBII_Empfaenger"]
OUTPUT = ["area", "name", "period", "population", "status", "intl_inflow", "foreign_share",
          "fluctuation", "sgb2_share", "foreign_share_change", "intl_inflow_change",
          *[f"arrival_{i}_score" for i in ARRIVAL], "arrival", "arrival_rank", "arrival_class",
          *[f"dynamics_{i}_score" for i in DYNAMICS], "dynamics", "dynamics_rank",
          "dynamics_class", "typ"]


# ---------------------------------------------------------------------------- floor
def floor(path: Path, out: Path, rows: int, columns: int) -> None:
    """Read the input, write ``rows`` × ``columns`` (text, number and class-like columns
    taken from the input), nothing computed."""
    import polars as pl

    if path.suffix == ".parquet":
        frame = pl.read_parquet(path)
    else:
        frame = pl.read_csv(path, separator=";", schema_overrides={"Gebiet_Nr": pl.String})
    # all of the input is read; its last rows stand in for the output periods
    frame = frame.tail(rows)
    nums = [pl.col(c).cast(pl.Float64).alias(f"x{i}_{c}") for i, c in
            enumerate(COUNTS * 4)][: columns - 5]
    frame.select(pl.col("Gebiet_Nr").alias("area"), pl.col("Gebiet_Name").alias("name"),
                 pl.col("Monat").alias("period"), pl.col("Einwohner").alias("population"),
                 pl.lit("scored").alias("status"), *nums).write_parquet(out)


# ---------------------------------------------------------------------------- pandas
def _classes(pd, np, value, classes):
    conds, labels = [], []
    for label, lo, hi in classes:
        c = np.ones(len(value), dtype=bool)
        if lo is not None:
            c &= (value >= lo).to_numpy()
        if hi is not None:
            c &= (value < hi).to_numpy()
        conds.append(c)
        labels.append(label)
    out = np.select(conds, labels, default=None).astype(object)
    out[value.isna().to_numpy()] = None
    return pd.Series(out, index=value.index, dtype=object)


def pandas_index(path: Path, out: Path) -> None:
    import numpy as np
    import pandas as pd

    if path.suffix == ".parquet":
        df = pd.read_parquet(path)
    else:
        df = pd.read_csv(path, sep=";", dtype={"Gebiet_Nr": str, "Gebiet_Name": str,
                                               "Monat": str})
    df = df.rename(columns={"Gebiet_Nr": "area", "Gebiet_Name": "name", "Monat": "period",
                            "Einwohner": "population"})
    for c in [*COUNTS[1:], "population"]:
        df[c] = df[c].astype("float64")
    df["p"] = df["period"].str[:4].astype(int) * 12 + df["period"].str[5:7].astype(int) - 1
    df = df.sort_values(["area", "p"]).reset_index(drop=True)
    g = df.groupby("area", sort=False)
    # a row-based window is a calendar window only where the 12 rows span 11 months
    contiguous = (df["p"] - g["p"].shift(WINDOW - 1)) == WINDOW - 1
    df["fl"] = df["Zuzuege"] + df["Fortzuege"]
    sums = g[["Zuzuege_Ausland", "fl", "population"]].rolling(WINDOW).sum()
    sums = sums.reset_index(level=0, drop=True).sort_index()
    sums = sums.where(contiguous, axis=0)
    den = sums["population"] / WINDOW
    ok = den > 0
    df["intl_inflow"] = (sums["Zuzuege_Ausland"] / den * 1000).where(ok)
    df["fluctuation"] = (sums["fl"] / den * 1000).where(ok)
    df["foreign_share"] = (df["Auslaender"] / df["population"] * 100).where(df["population"] > 0)
    df["sgb2_share"] = (df["SGBII_Empfaenger"] / df["Einwohner_u65"] * 100).where(
        df["Einwohner_u65"] > 0)
    past = df[["area", "p", "foreign_share", "intl_inflow"]].copy()
    past["p"] += LAG
    df = df.merge(past, on=["area", "p"], how="left", suffixes=("", "_past"))
    df["foreign_share_change"] = df["foreign_share"] - df["foreign_share_past"]
    df["intl_inflow_change"] = df["intl_inflow"] - df["intl_inflow_past"]

    first = df.groupby("area")["p"].transform("min")
    history = df["p"] - HISTORY >= first
    missing = df[["population", *ARRIVAL, *DYNAMICS]].isna().any(axis=1)
    df["status"] = np.select(
        [df["population"] < MIN_POPULATION, ~history, missing],
        ["excluded_small", "insufficient_history", "missing_data"], default="scored")
    counts = df[history].groupby("period").size()
    periods = sorted(counts[counts >= 2].index)
    df = df[df["period"].isin(periods)].copy()

    scored = df["status"] == "scored"
    s = df[scored]
    for index_id, indicators, classes in (("arrival", ARRIVAL, ARRIVAL_CLASSES),
                                          ("dynamics", DYNAMICS, DYNAMICS_CLASSES)):
        by = s.groupby("period")
        for i in indicators:
            z = (s[i] - by[i].transform("mean")) / by[i].transform(lambda v: v.std(ddof=0))
            df.loc[scored, f"{index_id}_{i}_score"] = z
        value = df.loc[scored, [f"{index_id}_{i}_score" for i in indicators]].mean(axis=1)
        vby = value.groupby(s["period"])
        value = (value - vby.transform("mean")) / vby.transform(lambda v: v.std(ddof=0))
        df[index_id] = value  # aligned on the index: null outside the scored rows
        df[f"{index_id}_rank"] = df.loc[scored, index_id].groupby(s["period"]).rank(
            method="min", ascending=False)
        df[f"{index_id}_class"] = _classes(pd, np, df[index_id], classes)
    typ = np.select(
        [(df["dynamics_class"] == "steigend") & (df["arrival"] >= 0.5),
         df["arrival_class"].isin(["hoch", "sehr hoch"])],
        ["neues Ankunftsquartier", "etabliertes Ankunftsquartier"],
        default="kein Ankunftsquartier").astype(object)
    typ[~scored.to_numpy()] = None
    df["typ"] = typ
    df = df.sort_values(["period", "area"])[OUTPUT]
    df["arrival_rank"] = df["arrival_rank"].astype("UInt32")
    df["dynamics_rank"] = df["dynamics_rank"].astype("UInt32")
    df.to_parquet(out, index=False, compression="zstd")


# ---------------------------------------------------------------------------- polars
def _scan(path: Path) -> Any:
    """The extract as a LazyFrame: area, name, period, its number ``p`` (year · 12 +
    month − 1), population and the other counts as floats; for the polars variants."""
    import polars as pl

    if path.suffix == ".parquet":
        lf = pl.scan_parquet(path)
    else:
        lf = pl.scan_csv(path, separator=";",
                         schema_overrides={"Gebiet_Nr": pl.String, "Monat": pl.String})
    month = pl.col("Monat")
    return lf.select(
        pl.col("Gebiet_Nr").alias("area"), pl.col("Gebiet_Name").alias("name"),
        month.alias("period"),
        (month.str.slice(0, 4).cast(pl.Int64) * 12 + month.str.slice(5, 2).cast(pl.Int64)
         - 1).alias("p"),
        pl.col("Einwohner").cast(pl.Float64).alias("population"),
        *[pl.col(c).cast(pl.Float64) for c in COUNTS[1:]])


def polars_index(path: Path, out: Path) -> None:
    """The index as one lazy polars query, streamed to Parquet: what a statistician who
    knows polars would write, without ankunftsindex's checks, provenance or
    guarantees (atomic output, exact ties)."""
    import polars as pl

    lf = _scan(path).sort("area", "p")
    # a row-based window is a calendar window only where the 12 rows span 11 months
    contiguous = (pl.col("p") - pl.col("p").shift(WINDOW - 1).over("area")) == WINDOW - 1

    def window_sum(e: pl.Expr) -> pl.Expr:
        return pl.when(contiguous).then(e.rolling_sum(WINDOW).over("area"))

    def ratio(num: pl.Expr, den: pl.Expr, per: int) -> pl.Expr:
        return pl.when(den > 0).then(num / den * per)

    den = window_sum(pl.col("population")) / WINDOW
    lf = lf.with_columns(
        ratio(window_sum(pl.col("Zuzuege_Ausland")), den, 1000).alias("intl_inflow"),
        ratio(pl.col("Auslaender"), pl.col("population"), 100).alias("foreign_share"),
        ratio(window_sum(pl.col("Zuzuege") + pl.col("Fortzuege")), den, 1000)
        .alias("fluctuation"),
        ratio(pl.col("SGBII_Empfaenger"), pl.col("Einwohner_u65"), 100).alias("sgb2_share"),
        pl.col("p").min().over("area").alias("first"),
    )
    past = lf.select("area", (pl.col("p") + LAG).alias("p"),
                     pl.col("foreign_share").alias("fs_past"),
                     pl.col("intl_inflow").alias("ii_past"))
    lf = lf.join(past, on=["area", "p"], how="left").with_columns(
        (pl.col("foreign_share") - pl.col("fs_past")).alias("foreign_share_change"),
        (pl.col("intl_inflow") - pl.col("ii_past")).alias("intl_inflow_change"))
    _indices_and_sink(_with_status(lf, by="period").sort("period", "area"), out)


def _with_status(lf: Any, by: str) -> Any:
    """Each row's status by the default spec's rules (``first``: the area's first period
    number), and only the periods (``by``) with at least two areas of enough history;
    shared by the polars variants."""
    import polars as pl

    history = pl.col("p") - HISTORY >= pl.col("first")
    missing = pl.any_horizontal(pl.col(c).is_null() for c in ["population", *ARRIVAL, *DYNAMICS])
    return lf.with_columns(
        pl.when(pl.col("population") < MIN_POPULATION).then(pl.lit("excluded_small"))
        .when(~history).then(pl.lit("insufficient_history"))
        .when(missing).then(pl.lit("missing_data")).otherwise(pl.lit("scored"))
        .alias("status"),
        history.sum().over(by).alias("ready"),
    ).filter(pl.col("ready") >= 2)


def _indices_and_sink(lf: Any, out: Path, by: str = "period") -> None:
    """The two indices, ranks, classes and typology over the rows of ``lf`` (a
    LazyFrame in output order, with ``status``), statistics per ``by`` (the period, as
    text or number), streamed to ``out``; shared by the polars variants."""
    import polars as pl

    scored = pl.col("status") == "scored"

    def z(e: pl.Expr) -> pl.Expr:
        x = pl.when(scored).then(e)
        return (x - x.mean().over(by)) / x.std(ddof=0).over(by)

    def classes(v: pl.Expr, bounds: list[tuple[str, float | None, float | None]]) -> pl.Expr:
        out = pl.when(v.is_null()).then(pl.lit(None, pl.String))
        for label, lo, hi in bounds:
            cond = (v >= lo if lo is not None else pl.lit(True)) & (
                v < hi if hi is not None else pl.lit(True))
            out = out.when(cond).then(pl.lit(label))
        return out

    for index_id, indicators, bounds in (("arrival", ARRIVAL, ARRIVAL_CLASSES),
                                         ("dynamics", DYNAMICS, DYNAMICS_CLASSES)):
        scores = [f"{index_id}_{i}_score" for i in indicators]
        lf = lf.with_columns(z(pl.col(i)).alias(s) for i, s in zip(indicators, scores))
        lf = lf.with_columns(z(pl.mean_horizontal(scores)).alias(index_id))
        lf = lf.with_columns(
            pl.col(index_id).rank("min", descending=True).over(by).cast(pl.UInt32)
            .alias(f"{index_id}_rank"),
            classes(pl.col(index_id), bounds).alias(f"{index_id}_class"))
    typ = (pl.when(~scored).then(pl.lit(None, pl.String))
           .when((pl.col("dynamics_class") == "steigend") & (pl.col("arrival") >= 0.5))
           .then(pl.lit("neues Ankunftsquartier"))
           .when(pl.col("arrival_class").is_in(["hoch", "sehr hoch"]))
           .then(pl.lit("etabliertes Ankunftsquartier"))
           .otherwise(pl.lit("kein Ankunftsquartier")))
    lf.with_columns(typ.alias("typ")).select(OUTPUT).sink_parquet(out, compression="zstd")


def ideal_index(path: Path, out: Path) -> None:
    """How close polars gets to the floor at all: the index as one lazy query that takes
    the rows as the generator writes them (every area in every month, in area, period
    order), so that windows and changes are row shifts checked by a key, as compute's
    are; no checks, no provenance. Not in the default variants."""
    import polars as pl

    lf = _scan(path)
    new_area = (pl.col("area") != pl.col("area").shift()).fill_null(True)
    lf = lf.with_columns(new_area.cum_sum().alias("a")).with_columns(
        (pl.col("a") * 2**32 + pl.col("p")).alias("k"),
        pl.when(new_area).then(pl.col("p")).forward_fill().alias("first"))
    full = pl.col("k").shift(WINDOW - 1) == pl.col("k") - (WINDOW - 1)

    def per(num: pl.Expr, den: pl.Expr, factor: int) -> pl.Expr:
        return num / den.clip(0).replace(0, None) * factor

    den = pl.when(full).then(pl.col("population").rolling_sum(WINDOW)) / WINDOW
    lf = lf.with_columns(
        per(pl.when(full).then(pl.col("Zuzuege_Ausland").rolling_sum(WINDOW)), den, 1000)
        .alias("intl_inflow"),
        per(pl.col("Auslaender"), pl.col("population"), 100).alias("foreign_share"),
        per(pl.when(full).then((pl.col("Zuzuege") + pl.col("Fortzuege")).rolling_sum(WINDOW)),
            den, 1000).alias("fluctuation"),
        per(pl.col("SGBII_Empfaenger"), pl.col("Einwohner_u65"), 100).alias("sgb2_share"))
    lagged = pl.col("k").shift(LAG) == pl.col("k") - LAG
    lf = lf.with_columns(
        (pl.col(i) - pl.when(lagged).then(pl.col(i).shift(LAG))).alias(f"{i}_change")
        for i in ("foreign_share", "intl_inflow"))
    _indices_and_sink(_with_status(lf, by="p").sort("p", "a"), out, by="p")


# ---------------------------------------------------------------------------- duckdb
def _case(column: str, classes: list[tuple[str, float | None, float | None]]) -> str:
    whens = []
    for label, lo, hi in classes:
        cond = " AND ".join([*([f"{column} >= {lo}"] if lo is not None else []),
                             *([f"{column} < {hi}"] if hi is not None else [])])
        whens.append(f"WHEN {cond} THEN '{label}'")
    return f"CASE {' '.join(whens)} END"


def _z(expr: str, name: str) -> str:
    return (f"({expr} - AVG({expr}) OVER (PARTITION BY period)) / "
            f"STDDEV_POP({expr}) OVER (PARTITION BY period) AS {name}")


def duckdb_sql(source: str) -> str:
    """The default index as one query over ``source`` (a table function call)."""
    used = " OR ".join(f"{c} IS NULL" for c in ["population", *ARRIVAL, *DYNAMICS])
    return f"""
WITH base AS (
  SELECT Gebiet_Nr AS area, Gebiet_Name AS name, Monat AS period,
         CAST(substr(Monat, 1, 4) AS BIGINT) * 12 + CAST(substr(Monat, 6, 2) AS BIGINT) - 1
           AS p,
         Einwohner::DOUBLE AS population, Einwohner_u65::DOUBLE AS u65,
         Auslaender::DOUBLE AS foreign_n, Zuzuege_Ausland::DOUBLE AS intl,
         (Zuzuege + Fortzuege)::DOUBLE AS moves, SGBII_Empfaenger::DOUBLE AS sgb2
  FROM {source}),
win AS (
  SELECT *, SUM(intl) OVER w AS s_intl, COUNT(intl) OVER w AS n_intl,
         SUM(moves) OVER w AS s_moves, COUNT(moves) OVER w AS n_moves,
         SUM(population) OVER w AS s_pop, COUNT(population) OVER w AS n_pop,
         MIN(p) OVER (PARTITION BY area) AS p0
  FROM base
  WINDOW w AS (PARTITION BY area ORDER BY p RANGE BETWEEN {WINDOW - 1} PRECEDING
               AND CURRENT ROW)),
ind AS (
  SELECT area, name, period, p, p0, population,
    CASE WHEN n_intl = {WINDOW} AND n_pop = {WINDOW} AND s_pop > 0
         THEN s_intl / (s_pop / {WINDOW}) * 1000 END AS intl_inflow,
    CASE WHEN population > 0 THEN foreign_n / population * 100 END AS foreign_share,
    CASE WHEN n_moves = {WINDOW} AND n_pop = {WINDOW} AND s_pop > 0
         THEN s_moves / (s_pop / {WINDOW}) * 1000 END AS fluctuation,
    CASE WHEN u65 > 0 THEN sgb2 / u65 * 100 END AS sgb2_share
  FROM win),
chg AS (
  SELECT a.*, a.foreign_share - b.foreign_share AS foreign_share_change,
         a.intl_inflow - b.intl_inflow AS intl_inflow_change
  FROM ind a LEFT JOIN ind b ON a.area = b.area AND b.p = a.p - {LAG}),
st AS (
  SELECT *, CASE WHEN population < {MIN_POPULATION} THEN 'excluded_small'
                 WHEN p - {HISTORY} < p0 THEN 'insufficient_history'
                 WHEN {used} THEN 'missing_data' ELSE 'scored' END AS status
  FROM chg),
periods AS (
  SELECT period FROM st WHERE p - {HISTORY} >= p0 GROUP BY period HAVING COUNT(*) >= 2),
sel AS (SELECT st.* FROM st JOIN periods USING (period)),
z1 AS (
  SELECT area, period, {', '.join(_z(i, f'arrival_{i}_score') for i in ARRIVAL)},
         {', '.join(_z(i, f'dynamics_{i}_score') for i in DYNAMICS)}
  FROM sel WHERE status = 'scored'),
z2 AS (
  SELECT *, ({' + '.join(f'arrival_{i}_score' for i in ARRIVAL)}) / {len(ARRIVAL)} AS a_raw,
         ({' + '.join(f'dynamics_{i}_score' for i in DYNAMICS)}) / {len(DYNAMICS)} AS d_raw
  FROM z1),
z3 AS (SELECT * EXCLUDE (a_raw, d_raw), {_z('a_raw', 'arrival')}, {_z('d_raw', 'dynamics')}
       FROM z2),
z4 AS (
  SELECT *, RANK() OVER (PARTITION BY period ORDER BY arrival DESC)::UINTEGER AS arrival_rank,
         {_case('arrival', ARRIVAL_CLASSES)} AS arrival_class,
         RANK() OVER (PARTITION BY period ORDER BY dynamics DESC)::UINTEGER AS dynamics_rank,
         {_case('dynamics', DYNAMICS_CLASSES)} AS dynamics_class
  FROM z3)
SELECT {', '.join('sel.' + c if c in ('area', 'period') else c for c in OUTPUT[:-1])},
       CASE WHEN sel.status <> 'scored' THEN NULL
            WHEN dynamics_class = 'steigend' AND arrival >= 0.5 THEN 'neues Ankunftsquartier'
            WHEN arrival_class IN ('hoch', 'sehr hoch') THEN 'etabliertes Ankunftsquartier'
            ELSE 'kein Ankunftsquartier' END AS typ
FROM sel LEFT JOIN z4 ON sel.area = z4.area AND sel.period = z4.period
ORDER BY sel.period, sel.area"""


def duckdb_index(path: Path, out: Path) -> None:
    import duckdb

    if path.suffix == ".parquet":
        source = f"read_parquet('{path}')"
    else:
        source = (f"read_csv('{path}', delim=';', header=true, "
                  "types={'Gebiet_Nr': 'VARCHAR', 'Monat': 'VARCHAR'})")
    con = duckdb.connect()
    con.execute(f"COPY ({duckdb_sql(source)}) TO '{out}' (FORMAT parquet, COMPRESSION zstd)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variant", choices=["floor", "pandas", "polars", "ideal", "duckdb"])
    parser.add_argument("input", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--columns", type=int, default=len(OUTPUT))
    args = parser.parse_args(argv)
    if args.variant == "floor":
        floor(args.input, args.output, args.rows, args.columns)
    elif args.variant == "pandas":
        pandas_index(args.input, args.output)
    elif args.variant == "polars":
        polars_index(args.input, args.output)
    elif args.variant == "ideal":
        ideal_index(args.input, args.output)
    else:
        duckdb_index(args.input, args.output)


if __name__ == "__main__":
    sys.exit(main())

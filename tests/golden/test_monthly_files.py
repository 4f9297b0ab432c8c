"""One file per month, as a register delivers them: the same result as one big file."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from ankunftsindex.cli import app

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "sample_data" / "beispielstadt_2021-01_2025-12.csv"
SPEC = ROOT / "indicators.yaml"


def split_by_month(tmp_path: Path) -> list[Path]:
    """Write each month of the sample as its own file; odd months in cp1252 without BOM."""
    text = SAMPLE.read_bytes().decode("utf-8-sig")
    header, *lines = text.splitlines()
    by_month: dict[str, list[str]] = {}
    for line in lines:
        by_month.setdefault(line.split(";", 1)[0], []).append(line)
    paths = []
    for month, rows in sorted(by_month.items()):
        path = tmp_path / f"EWR_{month}.csv"
        body = "\r\n".join([header, *rows]) + "\r\n"
        if int(month[-2:]) % 2:
            path.write_bytes(body.encode("cp1252"))
        else:
            path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
        paths.append(path)
    return paths


def test_monthly_files_give_the_same_rows_as_one_file(tmp_path: Path) -> None:
    paths = split_by_month(tmp_path)
    assert len(paths) == 60
    runner = CliRunner()
    whole = tmp_path / "whole.parquet"
    monthly = tmp_path / "monthly.parquet"
    result = runner.invoke(app, ["compute", str(SAMPLE), "-s", str(SPEC), "-o", str(whole)])
    assert result.exit_code == 0, result.stderr
    # files in reverse order: the order of the files must not matter either
    args = ["compute", *map(str, reversed(paths)), "-s", str(SPEC), "-o", str(monthly),
            "--period", "2024-12,2025-12"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    expected = pl.read_parquet(whole).filter(pl.col("period").is_in(["2024-12", "2025-12"]))
    got = pl.read_parquet(monthly)
    assert got["period"].unique().sort().to_list() == ["2024-12", "2025-12"]
    assert got.equals(expected)
    assert "Südvorstadt" in got["name"].to_list()  # cp1252 months decode the same

"""Outputs edited by hand (in a spreadsheet, by a script) are refused with the error
input-not-an-output naming the column (exit 4) by every command that reads outputs:
diff, watch, explain, sensitivity and report. Before, most of these ended as internal
errors (exit 70) somewhere inside a command."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from ankunftsindex.cli import app
from ankunftsindex.errors import InputError
from ankunftsindex.outputs import read_output
from ankunftsindex.write import read_metadata

ROOT = Path(__file__).resolve().parents[2]
EXTRACT = ROOT / "sample_data" / "beispielstadt_2021-01_2025-12.csv"
runner = CliRunner()


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "beispielstadt.parquet"
    result = runner.invoke(app, ["compute", str(EXTRACT), "-s", str(ROOT / "indicators.yaml"),
                                 "-o", str(out), "-q"])
    assert result.exit_code == 0, result.stderr
    return out


def edited(output: Path, folder: Path, change: Callable[[pl.DataFrame], pl.DataFrame]) -> Path:
    """The output with its table changed and its provenance (metadata) kept."""
    path = folder / "edited.parquet"
    change(pl.read_parquet(output)).write_parquet(path, metadata=read_metadata(output))
    return path


EDITS = {
    "no rows": (lambda f: f.clear(), "has no rows"),
    "text index values": (lambda f: f.with_columns(pl.col("arrival").cast(pl.String)),
                          "column 'arrival' holds String, not numbers"),
    "text ranks": (lambda f: f.with_columns(pl.col("arrival_rank").cast(pl.String)),
                   "column arrival_rank holds String"),
    "integer areas": (lambda f: f.with_columns(pl.col("area").cast(pl.Int64)),
                      "column 'area' holds Int64, not text"),
    "date periods": (lambda f: f.with_columns((pl.col("period") + "-01").str.to_date()),
                     "column 'period' holds Date, not text"),
    "unknown class": (lambda f: f.with_columns(
        pl.when(pl.col("arrival_rank") == 1).then(pl.lit("zzz"))
        .otherwise(pl.col("arrival_class")).alias("arrival_class")),
        "holds 'zzz', which is not a class of arrival"),
    "a row without status": (lambda f: f.with_columns(
        pl.when(pl.int_range(pl.len()) == 3).then(None).otherwise(pl.col("status"))
        .alias("status")), "row 4 of the table has no status"),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_read_output_names_what_was_changed(output: Path, tmp_path: Path, edit: str) -> None:
    change, message = EDITS[edit]
    with pytest.raises(InputError) as info:
        read_output(edited(output, tmp_path, change))
    assert info.value.code == "input-not-an-output"
    assert message in info.value.message


@pytest.mark.parametrize("command", [
    ["diff", "{file}", "--old-period", "2024-12", "--new-period", "2025-12"],
    ["watch", "{file}"], ["explain", "{file}", "01010101"],
    ["sensitivity", "{file}", "--runs", "5"], ["report", "{file}", "-o", "{tmp}/r.html"]])
@pytest.mark.parametrize("edit", ["no rows", "text index values", "unknown class"])
def test_every_command_refuses_an_edited_output(output: Path, tmp_path: Path,
                                                command: list[str], edit: str) -> None:
    path = edited(output, tmp_path, EDITS[edit][0])
    args = [a.replace("{file}", str(path)).replace("{tmp}", str(tmp_path)) for a in command]
    result = runner.invoke(app, args)
    assert result.exit_code == 4, result.stderr
    assert "error[input-not-an-output]" in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_a_csv_output_with_a_short_line_appended(output: Path, tmp_path: Path) -> None:
    """A line with two cells added at the end of a CSV output (its sidecar's hash
    updated, as a careful editor might)."""
    csv = tmp_path / "out.csv"
    assert runner.invoke(app, ["compute", str(EXTRACT), "-s", str(ROOT / "indicators.yaml"),
                               "-o", str(csv), "-q"]).exit_code == 0
    rows = csv.read_text(encoding="utf-8").count("\n") - 1  # without the header
    with csv.open("a", encoding="utf-8") as fh:
        fh.write("1,2\n")
    side = csv.with_name(csv.name + ".meta.json")
    meta = json.loads(side.read_text(encoding="utf-8"))
    meta["csv_sha256"] = hashlib.sha256(csv.read_bytes()).hexdigest()
    side.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_output(csv)
    # the cells fill area and name; the first column left empty is named
    assert f"row {rows + 1} of the table has no period" in info.value.message

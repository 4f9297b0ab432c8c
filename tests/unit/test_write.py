"""Atomic writers: the previous output survives a failure, no temp files stay behind."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from ankunftsindex.errors import OutputError
from ankunftsindex.write import (
    atomic_file,
    format_for,
    read_metadata,
    sidecar_path,
    write_output,
)

FRAME = pl.DataFrame({"area": ["01", "02"], "arrival": [1.5, -1.5]})
META = {"ankunftsindex.version": "9.9", "ankunftsindex.spec_sha256": "abc",
        "ankunftsindex.inputs": json.dumps([{"file": "a.csv", "sha256": "00"}],
                                             separators=(",", ":"))}


def test_format_from_suffix_or_option() -> None:
    assert format_for(Path("x.parquet"), None) == "parquet"
    assert format_for(Path("x.PQ"), None) == "parquet"
    assert format_for(Path("x.csv"), None) == "csv"
    assert format_for(Path("x.txt"), "csv") == "csv"
    with pytest.raises(OutputError) as err:
        format_for(Path("x.xlsx"), None)
    assert err.value.exit_code == 5


def test_parquet_metadata_round_trip(tmp_path: Path) -> None:
    out = write_output(FRAME, tmp_path / "o.parquet", META)
    assert pl.read_parquet(out).equals(FRAME)
    raw = pq.read_schema(out).metadata
    assert raw[b"ankunftsindex.version"] == b"9.9"
    assert read_metadata(out) == META


def test_csv_sidecar_round_trip(tmp_path: Path) -> None:
    out = write_output(FRAME, tmp_path / "o.csv", META)
    assert out.read_text(encoding="utf-8") == "area,arrival\n01,1.5\n02,-1.5\n"
    assert json.loads(sidecar_path(out).read_text(encoding="utf-8"))["inputs"] == [
        {"file": "a.csv", "sha256": "00"}]
    assert read_metadata(out) == META


def test_failure_mid_write_keeps_previous_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "o.parquet"
    target.write_bytes(b"previous")
    with pytest.raises(RuntimeError), atomic_file(target) as fh:
        fh.write(b"half of the new")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["o.parquet"]


def test_interrupt_mid_write_keeps_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "o.csv"
    target.write_bytes(b"previous")
    with pytest.raises(KeyboardInterrupt), atomic_file(target) as fh:
        fh.write(b"partial")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["o.csv"]


def test_missing_or_unusable_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as err:
        write_output(FRAME, tmp_path / "nope" / "o.parquet", META)
    assert err.value.code == "output-no-folder"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError) as err:
        write_output(FRAME, blocker / "o.parquet", META)
    assert err.value.exit_code == 5


def test_rename_failure_is_an_output_error(tmp_path: Path) -> None:
    # the target is a non-empty folder: os.replace fails after the data were written
    target = tmp_path / "o.parquet"
    target.mkdir()
    (target / "keep").write_text("x")
    with pytest.raises(OutputError) as err:
        write_output(FRAME, target, META)
    assert err.value.code == "output-write-failed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.parquet"]

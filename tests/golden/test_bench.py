"""The benchmark keeps working: at a tiny size, ankunftsindex, pandas, polars and DuckDB compute
the same index from the same files (bench/run.py exits 1 when they disagree). Timings are
printed by the benchmark, never asserted here. Needs the extra `[bench]`; CI also runs
the benchmark's smallest size after the tests (`.ci/run`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_bench_runs_and_the_four_implementations_agree(tmp_path: Path) -> None:
    pytest.importorskip("pandas", reason="benchmark extra not installed: pip install '.[bench]'")
    pytest.importorskip("duckdb", reason="benchmark extra not installed: pip install '.[bench]'")
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--areas", "60", "--months", "40",
         "--data", str(tmp_path), "--format", "parquet,csv", "--startup-repeat", "1",
         "--variants", "compute,floor,pandas,polars,ideal,duckdb", "--json", str(report)],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(report.read_text())
    assert result["ok"] is True
    runs = {(r["fmt"], r["variant"]): r for r in result["runs"]}
    assert set(runs) == {(f, v) for f in ("parquet", "csv")
                         for v in ("compute", "floor", "pandas", "polars", "ideal", "duckdb")}
    assert all(r["ok"] and r["peak_mib"] > 0 for r in runs.values())
    # CPU time is the child's own (os.wait4): every variant starts Python and reads a file
    assert all(r["user"] > 0 and r["system"] >= 0 for r in runs.values())
    assert "| input | variant | seconds | peak MiB | user s | sys s |" in done.stdout
    assert "agreement compute vs pandas: ok" in done.stdout
    assert "agreement compute vs polars: ok" in done.stdout
    assert "agreement compute vs ideal: ok" in done.stdout
    assert "agreement compute vs duckdb: ok" in done.stdout
    assert set(result["startup"]) == {"ankunftsindex --version", "python -c 'import typer'"}


def test_bench_reports_a_disagreement(tmp_path: Path) -> None:
    """The agreement check can fail: a changed value in one output is reported."""
    pytest.importorskip("pandas")
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from run import compare
    finally:
        sys.path.remove(str(ROOT / "bench"))
    import polars as pl

    a = pl.DataFrame({"area": ["01", "02"], "arrival": [1.0, -1.0], "arrival_rank": [1, 2],
                      "arrival_class": ["hoch", "niedrig"]})
    a.write_parquet(tmp_path / "a.parquet")
    a.write_parquet(tmp_path / "same.parquet")
    a.with_columns(pl.Series("arrival", [1.0, -1.0 + 1e-6])).write_parquet(tmp_path / "b.parquet")
    a.with_columns(pl.Series("arrival_class", ["hoch", None])).write_parquet(
        tmp_path / "c.parquet")
    assert compare(tmp_path / "a.parquet", tmp_path / "same.parquet") == []
    # ranks of two values equal but for the last bits may swap; other rank changes count
    t = pl.DataFrame({"area": ["01", "02", "03"], "arrival": [1.0, 1.0 + 1e-15, -2.0],
                      "arrival_rank": [2, 1, 3]})
    t.write_parquet(tmp_path / "t.parquet")
    t.with_columns(pl.Series("arrival_rank", [1, 2, 3])).write_parquet(tmp_path / "t1.parquet")
    t.with_columns(pl.Series("arrival_rank", [2, 1, 2])).write_parquet(tmp_path / "t2.parquet")
    assert compare(tmp_path / "t.parquet", tmp_path / "t1.parquet") == []
    (problem,) = compare(tmp_path / "t.parquet", tmp_path / "t2.parquet")
    assert problem.startswith("arrival_rank: 1 row(s) differ, e.g. row 2")
    (problem,) = compare(tmp_path / "a.parquet", tmp_path / "b.parquet")
    assert problem.startswith("arrival: 1 row(s) differ, e.g. row 1")
    (problem,) = compare(tmp_path / "a.parquet", tmp_path / "c.parquet")
    assert problem.startswith("arrival_class: 1 row(s) differ")

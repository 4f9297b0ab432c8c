"""Progress of long runs: the library names its stages, the CLI shows them on a terminal
only (never off a TTY, with --quiet or with --json); start-up stays light."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from ankunftsindex import __version__
from ankunftsindex.cli import app
from ankunftsindex.cli_progress import stage_progress
from ankunftsindex.pipeline import compute

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "beispielstadt_2021-01_2025-12.csv"
SPEC = ROOT / "indicators.yaml"
STAGES = ["reading", "checking", "deriving indicators", "indices and typology"]

runner = CliRunner()


def test_the_library_names_each_stage_in_order() -> None:
    seen: list[str] = []
    compute([SAMPLE], SPEC, periods=["2025-12"], progress=seen.append)
    assert seen == STAGES


def test_stage_progress_ticks_off_stages_on_a_terminal() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=80)
    with stage_progress(True, console) as step:
        step("reading")
        step("writing")
    text = buffer.getvalue()
    assert "✓ reading (" in text and "✓ writing (" in text
    assert text.index("✓ reading") < text.index("✓ writing")


def test_stage_progress_disabled_prints_nothing() -> None:
    buffer = io.StringIO()
    with stage_progress(False, Console(file=buffer, force_terminal=True)) as step:
        step("reading")
    assert buffer.getvalue() == ""


@pytest.mark.parametrize("flags,shown", [([], True), (["--quiet"], False),
                                         (["--json"], False)])
def test_cli_shows_progress_on_a_terminal_only(tmp_path, monkeypatch, flags, shown) -> None:
    import ankunftsindex.cli as cli

    monkeypatch.setattr(cli, "_on_terminal", lambda: True)
    monkeypatch.setattr(cli, "_stderr_on_terminal", lambda: True)
    out = tmp_path / "out.parquet"
    result = runner.invoke(app, ["compute", str(SAMPLE), "-s", str(SPEC), "-o", str(out),
                                 "-p", "2025-12", *flags])
    assert result.exit_code == 0, result.stderr
    assert out.exists()
    ticks = [line.strip() for line in result.stderr.splitlines() if "✓" in line]
    if shown:
        assert [t.split(" (")[0] for t in ticks] == [f"✓ {s}" for s in [*STAGES, "writing"]]
    else:
        assert ticks == []


def test_off_a_terminal_no_progress(tmp_path) -> None:
    out = tmp_path / "out.parquet"
    result = runner.invoke(app, ["compute", str(SAMPLE), "-s", str(SPEC), "-o", str(out),
                                 "-p", "2025-12"])
    assert result.exit_code == 0
    assert "✓" not in result.stderr
    assert result.stderr.startswith("ankunftsindex: 80 areas")


def test_version_does_not_import_polars_or_pyarrow() -> None:
    code = (
        "import sys, runpy; sys.argv = ['ankunftsindex', '--version']\n"
        "try:\n    runpy.run_module('ankunftsindex', run_name='__main__')\n"
        "except SystemExit as e:\n    assert e.code in (0, None), e.code\n"
        "heavy = [m for m in ('polars', 'pyarrow', 'rich.progress') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"ankunftsindex {__version__}"

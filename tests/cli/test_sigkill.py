"""SIGKILL during ``compute``: the output is the old file or the new one, never a mix.

A run killed with SIGKILL cannot clean up. Whenever it is killed — while reading, while
computing, while writing the temp file, just after the rename — the output must be
byte-identical to the previous one or to the complete new one (for CSV: the CSV and its
sidecar of the same version), and the next run must remove the temp files left behind.

The first test kills real runs from outside at moments spread over the run; the second
lets a run kill itself at an exact point of the write (before or after a rename), so that
the moments a poll from outside hits only by chance are tested every time.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import CITY_CSV, CITY_SPEC_TEXT

from ankunftsindex.errors import InputError
from ankunftsindex.write import read_metadata, sidecar_path, write_output

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "beispielstadt_2021-01_2025-12.csv"
SPEC = ROOT / "indicators.yaml"
#: copies of the sample city's 80 areas (with new IDs): a run of about a second
COPIES = 8


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample extract with every area repeated under new IDs (same months, counts)."""
    header, *rows = SAMPLE.read_text(encoding="utf-8-sig").splitlines()
    assert header.split(";")[:3] == ["Monat", "Gebiet_Nr", "Gebiet_Name"]
    lines = [header]
    for copy in range(COPIES):
        for row in rows:
            month, area, name, *counts = row.split(";")
            lines.append(";".join([month, f"{copy:02d}{area}", f"{name} {copy}", *counts]))
    path = tmp_path_factory.mktemp("input") / "grossstadt.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def outputs(out: Path) -> list[Path]:
    return [out] if out.suffix == ".parquet" else [out, out.with_name(out.name + ".meta.json")]


def write_old(out: Path) -> None:
    """An earlier output with other content than this run's."""
    if out.suffix == ".parquet":
        pq.write_table(pa.table({"area": ["alt"], "arrival": [0.0]}), out)
    else:  # as an earlier run wrote it: its sidecar names its CSV's SHA-256
        write_output(pl.DataFrame({"area": ["alt"], "arrival": [0.0]}), out,
                     {"ankunftsindex.version": "alt"})


def state(out: Path) -> tuple[bytes | None, ...]:
    return tuple(p.read_bytes() if p.exists() else None for p in outputs(out))


def verdict(after: tuple[bytes | None, ...], old: tuple[bytes | None, ...],
            new: tuple[bytes | None, ...]) -> str:
    """Which version the output files are: ``old``, ``new`` or what else."""
    if after == old:
        return "old"
    if after == new:
        return "new"
    if len(after) == 2 and after[0] in (old[0], new[0]):
        return "CSV and sidecar of different versions"
    return "neither the old nor the new output (partial or corrupt)"


def temps(folder: Path, pid: int | str = "*") -> list[str]:
    return sorted(p.name for p in folder.glob(f".*.{pid}.*.tmp"))


def start(extract: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ankunftsindex", "compute", str(extract), "--spec", str(SPEC),
         "-o", str(out), "--quiet"],
        cwd=out.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill(proc: subprocess.Popen[bytes], out: Path, when: str,
         delay: float) -> tuple[float | None, bytes]:
    """SIGKILL the run ``delay`` s after an event: ``start``, ``temp`` (its first temp file
    appears) or ``replaced`` (``out`` is another file now: the first rename happened; for
    CSV the sidecar's may still be due). Returns when the temp file was seen (s after the
    start) and the run's stderr."""
    began = time.monotonic()
    inode = out.stat().st_ino
    seen = event = None
    while proc.poll() is None:
        now = time.monotonic() - began
        mine = temps(out.parent, proc.pid)
        if seen is None and mine:
            seen = now
        if event is None and (when == "start" or (when == "temp" and mine) or (
                when == "replaced" and out.stat().st_ino != inode)):
            event = now
        if event is not None and now >= event + delay:
            break
        time.sleep(0.001)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate()
    return seen, err


@pytest.mark.slow
@pytest.mark.parametrize("name", ["out.parquet", "out.csv"])
def test_sigkill_leaves_the_old_or_the_new_output_never_a_partial_one(extract, tmp_path,
                                                                      name) -> None:
    out = tmp_path / name
    write_old(out)
    old = state(out)
    # the first kill comes as soon as the temp file appears and tells when the write starts
    plan = [("temp", 0.0)]
    outcomes = []
    while plan:
        when, delay = plan.pop(0)
        write_old(out)
        proc = start(extract, out)
        seen, err = kill(proc, out, when, delay)
        assert proc.returncode in (0, -signal.SIGKILL), err.decode()
        left = temps(tmp_path, proc.pid)
        outcomes.append(((when, delay), proc.returncode, state(out), left))
        if len(outcomes) == 1:
            plan = [("start", 0.5 * (seen or 1.0)),  # while reading or computing
                    ("replaced", 0.0),  # right after the (first) rename
                    ("temp", 0.01)]  # mid-write; leaves a temp file for the final run
    stale = temps(tmp_path)

    write_old(out)
    proc = start(extract, out)
    _, err = proc.communicate()
    assert proc.returncode == 0, err.decode()
    new = state(out)
    assert None not in new and new != old
    assert temps(tmp_path) == [], f"stale temp files {stale} not removed"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in outputs(out))

    found = [(when, code, verdict(after, old, new), left) for when, code, after, left in outcomes]
    assert all(v in ("old", "new") for _, _, v, _ in found), found
    if out.suffix == ".parquet":
        for *_, after, _ in outcomes:
            assert pq.read_table(pa.BufferReader(after[0])).num_rows > 0
    # the scenarios this test is about happened: some kill landed during the write (and
    # left a temp file), some before it (old output kept), some after the rename (new one)
    assert any(left for *_, left in found), found
    assert {v for _, _, v, _ in found} == {"old", "new"}, found


#: ``python -c`` program: the compute command, with SIGKILL right before or right after
#: the run's n-th ``os.replace`` (argv: n, before|after, then the command's arguments)
KILL_AT_RENAME = """\
import os, runpy, signal, sys
n, after = int(sys.argv[1]), sys.argv[2] == "after"
real, calls = os.replace, []
def replace(src, dst, *args, **kwargs):
    calls.append(dst)
    if len(calls) == n and not after:
        os.kill(os.getpid(), signal.SIGKILL)
    real(src, dst, *args, **kwargs)
    if len(calls) == n and after:
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
sys.argv = ["ankunftsindex", *sys.argv[3:]]
runpy.run_module("ankunftsindex", run_name="__main__")
"""

TINY_SPEC, TINY_CSV = CITY_SPEC_TEXT, CITY_CSV


@pytest.mark.parametrize(("name", "n", "moment"), [
    ("out.parquet", 1, "before"),  # everything written and fsynced, nothing renamed
    ("out.csv", 1, "after"),  # the CSV renamed, its sidecar not yet
])
def test_sigkill_at_a_rename_keeps_a_consistent_output(tmp_path, name, n, moment) -> None:
    source = tmp_path / "input"
    source.mkdir()
    (source / "spec.yaml").write_text(TINY_SPEC, encoding="utf-8")
    (source / "extract.csv").write_text(TINY_CSV, encoding="utf-8")
    folder = tmp_path / "output"
    folder.mkdir()
    out = folder / name
    args = ["compute", str(source / "extract.csv"), "--spec", str(source / "spec.yaml"),
            "-o", str(out), "--quiet"]
    write_old(out)
    old = state(out)
    killed = subprocess.run([sys.executable, "-c", KILL_AT_RENAME, str(n), moment, *args],
                            cwd=folder, capture_output=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    after = state(out)
    left = temps(folder)

    done = subprocess.run([sys.executable, "-m", "ankunftsindex", *args], cwd=folder,
                          capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    new = state(out)
    assert None not in new and new != old
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in outputs(out)), (
        f"temp files {left} of the killed run not removed")

    found = verdict(after, old, new)
    if out.suffix == ".csv" and moment == "after":
        # two files cannot be renamed in one step: a SIGKILL between the renames leaves
        # the new CSV beside the old sidecar, which a reader must detect (csv_sha256)
        assert found == "CSV and sidecar of different versions"
        out.write_bytes(after[0])
        sidecar_path(out).write_bytes(after[1])
        with pytest.raises(InputError) as info:
            read_metadata(out)
        assert info.value.code == "input-stale-sidecar"
        return
    assert found in ("old", "new"), f"the killed run left {found}"
    if out.suffix == ".parquet":
        assert left, "a run killed before its rename leaves its temp file"
        assert pq.read_table(pa.BufferReader(after[0])).num_rows > 0

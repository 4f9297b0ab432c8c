"""Nothing lost: failure injection for the atomic writers and the ``compute`` command.

A failing write (full disk, unwritable folder, interrupt, bug) must leave the previous
output byte-identical and no ``.<name>.<pid>.<random>.tmp`` behind; the CLI must say so
with the documented exit code (5 output, 130 interrupt, 70 internal) and no traceback.
Tests run as root, so permissions cannot block a write: failures are injected with
monkeypatch at the point where the operating system would report them.

Stale temporary files of runs killed with SIGKILL are removed by the next write to the same
target, but only those whose process is gone.
"""

from __future__ import annotations

import errno
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest
from helpers import CITY_CSV, CITY_SPEC_TEXT
from polars.exceptions import PanicException
from typer.testing import CliRunner

from ankunftsindex.cli import app
from ankunftsindex.errors import OutputError
from ankunftsindex.write import atomic_files, write_output

OLD = pl.DataFrame({"area": ["01", "02"], "arrival": [0.25, -0.25]})
NEW = pl.DataFrame({"area": ["01", "02", "03"], "arrival": [1.5, -1.5, 0.0]})
OLD_META = {"ankunftsindex.version": "1.0", "ankunftsindex.spec_sha256": "old"}
NEW_META = {"ankunftsindex.version": "2.0", "ankunftsindex.spec_sha256": "new"}

#: the bytes a full disk lets through before the write fails
PARTIAL = 8


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in the folder with its bytes (a leftover temp file shows up here too)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def enospc() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def eacces() -> PermissionError:
    return PermissionError(errno.EACCES, os.strerror(errno.EACCES))


def dead_pid() -> int:
    """The pid of a child that has exited and been reaped."""
    child = subprocess.Popen(["true"])
    child.wait()
    with pytest.raises(ProcessLookupError):
        os.kill(child.pid, 0)
    return child.pid


@pytest.fixture()
def live_pid() -> Iterator[int]:
    """The pid of another process that is still running."""
    child = subprocess.Popen(["sleep", "60"])
    try:
        yield child.pid
    finally:
        child.kill()
        child.wait()


# --- failure injection ---------------------------------------------------------------------

Raise = Callable[[], BaseException]


class FailingHandle:
    """A binary file handle on which the disk runs full after ``PARTIAL`` bytes."""

    def __init__(self, fh: object, exc: Raise) -> None:
        self._fh, self._exc, self._written = fh, exc, 0

    def write(self, data: bytes) -> int:
        if self._written + len(data) > PARTIAL:
            room = PARTIAL - self._written
            self._fh.write(bytes(data[:room]))  # type: ignore[attr-defined]
            self._written = PARTIAL
            raise self._exc()
        self._written += len(data)
        return self._fh.write(data)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._fh, name)


def fail_handle_write(mp: pytest.MonkeyPatch, exc: Raise, which: int = 0) -> None:
    """The ``which``-th file the writer opens (0 the data, 1 a CSV's sidecar) fails."""
    real = os.fdopen
    opened = []

    def fdopen(fd: int, mode: str = "r", *args: object, **kwargs: object) -> object:
        fh = real(fd, mode, *args, **kwargs)
        if mode != "wb":
            return fh
        opened.append(fd)
        return FailingHandle(fh, exc) if len(opened) - 1 == which else fh

    mp.setattr(os, "fdopen", fdopen)


class FailingFlush:
    """A binary file handle whose first flush fails: the bytes buffered last (a Parquet
    file's footer) do not reach the disk. polars flushes the handle it writes to itself
    and wraps what that raises in an error of its own."""

    def __init__(self, fh: object, exc: Raise) -> None:
        self._fh, self._exc, self._failed = fh, exc, False

    def flush(self) -> None:
        if not self._failed:
            self._failed = True
            raise self._exc()
        self._fh.flush()  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._fh, name)


def fail_handle_flush(mp: pytest.MonkeyPatch, exc: Raise) -> None:
    """The data file's first flush fails (a full disk when the last buffer is written)."""
    real = os.fdopen
    opened = []

    def fdopen(fd: int, mode: str = "r", *args: object, **kwargs: object) -> object:
        fh = real(fd, mode, *args, **kwargs)
        if mode != "wb":
            return fh
        opened.append(fd)
        return FailingFlush(fh, exc) if len(opened) == 1 else fh

    mp.setattr(os, "fdopen", fdopen)


def fail_disk_full(mp: pytest.MonkeyPatch, n: int = 0) -> None:
    """The ``n``-th temporary file of ours is a way to /dev/full: whoever opens it by name
    and writes (polars writes Parquet by name) gets the operating system's ENOSPC."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    real = tempfile.mkstemp
    calls = []

    def mkstemp(*args: object, **kwargs: object) -> tuple[int, str]:
        fd, name = real(*args, **kwargs)  # type: ignore[call-overload]
        if ours(*args, **kwargs):
            calls.append(name)
            if len(calls) - 1 == n:
                os.unlink(name)  # our handle still holds the file itself
                os.symlink("/dev/full", name)
        return fd, name

    mp.setattr(tempfile, "mkstemp", mkstemp)


def fail_fsync(mp: pytest.MonkeyPatch, exc: Raise) -> None:
    def fsync(fd: int) -> None:
        raise exc()

    mp.setattr(os, "fsync", fsync)


def fail_nth(mp: pytest.MonkeyPatch, owner: object, name: str, exc: Raise, n: int,
             only: Callable[..., bool] = lambda *a, **k: True) -> None:
    """``owner.name`` works for the first ``n`` matching calls and fails on the next."""
    real = getattr(owner, name)
    calls = []

    def wrapper(*args: object, **kwargs: object) -> object:
        if only(*args, **kwargs):
            calls.append(args)
            if len(calls) - 1 == n:
                raise exc()
        return real(*args, **kwargs)

    mp.setattr(owner, name, wrapper)


def ours(*args: object, **kwargs: object) -> bool:
    """A call about one of our output files (not about anything the pipeline reads)."""
    text = " ".join(str(a) for a in (*args, *kwargs.values()))
    return ".out." in text or "/out." in text


def fail_replace(mp: pytest.MonkeyPatch, exc: Raise, n: int) -> None:
    fail_nth(mp, os, "replace", exc, n, ours)


def fail_mkstemp(mp: pytest.MonkeyPatch, exc: Raise, n: int) -> None:
    fail_nth(mp, tempfile, "mkstemp", exc, n, ours)


def fail_chmod(mp: pytest.MonkeyPatch, exc: Raise, n: int) -> None:
    fail_nth(mp, os, "chmod", exc, n, ours)


def fail_write_parquet(mp: pytest.MonkeyPatch, exc: Raise) -> None:
    def write_parquet(self: pl.DataFrame, file: object, *args: object, **kwargs: object):
        Path(file).write_bytes(b"PAR1" + b"\0" * PARTIAL)  # type: ignore[arg-type]
        raise exc()

    mp.setattr(pl.DataFrame, "write_parquet", write_parquet)


def fail_write_csv(mp: pytest.MonkeyPatch, exc: Raise) -> None:
    def write_csv(self: pl.DataFrame, file: object = None, *args: object, **kwargs: object):
        file.write(b"area,arrival\n01,1.")  # type: ignore[union-attr]
        raise exc()

    mp.setattr(pl.DataFrame, "write_csv", write_csv)


def fail_writer(mp: pytest.MonkeyPatch, exc: Raise, fmt: str) -> None:
    """The format's serialiser (polars for both) fails mid-way."""
    (fail_write_parquet if fmt == "parquet" else fail_write_csv)(mp, exc)


def interrupt_after_writer(mp: pytest.MonkeyPatch, fmt: str) -> None:
    """The serialiser writes the whole file, then Ctrl-C is raised: the latest moment a
    Ctrl-C during polars' write can arrive (polars also stops a write part-way for it;
    either way the temporary file must go and the previous output stay)."""
    name = f"write_{fmt}"
    real = getattr(pl.DataFrame, name)

    def write(self: pl.DataFrame, *args: object, **kwargs: object) -> None:
        real(self, *args, **kwargs)
        raise KeyboardInterrupt

    mp.setattr(pl.DataFrame, name, write)


def last_replace(fmt: str) -> int:
    """The rename that comes last: Parquet has one file, CSV two (data, then sidecar)."""
    return 0 if fmt == "parquet" else 1


# --- the library: write_output -------------------------------------------------------------

OUTPUT_FAILURES = [
    # (id, formats, inject(monkeypatch, fmt), error code, text in the message)
    ("fsync-enospc", ("parquet", "csv"),
     lambda mp, fmt: fail_fsync(mp, enospc), "output-write-failed", "No space left"),
    # CSV goes through a Python file handle, Parquet is written by polars by name
    ("data-write-enospc", ("csv",),
     lambda mp, fmt: fail_handle_write(mp, enospc, 0), "output-write-failed",
     "No space left"),
    ("flush-enospc", ("csv",),
     lambda mp, fmt: fail_handle_flush(mp, enospc), "output-write-failed", "No space left"),
    ("disk-full", ("parquet",),
     lambda mp, fmt: fail_disk_full(mp), "output-write-failed", "No space left"),
    ("sidecar-write-enospc", ("csv",),
     lambda mp, fmt: fail_handle_write(mp, enospc, 1), "output-write-failed",
     "No space left"),
    ("write-parquet-enospc", ("parquet",),
     lambda mp, fmt: fail_write_parquet(mp, enospc), "output-write-failed", "No space left"),
    ("replace-data-enospc", ("csv",),
     lambda mp, fmt: fail_replace(mp, enospc, 0), "output-write-failed", "No space left"),
    # the data file is already renamed when the sidecar's rename fails
    ("replace-sidecar-enospc", ("csv",),
     lambda mp, fmt: fail_replace(mp, enospc, 1), "output-write-failed", "No space left"),
    ("chmod-eperm", ("parquet", "csv"),
     lambda mp, fmt: fail_chmod(mp, lambda: OSError(errno.EPERM, "Operation not permitted"),
                                last_replace(fmt)),
     "output-write-failed", "not permitted"),
    ("mkstemp-unwritable", ("parquet", "csv"),
     lambda mp, fmt: fail_mkstemp(mp, eacces, 0), "output-unwritable", "Permission denied"),
    # the data file's temp exists already when the sidecar's cannot be created
    ("mkstemp-sidecar-unwritable", ("csv",),
     lambda mp, fmt: fail_mkstemp(mp, eacces, 1), "output-unwritable", "Permission denied"),
]


def expand(cases: list[tuple]) -> list[object]:
    return [pytest.param(fmt, *rest, id=f"{fmt}-{name}")
            for name, formats, *rest in cases for fmt in formats]


@pytest.mark.parametrize(("fmt", "inject", "code", "text"), expand(OUTPUT_FAILURES))
def test_a_failed_write_keeps_the_previous_output(tmp_path, monkeypatch, fmt, inject, code,
                                                  text) -> None:
    out = write_output(OLD, tmp_path / f"out.{fmt}", OLD_META)
    before = snapshot(tmp_path)
    assert len(before) == (1 if fmt == "parquet" else 2)
    inject(monkeypatch, fmt)
    with pytest.raises(OutputError) as err:
        write_output(NEW, out, NEW_META)
    assert err.value.code == code
    assert err.value.exit_code == 5
    assert text in err.value.message
    assert err.value.hint  # says what to do next
    monkeypatch.undo()
    assert snapshot(tmp_path) == before  # same bytes, no temp file, no half-replaced pair


INTERRUPTS = [
    ("in-data-write", ("csv",),
     lambda mp, fmt: fail_handle_write(mp, KeyboardInterrupt, 0)),
    ("in-sidecar-write", ("csv",), lambda mp, fmt: fail_handle_write(mp, KeyboardInterrupt, 1)),
    ("in-serialiser", ("parquet", "csv"), lambda mp, fmt: fail_writer(mp, KeyboardInterrupt, fmt)),
    ("at-flush", ("csv",), lambda mp, fmt: fail_handle_flush(mp, KeyboardInterrupt)),
    # Ctrl-C as polars finishes the file, before the rename
    ("after-serialiser", ("parquet", "csv"),
     lambda mp, fmt: interrupt_after_writer(mp, fmt)),
    ("at-fsync", ("parquet", "csv"), lambda mp, fmt: fail_fsync(mp, KeyboardInterrupt)),
    # Ctrl-C between the rename of the CSV and the rename of its sidecar
    ("between-renames", ("csv",), lambda mp, fmt: fail_replace(mp, KeyboardInterrupt, 1)),
]


@pytest.mark.parametrize(("fmt", "inject"), expand(INTERRUPTS))
def test_an_interrupt_stays_an_interrupt_and_keeps_the_previous_output(tmp_path, monkeypatch,
                                                                       fmt, inject) -> None:
    out = write_output(OLD, tmp_path / f"out.{fmt}", OLD_META)
    before = snapshot(tmp_path)
    inject(monkeypatch, fmt)
    with pytest.raises(KeyboardInterrupt):
        write_output(NEW, out, NEW_META)
    monkeypatch.undo()
    assert snapshot(tmp_path) == before


def test_a_failed_first_write_leaves_nothing(tmp_path, monkeypatch) -> None:
    fail_handle_write(monkeypatch, enospc, 1)
    with pytest.raises(OutputError):
        write_output(NEW, tmp_path / "out.csv", NEW_META)
    assert snapshot(tmp_path) == {}  # neither a CSV without sidecar nor a temp file


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize("length", [300, 250])
def test_a_file_name_too_long_is_an_output_error(tmp_path, fmt, length) -> None:
    """300 bytes: the name itself is too long; 250: the temporary file's name (beside
    it, longer) is. Either way an output error, and nothing is left in the folder."""
    name = "x" * (length - len(fmt) - 1) + f".{fmt}"
    with pytest.raises(OutputError) as info:
        write_output(OLD, tmp_path / name, OLD_META)
    assert info.value.code == "output-unwritable" and info.value.exit_code == 5
    assert "too long" in info.value.message
    assert list(tmp_path.iterdir()) == []


def test_the_temp_file_sits_beside_the_target_and_is_named_after_it(tmp_path,
                                                                    monkeypatch) -> None:
    seen: list[list[str]] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    write_output(NEW, tmp_path / "out.parquet", NEW_META)
    monkeypatch.undo()
    assert seen, "the temp file was never fsynced"
    (name,) = seen[0]
    prefix = f".out.parquet.{os.getpid()}."
    assert name.startswith(prefix) and name.endswith(".tmp"), name
    assert "." not in name[len(prefix):-len(".tmp")]  # .<target>.<pid>.<random>.tmp
    assert pl.read_parquet(tmp_path / "out.parquet").equals(NEW)
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]


# --- stale temp files of killed runs -------------------------------------------------------


def test_stale_temps_of_dead_runs_go_those_of_live_runs_stay(tmp_path, live_pid) -> None:
    dead = dead_pid()
    stale = [f".out.parquet.{dead}.k1ll3d__.tmp", f".out.parquet.{dead}.abcdefgh.tmp"]
    alive = [f".out.parquet.{os.getpid()}.mine1234.tmp",
             f".out.parquet.{live_pid}.other123.tmp"]
    others = [f".other.parquet.{dead}.notmine_.tmp",  # another target's
              ".out.parquet.nopid.xxxxxxxx.tmp",  # not ours: no pid
              f"out.parquet.{dead}.visible_.tmp"]  # not hidden: not a temp of ours
    for name in stale + alive + others:
        (tmp_path / name).write_bytes(b"half")
    write_output(NEW, tmp_path / "out.parquet", NEW_META)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["out.parquet", *alive, *others])
    assert all((tmp_path / n).read_bytes() == b"half" for n in alive + others)


def test_stale_temps_of_a_csv_and_its_sidecar_go(tmp_path) -> None:
    dead = dead_pid()
    stale = [f".out.csv.{dead}.aaaaaaaa.tmp", f".out.csv.meta.json.{dead}.bbbbbbbb.tmp"]
    alive = [f".out.csv.{os.getpid()}.cccccccc.tmp",
             f".out.csv.meta.json.{os.getpid()}.dddddddd.tmp"]
    for name in stale + alive:
        (tmp_path / name).write_bytes(b"half")
    write_output(NEW, tmp_path / "out.csv", NEW_META)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["out.csv", "out.csv.meta.json", *alive])


def test_atomic_files_removes_stale_temps_of_every_target(tmp_path) -> None:
    dead = dead_pid()
    a, b = tmp_path / "a.bin", tmp_path / "b.bin"
    for name in (f".a.bin.{dead}.11111111.tmp", f".b.bin.{dead}.22222222.tmp"):
        (tmp_path / name).write_bytes(b"half")
    with atomic_files([a, b]) as (fa, fb):
        fa.write(b"A")
        fb.write(b"B")
    assert snapshot(tmp_path) == {"a.bin": b"A", "b.bin": b"B"}


def test_a_live_temp_of_a_longer_target_name_is_not_taken_for_a_stale_one(tmp_path) -> None:
    # "ergebnis" and "ergebnis.<n>.csv" are different targets; a run writing the latter
    # owns ".ergebnis.<n>.csv.<its pid>.<random>.tmp", where <n> is not a pid at all
    n = dead_pid()
    live = f".ergebnis.{n}.csv.{os.getpid()}.q7x2m9k1.tmp"
    (tmp_path / live).write_bytes(b"being written")
    write_output(NEW, tmp_path / "ergebnis", NEW_META, "csv")
    assert (tmp_path / live).read_bytes() == b"being written"


# --- the command line ----------------------------------------------------------------------

SPEC, CSV = CITY_SPEC_TEXT, CITY_CSV

runner = CliRunner()


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    (tmp_path / "spec.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "extract.csv").write_text(CSV, encoding="utf-8")
    return tmp_path


def compute(folder: Path, out: Path, *extra: str) -> object:
    return runner.invoke(app, ["compute", str(folder / "extract.csv"), "--spec",
                               str(folder / "spec.yaml"), "-o", str(out), *extra])


def previous_output(folder: Path, fmt: str) -> tuple[Path, dict[str, bytes]]:
    """An earlier run's output (other content than the next run's) and the folder's bytes."""
    out = write_output(OLD, folder / f"out.{fmt}", OLD_META)
    return out, snapshot(folder)


CLI_FAILURES = [
    # (id, formats, inject(monkeypatch, fmt), exit code, text on stderr)
    ("fsync-enospc", ("parquet", "csv"),
     lambda mp, fmt: fail_fsync(mp, enospc), 5, "output-write-failed"),
    ("data-write-enospc", ("csv",),
     lambda mp, fmt: fail_handle_write(mp, enospc, 0), 5, "output-write-failed"),
    ("disk-full", ("parquet",), lambda mp, fmt: fail_disk_full(mp), 5, "No space left"),
    ("serialiser-enospc", ("parquet", "csv"),
     lambda mp, fmt: fail_writer(mp, enospc, fmt), 5, "output-write-failed"),
    ("last-rename-enospc", ("parquet", "csv"),
     lambda mp, fmt: fail_replace(mp, enospc, last_replace(fmt)), 5, "output-write-failed"),
    ("folder-unwritable", ("parquet", "csv"),
     lambda mp, fmt: fail_mkstemp(mp, eacces, 0), 5, "output-unwritable"),
    ("interrupt-in-data-write", ("csv",),
     lambda mp, fmt: fail_handle_write(mp, KeyboardInterrupt, 0), 130, "interrupted"),
    ("interrupt-after-serialiser", ("parquet", "csv"),
     lambda mp, fmt: interrupt_after_writer(mp, fmt), 130, "interrupted"),
    ("interrupt-in-serialiser", ("parquet", "csv"),
     lambda mp, fmt: fail_writer(mp, KeyboardInterrupt, fmt), 130, "interrupted"),
    ("interrupt-at-fsync", ("parquet", "csv"),
     lambda mp, fmt: fail_fsync(mp, KeyboardInterrupt), 130, "interrupted"),
    ("interrupt-at-last-rename", ("parquet", "csv"),
     lambda mp, fmt: fail_replace(mp, KeyboardInterrupt, last_replace(fmt)), 130,
     "interrupted"),
    ("panic-in-serialiser", ("parquet", "csv"),
     lambda mp, fmt: fail_writer(mp, lambda: PanicException("index out of bounds"), fmt), 70,
     "internal error: PanicException"),
]


@pytest.mark.parametrize(("fmt", "inject", "code", "text"), expand(CLI_FAILURES))
def test_cli_failed_write_exit_code_and_previous_output_kept(folder, monkeypatch, fmt, inject,
                                                             code, text) -> None:
    out, before = previous_output(folder, fmt)
    inject(monkeypatch, fmt)
    result = compute(folder, out)
    monkeypatch.undo()
    assert result.exit_code == code, (result.stderr, result.exception)
    assert text in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert snapshot(folder) == before


def test_cli_bad_data_keeps_a_previous_csv_and_its_sidecar(folder) -> None:
    out, before = previous_output(folder, "csv")
    (folder / "extract.csv").write_text(CSV.replace("2000;400", "2000;-400"), encoding="utf-8")
    before["extract.csv"] = (folder / "extract.csv").read_bytes()
    result = compute(folder, out)
    assert result.exit_code == 4, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert snapshot(folder) == before


def test_cli_succeeds_once_the_disk_has_room_again(folder, monkeypatch) -> None:
    # the injected failures above are not a broken fixture: without them the run writes
    out, _ = previous_output(folder, "csv")
    fail_fsync(monkeypatch, enospc)
    assert compute(folder, out).exit_code == 5
    monkeypatch.undo()
    result = compute(folder, out)
    assert result.exit_code == 0, result.stderr
    assert pl.read_csv(out, schema_overrides={"area": pl.String})["area"].to_list() == [
        "01", "02", "03", "04"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "extract.csv", "out.csv", "out.csv.meta.json", "spec.yaml"]


# --- a polars panic is an internal error ---------------------------------------------------


def panic(*args: object, **kwargs: object) -> None:
    raise PanicException("called `Option::unwrap()` on a `None` value")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_cli_polars_panic_in_compute_is_exit_70_and_writes_nothing(folder, monkeypatch,
                                                                  fmt) -> None:
    import ankunftsindex.pipeline as pipeline

    monkeypatch.setattr(pipeline, "compute_result", panic)
    fresh = folder / f"new.{fmt}"
    result = compute(folder, fresh)
    assert result.exit_code == 70, (result.stderr, result.exception)
    assert result.stderr.startswith("internal error:")
    assert "PanicException" in result.stderr and "Option::unwrap()" in result.stderr
    assert "--debug" in result.stderr  # the next step
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert sorted(p.name for p in folder.iterdir()) == ["extract.csv", "spec.yaml"]

    out, before = previous_output(folder, fmt)
    result = compute(folder, out)
    assert result.exit_code == 70
    assert snapshot(folder) == before


def test_cli_polars_panic_with_debug_shows_the_traceback(folder, monkeypatch) -> None:
    import ankunftsindex.pipeline as pipeline

    monkeypatch.setattr(pipeline, "compute_result", panic)
    out = folder / "out.parquet"
    result = compute(folder, out, "--debug")
    assert result.exit_code == 70
    assert "Traceback" in result.stderr
    assert "PanicException" in result.stderr
    assert "internal error:" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_cli_interrupt_while_computing_is_exit_130_and_keeps_the_output(folder, monkeypatch,
                                                                       fmt) -> None:
    import ankunftsindex.pipeline as pipeline

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    out, before = previous_output(folder, fmt)
    monkeypatch.setattr(pipeline, "compute_result", interrupted)
    result = compute(folder, out)
    assert result.exit_code == 130, (result.stderr, result.exception)
    assert result.stderr.startswith("interrupted")
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert snapshot(folder) == before

"""Atomic Parquet/CSV writers with provenance metadata.

A write goes to a temporary file beside the target, is flushed and fsynced, then renamed
over the target with ``os.replace``: readers see the old file or the new one, never a
partial one, and a failed run leaves no temporary file behind.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import polars as pl

from .errors import OutputError

FORMATS = ("parquet", "csv")
#: CSV dialects: ``standard`` (``,``, decimal point, UTF-8) for programs, ``excel-de``
#: (``;``, decimal comma, UTF-8 with BOM) for people who open the file in a German Excel.
CSV_DIALECTS = ("standard", "excel-de")
#: Text cells starting with one of these would be run as a formula by spreadsheet
#: programs (CSV injection); they are written with a leading apostrophe. Cells that
#: already start with apostrophes before one get another, so that reading back (drop
#: one apostrophe) gives the cell exactly.
FORMULA_START = r"^'*[=+\-@\t\r]"


SUFFIXES = {"parquet": "parquet", "pq": "parquet", "csv": "csv"}


def format_for(path: Path, fmt: str | None) -> str:
    """The output format: from the file's suffix, or given explicitly for another suffix
    (a format that contradicts the suffix is an error)."""
    implied = SUFFIXES.get(path.suffix.lower().lstrip("."))
    if fmt is not None:
        if fmt not in FORMATS:
            raise OutputError(f"unknown output format {fmt!r}", code="output-format",
                              hint="use --format parquet or --format csv")
        if implied is not None and implied != fmt:
            raise OutputError(f"{path}: --format {fmt} contradicts the suffix {path.suffix!r}",
                              code="output-format",
                              hint=f"name the file .{fmt} or drop --format")
        return fmt
    if implied is not None:
        return implied
    raise OutputError(
        f"{path}: cannot tell the output format from the suffix {path.suffix!r}",
        code="output-format", hint="name the file .parquet or .csv, or pass --format")


def check_target(path: Path, inputs: list[Path], spec: Path | None = None) -> None:
    """Refuse an output path that is one of the inputs (or the spec or its sidecar)."""
    target = path.resolve()
    for source in [*inputs, *([spec] if spec is not None else [])]:
        if source.resolve() in (target, sidecar_path(target)):
            raise OutputError(f"{path}: the output would overwrite the input {source}",
                              code="output-overwrites-input",
                              hint="write the result to another file")


def sidecar_path(path: Path) -> Path:
    """Where the provenance of a CSV output goes (CSV has no place for metadata)."""
    return path.with_name(path.name + ".meta.json")


def _target(path: Path) -> Path:
    """The file to replace: a symbolic link is written through; anything that exists and
    is not a regular file (a folder, a device) is refused."""
    try:
        if path.is_symlink():
            path = path.resolve()
        exists = path.exists()
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise OutputError(f"{path}: cannot write it: {exc.strerror}", code="output-unwritable",
                          hint="check the file name (length, characters) and the folder"
                          ) from None
    if exists and not path.is_file():
        raise OutputError(f"{path}: exists and is not a regular file",
                          code="output-not-a-file", hint="give a file name for the output")
    return path


def _mode(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the umask's (never wider)."""
    if path.exists():
        return stat.S_IMODE(path.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_files(paths: list[Path]) -> Iterator[list[IO[bytes]]]:
    """Temporary files beside each path; when the block succeeds, each replaces its
    target (all data are written and fsynced before the first rename)."""
    with _atomic(paths) as (handles, _):
        yield handles


@contextlib.contextmanager
def _atomic(paths: list[Path]) -> Iterator[tuple[list[IO[bytes]], list[Path]]]:
    """:func:`atomic_files` with the temporary files' names. A writer may also open a
    temporary file by name: the handle is of the same file, so its fsync syncs what
    was written either way."""
    targets = [_target(p) for p in paths]
    temps: list[Path] = []
    handles: list[IO[bytes]] = []
    try:
        for target in targets:
            folder = target.parent if str(target.parent) else Path(".")
            if not folder.is_dir():
                raise OutputError(f"{target}: the folder {folder} does not exist",
                                  code="output-no-folder", hint="create the folder first")
            _remove_stale_temps(target)
            try:
                fd, name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.",
                                            suffix=".tmp", dir=folder)
            except OSError as exc:
                raise OutputError(f"{target}: cannot write in {folder}: {exc.strerror}",
                                  code="output-unwritable",
                                  hint="check the folder's permissions and free space") from None
            temps.append(Path(name))
            handles.append(os.fdopen(fd, "wb"))
        yield handles, temps
        for fh, tmp, target in zip(handles, temps, targets, strict=True):
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
            os.chmod(tmp, _mode(target))
        _commit(temps, targets)
        for folder in {t.parent for t in targets}:
            _fsync_folder(folder)
    except OSError as exc:
        raise OutputError(f"{paths[0]}: write failed: {exc.strerror or exc}",
                          code="output-write-failed",
                          hint="check free space and permissions; the previous file is "
                          "untouched") from None
    finally:
        for fh in handles:
            # closing flushes what is buffered; on a full disk that fails again, and the
            # error that is already on its way (or none, after a commit) is the one to show
            with contextlib.suppress(OSError):
                fh.close()
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def _commit(temps: list[Path], targets: list[Path]) -> None:
    """Rename every temporary file over its target, as one step as far as a process can:
    SIGINT and SIGTERM wait until all renames are done, and when a later rename fails,
    the targets already replaced get their previous files back (kept as hard links).
    Only SIGKILL (or a power loss) between two renames can leave a new CSV beside an old
    sidecar; the sidecar's ``csv_sha256`` makes that detectable."""
    import signal
    import threading

    blocked = {signal.SIGINT, signal.SIGTERM}
    main = threading.current_thread() is threading.main_thread()
    if main:
        signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    backups: list[tuple[Path, Path | None]] = []
    try:
        for tmp, target in zip(temps, targets, strict=True):
            backup = None
            if len(targets) > 1 and target.exists():
                backup = tmp.with_name(tmp.name.removesuffix(".tmp") + ".old.tmp")
                os.link(target, backup)
            backups.append((target, backup))
            try:
                os.replace(tmp, target)
            except BaseException:  # a failed rename, or an interrupt raised inside it
                backups.pop()
                if backup is not None:
                    backup.unlink()
                for done, old in reversed(backups):
                    if old is not None:
                        os.replace(old, done)
                    else:
                        done.unlink()
                raise
    finally:
        for _, old in backups:
            if old is not None:
                with contextlib.suppress(FileNotFoundError):
                    old.unlink()
        if main:
            try:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, blocked)
            except KeyboardInterrupt:
                # Ctrl-C during the renames: the output is complete; say so
                raise InterruptedAfterWrite() from None


class InterruptedAfterWrite(KeyboardInterrupt):
    """Ctrl-C arrived while the finished output was being put in place: it is written."""


def _remove_stale_temps(target: Path) -> None:
    """Remove temporary files of earlier runs for this target whose process is gone (a
    run killed with SIGKILL cannot clean up after itself)."""
    folder = target.parent if str(target.parent) else Path(".")
    ours = re.compile(rf"^\.{re.escape(target.name)}\.(\d+)\.[^.]+(\.old)?\.tmp$")
    for tmp in folder.glob(f".{glob.escape(target.name)}.*.tmp"):
        m = ours.match(tmp.name)
        if m and not _process_alive(int(m.group(1))):
            with contextlib.suppress(OSError):
                tmp.unlink()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """Open a temporary file beside ``path``; on success it replaces ``path``."""
    with atomic_files([path]) as (fh,):
        yield fh


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_parquet(frame: pl.DataFrame, path: Path, metadata: dict[str, str]) -> None:
    """Parquet (zstd) with the provenance in the file's key-value metadata; polars writes
    it (no timestamps: identical input gives identical bytes), without loading pyarrow.
    zstd level 1: a third faster than the default level 3, and 1 % larger.

    polars opens the temporary file by name: through a Python file object, every buffer
    would pass the interpreter (a fifth slower). The name is absolute (polars reads a
    leading ``~`` as the home folder, which a folder named ``~`` is not); a name that is
    not UTF-8 text, which polars cannot take, is written through the file object."""
    options: dict[str, Any] = {"compression": "zstd", "compression_level": 1,
                               "metadata": metadata}
    with _atomic([path]) as ((fh,), (temp,)):
        name = os.path.abspath(temp)
        if _is_text(name):
            try:
                frame.write_parquet(name, **options)
            except pl.exceptions.PolarsError as exc:
                raise _os_error(exc) or exc from None
        else:
            sink = _Passing(fh)
            try:
                frame.write_parquet(sink, **options)  # type: ignore[arg-type]
            except pl.exceptions.PolarsError:
                sink.reraise()
                raise


def _is_text(name: str) -> bool:
    """False for a file name with bytes that are not UTF-8 (Python keeps them as lone
    surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _os_error(exc: Exception) -> OSError | None:
    """The operating system's error inside a polars error about a file (``… IO error:
    No space left on device (os error 28)``), or None when it is about something else."""
    found = re.search(r"\(os error (\d+)\)", str(exc))
    if found is None:
        return None
    number = int(found.group(1))
    return OSError(number, os.strerror(number))


def write_csv(frame: pl.DataFrame, path: Path, metadata: dict[str, str],
              dialect: str = "standard") -> None:
    """CSV (see :data:`CSV_DIALECTS`) with text cells safe for spreadsheets (a leading
    apostrophe before ``= + - @``, tab or carriage return); provenance in
    ``<path>.meta.json``."""
    if dialect not in CSV_DIALECTS:
        raise OutputError(f"unknown CSV dialect {dialect!r}", code="output-format",
                          hint=f"use one of {', '.join(CSV_DIALECTS)}")
    meta = {k.removeprefix("ankunftsindex."): _maybe_json(v) for k, v in metadata.items()}
    meta["csv_dialect"] = dialect
    safe = frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START)).then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c)).alias(c)
        for c, dtype in frame.schema.items() if dtype == pl.String)
    german = dialect == "excel-de"
    with atomic_files([path, sidecar_path(path)]) as (data, sidecar):
        hashing = _Passing(data, hashlib.sha256())
        try:
            safe.write_csv(hashing, separator=";" if german else ",",  # type: ignore[arg-type]
                           decimal_comma=german, include_bom=german)
        except (OSError, pl.exceptions.PolarsError):
            hashing.reraise()
            raise
        # the two files cannot be renamed in one step: the hash lets a reader tell a
        # sidecar of another run (left by a SIGKILL between the renames) from its own
        meta["csv_sha256"] = hashing.digest.hexdigest()
        # key order as given: the spec keeps its own order, so its hash can be checked
        body = json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
        sidecar.write(body.encode("utf-8"))


class _Passing:
    """A write-only file that passes bytes through to ``target`` (hashing them on the way
    when given a ``digest``) and keeps what a write raised: polars turns it into an
    error of its own (an interrupt into OSError, a full disk into ComputeError), and
    :meth:`reraise` raises the original again."""

    def __init__(self, target: IO[bytes], digest: Any = None) -> None:
        self.target = target
        self.digest = digest
        self.error: BaseException | None = None

    def write(self, data: bytes) -> int:
        try:
            if self.digest is not None:
                self.digest.update(data)
            return self.target.write(data)
        except BaseException as exc:
            self.error = exc
            raise

    def flush(self) -> None:  # the last buffered bytes reach the disk here
        try:
            self.target.flush()
        except BaseException as exc:
            self.error = exc
            raise

    def reraise(self) -> None:
        """Raise what a write raised, if anything."""
        if self.error is not None:
            raise self.error.with_traceback(None) from None


def _maybe_json(value: str) -> object:
    try:
        return json.loads(value)
    except ValueError:
        return value


def write_output(frame: pl.DataFrame, path: str | Path, metadata: dict[str, str],
                 fmt: str | None = None, csv_dialect: str = "standard") -> Path:
    """Write the output table atomically in the given or implied format."""
    p = Path(path)
    kind = format_for(p, fmt)
    if kind == "parquet":
        write_parquet(frame, p, metadata)
    else:
        write_csv(frame, p, metadata, csv_dialect)
    return p


def read_metadata(path: str | Path) -> dict[str, str]:
    """The provenance of an output file (Parquet metadata or the CSV's sidecar)."""
    p = Path(path)
    if format_for(p, None) == "parquet":
        # the file's key-value metadata (older outputs, written by pyarrow, have it there
        # too, besides in the Arrow schema)
        return {k: v for k, v in pl.read_parquet_metadata(p).items()
                if k.startswith("ankunftsindex.")}
    meta = json.loads(sidecar_path(p).read_text(encoding="utf-8"))
    meta.pop("csv_dialect", None)
    expected = meta.pop("csv_sha256", None)
    from .read import file_sha256

    if expected is not None and expected != file_sha256(p):
        from .errors import InputError

        raise InputError(
            f"{sidecar_path(p)}: belongs to another version of {p.name} (csv_sha256 "
            "differs): the CSV was changed after compute (saved from a spreadsheet?) or "
            "the run that wrote them was killed between the two renames",
            code="input-stale-sidecar",
            hint="run compute again to write the CSV and its sidecar anew")
    return {f"ankunftsindex.{k}": v if isinstance(v, str) else
            json.dumps(v, ensure_ascii=False, separators=(",", ":")) for k, v in meta.items()}

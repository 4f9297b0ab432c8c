"""Atomic Parquet/CSV writers with provenance metadata.

A write goes to a temporary file beside the target, is flushed and fsynced, then renamed
over the target with ``os.replace``: readers see the old file or the new one, never a
partial one, and a failed run leaves no temporary file behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import polars as pl

from .errors import OutputError

FORMATS = ("parquet", "csv")


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
    if path.is_symlink():
        path = path.resolve()
    if path.exists() and not path.is_file():
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
    targets = [_target(p) for p in paths]
    temps: list[Path] = []
    handles: list[IO[bytes]] = []
    try:
        for target in targets:
            folder = target.parent if str(target.parent) else Path(".")
            if not folder.is_dir():
                raise OutputError(f"{target}: the folder {folder} does not exist",
                                  code="output-no-folder", hint="create the folder first")
            try:
                fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                            dir=folder)
            except OSError as exc:
                raise OutputError(f"{target}: cannot write in {folder}: {exc.strerror}",
                                  code="output-unwritable",
                                  hint="check the folder's permissions and free space") from None
            temps.append(Path(name))
            handles.append(os.fdopen(fd, "wb"))
        yield handles
        for fh, tmp, target in zip(handles, temps, targets, strict=True):
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
            os.chmod(tmp, _mode(target))
        for tmp, target in zip(temps, targets, strict=True):
            os.replace(tmp, target)
        for folder in {t.parent for t in targets}:
            _fsync_folder(folder)
    except OSError as exc:
        raise OutputError(f"{paths[0]}: write failed: {exc.strerror or exc}",
                          code="output-write-failed",
                          hint="check free space and permissions; the previous file is "
                          "untouched") from None
    finally:
        for fh in handles:
            fh.close()
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


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
    """Parquet with the provenance in the file's key-value metadata (zstd, no timestamps)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = frame.to_arrow()
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    # dictionaries pay for text (IDs, names, classes); for floats, nearly all distinct,
    # building one costs more time than it saves space
    text = [f.name for f in table.schema if pa.types.is_string(f.type)
            or pa.types.is_large_string(f.type) or pa.types.is_string_view(f.type)]
    with atomic_file(path) as fh:
        pq.write_table(table, fh, compression="zstd", use_dictionary=text)


def write_csv(frame: pl.DataFrame, path: Path, metadata: dict[str, str]) -> None:
    """UTF-8 CSV with ``,`` and decimal points; provenance in ``<path>.meta.json``."""
    meta = {k.removeprefix("ankunftsindex."): _maybe_json(v) for k, v in metadata.items()}
    body = json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    with atomic_files([path, sidecar_path(path)]) as (data, sidecar):
        frame.write_csv(data)
        sidecar.write(body.encode("utf-8"))


def _maybe_json(value: str) -> object:
    try:
        return json.loads(value)
    except ValueError:
        return value


def write_output(frame: pl.DataFrame, path: str | Path, metadata: dict[str, str],
                 fmt: str | None = None) -> Path:
    """Write the output table atomically in the given or implied format."""
    p = Path(path)
    kind = format_for(p, fmt)
    if kind == "parquet":
        write_parquet(frame, p, metadata)
    else:
        write_csv(frame, p, metadata)
    return p


def read_metadata(path: str | Path) -> dict[str, str]:
    """The provenance of an output file (Parquet metadata or the CSV's sidecar)."""
    p = Path(path)
    if format_for(p, None) == "parquet":
        import pyarrow.parquet as pq

        raw = pq.read_schema(p).metadata or {}
        return {k.decode(): v.decode() for k, v in raw.items()
                if k.decode().startswith("ankunftsindex.")}
    meta = json.loads(sidecar_path(p).read_text(encoding="utf-8"))
    return {f"ankunftsindex.{k}": v if isinstance(v, str) else
            json.dumps(v, ensure_ascii=False, separators=(",", ":")) for k, v in meta.items()}

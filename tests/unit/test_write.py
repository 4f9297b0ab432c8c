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
    raw = pq.read_metadata(out).metadata  # the file's key-value metadata
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


def test_a_folder_or_device_as_target_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "o.parquet"
    target.mkdir()
    with pytest.raises(OutputError) as err:
        write_output(FRAME, target, META)
    assert err.value.code == "output-not-a-file"
    with pytest.raises(OutputError) as err:
        write_output(FRAME, Path("/dev/null"), META, "csv")
    assert err.value.code == "output-not-a-file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.parquet"]


def test_failing_rename_is_an_output_error_and_leaves_no_temp(tmp_path, monkeypatch) -> None:
    import errno
    import os

    target = tmp_path / "o.parquet"
    target.write_bytes(b"previous")

    def full(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OutputError) as err:
        write_output(FRAME, target, META)
    assert err.value.code == "output-write-failed"
    assert "No space left" in err.value.message
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["o.parquet"]


def test_csv_and_sidecar_are_replaced_together(tmp_path: Path, monkeypatch) -> None:
    out = write_output(FRAME, tmp_path / "r.csv", META)
    before = (out.read_bytes(), sidecar_path(out).read_bytes())

    def broken(self: pl.DataFrame, file: object, **options: object) -> None:
        file.write(b"area,arr")  # type: ignore[attr-defined]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_csv", broken)
    with pytest.raises(OutputError):
        write_output(FRAME, out, {**META, "ankunftsindex.version": "10.0"})
    assert (out.read_bytes(), sidecar_path(out).read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.csv.meta.json"]


def test_a_symlinked_output_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "2025.parquet"
    real.write_bytes(b"old")
    link = tmp_path / "latest.parquet"
    link.symlink_to(real)
    write_output(FRAME, link, META)
    assert link.is_symlink()
    assert pl.read_parquet(real).equals(FRAME)


def test_permissions_of_an_existing_file_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "o.csv"
    target.write_text("old")
    target.chmod(0o640)
    write_output(FRAME, target, META)
    assert target.stat().st_mode & 0o777 == 0o640


def test_format_contradicting_the_suffix_is_an_error() -> None:
    with pytest.raises(OutputError) as err:
        format_for(Path("x.csv"), "parquet")
    assert err.value.code == "output-format"


def test_a_csv_sidecar_keeps_the_spec_so_that_its_hash_can_be_checked(tmp_path: Path) -> None:
    import hashlib
    import json

    spec = json.dumps({"spec_version": 1, "input": {"area": "Gebiet", "population": "EW"},
                       "indicators": {"z": {}, "a": {}}}, separators=(",", ":"))
    meta = {"ankunftsindex.spec": spec,
            "ankunftsindex.spec_sha256": hashlib.sha256(spec.encode()).hexdigest()}
    out = write_output(FRAME, tmp_path / "r.csv", meta)
    back = read_metadata(out)
    assert back["ankunftsindex.spec"] == spec
    assert hashlib.sha256(back["ankunftsindex.spec"].encode()).hexdigest() == meta[
        "ankunftsindex.spec_sha256"]


def test_metadata_of_a_parquet_file_written_by_pyarrow_is_read(tmp_path: Path) -> None:
    # pyarrow (earlier builds of this tool, or a user re-saving an output) puts the
    # provenance in the Arrow schema as well as in the file's key-value metadata
    table = FRAME.to_arrow().replace_schema_metadata(META)
    pq.write_table(table, tmp_path / "old.parquet")
    assert read_metadata(tmp_path / "old.parquet") == META


def test_parquet_lands_in_a_folder_named_tilde_not_in_home(tmp_path: Path, monkeypatch) -> None:
    # polars opens the temporary file by name: a relative "~/…" must not become $HOME/…
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "~").mkdir()
    write_output(FRAME, Path("~/out.parquet"), META)
    assert pl.read_parquet(tmp_path / "~" / "out.parquet").equals(FRAME)
    assert list(home.iterdir()) == []
    assert [p.name for p in (tmp_path / "~").iterdir()] == ["out.parquet"]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_output_in_a_folder_whose_name_is_not_utf8(tmp_path: Path, fmt: str) -> None:
    import os

    folder = Path(os.fsdecode(bytes(tmp_path) + b"/alt\xff"))  # e.g. a Latin-1 name
    try:
        folder.mkdir()
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system takes no such name")
    out = write_output(FRAME, folder / f"out.{fmt}", META)
    got = (pl.read_parquet(out.read_bytes()) if fmt == "parquet" else
           pl.read_csv(out.read_bytes(), schema_overrides={"area": pl.String}))
    assert got.equals(FRAME)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [out.name] + ([] if fmt == "parquet" else [out.name + ".meta.json"]))

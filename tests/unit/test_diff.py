"""diff on hand-built before/after outputs: every expected number is counted by hand in
the comments."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from ankunftsindex.diff import NOT_SCORED, diff_outputs, read_output, select_period
from ankunftsindex.errors import InputError
from ankunftsindex.write import write_output

CLASSES = [{"label": "hoch", "from": 1.0, "to": None},
           {"label": "mittel", "from": -1.0, "to": 1.0},
           {"label": "niedrig", "from": None, "to": -1.0}]
SPEC = {"spec_version": 1, "indices": {"arrival": {"classes": CLASSES}}}


def metadata(spec: dict | None = None, sha: str = "a" * 64, version: str = "0.1.0") -> dict:
    return {"ankunftsindex.spec": json.dumps(spec or SPEC),
            "ankunftsindex.spec_sha256": sha, "ankunftsindex.version": version}


def output(period: str, rows: list[tuple]) -> pl.DataFrame:
    """rows: (area, name, status, arrival, rank, class)."""
    return pl.DataFrame(
        [(a, n, period, 1000.0, s, v, r, c) for a, n, s, v, r, c in rows],
        schema={"area": pl.String, "name": pl.String, "period": pl.String,
                "population": pl.Float64, "status": pl.String, "arrival": pl.Float64,
                "arrival_rank": pl.UInt32, "arrival_class": pl.String}, orient="row")


# values 1.5, 0.5, 0.0, -1.2, -0.8 → ranks 1, 2, 3, 5, 4; area 06 is too small
OLD = output("2024-12", [
    ("01", "Altstadt", "scored", 1.5, 1, "hoch"),
    ("02", "Bahnhof", "scored", 0.5, 2, "mittel"),
    ("03", "Chaussee", "scored", 0.0, 3, "mittel"),
    ("04", "Dorf", "scored", -1.2, 5, "niedrig"),
    ("05", "Eiche", "scored", -0.8, 4, "mittel"),
    ("06", "Furt", "excluded_small", None, None, None),
])
# values 1.4, 1.1, -1.1, -0.95, -0.5, 0.3 → ranks 1, 2, 6, 5, 4, 3; 06 gone, 07 new
NEW = output("2025-12", [
    ("01", "Altstadt", "scored", 1.4, 1, "hoch"),
    ("02", "Bahnhof", "scored", 1.1, 2, "hoch"),
    ("03", "Chaussee", "scored", -1.1, 6, "niedrig"),
    ("04", "Dorf", "scored", -0.95, 5, "mittel"),
    ("05", "Eiche", "scored", -0.5, 4, "mittel"),
    ("07", "Gasse", "scored", 0.3, 3, "mittel"),
])


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {"old": tmp_path / "old.parquet", "new": tmp_path / "new.parquet"}
    write_output(OLD, paths["old"], metadata())
    write_output(NEW, paths["new"], metadata())
    return paths


def test_transitions_entries_exits_and_movers(files: dict[str, Path]) -> None:
    report = diff_outputs(read_output(files["old"]), read_output(files["new"]))
    assert report.keys == ["area"]
    (d,) = report.indices
    assert d.labels == ["hoch", "mittel", "niedrig", NOT_SCORED]
    # areas in both: 01 hoch→hoch, 02 mittel→hoch, 03 mittel→niedrig, 04 niedrig→mittel,
    # 05 mittel→mittel
    assert d.matrix() == [[1, 0, 0, 0],
                          [1, 1, 1, 0],
                          [0, 1, 0, 0],
                          [0, 0, 0, 0]]
    assert d.entered("hoch")["area"].to_list() == ["02"]
    assert d.entered("mittel")["area"].to_list() == ["04"]
    assert d.entered("niedrig")["area"].to_list() == ["03"]
    assert d.left("mittel")["area"].to_list() == ["02", "03"]
    assert d.left("niedrig")["area"].to_list() == ["04"]
    assert d.left("hoch").height == 0
    # only 03 changed its rank: 3 → 6, three places down
    movers = d.rank_movers(10)
    assert movers.select("area", "old_rank", "new_rank", "rank_change").rows() == [
        ("03", 3, 6, -3)]
    # |change|: 03 1.1, 02 0.6, 04 0.25, 05 0.3, 01 0.1
    values = d.value_movers(10, 0.0)
    assert values["area"].to_list() == ["03", "02", "05", "04", "01"]
    assert values["value_change"].to_list() == pytest.approx([-1.1, 0.6, 0.3, 0.25, -0.1])
    assert d.value_movers(2, 0.0)["area"].to_list() == ["03", "02"]
    assert report.only_old["area"].to_list() == ["06"]
    assert report.only_new["area"].to_list() == ["07"]
    assert report.changed_columns["arrival"] == 5
    assert report.changed_columns["arrival_class"] == 3
    assert report.changed_columns["arrival_rank"] == 1
    assert report.changed_columns["population"] == 0
    assert report.differences
    assert report.warnings == []


def test_json_report(files: dict[str, Path]) -> None:
    data = diff_outputs(read_output(files["old"]), read_output(files["new"])).to_dict(top=1)
    assert data["differences"] is True
    assert data["old"]["periods"] == ["2024-12"] and data["new"]["periods"] == ["2025-12"]
    arrival = data["indices"]["arrival"]
    assert arrival["transitions"]["counts"][1] == [1, 1, 1, 0]
    assert [r["area"] for r in arrival["entered"]["hoch"]] == ["02"]
    assert arrival["entered"]["hoch"][0]["old_class"] == "mittel"
    assert [r["area"] for r in arrival["value_movers"]] == ["03"]
    assert [r["area"] for r in data["only_in_new"]] == ["07"]
    json.dumps(data)  # plain data


def test_an_output_against_itself(files: dict[str, Path]) -> None:
    out = read_output(files["old"])
    report = diff_outputs(out, out)
    assert not report.differences
    assert set(report.changed_columns.values()) == {0}
    assert report.only_old.height == report.only_new.height == 0
    (d,) = report.indices
    # the diagonal holds every area, the excluded one as not scored
    assert d.matrix() == [[1, 0, 0, 0], [0, 3, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    assert d.rank_movers(10).height == 0 and d.value_movers(10, 0.0).height == 0


def test_tolerance(tmp_path: Path) -> None:
    write_output(OLD, tmp_path / "a.parquet", metadata())
    write_output(OLD.with_columns(pl.col("arrival") + 0.01), tmp_path / "b.parquet",
                 metadata())
    a, b = read_output(tmp_path / "a.parquet"), read_output(tmp_path / "b.parquet")
    assert not diff_outputs(a, b, tolerance=0.02).differences
    report = diff_outputs(a, b, tolerance=0.005)
    assert report.differences
    assert report.changed_columns["arrival"] == 5  # 06 has no value in either
    assert report.indices[0].value_movers(10, 0.02).height == 0


def test_csv_outputs_read_back_like_parquet(files: dict[str, Path], tmp_path: Path) -> None:
    write_output(OLD, tmp_path / "old.csv", metadata())
    write_output(NEW, tmp_path / "new.csv", metadata())
    from_csv = diff_outputs(read_output(tmp_path / "old.csv"), read_output(tmp_path / "new.csv"))
    from_parquet = diff_outputs(read_output(files["old"]), read_output(files["new"]))
    a, b = from_csv.to_dict(), from_parquet.to_dict()
    for side in ("old", "new"):
        a[side].pop("file"), b[side].pop("file")
    assert a == b


def test_different_specs_and_versions_are_warned(tmp_path: Path) -> None:
    write_output(OLD, tmp_path / "a.parquet", metadata())
    write_output(OLD, tmp_path / "b.parquet", metadata(sha="b" * 64, version="0.2.0"))
    report = diff_outputs(read_output(tmp_path / "a.parquet"),
                          read_output(tmp_path / "b.parquet"))
    assert [w.code for w in report.warnings] == ["diff-spec-changed", "diff-version-changed"]
    assert not report.differences  # the data are the same


def test_a_csv_without_provenance_is_warned(tmp_path: Path) -> None:
    OLD.write_csv(tmp_path / "bare.csv")
    out = read_output(tmp_path / "bare.csv")
    report = diff_outputs(out, out)
    assert {w.code for w in report.warnings} == {"diff-no-provenance"}
    # without a spec the classes are ordered by their mean index value
    assert report.indices[0].labels == ["hoch", "mittel", "niedrig", NOT_SCORED]


def test_panels_are_joined_by_area_and_period(tmp_path: Path) -> None:
    panel_old = pl.concat([OLD, NEW])
    panel_new = pl.concat([OLD, NEW.with_columns(
        pl.when(pl.col("area") == "05").then(pl.lit("hoch")).otherwise("arrival_class")
        .alias("arrival_class"))])
    write_output(panel_old, tmp_path / "a.parquet", metadata())
    write_output(panel_new, tmp_path / "b.parquet", metadata())
    report = diff_outputs(read_output(tmp_path / "a.parquet"),
                          read_output(tmp_path / "b.parquet"))
    assert report.keys == ["area", "period"]
    (d,) = report.indices
    assert d.entered("hoch").select("period", "area").rows() == [("2025-12", "05")]
    # the same 12 area × period keys on both sides; hoch→hoch: 01 twice and 02 in
    # 2025-12; mittel→hoch: 05 in 2025-12; mittel→mittel: 02, 03, 05 in 2024-12 and 04,
    # 07 in 2025-12; niedrig: 04 in 2024-12, 03 in 2025-12; 06 is not scored
    assert d.matrix() == [[3, 0, 0, 0], [1, 5, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]]
    assert report.changed_columns["arrival_class"] == 1


def test_two_periods_of_one_file(tmp_path: Path, files: dict[str, Path]) -> None:
    write_output(pl.concat([OLD, NEW]), tmp_path / "panel.parquet", metadata())
    panel = read_output(tmp_path / "panel.parquet")
    one = diff_outputs(select_period(panel, "2024-12", "--old-period"),
                       select_period(panel, "2025-12", "--new-period"))
    two = diff_outputs(read_output(files["old"]), read_output(files["new"]))
    assert one.indices[0].matrix() == two.indices[0].matrix()
    assert one.indices[0].changes.equals(two.indices[0].changes)
    with pytest.raises(InputError) as err:
        select_period(panel, "2023-12", "--old-period")
    assert err.value.code == "input-unknown-period"


def test_panels_without_common_periods(tmp_path: Path) -> None:
    write_output(pl.concat([OLD, NEW]), tmp_path / "a.parquet", metadata())
    later = pl.concat([OLD.with_columns(pl.lit("2026-12").alias("period")),
                       NEW.with_columns(pl.lit("2027-12").alias("period"))])
    write_output(later, tmp_path / "b.parquet", metadata())
    with pytest.raises(InputError) as err:
        diff_outputs(read_output(tmp_path / "a.parquet"), read_output(tmp_path / "b.parquet"))
    assert err.value.code == "input-no-common-period"


def test_not_an_output(tmp_path: Path) -> None:
    pl.DataFrame({"x": [1]}).write_parquet(tmp_path / "x.parquet")
    with pytest.raises(InputError) as err:
        read_output(tmp_path / "x.parquet")
    assert err.value.code == "input-not-an-output"
    with pytest.raises(InputError) as err:
        read_output(tmp_path / "missing.parquet")
    assert err.value.code == "input-not-found"


# reading CSV outputs back: the dialect, types without provenance, the apostrophe


@pytest.mark.parametrize("sidecar", [True, False])
def test_excel_de_csv_reads_back_like_parquet(tmp_path: Path, sidecar: bool) -> None:
    write_output(OLD, tmp_path / "old.parquet", metadata())
    write_output(OLD, tmp_path / "de.csv", metadata(), csv_dialect="excel-de")
    if not sidecar:  # then the BOM and the semicolons tell the dialect
        (tmp_path / "de.csv.meta.json").unlink()
    csv_out = read_output(tmp_path / "de.csv")
    assert csv_out.frame["arrival"].to_list() == OLD["arrival"].to_list()
    assert csv_out.frame["area"].to_list() == ["01", "02", "03", "04", "05", "06"]
    report = diff_outputs(read_output(tmp_path / "old.parquet"), csv_out)
    assert not report.differences, report.changed_columns


def typed(frame: pl.DataFrame) -> pl.DataFrame:
    """OLD with a typology column and an ID column with leading zeros."""
    return frame.with_columns(
        pl.when(pl.col("arrival") > 1).then(pl.lit("Ankunftsquartier"))
        .otherwise(pl.lit("kein Ankunftsquartier")).alias("typ"),
        pl.lit("0815").alias("bezirk"))


def test_a_csv_without_provenance_keeps_text_columns_as_text(tmp_path: Path) -> None:
    typed(OLD).write_csv(tmp_path / "bare.csv")
    out = read_output(tmp_path / "bare.csv")
    assert out.frame.schema["typ"] == pl.String
    assert out.frame["bezirk"].to_list() == ["0815"] * 6  # not 815.0
    assert out.frame.schema["arrival"] == pl.Float64
    assert out.frame.schema["population"] == pl.Float64
    assert not diff_outputs(out, out).differences


def test_a_csv_with_a_typology_reads_back_like_parquet(tmp_path: Path) -> None:
    spec = {**SPEC, "typology": {"rules": []}}  # the column defaults to typ
    write_output(typed(OLD), tmp_path / "t.parquet", metadata(spec))
    write_output(typed(OLD), tmp_path / "t.csv", metadata(spec))
    report = diff_outputs(read_output(tmp_path / "t.parquet"), read_output(tmp_path / "t.csv"))
    assert not report.differences, report.changed_columns


SYMBOLS = OLD.with_columns(pl.col("arrival_class").replace({"hoch": "++", "mittel": "+",
                                                            "niedrig": "-"}),
                           pl.col("name").replace({"Bahnhof": "=Bahnhof"}))
SYMBOL_SPEC = {"spec_version": 1, "indices": {"arrival": {"classes": [
    {"label": "++", "from": 1.0}, {"label": "+", "from": -1.0, "to": 1.0},
    {"label": "-", "to": -1.0}]}}}


def test_the_spreadsheet_apostrophe_is_undone(tmp_path: Path) -> None:
    write_output(SYMBOLS, tmp_path / "sym.parquet", metadata(SYMBOL_SPEC))
    write_output(SYMBOLS, tmp_path / "sym.csv", metadata(SYMBOL_SPEC))
    assert "'-" in (tmp_path / "sym.csv").read_text(encoding="utf-8")  # written safe
    out = read_output(tmp_path / "sym.csv")
    assert out.frame["arrival_class"].to_list() == ["++", "+", "+", "-", "+", None]
    assert out.frame["name"][1] == "=Bahnhof"
    report = diff_outputs(read_output(tmp_path / "sym.parquet"), out)
    assert not report.differences, report.changed_columns


def test_repeated_keys_are_refused(tmp_path: Path) -> None:
    pl.concat([OLD, OLD.filter(pl.col("area") == "03")]).write_parquet(tmp_path / "d.parquet")
    with pytest.raises(InputError) as err:
        read_output(tmp_path / "d.parquet")
    assert err.value.code == "input-not-an-output"
    assert "d.parquet" in err.value.message and "area 03, period 2024-12" in err.value.message


def test_a_changed_name_is_a_difference(tmp_path: Path) -> None:
    write_output(OLD, tmp_path / "a.parquet", metadata())
    write_output(OLD.with_columns(pl.col("name").replace({"Dorf": "Neudorf"})),
                 tmp_path / "b.parquet", metadata())
    report = diff_outputs(read_output(tmp_path / "a.parquet"),
                          read_output(tmp_path / "b.parquet"))
    assert report.changed_columns["name"] == 1
    assert report.differences


def test_the_tolerance_does_not_hide_rank_changes(tmp_path: Path) -> None:
    # 04 and 05 swap ranks 5 and 4; values move by 0.01 only
    swapped = OLD.with_columns(
        pl.col("arrival") + 0.01,
        pl.col("arrival_rank").replace_strict({5: 4, 4: 5}, default=pl.col("arrival_rank"),
                                              return_dtype=pl.UInt32))
    write_output(OLD, tmp_path / "a.parquet", metadata())
    write_output(swapped, tmp_path / "b.csv", metadata())  # ranks read back as floats
    report = diff_outputs(read_output(tmp_path / "a.parquet"), read_output(tmp_path / "b.csv"),
                          tolerance=2.0)
    assert report.changed_columns["arrival"] == 0
    assert report.changed_columns["arrival_rank"] == 2
    assert report.differences


def test_json_has_no_nan_or_infinity(tmp_path: Path) -> None:
    write_output(OLD, tmp_path / "a.parquet", metadata())
    write_output(OLD.with_columns(pl.when(pl.col("area") == "01").then(float("inf"))
                                  .otherwise(pl.col("arrival")).alias("arrival")),
                 tmp_path / "b.parquet", metadata())
    data = diff_outputs(read_output(tmp_path / "a.parquet"),
                        read_output(tmp_path / "b.parquet")).to_dict()
    json.dumps(data, allow_nan=False)


def test_an_output_without_names(tmp_path: Path) -> None:
    write_output(OLD.drop("name"), tmp_path / "a.parquet", metadata())
    out = read_output(tmp_path / "a.parquet")
    assert not diff_outputs(out, out).differences


def test_a_broken_sidecar_is_named(tmp_path: Path) -> None:
    write_output(OLD, tmp_path / "o.csv", metadata())
    (tmp_path / "o.csv.meta.json").write_text('{"csv_dialect": "standard",', encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_output(tmp_path / "o.csv")
    assert err.value.code == "input-not-an-output"
    assert str(tmp_path / "o.csv.meta.json") in err.value.message


def test_a_stale_sidecar_is_an_error(tmp_path: Path) -> None:
    write_output(OLD, tmp_path / "o.csv", metadata())
    sidecar = (tmp_path / "o.csv.meta.json").read_bytes()
    write_output(NEW, tmp_path / "o.csv", metadata())
    (tmp_path / "o.csv.meta.json").write_bytes(sidecar)  # as after a kill between renames
    with pytest.raises(InputError) as err:
        read_output(tmp_path / "o.csv")
    assert err.value.code == "input-stale-sidecar"
    assert err.value.exit_code == 4

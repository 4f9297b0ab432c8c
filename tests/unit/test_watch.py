"""watch on a hand-built panel: rise rule, persistence rule, gaps and one-month noise."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from ankunftsindex.diff import read_output
from ankunftsindex.errors import InputError
from ankunftsindex.watch import WatchRules, _period_after, class_order, watch
from ankunftsindex.write import write_output

# listed high to low, as in a spec; watch orders them by their bounds
CLASSES = [{"label": "hoch", "from": 1.0, "to": None},
           {"label": "mittel", "from": -1.0, "to": 1.0},
           {"label": "niedrig", "from": None, "to": -1.0}]
MONTHS = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]
VALUES = {
    "A": [0.0, 0.0, 0.2, 0.4, 0.6],      # rises steadily, stays mittel
    "B": [0.5, 0.9, 1.1, 1.2, 1.3],      # mittel → hoch, stays there
    "C": [0.8, 0.9, 0.95, 1.05, 0.95],   # one month hoch: noise
    "D": [0.0, None, 0.5, 1.1, 1.2],     # not scored in 2025-02
    "E": [1.2, 1.0, 0.5, 0.0, -0.5],     # falls
    "F": [-1.5, -1.5, -1.2, -0.5, -0.4],  # niedrig → mittel
}


def label(v: float | None) -> str | None:
    if v is None:
        return None
    return "hoch" if v >= 1.0 else "mittel" if v >= -1.0 else "niedrig"


@pytest.fixture
def panel(tmp_path: Path) -> Path:
    rows = [(a, f"Gebiet {a}", m, "scored" if v is not None else "missing_data", v,
             label(v)) for a, vs in VALUES.items() for m, v in zip(MONTHS, vs, strict=True)]
    frame = pl.DataFrame(rows, schema=["area", "name", "period", "status", "arrival",
                                       "arrival_class"], orient="row")
    frame = frame.with_columns(
        pl.col("arrival").rank("min", descending=True).over("period").cast(pl.UInt32)
        .alias("arrival_rank")).sort("period", "area")
    path = tmp_path / "panel.parquet"
    spec = {"indices": {"arrival": {"classes": CLASSES}}}
    write_output(frame, path, {"ankunftsindex.spec": json.dumps(spec)})
    return path


def flagged(panel: Path, **rules: object) -> list[tuple[str, bool, bool]]:
    report = watch(read_output(panel), WatchRules(**{"over": 3, "persist": 2, **rules}))
    return report.flagged.select("area", "rise_rule", "persistence_rule").rows()


def test_class_order_is_by_bounds(panel: Path) -> None:
    assert class_order(read_output(panel), "arrival") == ["niedrig", "mittel", "hoch"]


def test_rules_as_of_the_latest_period(panel: Path) -> None:
    # since 2025-02: rises A 0.6, B 0.4, C 0.05, D none (no value then), E −1.5, F 1.1;
    # classes higher than in 2025-02 in 2025-04 and 2025-05: B (hoch > mittel),
    # F (mittel > niedrig); C is hoch only in 2025-04
    assert flagged(panel) == [("F", True, True), ("A", True, False), ("B", False, True)]
    report = watch(read_output(panel), WatchRules(over=3, persist=2))
    assert (report.as_of, report.since) == ("2025-05", "2025-02")
    a = report.flagged.filter(pl.col("area") == "A").row(0, named=True)
    assert a["value"] == 0.6 and a["value_then"] == 0.0 and a["rise"] == pytest.approx(0.6)
    assert (a["class"], a["class_then"]) == ("mittel", "mittel")


def test_rules_one_at_a_time(panel: Path) -> None:
    assert [a for a, *_ in flagged(panel, persist=None)] == ["F", "A"]
    assert [a for a, *_ in flagged(panel, rise=None)] == ["F", "B"]
    assert [a for a, *_ in flagged(panel, rise=None, at_least="hoch")] == ["B"]
    assert [a for a, *_ in flagged(panel, rise=1.0, persist=None)] == ["F"]


def test_as_of_an_earlier_period(panel: Path) -> None:
    # since 2025-01: rises B 0.7, D 1.1, F 1.0; A 0.4 and C 0.25 stay below;
    # persistence in 2025-03 and 2025-04 above 2025-01: B only (D is mittel in 2025-03
    # as in 2025-01, F niedrig in 2025-03 as in 2025-01)
    assert flagged(panel, as_of="2025-04") == [
        ("D", True, False), ("F", True, False), ("B", True, True)]


def test_a_panel_shorter_than_the_look_back_is_an_error(panel: Path) -> None:
    with pytest.raises(InputError) as err:
        watch(read_output(panel), WatchRules(over=12))
    assert err.value.code == "input-too-short"


def test_bad_rules(panel: Path) -> None:
    out = read_output(panel)
    for rules, code in ((WatchRules(over=2, persist=3), "input-watch-rules"),
                        (WatchRules(at_least="sehr hoch"), "input-watch-rules"),
                        (WatchRules(index="dynamics"), "input-unknown-index"),
                        (WatchRules(as_of="2024-12"), "input-unknown-period")):
        with pytest.raises(InputError) as err:
            watch(out, rules)
        assert err.value.code == code


def test_cross_sections_cannot_be_watched(tmp_path: Path) -> None:
    frame = pl.DataFrame({"area": ["A", "B"], "status": ["scored"] * 2, "arrival": [1.0, 0.0],
                          "arrival_rank": [1, 2], "arrival_class": ["hoch", "mittel"]})
    write_output(frame, tmp_path / "x.parquet", {})
    with pytest.raises(InputError) as err:
        watch(read_output(tmp_path / "x.parquet"), WatchRules())
    assert err.value.code == "input-no-periods"


@pytest.mark.parametrize(("period", "steps", "expected"), [
    ("2025-12", -12, "2024-12"), ("2025-01", -1, "2024-12"), ("2024-12", 1, "2025-01"),
    ("2025-03", -27, "2022-12"), ("2025", -3, "2022")])
def test_period_after(period: str, steps: int, expected: str) -> None:
    assert _period_after(period, steps) == expected


def test_rise_must_be_finite(panel: Path) -> None:
    for rise in (float("nan"), float("inf")):
        with pytest.raises(InputError) as err:
            watch(read_output(panel), WatchRules(rise=rise))
        assert err.value.code == "input-watch-rules"


def test_a_nan_value_is_no_value_and_json_has_no_nan(tmp_path: Path, panel: Path) -> None:
    frame = pl.read_parquet(panel).with_columns(
        pl.when((pl.col("area") == "E") & (pl.col("period") == "2025-05")).then(float("nan"))
        .otherwise(pl.col("arrival")).alias("arrival"))
    write_output(frame, tmp_path / "nan.parquet",
                 {"ankunftsindex.spec": json.dumps({"indices": {"arrival": {"classes": CLASSES}}})})
    report = watch(read_output(tmp_path / "nan.parquet"), WatchRules(over=3, persist=2))
    # E falls (−1.5 without the NaN): NaN is no value, not a rise above every threshold
    assert "E" not in report.flagged["area"].to_list()
    json.dumps(report.to_dict(), allow_nan=False)


def test_a_persistence_rule_on_a_gap_is_warned(tmp_path: Path, panel: Path) -> None:
    frame = pl.read_parquet(panel).filter(pl.col("period") != "2025-04")
    write_output(frame, tmp_path / "gap.parquet",
                 {"ankunftsindex.spec": json.dumps({"indices": {"arrival": {"classes": CLASSES}}})})
    report = watch(read_output(tmp_path / "gap.parquet"), WatchRules(over=3, persist=2))
    # 2025-02 (the look-back) is there, 2025-04 (one of the last two periods) is not
    assert not report.flagged["persistence_rule"].any()
    (warning,) = report.warnings
    assert warning.code == "watch-short-panel" and "2025-04" in warning.message
    assert watch(read_output(panel), WatchRules(over=3, persist=2)).warnings == []


def test_class_labels_with_formula_symbols_from_csv(tmp_path: Path, panel: Path) -> None:
    symbols = {"hoch": "++", "mittel": "+", "niedrig": "-"}
    frame = pl.read_parquet(panel).with_columns(pl.col("arrival_class").replace(symbols))
    spec = {"indices": {"arrival": {"classes": [{**c, "label": symbols[c["label"]]}
                                                for c in CLASSES]}}}
    meta = {"ankunftsindex.spec": json.dumps(spec)}
    write_output(frame, tmp_path / "sym.csv", meta)
    write_output(frame, tmp_path / "sym.parquet", meta)
    rules = WatchRules(over=3, persist=2)
    from_csv = watch(read_output(tmp_path / "sym.csv"), rules).flagged
    from_parquet = watch(read_output(tmp_path / "sym.parquet"), rules).flagged
    assert from_csv.select("area", "rise_rule", "persistence_rule").rows() == [
        ("F", True, True), ("A", True, False), ("B", False, True)]
    assert from_csv.equals(from_parquet)

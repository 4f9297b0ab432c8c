"""explain: the numbers of one area, checked by hand (the worked example of docs/method.md)
and by an independent numpy path (the sample city), and read back from output files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from test_worked_example import example_frame

from ankunftsindex import compute, load_spec, write_output
from ankunftsindex.errors import InputError
from ankunftsindex.explain import add_contributions, explain, read_output
from ankunftsindex.pipeline import compute_frame, compute_result
from ankunftsindex.spec import parse_spec

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "beispielstadt_2021-01_2025-12.csv"
SPEC = ROOT / "indicators.yaml"
NEW_AREA = "03030202"  # Plattenbausiedlung Ost, planted new arrival neighbourhood


@pytest.fixture(scope="module")
def sample() -> object:
    return compute([SAMPLE], SPEC)


def test_worked_example_by_hand() -> None:
    """Area 04 of docs/method.md: z-scores 0.612, 0.384, 0.061, 1.105 (mean 0.540), the
    means of the four areas have population SD 0.968, so each contribution is
    z / 4 / 0.968 and they add up to the index 0.558."""
    spec = load_spec(SPEC)
    out, _ = compute_frame(example_frame(), spec)
    info = explain(out, spec, "04")
    arrival = info["indices"]["arrival"]
    by_id = {d["indicator"]: d for d in arrival["indicators"]}
    z = {"intl_inflow": 0.612, "foreign_share": 0.384, "fluctuation": 0.061,
         "sgb2_share": 1.105}
    for indicator, score in z.items():
        assert by_id[indicator]["score"] == pytest.approx(score, abs=5e-4)
        assert by_id[indicator]["weight_share"] == 0.25
        assert by_id[indicator]["contribution"] == pytest.approx(score / 4 / 0.968, abs=1e-3)
    assert arrival["value"] == pytest.approx(0.558, abs=5e-4)
    assert arrival["contribution_sum"] == pytest.approx(arrival["value"], abs=1e-12)
    # raw values and the city (mean and median of the four areas, table of the doc)
    assert info["indicators"]["intl_inflow"]["value"] == pytest.approx(60)
    assert info["indicators"]["intl_inflow"]["city_mean"] == pytest.approx(42.5)
    assert info["indicators"]["intl_inflow"]["city_median"] == pytest.approx((20 + 60) / 2)
    assert info["indicators"]["sgb2_share"]["rank"] == 1  # 20 % is the highest share
    assert info["indicators"]["fluctuation"]["rank"] == 2  # 260 after 380
    # class erhöht = [0.5, 1.0): 0.442 up to hoch, 0.058 down to mittel
    pos = arrival["class_position"]
    assert (pos["label"], pos["from"], pos["to"]) == ("erhöht", 0.5, 1.0)
    assert pos["next_higher"]["label"] == "hoch"
    assert pos["next_higher"]["distance"] == pytest.approx(1.0 - arrival["value"])
    assert pos["next_lower"]["label"] == "mittel"
    assert pos["next_lower"]["distance"] == pytest.approx(arrival["value"] - 0.5)
    # typology: the first rule (dynamics steigend and arrival >= 0.5) matched
    typ = info["typology"]
    assert typ["type"] == "neues Ankunftsquartier"
    assert typ["matched_rule"] == 0
    assert [r["result"] for r in typ["rules"]] == [True, False]


def test_sample_new_area_drivers_add_up_against_numpy(sample: object) -> None:
    """Done-when: explain of a planted new arrival neighbourhood shows which indicators
    drove it, and the numbers add up to the index; every number recomputed with numpy
    from the output's raw values."""
    frame, spec = sample.frame, sample.spec
    info = explain(frame, spec, NEW_AREA, "2025-12")
    assert info["name"] == "Plattenbausiedlung Ost"
    last = frame.filter((pl.col("period") == "2025-12") & (pl.col("status") == "scored"))
    areas = last["area"].to_list()
    me = areas.index(NEW_AREA)
    for index_id, index in spec.indices.items():
        x = last.select(list(index.weights)).to_numpy()
        z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=0)
        w = np.array(list(index.weights.values()))
        parts = z * w / w.sum()
        agg = parts.sum(axis=1)
        value = (agg - agg.mean()) / agg.std(ddof=0)
        contributions = (parts - parts.mean(axis=0)) / agg.std(ddof=0)
        got = info["indices"][index_id]
        assert got["value"] == pytest.approx(value[me], abs=1e-9)
        assert sum(d["contribution"] for d in got["indicators"]) == pytest.approx(
            got["value"], abs=1e-9)
        for k, d in enumerate(got["indicators"]):
            assert d["score"] == pytest.approx(z[me, k], abs=1e-9)
            assert d["contribution"] == pytest.approx(contributions[me, k], abs=1e-9)
        expected_drivers = [list(index.weights)[k] for k in np.argsort(-parts[me])
                            if contributions[me, k] > 0]
        assert got["drivers"] == expected_drivers
        assert got["rank"] == 1 + int((value > value[me]).sum())
    # the planted area is driven by all four status indicators, above the city mean
    arrival = info["indices"]["arrival"]
    assert set(arrival["drivers"]) == set(spec.indices["arrival"].weights)
    for i in spec.indices["arrival"].weights:
        d = info["indicators"][i]
        assert d["value"] > d["city_mean"]
        assert d["city_mean"] == pytest.approx(last[i].mean())
        assert d["city_median"] == pytest.approx(float(np.median(last[i].to_numpy())))
    assert info["typology"]["type"] == "neues Ankunftsquartier"


def test_contributions_with_sum_and_no_standardise_are_weighted_scores() -> None:
    spec = parse_spec("""\
spec_version: 1
input: {area: g, population: p}
indicators:
  a: {column: A}
  b: {column: B}
indices:
  idx:
    weights: {a: 3, b: 1}
    normalise: minmax
    aggregate: sum
    classes: [{label: x}]
""")
    raw = pl.DataFrame({"g": ["1", "2", "3"], "p": [1.0, 1.0, 1.0], "A": [0.0, 5.0, 10.0],
                        "B": [4.0, 0.0, 2.0]})
    out, _ = compute_frame(raw, spec)
    info = explain(out, spec, "2")
    # minmax: a = 0.5, b = 0; sum: 3 × 0.5 + 1 × 0 = 1.5
    parts = {d["indicator"]: d["contribution"] for d in info["indices"]["idx"]["indicators"]}
    assert parts == {"a": pytest.approx(1.5), "b": pytest.approx(0.0)}
    assert info["indices"]["idx"]["value"] == pytest.approx(1.5)
    assert info["period"] is None
    assert info["indices"]["idx"]["drivers"] == ["a"]


def test_geometric_contributions_add_up_to_log() -> None:
    spec = parse_spec("""\
spec_version: 1
input: {area: g, population: p}
indicators:
  a: {column: A}
  b: {column: B}
indices:
  idx:
    weights: {a: 1, b: 1}
    normalise: rank
    aggregate: geometric
    classes: [{label: x}]
""")
    raw = pl.DataFrame({"g": ["1", "2", "3"], "p": [1.0] * 3, "A": [1.0, 2.0, 3.0],
                        "B": [3.0, 1.0, 2.0]})
    out, _ = compute_frame(raw, spec)
    info = explain(out, spec, "3")["indices"]["idx"]
    # ranks 3 and 2: geometric mean √6; contributions ln 3 / 2 and ln 2 / 2
    assert info["value"] == pytest.approx(6 ** 0.5)
    assert info["contributions_add_up_to"] == "log_aggregate"
    assert [d["contribution"] for d in info["indicators"]] == pytest.approx(
        [np.log(3) / 2, np.log(2) / 2])


def test_reference_period_contributions_use_the_reference_rows() -> None:
    """With a reference_period the standardising statistics come from that period."""
    spec = parse_spec("""\
spec_version: 1
input: {area: g, period: m, population: p}
indicators:
  a: {column: A}
  b: {column: B}
indices:
  idx:
    weights: {a: 1, b: 1}
    standardise: true
    reference_period: "2024"
    classes: [{label: x}]
""")
    raw = pl.DataFrame({
        "g": ["1", "2", "3"] * 2, "m": ["2024"] * 3 + ["2025"] * 3, "p": [1.0] * 6,
        "A": [1.0, 2.0, 6.0, 2.0, 4.0, 9.0], "B": [2.0, 1.0, 3.0, 5.0, 1.0, 2.0]})
    out, _ = compute_frame(raw, spec)
    for area in ("1", "2", "3"):
        info = explain(out, spec, area, "2025")["indices"]["idx"]
        assert info["contribution_sum"] == pytest.approx(info["value"], abs=1e-12)
    only_2025 = out.filter(pl.col("period") == "2025")
    info = explain(only_2025, spec, "1")["indices"]["idx"]
    assert info["contribution_sum"] is None
    assert "reference period 2024" in info["note"]


def test_not_scored_area_has_raw_values_only(sample: object) -> None:
    info = explain(sample.frame, sample.spec, "05010202", "2025-12")  # ~90 residents
    assert info["status"] == "excluded_small"
    assert info["indices"]["arrival"]["value"] is None
    assert info["indices"]["arrival"]["class_position"] is None
    assert info["typology"] is None
    assert info["indicators"]["foreign_share"]["value"] is not None
    assert info["indicators"]["foreign_share"]["rank"] is None


def test_unknown_area_and_period(sample: object) -> None:
    with pytest.raises(InputError) as err:
        explain(sample.frame, sample.spec, "0303020")
    assert err.value.code == "input-unknown-area"
    assert "03030202" in err.value.hint
    with pytest.raises(InputError) as err:
        explain(sample.frame, sample.spec, NEW_AREA, "2019-01")
    assert err.value.code == "input-unknown-period"


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_read_output_round_trip(tmp_path: Path, suffix: str) -> None:
    result = compute_result(example_frame(), load_spec(SPEC))
    path = write_output(result.frame, tmp_path / f"out{suffix}", result.metadata())
    frame, spec, meta = read_output(path)
    assert spec.sha256() == meta["ankunftsindex.spec_sha256"] == result.spec.sha256()
    assert frame.equals(result.frame)
    assert frame.columns == result.frame.columns
    got, want = explain(frame, spec, "02"), explain(result.frame, result.spec, "02")
    for index_id in spec.indices:
        a, b = got["indices"][index_id], want["indices"][index_id]
        assert a["value"] == b["value"] and a["class"] == b["class"]
        assert [d["contribution"] for d in a["indicators"]] == pytest.approx(
            [d["contribution"] for d in b["indicators"]], abs=1e-12)


def test_read_output_refuses_a_changed_spec(tmp_path: Path) -> None:
    result = compute_result(example_frame(), load_spec(SPEC))
    meta = {**result.metadata(), "ankunftsindex.spec_sha256": "0" * 64}
    path = write_output(result.frame, tmp_path / "out.parquet", meta)
    with pytest.raises(InputError) as err:
        read_output(path)
    assert err.value.code == "input-provenance-mismatch"


def test_read_output_refuses_files_without_provenance(tmp_path: Path) -> None:
    # output-shaped tables (area, status) without the metadata of compute
    plain = tmp_path / "plain.parquet"
    pl.DataFrame({"area": ["1"], "status": ["scored"]}).write_parquet(plain)
    with pytest.raises(InputError) as err:
        read_output(plain)
    assert err.value.code == "input-no-provenance"
    lonely = tmp_path / "lonely.csv"
    lonely.write_text("area,status\n1,scored\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_output(lonely)
    assert err.value.code == "input-no-provenance"
    assert "meta.json" in err.value.hint
    other = tmp_path / "x.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_output(other)
    assert err.value.code == "input-not-an-output"
    with pytest.raises(InputError) as err:
        read_output(tmp_path / "missing.parquet")
    assert err.value.code == "input-not-found"


def test_add_contributions_only_on_scored_rows(sample: object) -> None:
    f = add_contributions(sample.frame, sample.spec, "arrival")
    col = "arrival_intl_inflow_contribution"
    assert f.filter(pl.col("status") != "scored")[col].null_count() == \
        f.filter(pl.col("status") != "scored").height
    parts = [c for c in f.columns if c.endswith("_contribution")]
    total = f.filter(pl.col("status") == "scored").select(
        (pl.sum_horizontal(parts) - pl.col("arrival")).abs().max()).item()
    assert total < 1e-9


def test_read_output_german_spreadsheet_csv(tmp_path: Path) -> None:
    """A CSV in the German spreadsheet dialect (BOM, ';', decimal comma) with a name that
    a spreadsheet would run as a formula, written with a protecting apostrophe."""
    result = compute_result(example_frame(), load_spec(SPEC))
    frame = result.frame.with_columns(
        pl.when(pl.col("area") == "03").then(pl.lit("=Gartenstadt")).otherwise(pl.col("name"))
        .alias("name"))
    path = tmp_path / "out.csv"
    write_output(frame, path, result.metadata(), csv_dialect="excel-de")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert b";'=Gartenstadt;" in path.read_bytes()
    got, spec, _ = read_output(path)
    assert spec.sha256() == result.spec.sha256()
    assert got.columns == frame.columns
    assert got["name"].to_list() == frame["name"].to_list()
    for c in ("population", "arrival", "arrival_intl_inflow_score"):
        assert got[c].to_list() == pytest.approx(frame[c].to_list(), rel=1e-12, nan_ok=True)
    assert got["arrival_rank"].to_list() == frame["arrival_rank"].to_list()

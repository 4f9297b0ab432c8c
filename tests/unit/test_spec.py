"""Unit tests of the spec stage: YAML loading, validation, consistency checks, hashing.

Expected values follow METHOD.md ("Spec, version 1") and STYLE.md (YAML rules); every
number and position below is counted by hand from the spec texts in this file.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from ankunftsindex import compute
from ankunftsindex.errors import SpecError
from ankunftsindex.spec import Spec, load_spec, parse_spec

# Line numbers of this text are used below: line 7 is `window: 1`, line 12 is `weights:`.
MINIMAL = """\
spec_version: 1
input:
  area: Gebiet
  name: Name
  period: Monat
  population: EW
window: 1
indicators:
  foreign_share: {numerator: Ausl, per: 100}
indices:
  arrival:
    weights: {foreign_share: 1}
    classes:
      - {label: hoch, from: 0}
      - {label: niedrig, to: 0}
"""


def spec_error(text: str, source: str = "test.yaml") -> SpecError:
    with pytest.raises(SpecError) as info:
        parse_spec(text, source)
    assert info.value.exit_code == 3
    return info.value


def with_indicators(indicators: str, weights: str = "{foreign_share: 1}") -> str:
    """MINIMAL with its indicators block replaced (``indicators`` is indented by 2)."""
    text = MINIMAL.replace("  foreign_share: {numerator: Ausl, per: 100}\n", indicators)
    return text.replace("{foreign_share: 1}", weights)


def with_classes(classes: str) -> str:
    return MINIMAL.replace(
        "      - {label: hoch, from: 0}\n      - {label: niedrig, to: 0}\n", classes
    )


# --- a valid spec ---------------------------------------------------------------------


def test_minimal_spec_loads_with_documented_defaults() -> None:
    spec = parse_spec(MINIMAL, "test.yaml")
    assert isinstance(spec, Spec)
    assert spec.spec_version == 1
    assert spec.input.area == "Gebiet"
    assert spec.input.name == "Name"
    assert spec.input.period == "Monat"
    assert spec.input.population == "EW"
    ind = spec.indicators["foreign_share"]
    assert ind.numerator == "Ausl"
    assert ind.per == 100
    assert ind.type == "stock"  # default stock
    assert ind.direction == 1  # default 1
    index = spec.indices["arrival"]
    assert index.weights == {"foreign_share": 1}
    assert [c.label for c in index.classes] == ["hoch", "niedrig"]
    assert spec.exclude == []
    assert spec.typology is None


def test_per_defaults_to_one() -> None:
    spec = parse_spec(with_indicators("  foreign_share: {numerator: Ausl}\n"))
    assert spec.indicators["foreign_share"].per == 1


def test_load_spec_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    spec = load_spec(path)
    assert list(spec.indicators) == ["foreign_share"]
    assert list(spec.indices) == ["arrival"]


def test_load_spec_accepts_a_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode("utf-8"))
    assert load_spec(path).spec_version == 1


def test_load_spec_missing_file_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as info:
        load_spec(tmp_path / "nowhere.yaml")
    assert info.value.exit_code == 3
    assert "nowhere.yaml" in info.value.message


def test_load_spec_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(MINIMAL + "window: 2\n", encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert info.value.message.startswith(f"{path}:16:")


# --- YAML semantics: codes stay text, `no` stays `no` --------------------------------


@pytest.mark.parametrize("code", ["01100101", "08100312", "0001"])
def test_unquoted_area_code_keeps_its_leading_zero(code: str) -> None:
    spec = parse_spec(MINIMAL + f"exclude: [{{area: {code}, reason: x}}]\n")
    assert spec.exclude[0].area == code
    assert spec.exclude[0].reason == "x"


def test_unquoted_area_code_without_leading_zero_is_text() -> None:
    spec = parse_spec(MINIMAL + "exclude:\n  - area: 8100312\n    reason: Erstaufnahme\n")
    assert spec.exclude[0].area == "8100312"


@pytest.mark.parametrize("word", ["no", "yes", "off", "on", "n", "y"])
def test_yaml_1_1_booleans_stay_text(word: str) -> None:
    text = (
        with_classes(f"      - {{label: {word}, from: 0}}\n      - {{label: niedrig, to: 0}}\n")
        + f"title: {word}\nexclude: [{{area: '1', reason: {word}}}]\n"
    )
    spec = parse_spec(text)
    assert spec.title == word
    assert spec.exclude[0].reason == word
    assert spec.indices["arrival"].classes[0].label == word


def test_duplicate_top_level_key_names_both_lines() -> None:
    err = spec_error(MINIMAL + "window: 2\n")
    assert err.code == "spec-duplicate-key"
    # the second `window` is on line 16, the first on line 7
    assert err.message.startswith("test.yaml:16:1:")
    assert "line 7" in err.message
    assert "window" in err.message


def test_duplicate_nested_key_is_an_error() -> None:
    text = MINIMAL.replace("  name: Name\n", "  name: Name\n  area: Nr\n")
    err = spec_error(text)
    assert err.code == "spec-duplicate-key"
    assert err.message.startswith("test.yaml:5:3:")
    assert "line 3" in err.message


def test_duplicate_key_in_flow_mapping_is_an_error() -> None:
    err = spec_error(with_indicators("  foreign_share: {numerator: Ausl, per: 100, per: 10}\n"))
    assert err.code == "spec-duplicate-key"
    assert "line 9" in err.message


def test_yaml_syntax_error_gives_file_line_column() -> None:
    err = spec_error("spec_version: 1\ntitle: a\ninput: area: Gebiet\n", "bad.yaml")
    assert err.code == "spec-yaml"
    # the second ':' on line 3 is at column 12
    assert err.message.startswith("bad.yaml:3:12:")


def test_empty_spec_is_an_error() -> None:
    err = spec_error("# nothing but a comment\n")
    assert err.exit_code == 3


def test_spec_that_is_not_a_mapping_is_invalid() -> None:
    err = spec_error("- a\n- b\n")
    assert err.code == "spec-invalid"


# --- schema errors ----------------------------------------------------------------------


def test_unknown_key_suggests_the_close_known_key() -> None:
    err = spec_error(MINIMAL.replace("weights:", "weigths:"))
    assert err.code == "spec-invalid"
    assert "did you mean 'weights'?" in err.message
    # the position of the typo: line 12, column 5
    assert "test.yaml:12:5:" in err.message


def test_unknown_top_level_key_is_invalid() -> None:
    err = spec_error(MINIMAL + "windo: 3\n")
    assert err.code == "spec-invalid"
    assert "windo" in err.message
    assert "did you mean 'window'?" in err.message


@pytest.mark.parametrize(
    ("remove", "key"),
    [
        ("  population: EW\n", "population"),
        ("  area: Gebiet\n", "area"),
        ("spec_version: 1\n", "spec_version"),
    ],
)
def test_missing_required_key_is_invalid(remove: str, key: str) -> None:
    err = spec_error(MINIMAL.replace(remove, ""))
    assert err.code == "spec-invalid"
    assert f"required key {key!r} is missing" in err.message


def test_missing_indices_is_invalid() -> None:
    text = MINIMAL.split("indices:")[0]
    err = spec_error(text)
    assert err.code == "spec-invalid"
    assert "'indices'" in err.message


def test_wrong_spec_version_is_invalid() -> None:
    err = spec_error(MINIMAL.replace("spec_version: 1", "spec_version: 2"))
    assert err.code == "spec-invalid"


def test_indicator_with_numerator_and_column_is_invalid() -> None:
    err = spec_error(with_indicators("  foreign_share: {numerator: Ausl, column: S1}\n"))
    assert err.code == "spec-invalid"
    assert "foreign_share" in err.message
    assert "test.yaml:9:" in err.message


def test_indicator_with_neither_numerator_nor_column_is_invalid() -> None:
    err = spec_error(with_indicators("  foreign_share: {label: Anteil, per: 100}\n"))
    assert err.code == "spec-invalid"


def test_change_of_without_lag_is_invalid() -> None:
    err = spec_error(
        with_indicators(
            "  foreign_share: {numerator: Ausl, per: 100}\n"
            "  share_change: {change_of: foreign_share}\n"
        )
    )
    assert err.code == "spec-invalid"
    assert "lag" in err.message


def test_change_of_an_unknown_indicator() -> None:
    err = spec_error(
        with_indicators(
            "  foreign_share: {numerator: Ausl, per: 100}\n"
            "  share_change: {change_of: foreign_shares, lag: 12}\n"
        )
    )
    assert err.code == "spec-unknown-indicator"
    assert "foreign_shares" in err.message
    assert "foreign_share" in (err.hint or "")


def test_change_of_cycle() -> None:
    err = spec_error(
        with_indicators(
            "  foreign_share: {numerator: Ausl, per: 100}\n"
            "  a_change: {change_of: b_change, lag: 12}\n"
            "  b_change: {change_of: a_change, lag: 12}\n"
        )
    )
    assert err.code == "spec-cycle"
    assert "a_change" in err.message and "b_change" in err.message


def test_change_of_itself_is_a_cycle() -> None:
    err = spec_error(
        with_indicators(
            "  foreign_share: {numerator: Ausl, per: 100}\n"
            "  self_change: {change_of: self_change, lag: 12}\n"
        )
    )
    assert err.code == "spec-cycle"


def test_change_of_chain_without_cycle_loads() -> None:
    spec = parse_spec(
        with_indicators(
            "  foreign_share: {numerator: Ausl, per: 100}\n"
            "  share_change: {change_of: foreign_share, lag: 12}\n"
            "  share_acceleration: {change_of: share_change, lag: 12}\n"
        )
    )
    assert spec.indicators["share_acceleration"].change_of == "share_change"
    assert spec.indicators["share_acceleration"].lag == 12


def test_weight_on_unknown_indicator() -> None:
    err = spec_error(MINIMAL.replace("{foreign_share: 1}", "{foreign_shar: 1}"))
    assert err.code == "spec-unknown-indicator"
    assert "foreign_shar" in err.message
    assert "did you mean 'foreign_share'?" in (err.hint or "")


@pytest.mark.parametrize("weight", ["0", "-1", "-0.5"])
def test_non_positive_weight_is_invalid(weight: str) -> None:
    err = spec_error(MINIMAL.replace("{foreign_share: 1}", f"{{foreign_share: {weight}}}"))
    assert err.code == "spec-invalid"
    assert "foreign_share" in err.message
    assert "positive" in err.message


@pytest.mark.parametrize("ident", ["Foreign", "foreign-share", "1share", "fremd anteil", "_x"])
def test_indicator_id_must_be_snake_case(ident: str) -> None:
    text = with_indicators(
        f"  '{ident}': {{numerator: Ausl, per: 100}}\n", weights=f"{{'{ident}': 1}}"
    )
    err = spec_error(text)
    assert err.code == "spec-bad-id"
    assert ident in err.message


def test_index_id_must_be_snake_case() -> None:
    err = spec_error(MINIMAL.replace("  arrival:\n", "  Arrival:\n"))
    assert err.code == "spec-bad-id"
    assert "Arrival" in err.message


# --- classes ----------------------------------------------------------------------------


def test_classes_that_cover_the_line_load() -> None:
    spec = parse_spec(
        with_classes(
            "      - {label: sehr hoch, from: 1.5}\n"
            "      - {label: hoch, from: 1.0, to: 1.5}\n"
            "      - {label: mittel, from: -1.0, to: 1.0}\n"
            "      - {label: niedrig, to: -1.0}\n"
        )
    )
    classes = spec.indices["arrival"].classes
    assert [(c.from_, c.to) for c in classes] == [
        (1.5, None),
        (1.0, 1.5),
        (-1.0, 1.0),
        (None, -1.0),
    ]


def test_one_open_class_covers_everything() -> None:
    spec = parse_spec(with_classes("      - {label: alle}\n"))
    assert spec.indices["arrival"].classes[0].label == "alle"


@pytest.mark.parametrize(
    "classes",
    [
        pytest.param(
            "      - {label: hoch, from: 0.5}\n      - {label: niedrig, to: 0}\n", id="gap"
        ),
        pytest.param(
            "      - {label: hoch, from: -0.5}\n      - {label: niedrig, to: 0}\n", id="overlap"
        ),
        pytest.param(
            "      - {label: hoch, from: 0}\n      - {label: niedrig, from: -5, to: 0}\n",
            id="no-open-lower-end",
        ),
        pytest.param(
            "      - {label: hoch, from: 0, to: 5}\n      - {label: niedrig, to: 0}\n",
            id="no-open-upper-end",
        ),
        pytest.param(
            "      - {label: hoch}\n      - {label: niedrig, to: 0}\n", id="two-open-lower-ends"
        ),
        pytest.param(
            "      - {label: a, from: 0}\n      - {label: b, from: 1}\n      - {label: c, to: 0}\n",
            id="overlapping-open-upper-ends",
        ),
        pytest.param(
            "      - {label: hoch, from: 1}\n      - {label: mittel, from: -1, to: 0.5}\n"
            "      - {label: niedrig, to: -1}\n",
            id="gap-in-the-middle",
        ),
    ],
)
def test_classes_must_cover_the_line_without_gap_or_overlap(classes: str) -> None:
    err = spec_error(with_classes(classes))
    assert err.code == "spec-classes"
    assert "arrival" in err.message


def test_every_problem_of_the_classes_is_named_at_once() -> None:
    # "mittel" overlaps "hoch" (to 0.6 > from 0.5) and leaves a gap below (-0.6 … -0.5)
    err = spec_error(with_classes(
        "      - {label: hoch, from: 0.5}\n      - {label: mittel, from: -0.5, to: 0.6}\n"
        "      - {label: niedrig, to: -0.6}\n"))
    assert err.code == "spec-classes"
    lines = err.message.splitlines()
    assert len(lines) == 2
    assert "gap between 'niedrig' (to -0.6) and 'mittel' (from -0.5)" in lines[0]
    assert "classes 'mittel' and 'hoch' overlap (0.5 < 0.6)" in lines[1]
    assert all(re.match(r"^\s*test\.yaml:\d+:\d+: ", line) for line in lines)


# --- name collisions with output columns --------------------------------------------------


def test_index_named_status_collides() -> None:
    err = spec_error(MINIMAL.replace("  arrival:\n", "  status:\n"))
    assert err.code == "spec-name-collision"
    assert "'status'" in err.message


@pytest.mark.parametrize("ident", ["area", "name", "population", "status"])
def test_indicator_named_like_a_fixed_column_collides(ident: str) -> None:
    err = spec_error(
        with_indicators(
            f"  foreign_share: {{numerator: Ausl, per: 100}}\n  {ident}: {{column: X}}\n"
        )
    )
    assert err.code == "spec-name-collision"


@pytest.mark.parametrize("suffix", ["rank", "class"])
def test_indicator_named_like_an_index_column_collides(suffix: str) -> None:
    err = spec_error(
        with_indicators(
            f"  foreign_share: {{numerator: Ausl, per: 100}}\n  arrival_{suffix}: {{column: X}}\n"
        )
    )
    assert err.code == "spec-name-collision"
    assert f"arrival_{suffix}" in err.message


def test_indicator_named_like_a_score_column_collides() -> None:
    err = spec_error(
        with_indicators(
            "  foreign_share: {numerator: Ausl, per: 100}\n"
            "  arrival_foreign_share_score: {column: X}\n"
        )
    )
    assert err.code == "spec-name-collision"


def test_index_and_indicator_with_the_same_id_collide() -> None:
    err = spec_error(MINIMAL.replace("  arrival:\n", "  foreign_share:\n"))
    assert err.code == "spec-name-collision"


def test_typology_column_collides_with_status() -> None:
    err = spec_error(
        MINIMAL + "typology:\n  column: status\n  rules:\n"
        "    - {label: a, when: \"arrival_class = 'hoch'\"}\n"
    )
    assert err.code == "spec-name-collision"


def test_period_index_collides_in_a_spec_with_periods() -> None:
    err = spec_error(MINIMAL.replace("  arrival:\n", "  period:\n"))
    assert err.code == "spec-name-collision"


# --- typology -----------------------------------------------------------------------------


def typology(when: str) -> str:
    return (
        MINIMAL + "typology:\n  column: typ\n  rules:\n    - label: Ankunft\n"
        f"      when: {when}\n  default: kein\n"
    )


def test_valid_typology_rule_loads() -> None:
    spec = parse_spec(typology("\"arrival_class IN ('hoch') AND arrival >= 0.5\""))
    assert spec.typology is not None
    assert spec.typology.column == "typ"
    assert spec.typology.default == "kein"
    assert spec.typology.rules[0].label == "Ankunft"


def test_typology_rule_with_invalid_sql() -> None:
    err = spec_error(typology("\"arrival_class = 'hoch' AND\""))
    assert err.code == "spec-typology-sql"
    # the `when` value is on line 20
    assert "test.yaml:20:" in err.message


def test_typology_rule_with_unknown_column() -> None:
    err = spec_error(typology("\"arival_class = 'hoch'\""))
    assert err.code == "spec-typology-sql"
    assert "arival_class" in err.message
    assert "arrival_class" in (err.hint or "")


def test_typology_rule_must_be_a_condition() -> None:
    err = spec_error(typology("arrival"))
    assert err.code == "spec-typology-sql"


def test_every_bad_typology_rule_is_named_at_once() -> None:
    text = (MINIMAL + "typology:\n  column: typ\n  rules:\n"
            "    - {label: A, when: \"arrival_class = 'hoch' AND\"}\n"
            "    - {label: B, when: \"arrival >= 0\"}\n"
            "    - {label: C, when: \"arival > 1\"}\n")
    err = spec_error(text)
    assert err.code == "spec-typology-sql"
    lines = err.message.splitlines()
    assert len(lines) == 2
    assert "rule 'A' is not valid SQL" in lines[0]
    assert "rule 'C' uses an unknown column" in lines[1]


# --- flows need a window -----------------------------------------------------------------


FLOW = "  intl_inflow: {numerator: Zuzug, per: 1000, type: flow}\n"


def test_flow_with_periods_needs_a_window() -> None:
    text = with_indicators(FLOW, weights="{intl_inflow: 1}").replace("window: 1\n", "")
    err = spec_error(text)
    assert err.code == "spec-needs-window"
    assert "intl_inflow" in err.message


def test_flow_with_a_window_loads() -> None:
    text = with_indicators(FLOW, weights="{intl_inflow: 1}").replace("window: 1", "window: 12")
    spec = parse_spec(text)
    assert spec.window == 12
    assert spec.indicators["intl_inflow"].type == "flow"


def test_flow_in_a_cross_section_needs_no_window() -> None:
    text = (
        with_indicators(FLOW, weights="{intl_inflow: 1}")
        .replace("window: 1\n", "")
        .replace("  period: Monat\n", "")
    )
    spec = parse_spec(text)
    assert spec.input.period is None
    assert spec.window is None


# --- denominators ---------------------------------------------------------------------------


DENOMINATORS = """\
spec_version: 1
input: {area: Gebiet, population: EW}
indicators:
  share: {numerator: Ausl, per: 100}
  count: {numerator: Ausl, denominator: null}
  u65_share: {numerator: Ausl, denominator: U65, per: 100}
indices:
  arrival:
    weights: {share: 1, count: 1, u65_share: 1}
    classes: [{label: alle}]
"""


def test_omitted_denominator_defaults_to_population_and_null_means_none() -> None:
    spec = parse_spec(DENOMINATORS)
    assert spec.indicators["share"].denominator == "EW"
    assert spec.indicators["count"].denominator is None
    assert spec.indicators["u65_share"].denominator == "U65"


def test_denominators_in_computed_numbers(tmp_path: Path) -> None:
    data = tmp_path / "extract.csv"
    data.write_text(
        "Gebiet;EW;Ausl;U65\nA;1000;250;500\nB;2000;100;800\n",
        encoding="utf-8",
    )
    result = compute([data], parse_spec(DENOMINATORS))
    frame = result.frame.sort("area")
    assert frame["area"].to_list() == ["A", "B"]
    # share = Ausl / EW * 100: 250/1000*100, 100/2000*100
    assert frame["share"].to_list() == pytest.approx([25.0, 5.0])
    # count = Ausl, no division, per 1
    assert frame["count"].to_list() == pytest.approx([250.0, 100.0])
    # u65_share = Ausl / U65 * 100: 250/500*100, 100/800*100
    assert frame["u65_share"].to_list() == pytest.approx([50.0, 12.5])


# --- canonical JSON and hash --------------------------------------------------------------


def test_canonical_json_is_json_and_the_hash_is_its_sha256() -> None:
    spec = parse_spec(MINIMAL + "exclude: [{area: 01100101, reason: x}]\n")
    text = spec.canonical_json()
    data = json.loads(text)
    assert data["exclude"] == [{"area": "01100101", "reason": "x"}]
    assert data["indicators"]["foreign_share"]["denominator"] == "EW"
    assert ", " not in text and ": " not in text  # compact separators
    assert spec.sha256() == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", spec.sha256())


def test_same_text_gives_the_same_hash() -> None:
    assert parse_spec(MINIMAL, "a.yaml").sha256() == parse_spec(MINIMAL, "b.yaml").sha256()


def test_changed_weight_changes_the_hash() -> None:
    changed = MINIMAL.replace("{foreign_share: 1}", "{foreign_share: 2}")
    assert parse_spec(MINIMAL).sha256() != parse_spec(changed).sha256()


def test_changed_class_bound_changes_the_hash() -> None:
    changed = MINIMAL.replace("from: 0}", "from: 0.5}").replace("to: 0}", "to: 0.5}")
    assert parse_spec(MINIMAL).sha256() != parse_spec(changed).sha256()


def test_comments_and_whitespace_do_not_change_the_hash() -> None:
    reformatted = "# Beispielspezifikation\n" + MINIMAL.replace(
        "window: 1\n", "window:    1   # ein Monat\n\n"
    ).replace("{numerator: Ausl, per: 100}", "{ numerator: Ausl,  per: 100 }").replace(
        "indices:\n", "\nindices:   # Indizes\n"
    )
    assert parse_spec(reformatted).sha256() == parse_spec(MINIMAL).sha256()


def test_block_and_flow_style_give_the_same_hash() -> None:
    block = with_indicators("  foreign_share:\n    numerator: Ausl\n    per: 100\n")
    assert parse_spec(block).sha256() == parse_spec(MINIMAL).sha256()


def test_key_order_inside_a_definition_does_not_change_the_hash() -> None:
    reordered = with_indicators("  foreign_share: {per: 100, numerator: Ausl}\n")
    assert parse_spec(reordered).sha256() == parse_spec(MINIMAL).sha256()


def test_explicit_default_gives_the_same_hash_as_omitted_default() -> None:
    explicit = with_indicators(
        "  foreign_share: {numerator: Ausl, denominator: EW, per: 100, type: stock, direction: 1}\n"
    )
    assert parse_spec(explicit).sha256() == parse_spec(MINIMAL).sha256()


def test_null_denominator_changes_the_hash() -> None:
    no_division = with_indicators(
        "  foreign_share: {numerator: Ausl, denominator: null, per: 100}\n"
    )
    assert parse_spec(no_division).sha256() != parse_spec(MINIMAL).sha256()


# --- decisions added after review ------------------------------------------------------


@pytest.mark.parametrize("per", ["0", "-100"])
def test_per_must_be_a_positive_number(per: str) -> None:
    err = spec_error(with_indicators(f"  foreign_share: {{numerator: Ausl, per: {per}}}\n"))
    assert "per" in err.message and "positive" in err.message


def test_numbers_written_as_title_or_labels_become_text() -> None:
    text = MINIMAL.replace("spec_version: 1\n", "spec_version: 1\ntitle: 2025\n").replace(
        "{label: hoch, from: 0}", "{label: 1, from: 0}").replace(
        "{numerator: Ausl, per: 100}", "{label: 7, numerator: Ausl, per: 100}")
    spec = parse_spec(text)
    assert spec.title == "2025"
    assert spec.indices["arrival"].classes[0].label == "1"
    assert spec.indicators["foreign_share"].label == "7"


def test_canonical_json_reads_back_to_the_same_spec() -> None:
    spec = parse_spec(with_indicators(
        "  foreign_share: {numerator: Ausl, per: 100}\n"
        "  change: {change_of: foreign_share, lag: 12}\n",
        "{foreign_share: 1, change: 1}"))
    again = Spec.model_validate_json(spec.canonical_json())
    assert again.canonical_json() == spec.canonical_json()
    assert again.indicators["foreign_share"].denominator == "EW"
    assert again.indicators["change"].denominator is None


def test_json_schema_has_no_internal_placeholders() -> None:
    import json

    schema = json.dumps(Spec.model_json_schema(by_alias=True))
    assert "\\u0000" not in schema and "\x00" not in schema


# --- numbers must be numbers -------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), [
    ("window: 1", "window: true"),
    ("{foreign_share: 1}", "{foreign_share: true}"),
    ("per: 100", "per: '100'"),
    ("{label: hoch, from: 0}", "{label: hoch, from: .nan}"),
    ("{label: hoch, from: 0}", "{label: hoch, from: .inf}"),
    ("{label: niedrig, to: 0}", "{label: niedrig, to: '0'}"),
])
def test_true_quoted_numbers_and_nan_are_not_numbers(old: str, new: str) -> None:
    assert old in MINIMAL
    err = spec_error(MINIMAL.replace(old, new))
    assert err.code == "spec-invalid"
    assert "test.yaml:" in err.message


def test_direction_and_ddof_reject_true() -> None:
    err = spec_error(with_indicators("  foreign_share: {numerator: Ausl, direction: true}\n"))
    assert "direction" in err.message
    err = spec_error(MINIMAL.replace("weights: {foreign_share: 1}",
                                     "weights: {foreign_share: 1}\n    ddof: true"))
    assert "ddof" in err.message


@pytest.mark.parametrize("text", ["min_population: 1.000", "min_population: 10.000"])
def test_german_thousands_in_whole_number_keys_are_refused(text: str) -> None:
    err = spec_error(MINIMAL.replace("window: 1\n", f"window: 1\n{text}\n"))
    assert err.code == "spec-ambiguous-number"
    assert "test.yaml:8:" in err.message


def test_decimals_with_three_places_are_fine_elsewhere() -> None:
    spec = parse_spec(MINIMAL.replace("{foreign_share: 1}", "{foreign_share: 1.125}"))
    assert spec.indices["arrival"].weights["foreign_share"] == 1.125


@pytest.mark.parametrize(("indicator", "needle"), [
    ("  foreign_share: {numerator: Gebiet, per: 100}\n", "'Gebiet' is the area column"),
    ("  foreign_share: {numerator: Ausl, denominator: Monat}\n", "period column"),
    ("  foreign_share: {numerator: [Ausl, Ausl]}\n", "listed twice"),
])
def test_a_column_has_one_role(indicator: str, needle: str) -> None:
    err = spec_error(with_indicators(indicator))
    assert err.code == "spec-column-role"
    assert needle in err.message


def test_population_cannot_be_the_area_column() -> None:
    err = spec_error(MINIMAL.replace("population: EW", "population: Gebiet"))
    assert err.code == "spec-column-role"


@pytest.mark.parametrize("value", ["12/2024", "2024-12-01", "2024-13"])
def test_reference_period_must_be_a_period(value: str) -> None:
    err = spec_error(MINIMAL.replace("weights: {foreign_share: 1}",
                                     f"weights: {{foreign_share: 1}}\n    reference_period: "
                                     f"'{value}'"))
    assert "reference_period" in err.message and "YYYY-MM" in err.message


def test_unquoted_yearly_reference_period_is_text() -> None:
    spec = parse_spec(MINIMAL.replace("weights: {foreign_share: 1}",
                                      "weights: {foreign_share: 1}\n    reference_period: 2024"))
    assert spec.indices["arrival"].reference_period == "2024"


@pytest.mark.parametrize("column", ["''", "Typ Label-1", "Typ"])
def test_typology_column_must_be_snake_case(column: str) -> None:
    typology = ("typology:\n  column: " + column + "\n  rules:\n"
                "    - {label: a, when: \"arrival_class = 'hoch'\"}\n")
    err = spec_error(MINIMAL + typology)
    assert err.code == "spec-bad-id"


def test_recursive_alias_and_merge_keys_are_spec_errors() -> None:
    err = spec_error(MINIMAL.replace("spec_version: 1\n", "spec_version: 1\ntitle: &a [*a]\n"))
    assert err.code == "spec-yaml" and "itself" in err.message
    err = spec_error(MINIMAL.replace("  population: EW\n",
                                     "  population: EW\n  <<: {name: Name}\n"))
    assert "merge keys" in err.message


def test_alias_bomb_is_stopped() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 7)]
    err = spec_error("\n".join(lines) + "\n" + MINIMAL)
    assert "more than" in err.message


def test_typology_rule_failing_on_the_data_is_a_spec_error(tmp_path: Path) -> None:
    typology = ("typology:\n  rules:\n"
                "    - {label: a, when: \"CAST(arrival_class AS INT) > 1\"}\n")
    spec = tmp_path / "s.yaml"
    spec.write_text(MINIMAL.replace("window: 1\n", "") + typology, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("Gebiet;Name;Monat;EW;Ausl\n01;A;2025-01;100;10\n02;B;2025-01;100;20\n",
                    encoding="utf-8")
    with pytest.raises(SpecError) as err:
        compute([data], spec)
    assert err.value.code == "spec-typology-sql"
    assert f"{spec}:" in err.value.message and "rule 'a'" in err.value.message


@pytest.mark.parametrize("when", [
    "arrival_class = 'Hoch'",
    "arrival_class IN ('hoch', 'sehr hoch')",
    "arrival_class <> 'mittel' AND arrival > 0",
])
def test_typology_rule_with_a_label_the_index_lacks_is_refused(when: str) -> None:
    typology = f'typology:\n  rules:\n    - {{label: a, when: "{when}"}}\n'
    err = spec_error(MINIMAL + typology)
    assert err.code == "spec-typology-sql"
    assert "classes of arrival: hoch, niedrig" in (err.hint or "")


def test_typology_rule_with_known_labels_is_accepted() -> None:
    typology = ('typology:\n  rules:\n'
                '    - {label: a, when: "arrival_class IN (\'hoch\') OR arrival_class = '
                '\'niedrig\'"}\n')
    assert parse_spec(MINIMAL + typology).typology is not None


# Line numbers of this text are used below (each counted by hand).
SEVERAL = """\
spec_version: 1
input: {area: Gebiet, period: Monat, population: EW}
indicators:
  BadId: {numerator: Ausl, per: 100}
  share_change: {change_of: nope, lag: 12}
  a_change: {change_of: b_change, lag: 12}
  b_change: {change_of: a_change, lag: 12}
  c_change: {change_of: a_change, lag: 12}
indices:
  arrival:
    weights: {share_change: 1, zz: 1}
    classes: [{label: hoch, from: 1}, {label: niedrig, to: 0}]
typology:
  column: typ
  rules: [{label: x, when: "arrival_class = 'unbekannt'"}]
"""


def test_every_problem_of_the_spec_is_named_at_once() -> None:
    """Problems of different kinds are all reported, each with its own code, position
    and hint; the error (and its exit code) is the first one's."""
    from ankunftsindex.errors import findings_of

    err = spec_error(SEVERAL)
    assert err.code == "spec-bad-id" and err.exit_code == 3
    found = [(f.code, f.line, f.message.split(":")[0]) for f in findings_of(err)]
    assert found == [
        ("spec-bad-id", 4, "indicators.BadId"),
        ("spec-unknown-indicator", 5, "indicators.share_change.change_of"),
        ("spec-cycle", 6, "indicators.a_change.change_of"),  # the loop once, not per member
        ("spec-unknown-indicator", 11, "indices.arrival.weights.zz"),
        ("spec-classes", 12, "indices.arrival.classes[0]"),  # hoch: the gap below it
    ]
    hints = [f.hint for f in findings_of(err)]
    assert "lower-case letters" in (hints[0] or "")
    assert "did you mean" not in (hints[3] or "") and "known indicators" in (hints[3] or "")
    assert "cover the whole line" in (hints[4] or "")
    # the text names them in that order, each with its own hint
    text = err.render()
    assert [m.group(1) for m in re.finditer(r"^error\[([a-z-]+)\]", text, re.M)] == [
        c for c, _, _ in found]
    assert text.count("\nhint: ") == len(found)
    # the typology rule is tried only on a sound spec: no finding about it here
    assert "typology" not in text


def test_one_problem_is_one_error_as_before() -> None:
    err = spec_error(MINIMAL.replace("{foreign_share: 1}", "{foreign_shar: 1}"))
    assert err.also == []
    assert err.render().count("error[") == 1


def _all(err: SpecError) -> list[tuple[str, str]]:
    from ankunftsindex.errors import findings_of

    return [(f.code, f.message) for f in findings_of(err)]


def test_one_mistake_is_named_once() -> None:
    """A name used three times, a text column listed twice in a sum, a text column as
    the population (the default denominator of every ratio): each one report."""
    status = spec_error(with_indicators(
        "  foreign_share: {numerator: Ausl, per: 100}\n  status: {numerator: Ausl}\n"
    ).replace("indices:\n", "indices:\n  status:\n    weights: {foreign_share: 1}\n"
              "    classes: [{label: hoch, from: 0}, {label: niedrig, to: 0}]\n"))
    assert [c for c, _ in _all(status)] == ["spec-name-collision"]
    twice = spec_error(with_indicators("  foreign_share: {numerator: [Name, Name], per: 100}\n"))
    assert _all(twice) == [
        ("spec-column-role", "indicators.foreign_share.numerator: column 'Name' is the name "
         "column, not a count"),
        ("spec-column-role", "indicators.foreign_share.numerator: column 'Name' is listed "
         "twice")]
    population = spec_error(MINIMAL.replace("population: EW", "population: Gebiet"))
    assert _all(population) == [
        ("spec-column-role", "input.population: column 'Gebiet' is already the area column")]


def test_a_loop_reached_through_a_chain_is_named_where_it_loops() -> None:
    err = spec_error(with_indicators(
        "  foreign_share: {numerator: Ausl, per: 100}\n"
        "  tx: {change_of: ty, lag: 12}\n  ty: {change_of: tz, lag: 12}\n"
        "  tz: {change_of: ty, lag: 12}\n"))
    assert _all(err) == [("spec-cycle", "indicators.ty.change_of: `change_of` chain loops: "
                          "ty → tz → ty")]


@pytest.mark.parametrize(("extra", "message"), [
    ('title: "Karte \\ud800"\n', "lone surrogate"),
    ("title: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
])
def test_yaml_python_cannot_hold_is_a_spec_error(extra: str, message: str) -> None:
    """Text that is not Unicode, nesting deeper than Python recurses: spec errors (exit 3),
    not internal errors."""
    err = spec_error(MINIMAL + extra)
    assert err.code == "spec-yaml" and message in err.message


def test_an_integer_of_more_digits_than_python_converts_stays_text() -> None:
    spec = parse_spec(MINIMAL + "title: " + "9" * 5000 + "\n")
    assert spec.title == "9" * 5000
    err = spec_error(MINIMAL.replace("per: 100", "per: " + "9" * 5000))
    assert err.code == "spec-invalid"

"""report: one self-contained HTML file with every section, escaped labels, nothing
external, the same bytes on a rerun; GeoJSON errors."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest

from ankunftsindex import compute
from ankunftsindex.errors import InputError
from ankunftsindex.pipeline import compute_result
from ankunftsindex.report import build_report, read_geojson
from ankunftsindex.spec import parse_spec

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
GEO = SAMPLE / "beispielstadt.geojson"


@pytest.fixture(scope="module")
def sample() -> object:
    return compute([SAMPLE / "beispielstadt_2021-01_2025-12.csv"], ROOT / "indicators.yaml")


class Page(HTMLParser):
    """Collects tags, attributes that load something, and section ids."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.loads: list[str] = []
        self.sections: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action", "data") and value:
                self.loads.append(value)
        if tag == "section":
            self.sections.append(dict(attrs)["id"])


def parse(page: str) -> Page:
    p = Page()
    p.feed(page)
    return p


def test_sample_report_has_every_section(sample: object) -> None:
    page = build_report(sample.frame, sample.spec, sample.metadata(), geo=GEO)
    p = parse(page)
    assert p.sections == ["klassen", "verteilung", "korrelation", "top", "zeitverlauf",
                          "karte", "methode"]
    # charts: 2 class bars, 2 histograms, correlation, time series, map
    assert p.tags.count("svg") == 7
    assert "script" not in p.tags and "iframe" not in p.tags and "link" not in p.tags
    # nothing is loaded from outside the page: in-page anchors and inline data only
    outside = [v[:40] for v in p.loads if not v.startswith(("#", "data:image/png;base64,"))]
    assert not outside
    assert not re.search(r"url\((?!#)", page) and "@import" not in page
    # labels from the spec, provenance, top table with drivers
    assert "Ankunftsindex (Standardspezifikation)" in page
    assert "Zuzüge aus dem Ausland je 1.000 EW" in page
    assert sample.spec.sha256() in page
    assert "beispielstadt_2021-01_2025-12.csv" in page
    assert "Plattenbausiedlung Ost" in page
    assert "80 von 80 Flächen" in page
    # the first top row is the rank-1 area of 2025-12
    first = sample.frame.filter((pl.col("period") == "2025-12")
                                & (pl.col("arrival_rank") == 1))["area"][0]
    top = page[page.index("<section id='top'>"):page.index("<section id='zeitverlauf'>")]
    assert re.search(rf"<td class=num>1</td><td>{first}</td>", top)


def test_class_counts_in_the_overview(sample: object) -> None:
    page = build_report(sample.frame, sample.spec, sample.metadata(), period="2024-06")
    last = sample.frame.filter(pl.col("period") == "2024-06")
    counts = last.group_by("arrival_class").len()
    classes = page[page.index("<section id='klassen'>"):page.index("<section id='verteilung'")]
    for label, n in counts.drop_nulls().iter_rows():
        assert re.search(rf"{re.escape(label)}</td><td>[^<]*</td><td class=num>{n}</td>",
                         classes), label
    assert "karte" not in parse(page).sections  # no --geo, no map


def test_same_bytes_on_a_rerun(sample: object) -> None:
    a = build_report(sample.frame, sample.spec, sample.metadata(), geo=GEO)
    b = build_report(sample.frame, sample.spec, sample.metadata(), geo=GEO)
    assert a == b


HOSTILE = """\
spec_version: 1
title: "<script>alert('t')</script> & Co"
input: {area: g, population: p}
indicators:
  a: {column: A, label: "$x$ <b>fett</b>"}
  b: {column: B, label: "_verborgen"}
indices:
  idx:
    label: "Index </svg><img src=x>"
    weights: {a: 1, b: 1}
    classes: [{label: "<i>hoch</i>", from: 0}, {label: "nied'rig\\"", to: 0}]
"""


def test_labels_are_escaped_everywhere() -> None:
    spec = parse_spec(HOSTILE)
    raw = pl.DataFrame({"g": ["1", "2", "3", "4"], "p": [1.0] * 4,
                        "A": [1.0, 2.0, 3.0, 5.0], "B": [2.0, 1.0, 4.0, 3.0]})
    result = compute_result(raw, spec)
    page = build_report(result.frame, spec, result.metadata())
    p = parse(page)
    assert "script" not in p.tags and "img" not in p.tags and "b" not in p.tags
    assert "i" not in p.tags
    assert "&lt;script&gt;" in page and "&lt;i&gt;hoch&lt;/i&gt;" in page
    # the $ reaches the chart (the correlation matrix's labels) as text, not as mathtext
    charts = "".join(re.findall(r"<svg.*?</svg>", page, flags=re.DOTALL))
    assert "$x$ &lt;b&gt;fett&lt;/b&gt;" in charts
    assert "_verborgen" in charts and "&lt;i&gt;hoch&lt;/i&gt;" in charts
    assert p.tags.count("svg") == 3  # class bars, histogram, correlation


def test_statuses_are_named_in_german_with_their_codes() -> None:
    """The overview names each status for people, the code beside it (as the output
    column holds it), bewertet first and then in the order the rules apply."""
    spec = parse_spec("""\
spec_version: 1
input: {area: g, population: p}
min_population: 10
exclude: [{area: "5", reason: Kaserne}]
indicators:
  a: {column: A}
indices:
  idx: {weights: {a: 1}, classes: [{label: hoch, from: 0}, {label: niedrig, to: 0}]}
""")
    # 1, 2, 3 scored; 4 too small; 5 excluded; 6 without a value
    raw = pl.DataFrame({"g": ["1", "2", "3", "4", "5", "6"],
                        "p": [20.0, 30.0, 40.0, 5.0, 50.0, 60.0],
                        "A": [1.0, 2.0, 3.0, 4.0, 5.0, None]})
    result = compute_result(raw, spec)
    page = build_report(result.frame, spec, result.metadata())
    line = re.search(r"<p>Status der Gebiete: (.*?)\.</p>", page)
    assert line is not None
    assert line.group(1) == (
        "bewertet (<code>scored</code>): 3, "
        "in der Spezifikation ausgeschlossen (<code>excluded_named</code>): 1, "
        "zu wenige Einwohner (<code>excluded_small</code>): 1, "
        "Daten fehlen (<code>missing_data</code>): 1")


def test_geojson_errors(tmp_path: Path, sample: object) -> None:
    spec = sample.spec
    with pytest.raises(InputError) as err:
        read_geojson(tmp_path / "none.geojson", None, spec)
    assert err.value.code == "input-not-found"
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_geojson(bad, None, spec)
    assert err.value.code == "input-geojson"
    with pytest.raises(InputError) as err:
        read_geojson(GEO, "Bezirk_Nr", spec)
    assert err.value.code == "input-geojson"
    assert "Gebiet_Nr" in err.value.hint


def test_geojson_ids_and_multipolygons(tmp_path: Path, sample: object) -> None:
    shapes, key = read_geojson(GEO, None, sample.spec)
    assert key == "Gebiet_Nr" and len(shapes) == 80
    ring = [[0, 0], [1, 0], [1, 1], [0, 0]]
    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"area": "01"},
         "geometry": {"type": "MultiPolygon", "coordinates": [[ring], [ring, ring]]}},
        {"type": "Feature", "properties": {"area": 2},
         "geometry": {"type": "Polygon", "coordinates": [ring]}},
        {"type": "Feature", "properties": {"other": "x"}, "geometry": None}]}
    path = tmp_path / "g.geojson"
    path.write_text(json.dumps(geo), encoding="utf-8")
    shapes, key = read_geojson(path, None, sample.spec)
    assert key == "area"
    assert {k: len(v) for k, v in shapes.items()} == {"01": 3, "2": 1}


def test_unknown_index_and_period(sample: object) -> None:
    with pytest.raises(InputError) as err:
        build_report(sample.frame, sample.spec, sample.metadata(), index_id="nope")
    assert err.value.code == "input-unknown-index"
    with pytest.raises(InputError) as err:
        build_report(sample.frame, sample.spec, sample.metadata(), period="2020-01")
    assert err.value.code == "input-unknown-period"


def test_time_series_without_typology_follows_the_highest_class() -> None:
    spec = parse_spec("""\
spec_version: 1
input: {area: g, name: n, period: m, population: p}
indicators:
  a: {column: A}
indices:
  idx:
    label: Index
    weights: {a: 1}
    classes: [{label: oben, from: 1.0}, {label: unten, to: 1.0}]
""")
    periods = ["2023", "2024", "2025"]
    values = {"2023": [1, 2, 3, 9], "2024": [1, 2, 9, 3], "2025": [9, 1, 2, 3]}
    raw = pl.DataFrame({
        "g": ["a", "b", "c", "d"] * 3, "n": ["Ahorn", "Birke", "Castanie", "Douglasie"] * 3,
        "m": [p for p in periods for _ in range(4)], "p": [1.0] * 12,
        "A": [float(v) for p in periods for v in values[p]]})
    result = compute_result(raw, spec)
    page = build_report(result.frame, spec, result.metadata())
    series = page[page.index("<section id='zeitverlauf'>"):page.index("<section id='methode'>")]
    # in 2025 only area a is in the highest class ("oben": z >= 1)
    assert "a Ahorn" in series
    assert "Birke" not in series and "Douglasie" not in series
    assert "Gebiete der höchsten Klasse" in series

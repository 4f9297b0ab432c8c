"""One self-contained HTML report of an output: classes, index distribution, indicator
correlations, the top areas with their drivers, time series of flagged areas, a
choropleth map of the classes and the method and provenance.

Charts are drawn with matplotlib and inlined as SVG: no JavaScript, no CDN, no request
leaves the file, so it opens offline in any browser (municipal networks often block
CDNs). Every text from the spec or the data is escaped, in the HTML and in the charts.
"""

from __future__ import annotations

import html
import io
import json
import math
import re
from pathlib import Path
from string import Template
from typing import Any

import polars as pl

from ._version import __version__
from .errors import InputError
from .exclude import STATUSES
from .explain import add_contributions, class_bounds, contribution_column, select_period
from .spec import Index, Spec

#: the output's status codes (``exclude.STATUSES``) as the report names them for people;
#: the code stays beside the name, as the output column holds it
STATUS_LABELS = {
    "excluded_named": "in der Spezifikation ausgeschlossen",
    "excluded_small": "zu wenige Einwohner",
    "insufficient_history": "Zeitreihe zu kurz",
    "missing_data": "Daten fehlen",
    "scored": "bewertet",
}


def _status_order(code: str) -> int:
    """A status's place in the order the rules apply (unknown codes last)."""
    return STATUSES.index(code) if code in STATUSES else len(STATUSES)


GREY = "#d9d9d9"
NO_DATA = "#ffffff"


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def mpl_text(value: Any) -> str:
    """Text for matplotlib: no mathtext from a `$`, no hidden legend entry from a `_`."""
    text = "" if value is None else str(value)
    text = text.replace("$", r"\$")
    return " " + text if text.startswith("_") else text


def class_colours(index: Index) -> dict[str, str]:
    """One colour per class, from light (lowest class) to dark red (highest)."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    ordered = class_bounds(index.classes)
    cmap = colormaps["YlOrRd"]
    n = len(ordered)
    return {c.label: to_hex(cmap(0.1 + 0.85 * k / max(n - 1, 1))) for k, c in enumerate(ordered)}


# --- charts ----------------------------------------------------------------------------

class _Charts:
    """matplotlib figures → inline SVG with ids unique in the page and no timestamp."""

    def __init__(self) -> None:
        import matplotlib

        self.count = 0
        self.rc = {"svg.fonttype": "none", "svg.hashsalt": "ankunftsindex",
                   "font.family": "DejaVu Sans", "font.size": 9}
        self._mpl = matplotlib

    def figure(self, w: float, h: float) -> Any:
        from matplotlib.figure import Figure

        with self._mpl.rc_context(self.rc):
            return Figure(figsize=(w, h), layout="constrained")

    def svg(self, fig: Any, title: str) -> str:
        buf = io.StringIO()
        with self._mpl.rc_context(self.rc):
            fig.savefig(buf, format="svg", metadata={"Date": None})
        self.count += 1
        prefix = f"c{self.count}-"
        text = buf.getvalue()
        text = text[text.index("<svg"):]
        text = re.sub(r'\bid="', f'id="{prefix}', text)
        text = text.replace("url(#", f"url(#{prefix}").replace('href="#', f'href="#{prefix}')
        # accessible name; the chart's own <title> elements are left alone
        text = text.replace("<svg ", f'<svg role="img" aria-label="{esc(title)}" ', 1)
        return f'<figure class="chart">{text}</figure>'


def _bar_classes(ch: _Charts, index: Index, counts: dict[str, int]) -> str:
    colours = class_colours(index)
    ordered = [c.label for c in reversed(class_bounds(index.classes))]
    fig = ch.figure(5.5, 0.35 * len(ordered) + 0.9)
    ax = fig.add_subplot()
    y = list(range(len(ordered)))
    vals = [counts.get(lab, 0) for lab in ordered]
    ax.barh(y, vals, color=[colours[lab] for lab in ordered], edgecolor="#555555")
    ax.set_yticks(y, [mpl_text(lab) for lab in ordered])
    ax.invert_yaxis()
    for yy, v in zip(y, vals, strict=True):
        ax.text(v, yy, f" {v}", va="center")
    ax.set_xlabel("Gebiete")
    ax.set_xlim(0, max([*vals, 1]) * 1.15)
    ax.spines[["top", "right"]].set_visible(False)
    return ch.svg(fig, f"Gebiete je Klasse: {index.label}")


def _histogram(ch: _Charts, index: Index, index_id: str, values: list[float]) -> str:
    fig = ch.figure(6.5, 2.8)
    ax = fig.add_subplot()
    ax.hist(values, bins=min(40, max(10, len(values) // 4)), color="#6b8fb3",
            edgecolor="white")
    for c in class_bounds(index.classes):
        if c.from_ is not None:
            ax.axvline(c.from_, color="#b22222", linewidth=1, linestyle="--")
            ax.text(c.from_, ax.get_ylim()[1] * 0.97, " " + mpl_text(c.label), rotation=90,
                    va="top", ha="left", fontsize=8, color="#b22222")
    ax.set_xlabel(mpl_text(index.label or index_id))
    ax.set_ylabel("Gebiete")
    ax.spines[["top", "right"]].set_visible(False)
    return ch.svg(fig, f"Verteilung: {index.label or index_id}")


def _correlation(ch: _Charts, labels: list[str], matrix: list[list[float | None]]) -> str:
    import numpy as np

    k = len(labels)
    m = np.array([[np.nan if v is None else v for v in row] for row in matrix], dtype=float)
    fig = ch.figure(1.2 + 0.9 * k + 2.5, 1.0 + 0.7 * k)
    ax = fig.add_subplot()
    im = ax.imshow(m, cmap="RdBu_r", vmin=-1, vmax=1)
    short = [mpl_text(lab if len(lab) <= 30 else lab[:28] + "…") for lab in labels]
    ax.set_xticks(range(k), [str(j + 1) for j in range(k)])
    # leading blanks reserve room: browsers set the text a little wider than matplotlib
    # measures it, and the labels are right-aligned at the axis
    ax.set_yticks(range(k), [f"      {s} ({j + 1})" for j, s in enumerate(short)])
    for i in range(k):
        for j in range(k):
            if not math.isnan(m[i, j]):
                ax.text(j, i, f"{m[i, j]:.2f}", ha="center", va="center", fontsize=8,
                        color="white" if abs(m[i, j]) > 0.6 else "black")
    fig.colorbar(im, ax=ax, shrink=0.8, label="Korrelation (Pearson)")
    return ch.svg(fig, "Korrelation der Indikatoren")


def _timeseries(ch: _Charts, index: Index, index_id: str, series: pl.DataFrame,
                names: dict[str, str]) -> str:
    periods = sorted(set(series["period"].to_list()))
    pos = {p: k for k, p in enumerate(periods)}
    fig = ch.figure(7.5, 3.6)
    ax = fig.add_subplot()
    for area in sorted(set(series["area"].to_list())):
        s = series.filter(pl.col("area") == area).sort("period")
        ax.plot([pos[p] for p in s["period"].to_list()], s[index_id].to_list(), marker=".",
                linewidth=1.3, label=mpl_text(f"{area} {names.get(area) or ''}".strip()))
    for c in class_bounds(index.classes):
        if c.from_ is not None:
            ax.axhline(c.from_, color="#999999", linewidth=0.8, linestyle=":")
            ax.text(len(periods) - 1, c.from_, " " + mpl_text(c.label), fontsize=7,
                    va="bottom", ha="right", color="#666666")
    step = max(1, len(periods) // 10)
    ticks = list(range(0, len(periods), step))
    ax.set_xticks(ticks, [periods[t] for t in ticks], rotation=45, ha="right")
    ax.set_ylabel(mpl_text(index.label or index_id))
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ch.svg(fig, f"Zeitverlauf: {index.label or index_id}")


def _map(ch: _Charts, index: Index, shapes: dict[str, list[list[list[float]]]],
         classes: dict[str, str | None], status: dict[str, str]) -> str:
    from matplotlib.patches import Patch, Polygon

    colours = class_colours(index)
    fig = ch.figure(7.5, 6.5)
    ax = fig.add_subplot()
    lats = [pt[1] for rings in shapes.values() for ring in rings for pt in ring]
    geographic = all(abs(v) <= 90 for v in lats)
    scale = math.cos(math.radians(sum(lats) / len(lats))) if geographic and lats else 1.0
    for area in sorted(shapes):
        cls = classes.get(area)
        colour = colours.get(cls, GREY) if cls else (GREY if area in status else NO_DATA)
        for ring in shapes[area]:
            ax.add_patch(Polygon([(x * scale, y) for x, y, *_ in ring], closed=True,
                                 facecolor=colour, edgecolor="#444444", linewidth=0.4))
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_axis_off()
    handles = [Patch(facecolor=colours[c.label], edgecolor="#444444", label=mpl_text(c.label))
               for c in reversed(class_bounds(index.classes))]
    handles.append(Patch(facecolor=GREY, edgecolor="#444444", label="nicht bewertet"))
    if any(a not in status for a in shapes):
        handles.append(Patch(facecolor=NO_DATA, edgecolor="#444444", label="keine Daten"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
              title=mpl_text(index.label))
    return ch.svg(fig, f"Karte: {index.label}")


# --- GeoJSON --------------------------------------------------------------------------

def read_geojson(path: str | Path, id_property: str | None, spec: Spec
                 ) -> tuple[dict[str, list[list[list[float]]]], str]:
    """Outer and inner rings of every feature's (multi)polygon by area ID, and the ID
    property used (default: the spec's area column, else ``area``, else ``id``)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError(f"{p}: GeoJSON file not found", code="input-not-found",
                         hint="give the path of the areas' GeoJSON with --geo") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{p}: not readable as GeoJSON: {exc}", code="input-geojson",
                         hint="give a GeoJSON FeatureCollection (UTF-8)") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise InputError(f"{p}: no features (expected a GeoJSON FeatureCollection)",
                         code="input-geojson", hint="give a GeoJSON FeatureCollection")
    props = [f.get("properties") or {} for f in features if isinstance(f, dict)]
    candidates = [id_property] if id_property else [spec.input.area, "area", "id"]
    key = next((c for c in candidates if any(c in pr for pr in props)), None)
    if key is None:
        found = sorted({k for pr in props for k in pr})[:10]
        raise InputError(f"{p}: no feature has the property {candidates[0]!r}",
                         code="input-geojson",
                         hint=f"name the area ID property with --geo-id; properties found: "
                         f"{', '.join(found) or 'none'}")
    shapes: dict[str, list[list[list[float]]]] = {}
    for f in features:
        if not isinstance(f, dict):
            continue
        ident = (f.get("properties") or {}).get(key)
        geom = f.get("geometry") or {}
        if ident is None:
            continue
        kind, coords = geom.get("type"), geom.get("coordinates")
        polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
        rings = shapes.setdefault(str(ident).strip(), [])
        for poly in polygons or []:
            rings.extend(ring for ring in poly if len(ring) >= 3)
    return shapes, key


# --- the report -------------------------------------------------------------------------

def build_report(frame: pl.DataFrame, spec: Spec, meta: dict[str, str], *,
                 period: str | None = None, index_id: str | None = None,
                 geo: str | Path | None = None, geo_id: str | None = None,
                 top: int = 15, max_series: int = 12) -> str:
    """The report as one HTML document (text)."""
    index_id = index_id or next(iter(spec.indices))
    if index_id not in spec.indices:
        raise InputError(f"the output has no index {index_id!r}", code="input-unknown-index",
                         hint=f"indices in the output: {', '.join(spec.indices)}")
    index = spec.indices[index_id]
    rows, chosen = select_period(frame, period)
    scored = rows.filter(pl.col("status") == "scored")
    shapes, key = read_geojson(geo, geo_id, spec) if geo is not None else ({}, None)
    ch = _Charts()
    sections: list[str] = []
    when = f" {chosen}" if chosen else ""

    # classes
    parts = []
    for iid, ix in spec.indices.items():
        counts = dict(scored.group_by(f"{iid}_class").len().iter_rows())
        table = "".join(
            f"<tr><td><span class=swatch style='background:{class_colours(ix)[c.label]}'>"
            f"</span>{esc(c.label)}</td><td>{_bounds(c.from_, c.to)}</td>"
            f"<td class=num>{counts.get(c.label, 0)}</td></tr>"
            for c in reversed(class_bounds(ix.classes)))
        parts.append(f"<div class=pair><div><h3>{esc(ix.label or iid)}</h3><table><thead><tr>"
                     f"<th>Klasse</th><th>Wertebereich</th><th>Gebiete</th></tr></thead>"
                     f"<tbody>{table}</tbody></table></div>{_bar_classes(ch, ix, counts)}</div>")
    status = dict(rows.group_by("status").len().iter_rows())
    status_text = ", ".join(
        f"{esc(STATUS_LABELS.get(k, k))} (<code>{esc(k)}</code>): {status[k]}"
        for k in sorted(status, key=lambda k: (k != "scored", _status_order(k))))
    if spec.typology is not None:
        col = spec.typology.column
        typ = scored.group_by(col).len().sort(col).iter_rows()
        parts.append("<h3>Typologie</h3><table><thead><tr><th>Typ</th><th>Gebiete</th></tr>"
                     "</thead><tbody>" + "".join(
                         f"<tr><td>{esc(t)}</td><td class=num>{n}</td></tr>" for t, n in typ)
                     + "</tbody></table>")
    sections.append(_section("klassen", f"Klassenübersicht{when}",
                             f"<p>Status der Gebiete: {status_text}.</p>" + "".join(parts)))

    # distributions
    hists = "".join(
        _histogram(ch, ix, iid, scored[iid].drop_nulls().to_list())
        for iid, ix in spec.indices.items() if scored[iid].drop_nulls().len())
    sections.append(_section("verteilung", f"Verteilung der Indexwerte{when}",
                             "<p>Gestrichelt: die unteren Klassengrenzen.</p>" + hists))

    # correlations
    used = spec.used_indicators()
    labels = [spec.indicators[i].label or i for i in used]
    if scored.height >= 3 and len(used) >= 2:
        corr = scored.select(
            pl.corr(pl.col(a), pl.col(b)).alias(f"{a}|{b}") for a in used for b in used
        ).row(0)
        matrix = [[corr[i * len(used) + j] for j in range(len(used))] for i in range(len(used))]
        table = "<table class=corr><thead><tr><th></th>" + "".join(
            f"<th>{j + 1}</th>" for j in range(len(used))) + "</tr></thead><tbody>" + "".join(
            f"<tr><th>{j + 1} {esc(labels[j])}</th>" + "".join(
                f"<td class=num>{_num(v)}</td>" for v in matrix[j]) + "</tr>"
            for j in range(len(used))) + "</tbody></table>"
        body = (f"<p>Pearson-Korrelation der Rohwerte über die {scored.height} bewerteten "
                "Gebiete. Hohe Korrelationen zeigen Indikatoren, die dasselbe messen.</p>"
                + _correlation(ch, labels, matrix) + table)
    else:
        body = "<p>Zu wenige bewertete Gebiete oder Indikatoren für eine Korrelation.</p>"
    sections.append(_section("korrelation", f"Korrelation der Indikatoren{when}", body))

    # top areas with drivers
    sections.append(_section("top", f"Gebiete mit den höchsten Werten: "
                             f"{esc(index.label or index_id)}{when}",
                             _top_table(frame, spec, index_id, chosen, top)))

    # time series
    if "period" in frame.columns and frame["period"].n_unique() > 1:
        flagged = _flagged(rows, spec, index_id, max_series)
        if flagged:
            names = dict(rows.select("area", "name").iter_rows())
            series = frame.filter(pl.col("area").is_in(flagged)
                                  & pl.col(index_id).is_not_null())
            what = ("Gebiete mit einem Typ (außer dem Standardtyp)" if spec.typology
                    else "Gebiete der höchsten Klasse")
            body = (f"<p>{what} in {esc(chosen)}, bis zu {max_series}.</p>"
                    + _timeseries(ch, index, index_id, series, names))
        else:
            body = "<p>Keine hervorgehobenen Gebiete.</p>"
        sections.append(_section("zeitverlauf", f"Zeitverlauf: {esc(index.label or index_id)}",
                                 body))

    # map
    if shapes:
        classes = dict(rows.select("area", f"{index_id}_class").iter_rows())
        status_by_area = dict(rows.select("area", "status").iter_rows())
        matched = len(set(shapes) & set(classes))
        if not matched:
            sample = ", ".join(sorted(shapes)[:3])
            raise InputError(
                f"{geo}: no feature's {key!r} is an area of the output (e.g. {sample})",
                code="input-geojson",
                hint="name the property that holds the area IDs with --geo-id; IDs are "
                "text and keep their leading zeros (01010101, not 1010101)")
        note = (f"<p>{matched} von {len(shapes)} Flächen der GeoJSON-Datei "
                f"(Eigenschaft <code>{esc(key)}</code>) haben Daten.</p>")
        sections.append(_section("karte", f"Karte: {esc(index.label or index_id)}{when}",
                                 note + _map(ch, index, shapes, classes, status_by_area)))

    sections.append(_section("methode", "Methode und Herkunft", _provenance(spec, meta)))
    title = spec.title or "ankunftsindex"
    # section titles are escaped already
    nav = "".join(f"<a href='#{sid}'>{name}</a>"
                  for sid, name in re.findall(r"<section id='([^']+)'><h2>([^<]*)", "".join(
                      sections)))
    return PAGE.substitute(title=esc(title), version=esc(__version__), period=esc(chosen or ""),
                           areas=rows.height, scored=scored.height, nav=nav,
                           body="\n".join(sections), css=CSS)


def _num(v: float | None, digits: int = 2) -> str:
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{digits}f}"


def _bounds(lo: float | None, hi: float | None) -> str:
    if lo is None:
        return f"&lt; {hi:g}"
    if hi is None:
        return f"≥ {lo:g}"
    return f"{lo:g} bis &lt; {hi:g}"


def _section(sid: str, title: str, body: str) -> str:
    # titles are escaped by the callers (they may contain labels)
    return f"<section id='{sid}'><h2>{title}</h2>{body}</section>"


def _flagged(rows: pl.DataFrame, spec: Spec, index_id: str, limit: int) -> list[str]:
    """Areas to follow over time: with a type other than the default (or, without a
    typology, in the highest class), by rank."""
    scored = rows.filter(pl.col("status") == "scored")
    if spec.typology is not None:
        col = spec.typology.column
        cond = pl.col(col).is_not_null()
        if spec.typology.default is not None:
            cond = cond & (pl.col(col) != spec.typology.default)
    else:
        highest = class_bounds(spec.indices[index_id].classes)[-1].label
        cond = pl.col(f"{index_id}_class") == highest
    return scored.filter(cond).sort(f"{index_id}_rank", "area")["area"].head(limit).to_list()


def _top_table(frame: pl.DataFrame, spec: Spec, index_id: str, period: str | None,
               top: int) -> str:
    index = spec.indices[index_id]
    f = add_contributions(frame, spec, index_id)
    if period is not None:
        f = f.filter(pl.col("period") == period)
    f = f.filter(pl.col(f"{index_id}_rank").is_not_null()).sort(f"{index_id}_rank", "area")
    typ = spec.typology.column if spec.typology is not None else None
    head = ["Rang", "Gebiet", "Name", esc(index.label or index_id), "Klasse"]
    head += ["Typ"] if typ else []
    head += ["Treiber (Beitrag zum Index)"]
    body = []
    for row in f.head(top).iter_rows(named=True):
        parts = sorted(((row[contribution_column(index_id, i)], i) for i in index.weights
                        if row[contribution_column(index_id, i)] is not None), reverse=True)
        drivers = "; ".join(f"{esc(spec.indicators[i].label or i)} ({c:+.2f})"
                            for c, i in parts[:2] if c > 0) or "–"
        cells = [str(row[f"{index_id}_rank"]), esc(row["area"]), esc(row["name"]),
                 _num(row[index_id]), esc(row[f"{index_id}_class"])]
        cells += [esc(row[typ])] if typ else []
        cells += [drivers]
        body.append("<tr>" + "".join(
            f"<td class=num>{c}</td>" if k in (0, 3) else f"<td>{c}</td>"
            for k, c in enumerate(cells)) + "</tr>")
    what = ("Beiträge: Anteile der Indikatoren, die sich zum Indexwert addieren "
            "(<code>ankunftsindex explain</code> zeigt alle Zahlen eines Gebiets).")
    return (f"<p>{what}</p><table><thead><tr>" + "".join(f"<th>{h}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(body) + "</tbody></table>")


def _provenance(spec: Spec, meta: dict[str, str]) -> str:
    try:
        inputs = json.loads(meta.get("ankunftsindex.inputs", "[]"))
    except ValueError:
        inputs = []
    rows = [("Titel", esc(spec.title)),
            ("Spezifikation (SHA-256)", f"<code>{esc(meta.get('ankunftsindex.spec_sha256'))}"
             "</code>"),
            ("ankunftsindex-Version der Berechnung", esc(meta.get("ankunftsindex.version"))),
            ("Version dieses Berichts", esc(__version__)),
            ("Mindestbevölkerung", f"{spec.min_population:g}"),
            ("Ausschlüsse", esc(", ".join(f"{e.area} ({e.reason})" for e in spec.exclude))
             or "keine"),
            ("Fenster für Stromgrößen", esc(spec.window) if spec.window else "–")]
    rows += [("Eingabedatei", f"{esc(i.get('file'))}<br><code>{esc(i.get('sha256'))}</code>")
             for i in inputs if isinstance(i, dict)]
    meta_table = "<table>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) \
        + "</table>"
    index_rows = []
    for iid, ix in spec.indices.items():
        total = sum(ix.weights.values())
        weights = "<br>".join(f"{esc(spec.indicators[i].label or i)}: {w:g} ({w / total:.0%})"
                              for i, w in ix.weights.items())
        how = (f"{esc(ix.normalise)}, ddof {ix.ddof}, "
               f"{'winsorisiert ' + esc(list(ix.winsorise)) + ', ' if ix.winsorise else ''}"
               f"{esc(ix.aggregate)}{', neu standardisiert' if ix.standardise else ''}"
               f"{', Referenzperiode ' + esc(ix.reference_period) if ix.reference_period else ''}")
        index_rows.append(f"<tr><td>{esc(ix.label or iid)} (<code>{esc(iid)}</code>)</td>"
                          f"<td>{weights}</td><td>{how}</td></tr>")
    indicators = "".join(
        f"<tr><td><code>{esc(i)}</code></td><td>{esc(d.label)}</td><td>{esc(_definition(d))}"
        "</td></tr>" for i, d in spec.indicators.items())
    canonical = json.dumps(json.loads(spec.canonical_json()), ensure_ascii=False, indent=2)
    return (meta_table
            + "<h3>Indizes</h3><table><thead><tr><th>Index</th><th>Gewichte</th>"
              "<th>Verfahren</th></tr></thead><tbody>" + "".join(index_rows) + "</tbody></table>"
            + "<h3>Indikatoren</h3><table><thead><tr><th>ID</th><th>Bezeichnung</th>"
              "<th>Definition</th></tr></thead><tbody>" + indicators + "</tbody></table>"
            + "<p>Die Formeln stehen in <code>docs/method.md</code> von ankunftsindex.</p>"
            + f"<details><summary>Spezifikation (kanonisches JSON)</summary><pre>"
              f"{esc(canonical)}</pre></details>")


def _definition(d: Any) -> str:
    if d.change_of is not None:
        return f"Veränderung von {d.change_of} über {d.lag} Perioden"
    if d.column is not None:
        return f"Spalte {d.column}"
    num = " + ".join(d.numerator_columns)
    den = f" / {d.denominator}" if d.denominator else ""
    kind = " (Summe über das Fenster)" if d.type == "flow" else ""
    sign = ", Richtung −1" if d.direction == -1 else ""
    return f"{num}{den} × {d.per:g}{kind}{sign}"


CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#1f3b57;color:#fff;padding:1em 2em}
header h1{margin:0 0 .3em 0;font-size:1.5em}
nav{padding:.5em 2em;background:#e8eef4;position:sticky;top:0}
nav a{margin-right:1.2em;color:#1f3b57}
main{padding:0 2em 2em 2em;max-width:1100px}
section{margin-top:1.5em;border-top:1px solid #ccc}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
thead th{background:#eef2f6}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.swatch{display:inline-block;width:.9em;height:.9em;margin-right:.4em;
 border:1px solid #555;vertical-align:middle}
.pair{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}
figure.chart{margin:.6em 0}
figure.chart svg{max-width:100%;height:auto}
pre{background:#f0f0f0;padding:.8em;overflow:auto;font-size:.8em}
code{font-size:.9em}
"""

PAGE = Template("""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ankunftsindex $version">
<title>$title</title>
<style>$css</style>
</head>
<body>
<header><h1>$title</h1>
<div>Periode $period · $areas Gebiete, davon $scored bewertet · ankunftsindex $version</div>
</header>
<nav>$nav</nav>
<main>
$body
</main>
</body>
</html>
""")

"""Generate the synthetic sample city "Beispielstadt" (seeded, deterministic).

Writes, into the folder given with ``--out`` (default: the folder of this script):

- ``beispielstadt_2021-01_2025-12.csv``  monthly register extract, 80 areas × 60 months,
  German-style CSV (``;``, UTF-8 with BOM, CRLF line endings)
- ``beispielstadt.geojson``               one made-up polygon per area
- ``planted.csv``                         the planted areas (``area;kind;note``)

Only the standard library is used. Every random number comes from ``random.Random.random()``
of a generator seeded with a text (``"<SEED>/<area id>"``): Python guarantees both the
seeding method and ``random()`` across versions, so rerunning gives byte-identical files.
Normal and Poisson variates are derived from ``random()`` here instead of using
``random.gauss``, whose algorithm is not guaranteed to stay the same. (They use ``math.log``,
``exp`` and ``cos``: a C maths library that rounds differently in the last bit could in
principle flip a draw; the committed files are checked against a fresh run in the tests.)

Usage: ``python sample_data/make_sample_data.py [--out DIR]``
"""

from __future__ import annotations

import argparse
import json
import math
import random
from dataclasses import dataclass
from pathlib import Path

SEED = "beispielstadt-2026"
FIRST_YEAR, YEARS = 2021, 5
MONTHS = 12 * YEARS  # 2021-01 … 2025-12
CSV_NAME = "beispielstadt_2021-01_2025-12.csv"
GEOJSON_NAME = "beispielstadt.geojson"
PLANTED_NAME = "planted.csv"
COLUMNS = ["Monat", "Gebiet_Nr", "Gebiet_Name", "Einwohner", "Einwohner_u65", "Auslaender",
           "Zuzuege_Ausland", "Zuzuege", "Fortzuege", "SGBII_Empfaenger"]

# --------------------------------------------------------------------------------------
# The city: 8 Stadtbezirke on a 9 × 9 grid of cells (i = west→east, j = south→north),
# the centre cell (4, 4) at lon 13.0, lat 51.0; cell (8, 8) is a lake and has no area.
# Within each Bezirk areas are listed from the inner city outwards; the list position
# gives the ID.  Kinds: E = established arrival area, N = new (emerging) arrival area,
# T = tiny area (fewer than 300 residents), "" = ordinary.
# --------------------------------------------------------------------------------------
BEZIRKE: list[tuple[str, list[tuple[int, int, str, str]]]] = [
    ("Mitte", [
        (4, 5, "Altstadt-Nord", ""), (4, 4, "Altstadt-Süd", ""), (3, 4, "Domviertel", ""),
        (5, 4, "Marktviertel", ""), (4, 3, "Bahnhofsvorstadt", "E"),
        (3, 5, "Schlossviertel", ""), (5, 5, "Innere Neustadt", ""),
        (3, 3, "Universitätsviertel", ""), (5, 3, "Theaterviertel", ""),
    ]),
    ("Nord", [
        (4, 6, "Nordvorstadt", "E"), (5, 6, "Am Wasserturm", ""), (3, 7, "Gartenstadt", ""),
        (4, 7, "Lindenau", ""), (5, 7, "Rosenhof", ""), (3, 8, "Eichenhain", ""),
        (4, 8, "Hohe Warte", ""), (5, 8, "Mühlberg", ""), (6, 8, "Am Nordfriedhof", ""),
    ]),
    ("Ost", [
        (6, 4, "Schlachthofviertel", "E"), (6, 5, "Ostvorstadt", ""),
        (6, 6, "Am Ostbahnhof", ""), (7, 4, "Sonnenberg", ""), (7, 5, "Gröbenau", ""),
        (7, 6, "Birkenwäldchen", ""), (6, 7, "Zschirnau", ""), (7, 7, "Am Hang", ""),
        (8, 7, "Seeblick", ""), (7, 8, "Fischerdorf", ""), (8, 6, "Neuostra", ""),
        (8, 5, "Plattenbausiedlung Ost", "N"),
    ]),
    ("Südost", [
        (6, 3, "Am Güterbahnhof", "E"), (6, 2, "Ziegelei", ""), (7, 3, "Heidefeld", ""),
        (8, 4, "Kiefernweg", ""), (7, 2, "Wiesengrund", ""), (6, 1, "Weinberg", ""),
        (8, 3, "Am Kanal", ""), (7, 1, "Kirschberg", ""), (8, 2, "Neudorf", ""),
        (8, 1, "Gewerbegebiet Südost", "T"), (7, 0, "Torfstich", ""),
        (8, 0, "Auf der Heide", ""),
    ]),
    ("Süd", [
        (4, 2, "Südvorstadt", "E"), (3, 2, "Südpark", ""), (5, 2, "Werftviertel", ""),
        (4, 1, "Alter Hafen", "T"), (3, 1, "Auenwald", ""), (5, 1, "Flößerviertel", ""),
        (4, 0, "Am Deich", ""), (5, 0, "Schwanenteich", ""), (6, 0, "Brückenkopf", ""),
    ]),
    ("Südwest", [
        (2, 2, "Westend-Süd", ""), (1, 2, "Villenkolonie", ""), (2, 1, "Sportpark", ""),
        (0, 2, "Waldsiedlung", ""), (1, 1, "Kirschallee", ""), (3, 0, "Am Steinbruch", ""),
        (2, 0, "Finkenschlag", ""), (1, 0, "Hainholz", ""), (0, 1, "Lindenhöhe", ""),
        (0, 0, "Lerchenberg", "N"),
    ]),
    ("West", [
        (2, 4, "Weststadt", "E"), (2, 5, "Am Klinikum", ""), (2, 3, "Ulmenhof", ""),
        (1, 4, "Bruchfeld", ""), (1, 5, "Fuchsbau", ""), (1, 3, "Mühlgraben", ""),
        (0, 5, "Kornblumenviertel", ""), (0, 3, "Ackerstadt", ""),
        (0, 4, "Neue Weststadt", "N"),
    ]),
    ("Nordwest", [
        (3, 6, "Eschenbach", ""), (2, 6, "Kastanienallee", ""), (2, 7, "Hirschgarten", ""),
        (1, 6, "Bergmannsiedlung", ""), (1, 7, "Sandberg", ""), (0, 6, "Am Rain", ""),
        (2, 8, "Reiherwiese", ""), (1, 8, "Gewerbepark Flugplatz", "T"),
        (0, 8, "Haldenweg", ""), (0, 7, "Sonnenhügel", "N"),
    ]),
]

#: Onset of the rise of the new arrival areas (month index, 0 = 2021-01), staggered between
#: mid-2022 and early 2023: the last month at the old level, the rise begins right after.
ONSET = {
    "Plattenbausiedlung Ost": 17,  # 2022-06
    "Neue Weststadt": 20,          # 2022-09
    "Sonnenhügel": 23,             # 2022-12
    "Lerchenberg": 25,             # 2023-02
}

NOTES = {
    "Bahnhofsvorstadt": "Gründerzeitviertel am Hauptbahnhof, seit Jahrzehnten erste Adresse "
                        "für Zuziehende aus dem Ausland",
    "Nordvorstadt": "Altbauquartier mit hoher Fluktuation, stabil hoher Ausländeranteil",
    "Schlachthofviertel": "ehemaliges Arbeiterviertel, hohe SGB-II-Quote, stabil",
    "Am Güterbahnhof": "Arbeiterquartier an den Gleisen, stabil hohe Zuwanderung",
    "Südvorstadt": "dicht bebautes Altbauviertel, Ankunftsquartier ohne Trend",
    "Weststadt": "Altbau und Nachkriegsbau, etabliertes Ankunftsquartier",
    "Plattenbausiedlung Ost": "Plattenbau-Großsiedlung am östlichen Stadtrand",
    "Neue Weststadt": "Großsiedlung der 1970er Jahre am westlichen Stadtrand",
    "Sonnenhügel": "Hochhaussiedlung am nordwestlichen Stadtrand",
    "Lerchenberg": "Großsiedlung am südwestlichen Stadtrand",
    "Gewerbegebiet Südost": "Gewerbegebiet mit wenigen Betriebswohnungen",
    "Alter Hafen": "Hafen- und Speichergelände",
    "Gewerbepark Flugplatz": "Gewerbepark am alten Flugplatz",
}
KIND = {"E": "established", "N": "new", "T": "tiny"}
TINY_POPULATION = {"Gewerbegebiet Südost": 150, "Alter Hafen": 90, "Gewerbepark Flugplatz": 200}

#: Moving is seasonal (peaks in late summer and autumn); mean 1.
SEASON = [0.85, 0.85, 0.95, 0.95, 0.95, 0.95, 1.05, 1.15, 1.25, 1.15, 0.95, 0.95]


def area_id(bezirk: int, position: int) -> str:
    """8 digits: Stadtbezirk (2), Stadtteilgruppe (2), Stadtteil (2), statistischer Bezirk (2)."""
    return f"{bezirk:02d}{position // 4 + 1:02d}{position % 4 // 2 + 1:02d}{position % 2 + 1:02d}"


def month_label(t: int) -> str:
    return f"{FIRST_YEAR + t // 12}-{t % 12 + 1:02d}"


# --------------------------------------------------------------------------------------
# Random variates from random() only (see module doc).
# --------------------------------------------------------------------------------------
class Draw:
    """Uniform, normal and Poisson variates from one text-seeded ``random.Random``."""

    def __init__(self, key: str) -> None:
        self._rng = random.Random(f"{SEED}/{key}")

    def uniform(self, lo: float, hi: float) -> float:
        return lo + (hi - lo) * self._rng.random()

    def normal(self, mean: float = 0.0, sd: float = 1.0) -> float:
        u1 = 1.0 - self._rng.random()  # (0, 1]
        u2 = self._rng.random()
        return mean + sd * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        if lam < 40:  # Knuth's product of uniforms
            limit, k, p = math.exp(-lam), 0, 1.0
            while True:
                p *= self._rng.random()
                if p <= limit:
                    return k
                k += 1
        return max(0, round(self.normal(lam, math.sqrt(lam))))


# --------------------------------------------------------------------------------------
# Levels of each area over time
# --------------------------------------------------------------------------------------
@dataclass
class Levels:
    """Smooth monthly levels of one area; the counts are drawn around them."""

    population: float        # residents at the start of 2021-01
    growth: float            # trend growth, per 1,000 residents and month
    u65: float               # share of residents under 65 (0..1)
    foreign: list[float]     # foreign share in %, per month
    sgb2: list[float]        # SGB II recipients in % of residents under 65, per month
    intl: list[float]        # in-moves from abroad per 1,000 residents and month
    inflow: list[float]      # all in-moves per 1,000 residents and month (incl. from abroad)


def ramp(t: int, onset: int, power: float) -> float:
    """0 up to the onset, then rising steadily to 1 in the last month (2025-12);
    ``power`` < 1 front-loads the rise, ``power`` > 1 makes it gather pace."""
    if t <= onset:
        return 0.0
    return ((t - onset) / (MONTHS - 1 - onset)) ** power


#: How the indicators of a new arrival area follow the onset: in-moves lead, the foreign
#: share follows as the newcomers stay, SGB II receipt lags most (it starts only after the
#: asylum decision or the end of the first job).
RAMP_POWER = {"intl": 0.7, "inflow": 3.0, "foreign": 1.5, "sgb2": 3.5}


def city_foreign(t: int) -> float:
    """City-wide change of the foreign share (pp): a slow rise plus the spring-2022
    arrivals from Ukraine (spread evenly over the city)."""
    ukraine = 0.6 * min(max((t - 13) / 3, 0.0), 1.0)  # 2022-03 … 2022-05
    return 0.5 * t / 12 + ukraine


def city_intl(t: int) -> float:
    """City-wide extra in-moves from abroad per 1,000 and month (Ukraine, 2022)."""
    if 14 <= t <= 16:  # 2022-03 … 2022-05
        return 0.6
    if 17 <= t <= 23:  # 2022-06 … 2022-12
        return 0.25
    return 0.0


def levels(name: str, kind: str, d: Draw) -> Levels:
    months = range(MONTHS)
    if kind == "T":
        pop = TINY_POPULATION[name]
        fs, sg, it, inf = d.uniform(6, 14), d.uniform(4, 10), d.uniform(0.5, 1.0), d.uniform(9, 13)
        return Levels(pop, 0.0, d.uniform(0.85, 0.95),
                      [fs + city_foreign(t) for t in months], [sg for _ in months],
                      [it for _ in months], [inf for _ in months])
    if kind == "E":
        fs, sg = d.uniform(30, 37), d.uniform(25, 31)
        it, inf = d.uniform(3.0, 3.6), d.uniform(21, 24)
        return Levels(d.uniform(16000, 24000), 0.2, d.uniform(0.86, 0.9),
                      [fs + city_foreign(t) for t in months], [sg for _ in months],
                      [it for _ in months], [inf for _ in months])
    if kind == "N":
        onset = ONSET[name]
        fs0, sg0, it0, in0 = d.uniform(9, 11), d.uniform(10, 12), d.uniform(0.8, 0.9), 12.5
        fs1, sg1, it1, in1 = fs0 + 13, sg0 + 14, 2.2, 18.5

        def path(start: float, end: float, key: str) -> list[float]:
            return [start + (end - start) * ramp(t, onset, RAMP_POWER[key]) for t in months]

        return Levels(d.uniform(11000, 17000), 0.3, d.uniform(0.8, 0.84),
                      [v + city_foreign(t) for t, v in enumerate(path(fs0, fs1, "foreign"))],
                      path(sg0, sg1, "sgb2"), path(it0, it1, "intl"),
                      path(in0, in1, "inflow"))
    # ordinary areas: a latent social position f (higher = poorer, more mobile) shared by
    # the indicators, plus area-specific deviations and small trends
    f = max(-1.8, min(1.2, d.normal()))
    fs = min(max(9 + 3.0 * f + d.normal(0, 1.5), 5.5), 19.0)
    sg = min(max(9 + 3.0 * f + d.normal(0, 1.5), 3.0), 18.0)
    it = min(max(0.75 + 0.2 * f + d.normal(0, 0.1), 0.3), 1.3)
    inf = min(max(12 + 1.5 * f + d.normal(0, 1.2), 8.0), 16.0)
    if name == "Universitätsviertel":  # students: very mobile, international, not poor
        fs, sg, it, inf = 10.0, 4.0, 1.3, 19.0
    fs_trend, sg_trend = d.normal(0, 0.3) / 12, (-0.2 + d.normal(0, 0.15)) / 12
    it_trend = d.normal(0, 0.06) / 12
    return Levels(d.uniform(2500, 20000), d.normal(0.3, 0.4), d.uniform(0.74, 0.84),
                  [fs + fs_trend * t + city_foreign(t) for t in months],
                  [max(sg + sg_trend * t, 3.5) for t in months],
                  [it + it_trend * t for t in months], [inf for _ in months])


# --------------------------------------------------------------------------------------
# Monthly counts
# --------------------------------------------------------------------------------------
def _count(expected: float, noise: float, upper: int) -> int:
    """A stock count near ``expected``: deviation of about half a Poisson SD, in 0..upper."""
    return min(upper, max(0, round(expected + 0.5 * math.sqrt(expected) * noise)))


def simulate(area: str, name: str, lv: Levels, d: Draw) -> list[list[str]]:
    """Draw the monthly counts; Einwohner is the end-of-month stock, updated by the
    month's moves and by births and deaths (which are not in the extract)."""
    rows: list[list[str]] = []
    pop = lv.population
    # register stocks move smoothly: their deviations from the levels are AR(1) processes
    # (stationary SD 1, scaled by the square root of the expected count below)
    noise = [d.normal() for _ in range(3)]
    for t in range(MONTHS):
        s = SEASON[t % 12]
        target = lv.population * (1 + lv.growth / 1000) ** t
        intl = d.poisson(pop * (lv.intl[t] * s + city_intl(t)) / 1000)
        domestic = d.poisson(pop * max(lv.inflow[t] - lv.intl[t], 0.0) * s / 1000)
        inflow = intl + domestic
        expected_out = pop * (lv.inflow[t] * s + city_intl(t) - lv.growth) / 1000
        # pull the population back towards its trend so that it does not wander off
        outflow = d.poisson(max(expected_out + 0.1 * (pop - target), 0.0))
        births, deaths = d.poisson(pop * 0.8 / 1000), d.poisson(pop * 0.85 / 1000)
        pop = max(pop + inflow - outflow + births - deaths, 0)
        noise = [0.8 * e + 0.6 * d.normal() for e in noise]
        residents = round(pop)
        u65 = _count(residents * lv.u65, noise[0], residents)
        foreign = _count(residents * lv.foreign[t] / 100, noise[1], residents)
        sgb2 = _count(u65 * lv.sgb2[t] / 100, noise[2], max(u65 - 1, 0))
        rows.append([month_label(t), area, name, str(residents), str(u65), str(foreign),
                     str(intl), str(inflow), str(outflow), str(sgb2)])
    return rows


# --------------------------------------------------------------------------------------
# Geometry: a jittered grid, so that neighbouring polygons share their corners exactly
# --------------------------------------------------------------------------------------
CELL_LON, CELL_LAT = 0.028, 0.018  # about 2 km × 2 km at 51° N


def grid_nodes() -> dict[tuple[int, int], tuple[float, float]]:
    d = Draw("grid")
    nodes = {}
    for b in range(10):
        for a in range(10):
            lon = 13.0 + (a - 4.5) * CELL_LON + d.uniform(-0.25, 0.25) * CELL_LON
            lat = 51.0 + (b - 4.5) * CELL_LAT + d.uniform(-0.25, 0.25) * CELL_LAT
            nodes[(a, b)] = (round(lon, 5), round(lat, 5))
    return nodes


def feature_line(area: str, name: str, bezirk: str, i: int, j: int,
                 nodes: dict[tuple[int, int], tuple[float, float]]) -> str:
    ring = [nodes[(i, j)], nodes[(i + 1, j)], nodes[(i + 1, j + 1)], nodes[(i, j + 1)],
            nodes[(i, j)]]  # counter-clockwise (RFC 7946)
    coords = ",".join(f"[{lon:.5f},{lat:.5f}]" for lon, lat in ring)
    props = json.dumps({"Gebiet_Nr": area, "Gebiet_Name": name, "Stadtbezirk": bezirk},
                       ensure_ascii=False, separators=(",", ":"))
    return ('{"type":"Feature","properties":' + props
            + ',"geometry":{"type":"Polygon","coordinates":[[' + coords + "]]}}")


# --------------------------------------------------------------------------------------
def planted_note(name: str, kind: str) -> str:
    if kind == "N":
        return f"{NOTES[name]}, Anstieg ab {month_label(ONSET[name])}"
    if kind == "T":
        return f"{NOTES[name]}, rund {TINY_POPULATION[name]} Einwohner"
    return NOTES[name]


def generate(out: Path) -> list[Path]:
    """Write the three files into ``out`` and return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    by_month: list[list[list[str]]] = [[] for _ in range(MONTHS)]
    features: list[str] = []
    planted: list[str] = ["area;kind;note"]
    nodes = grid_nodes()
    for b, (bezirk, areas) in enumerate(BEZIRKE, start=1):
        for pos, (i, j, name, kind) in enumerate(areas):
            area = area_id(b, pos)
            d = Draw(area)
            for t, row in enumerate(simulate(area, name, levels(name, kind, d), d)):
                by_month[t].append(row)
            features.append(feature_line(area, name, bezirk, i, j, nodes))
            if kind:
                planted.append(f"{area};{KIND[kind]};{name}: {planted_note(name, kind)}")
    lines = [";".join(COLUMNS)]
    for rows in by_month:
        lines += [";".join(r) for r in sorted(rows, key=lambda r: r[1])]
    csv_path = out / CSV_NAME
    csv_path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    geo_path = out / GEOJSON_NAME
    geo_path.write_bytes((
        '{"type":"FeatureCollection","name":"Beispielstadt","features":[\n'
        + ",\n".join(features) + "\n]}\n").encode("utf-8"))
    planted_path = out / PLANTED_NAME
    planted_path.write_bytes(("\n".join(planted) + "\n").encode("utf-8"))
    return [csv_path, geo_path, planted_path]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="folder to write into (default: the folder of this script)")
    args = parser.parse_args()
    for path in generate(args.out):
        print(path)


if __name__ == "__main__":
    main()

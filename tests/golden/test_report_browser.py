"""The sample city's report in headless Chromium, offline: no console message, and a
screenshot that shows the map and the charts.

Skipped where /usr/bin/chromium is absent (``apt-get install chromium`` on Debian). The
browser runs with every host name unresolvable, so anything the page tried to load from
a network would fail; the page has no script, so any console message is a fault. The
screenshot is kept in pytest's tmp folder (its path is printed) for a person to look at.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.image import imread
from typer.testing import CliRunner

from ankunftsindex.cli import app
from ankunftsindex.explain import read_output
from ankunftsindex.report import class_colours

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
CHROMIUM = Path("/usr/bin/chromium")
WIDTH, HEIGHT = 1200, 5600

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="headless Chromium not installed (/usr/bin/chromium)")


def render(page: Path, shot: Path, tmp: Path) -> list[str]:
    """Open ``page`` in headless Chromium without network, screenshot it; return the
    console messages the browser logged."""
    profile = tmp / f"profile-{shot.stem}"
    profile.mkdir()
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--hide-scrollbars",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0",
         f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert shot.exists(), done.stderr[-2000:]
    return [line for line in done.stderr.splitlines() if ":CONSOLE" in line]


def pixels_of(image: np.ndarray, colour: str) -> int:
    """How many pixels have this colour (±2 per channel)."""
    target = np.array(to_rgb(colour))
    return int((np.abs(image[:, :, :3] - target) <= 2 / 255).all(axis=2).sum())


def test_the_detector_sees_console_errors(tmp_path: Path) -> None:
    """Positive control: a page that logs an error is caught."""
    page = tmp_path / "bad.html"
    page.write_text("<html><body><script>console.error('kaputt')</script></body></html>",
                    encoding="utf-8")
    messages = render(page, tmp_path / "bad.png", tmp_path)
    assert any("kaputt" in m for m in messages)


def test_sample_report_renders_offline_with_map_and_charts(tmp_path: Path) -> None:
    out = tmp_path / "beispielstadt.parquet"
    html = tmp_path / "bericht.html"
    runner = CliRunner()
    done = runner.invoke(app, ["compute", str(SAMPLE / "beispielstadt_2021-01_2025-12.csv"),
                               "--spec", str(ROOT / "indicators.yaml"), "-o", str(out)])
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["report", str(out), "--geo",
                               str(SAMPLE / "beispielstadt.geojson"), "-o", str(html)])
    assert done.exit_code == 0, done.output
    shot = tmp_path / "bericht.png"
    messages = render(html, shot, tmp_path)
    print(f"screenshot: {shot}")
    assert messages == []
    image = imread(shot)
    assert image.shape[:2] == (HEIGHT, WIDTH)
    _, spec, _ = read_output(out)
    colours = class_colours(spec.indices["arrival"])
    # map: the 66 'mittel' areas fill a large part of it; 'sehr hoch' areas are drawn too
    assert pixels_of(image, colours["mittel"]) > 50_000
    assert pixels_of(image, colours["sehr hoch"]) > 5_000
    # histograms (#6b8fb3) and the correlation matrix's dark red diagonal are visible
    assert pixels_of(image, "#6b8fb3") > 5_000
    assert pixels_of(image, "#67001f") > 2_000  # RdBu_r at +1

"""The docs keep up with the code: generated files are current, every error code and exit
code is documented in docs/errors.md."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from ankunftsindex import errors

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "ankunftsindex"
ERRORS_MD = ROOT / "docs" / "errors.md"

# codes passed by keyword, to Finding(...) first, or positionally to the helpers that build
# errors and findings (rows_to_findings(..., "input-empty-id", ...), where.fail(..., code))
CODE_PATTERNS = (
    re.compile(r'\bcode\s*=\s*"([a-z0-9-]+)"'),
    re.compile(r'\bFinding\(\s*"([a-z0-9-]+)"'),
    re.compile(r'"((?:spec|input|output|compute)-[a-z0-9]+(?:-[a-z0-9]+)*)"'),
)


def source_codes() -> set[str]:
    codes: set[str] = set()
    for path in sorted(SRC.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern in CODE_PATTERNS:
            codes.update(pattern.findall(text))
    return codes


def documented_codes() -> set[str]:
    text = ERRORS_MD.read_text(encoding="utf-8")
    return set(re.findall(r"^### `([a-z0-9-]+)`", text, flags=re.MULTILINE))


def test_generated_docs_are_current() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "gen_docs.py"), "--check"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert done.returncode == 0, done.stderr + done.stdout


def test_the_code_scan_finds_codes() -> None:
    codes = source_codes()
    # one of each way a code is written in the source
    assert {"spec-invalid", "input-not-a-number", "input-empty-id", "spec-classes"} <= codes


def test_every_error_code_is_documented() -> None:
    missing = source_codes() - documented_codes()
    assert not missing, f"add these codes to docs/errors.md: {sorted(missing)}"


def test_every_documented_code_exists() -> None:
    stale = documented_codes() - source_codes()
    assert not stale, f"docs/errors.md documents codes the source no longer has: {sorted(stale)}"


def test_every_exit_code_is_documented() -> None:
    text = ERRORS_MD.read_text(encoding="utf-8")
    exits = {v for k, v in vars(errors).items() if k.startswith("EXIT_")} | {130}
    for code in sorted(exits):
        assert re.search(rf"^\| {code} \|", text, flags=re.MULTILINE), f"exit code {code}"

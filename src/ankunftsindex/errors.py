"""The error hierarchy, findings and exit codes of ankunftsindex.

Every expected failure is an :class:`AnkunftsindexError` with a stable kebab-case
``code``, an ``exit_code`` and a ``hint`` that says what to do next. Problems that can be
collected (bad values in many rows) are :class:`Finding` objects; an error may carry
the findings that caused it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_SPEC = 3
EXIT_INPUT = 4
EXIT_OUTPUT = 5
EXIT_INTERNAL = 70

#: Columns that every input frame carries so that findings can say where a row came from.
FILE_COL = "_file"
LINE_COL = "_line"

#: How many findings an error lists before it says how many more there are.
MAX_FINDINGS = 50


@dataclass(frozen=True)
class Finding:
    """One problem found in the input: where it is, what it is and what to do."""

    code: str
    message: str
    severity: str = "error"  # error | warning | info
    file: str | None = None
    line: int | None = None
    column: str | None = None
    value: str | None = None
    hint: str | None = None

    def location(self) -> str:
        parts = [self.file or "", str(self.line) if self.line is not None else ""]
        where = ":".join(p for p in parts if p)
        if self.column is not None:
            where = f"{where}, column {self.column!r}" if where else f"column {self.column!r}"
        return where

    def render(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.value is not None:
            text += f" (value {self.value!r})"
        return text

    def render_line(self) -> str:
        """One line of a report: ``[code] where: message (value …)``."""
        return f"[{self.code}] {self.render()}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AnkunftsindexError(Exception):
    """Base of every expected error; carries a stable code, a hint and an exit code."""

    message: str
    code: str = "error"
    hint: str | None = None
    findings: list[Finding] = field(default_factory=list)
    total_findings: int | None = None
    #: warnings found before the error (printed first: they may explain it)
    warnings: list[Finding] = field(default_factory=list)
    #: errors of other kinds found by the same check (a spec's problems are all named at
    #: once), rendered after this one; the exit code is this one's
    also: list[AnkunftsindexError] = field(default_factory=list)

    exit_code = EXIT_INTERNAL

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        lines = [f"error[{self.code}]: {self.message}"]
        shown = self.findings[:MAX_FINDINGS]
        for f in shown:
            lines.append(f"  - {f.render_line()}")
        total = self.total_findings if self.total_findings is not None else len(self.findings)
        if total > len(shown):
            lines.append(f"  … and {total - len(shown)} more (showing the first {len(shown)})")
        if self.hint:
            lines.append(f"hint: {self.hint}")
        lines += [other.render() for other in self.also]
        return "\n".join(lines)


class SpecError(AnkunftsindexError):
    """The spec (indicators.yaml) is unreadable, invalid or inconsistent with itself."""

    exit_code = EXIT_SPEC


class InputError(AnkunftsindexError):
    """The input data cannot be read or contains impossible values."""

    exit_code = EXIT_INPUT


class OutputError(AnkunftsindexError):
    """The output cannot be written."""

    exit_code = EXIT_OUTPUT


class ComputeError(InputError):
    """The data and spec together cannot be computed (too few areas, zero spread, …).

    These depend on the data, so they map to the input exit code.
    """


def rows_to_findings(
    rows: Any,
    column: str | None,
    code: str,
    message: str,
    hint: str | None = None,
    severity: str = "error",
    limit: int = MAX_FINDINGS * 4,
) -> list[Finding]:
    """Findings from a (small) polars frame of offending rows with FILE_COL/LINE_COL.

    The value shown is the row's cell in ``column``; ``message`` may use ``{value}`` and
    any other column of the frame as format fields. Beyond ``limit`` rows one more
    finding says how many rows were left out.
    """
    out = []
    for row in rows.head(limit).to_dicts():
        value = row.get(column) if column is not None else None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # counts read as floats: 1000, not 1000.0
        out.append(
            Finding(
                code=code,
                message=message.format(**row) if "{" in message else message,
                severity=severity,
                file=row.get(FILE_COL),
                line=row.get(LINE_COL),
                column=column,
                value=None if value is None else str(value),
                hint=hint,
            )
        )
    if rows.height > limit:
        out.append(Finding(code=code, message=f"{rows.height - limit} more row(s) with this "
                           "problem (not listed)", severity=severity, column=column))
    return out


def error_from_findings(
    findings: list[Finding], message: str, code: str, hint: str | None = None
) -> InputError:
    """Bundle error findings into one :class:`InputError` (capped when shown)."""
    return InputError(
        message=message,
        code=code,
        hint=hint,
        findings=findings[:MAX_FINDINGS],
        total_findings=len(findings),
    )


_POSITION = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<message>.*)$")


def findings_of(exc: AnkunftsindexError) -> list[Finding]:
    """An error as findings, for reports: its own findings, or one per message line (a
    ``file:line:col:`` prefix, as spec errors have, becomes the finding's position); then
    those of the errors found with it (``also``)."""
    return _own_findings(exc) + [f for other in exc.also for f in findings_of(other)]


def _own_findings(exc: AnkunftsindexError) -> list[Finding]:
    if exc.findings:
        found = list(exc.findings)
        total = exc.total_findings or len(found)
        if total > len(found):
            found.append(Finding(exc.code, f"{total - len(found)} more finding(s) (not listed)"))
        return found
    out = []
    for text in exc.message.splitlines():
        text = text.strip()
        if not text:
            continue
        m = _POSITION.match(text)
        if m:
            out.append(Finding(exc.code, m["message"], file=m["file"], line=int(m["line"]),
                               column=m["col"], hint=exc.hint))
        else:
            out.append(Finding(exc.code, text, hint=exc.hint))
    return out

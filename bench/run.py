"""Benchmark ``ankunftsindex compute`` against the floor, pandas, a plain polars query and
DuckDB, in one run on the same files; check that the four implementations agree; measure
start-up.

Each variant runs in a fresh process; wall time is measured around it, peak memory is
the process's maximum resident set size and CPU time its user and system seconds (all
from ``os.wait4``). A variant runs
``--repeat`` times, the variants in turn (compute, floor, pandas, polars, DuckDB, then again),
so that a change in the machine's load hits all alike; the best time of each and its
peak memory are reported. The runner itself
imports nothing heavy (generating, comparing and reading shapes run in child processes):
a child's ``ru_maxrss`` starts at its parent's size at fork, so a big runner would
inflate every measurement.

Usage::

    python bench/run.py --size city --data /tmp/ankunftsindex-bench
    python bench/run.py --size municipalities --format parquet
    python bench/run.py --size grid --format parquet --variants compute,floor,duckdb
    python bench/run.py --areas 50 --months 48      # any size, e.g. a quick check

Sizes: city = 1,000 areas × 60 months, municipalities = 11,000 × 120 (every German
municipality over ten years), grid = 1,000,000 × 36 (grid cells; 36 months are the
default spec's 35 months of history plus one scored month).

Exit status: 0 when every check passed, 1 when the outputs disagree or a variant failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

SIZES = {"city": (1_000, 60), "municipalities": (11_000, 120), "grid": (1_000_000, 36)}
VARIANTS = ("compute", "floor", "pandas", "polars", "duckdb")


@dataclass
class Run:
    variant: str
    fmt: str
    seconds: float
    peak_mib: float
    ok: bool
    error: str = ""
    #: CPU seconds of the process in user and in kernel mode (on this machine, the
    #: kernel's share is mostly page faults: it grows with the memory a run touches)
    user: float = 0.0
    system: float = 0.0


@dataclass
class Sample:
    """One process's wall seconds, peak RSS (MiB), CPU seconds, exit status, stderr tail."""

    seconds: float
    peak_mib: float
    user: float
    system: float
    status: int
    err: str


def measure(cmd: list[str], env: dict[str, str] | None = None) -> Sample:
    """Run one process and measure it."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    err = proc.stderr.read()  # drain before waiting, so a chatty child cannot block
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    # Linux reports ru_maxrss in KiB
    return Sample(seconds, usage.ru_maxrss / 1024, usage.ru_utime, usage.ru_stime,
                  proc.returncode, err.decode(errors="replace")[-2000:])


def ankunftsindex_exe() -> str:
    exe = Path(sys.executable).with_name("ankunftsindex")
    return str(exe) if exe.exists() else shutil.which("ankunftsindex") or "ankunftsindex"


def command(variant: str, src: Path, out: Path, shape: tuple[int, int]) -> list[str]:
    if variant == "compute":
        return [ankunftsindex_exe(), "compute", str(src), "--spec",
                str(ROOT / "indicators.yaml"), "--output", str(out), "--quiet"]
    extra = ["--rows", str(shape[0]), "--columns", str(shape[1])] if variant == "floor" else []
    return [sys.executable, str(HERE / "baselines.py"), variant, str(src), str(out), *extra]


def in_child(*args: str) -> object:
    """Run one of this script's helpers (``--child NAME ARGS``) in a fresh process and
    return what it prints (JSON)."""
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def stem(areas: int, months: int) -> str:
    return f"extract_{areas}x{months}"


def output_shape(path: Path) -> tuple[int, int]:
    import pyarrow.parquet as pq

    meta = pq.read_metadata(path)
    return meta.num_rows, meta.num_columns


def compare(reference: Path, other: Path, tol: float = 1e-9) -> list[str]:
    """Differences between two outputs: shape, keys, status, classes, ranks, typology
    exactly; numbers within ``tol`` (relative and absolute)."""
    import polars as pl

    a, b = pl.read_parquet(reference), pl.read_parquet(other)
    if a.columns != b.columns:
        return [f"columns differ: {a.columns} vs {b.columns}"]
    if a.height != b.height:
        return [f"rows differ: {a.height} vs {b.height}"]
    problems = []
    for c in a.columns:
        x, y = a[c], b[c]
        if x.dtype.is_float() or y.dtype.is_float():
            x, y = x.cast(pl.Float64), y.cast(pl.Float64)
            bad = (x.is_null() != y.is_null()) | (
                (x - y).abs() > tol * (1 + x.abs())).fill_null(False)
        else:
            bad = ~x.cast(pl.String).eq_missing(y.cast(pl.String))
        if c.endswith("_rank") and c.removesuffix("_rank") in a.columns:
            bad = bad & ~_near_tie(a, c.removesuffix("_rank"), tol)
        n = int(bad.sum())
        if n:
            i = int(bad.arg_max() or 0)
            problems.append(f"{c}: {n} row(s) differ, e.g. row {i}: {x[i]!r} vs {y[i]!r}")
    return problems


def _near_tie(frame, index: str, tol: float):
    """Rows whose index value is within ``tol`` of another row's in the same period: their
    rank may differ between implementations by the last bit of a float."""
    import polars as pl

    v = pl.col(index)
    ordered = frame.with_row_index("_i")
    if "period" not in frame.columns:
        ordered = ordered.with_columns(pl.lit("").alias("period"))
    ordered = ordered.sort("period", index)
    gap = (v - v.shift()).abs().over("period")
    close = (gap <= tol * (1 + v.abs())).fill_null(False)
    ordered = ordered.with_columns((close | close.shift(-1).fill_null(False)).alias("_tie"))
    return ordered.sort("_i").get_column("_tie")


def startup(repeat: int) -> dict[str, float]:
    """Median seconds of ``ankunftsindex --version`` and of ``python -c 'import typer'``."""
    cmds = {"ankunftsindex --version": [ankunftsindex_exe(), "--version"],
            "python -c 'import typer'": [sys.executable, "-c", "import typer"]}
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(repeat):
        for name, cmd in cmds.items():  # interleaved, so load changes hit both alike
            sample = measure(cmd)
            if sample.status != 0:
                raise SystemExit(f"{name} failed: {sample.err}")
            times[name].append(sample.seconds)
    return {k: statistics.median(v) for k, v in times.items()}


def child(args: list[str]) -> None:
    """The helpers run in child processes: generate, shape, compare."""
    what, rest = args[0], args[1:]
    if what == "generate":
        sys.path.insert(0, str(HERE))
        import generate

        areas, months, out, formats = int(rest[0]), int(rest[1]), Path(rest[2]), rest[3]
        paths = generate.generate(areas, months, out, formats=tuple(formats.split(",")))
        print(json.dumps({k: str(v) for k, v in paths.items()}))
    elif what == "shape":
        print(json.dumps(output_shape(Path(rest[0]))))
    elif what == "compare":
        print(json.dumps(compare(Path(rest[0]), Path(rest[1]))))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="city")
    parser.add_argument("--areas", type=int, help="instead of --size")
    parser.add_argument("--months", type=int, help="instead of --size")
    parser.add_argument("--data", type=Path, default=Path("/tmp/ankunftsindex-bench"),
                        help="scratch folder for generated extracts and outputs (not the repo)")
    parser.add_argument("--format", default="parquet,csv",
                        help="input format(s): parquet, csv or both (comma-separated)")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--startup-repeat", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)

    areas, months = (args.areas, args.months) if args.areas else SIZES[args.size]
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    if "compute" not in variants:
        parser.error("--variants must include compute (the reference)")
    files = {fmt: Path(p) for fmt, p in in_child(  # type: ignore[union-attr]
        "generate", str(areas), str(months), str(args.data), ",".join(formats)).items()}
    print(f"# {areas} areas × {months} months; data in {args.data}", flush=True)

    runs: list[Run] = []
    failed = False
    for fmt in formats:
        src = files[fmt]
        outs = {v: args.data / f"out_{stem(areas, months)}_{fmt}_{v}.parquet"
                for v in variants}
        shape = (0, 0)
        best: dict[str, Run] = {}
        # round after round of every variant (compute first: the floor needs its output's
        # shape), so that a change in the machine's load hits every variant alike
        for _ in range(args.repeat):
            for variant in variants:
                m = measure(command(variant, src, outs[variant], shape))
                run = Run(variant, fmt, m.seconds, m.peak_mib, m.status == 0,
                          m.err if m.status else "", m.user, m.system)
                old = best.get(variant)
                if old is None or (run.ok and (not old.ok or run.seconds < old.seconds)):
                    best[variant] = run
                if variant == "compute" and run.ok and shape == (0, 0):
                    shape = tuple(in_child("shape", str(outs["compute"])))  # type: ignore[arg-type]
        for variant in variants:
            run = best[variant]
            runs.append(run)
            print(f"{fmt:8} {variant:8} {run.seconds:8.2f} s {run.peak_mib:9.0f} MiB"
                  f" {run.user:8.2f} s user {run.system:7.2f} s sys"
                  + ("" if run.ok else f"  FAILED: {run.error.strip()[-500:]}"), flush=True)
            failed |= not run.ok
        for variant in ("pandas", "polars", "ideal", "duckdb"):
            if variant in variants and all(r.ok for r in runs if r.fmt == fmt):
                problems = in_child("compare", str(outs["compute"]), str(outs[variant]))
                print(f"{fmt:8} agreement compute vs {variant}: "
                      + ("ok" if not problems else "; ".join(problems)), flush=True)
                failed |= bool(problems)

    print("\n| input | variant | seconds | peak MiB | user s | sys s | compute / variant |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in runs:
        base = next(x for x in runs if x.fmt == r.fmt and x.variant == "compute")
        ratio = f"{base.seconds / r.seconds:.2f}" if r.variant != "compute" and r.ok else ""
        print(f"| {r.fmt} | {r.variant} | {r.seconds:.2f} | {r.peak_mib:.0f} | {r.user:.2f} "
              f"| {r.system:.2f} | {ratio} |")

    times = startup(args.startup_repeat) if args.startup_repeat else {}
    if times:
        print(f"\n| start-up (median of {args.startup_repeat}) | seconds |")
        print("|---|---:|")
        for name, seconds in times.items():
            print(f"| {name} | {seconds:.3f} |")
        a, b = times.values()
        print(f"| ratio | {a / b:.2f} |")
    if args.json:
        args.json.write_text(json.dumps({
            "areas": areas, "months": months, "runs": [asdict(r) for r in runs],
            "startup": times, "ok": not failed}, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

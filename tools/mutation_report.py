#!/usr/bin/env python3
"""Summarise a Stryker.NET JSON report (tools/mutation.sh): mutants per status and score per file and area, every
surviving mutant.

usage: tools/mutation_report.py OUTPUT_DIR AREA [PATTERN...]

PATTERN is one of the area's --mutate globs, optionally with Stryker's {start..end} character span: only mutants in a
matching file (and span) are counted. Stryker compiles the whole project with mutants, so its report also holds the
compile errors and ignored mutants of every other file; without patterns every file with a tested mutant is counted.
Score = killed and timed out / (killed + timed out + survived + no coverage); compile errors do not count.
"""
import fnmatch
import glob
import json
import os
import re
import sys

KILLED = {"Killed", "Timeout"}
COUNTED = KILLED | {"Survived", "NoCoverage"}
COLUMNS = ["Killed", "Survived", "Timeout", "NoCoverage", "CompileError"]
SPAN = re.compile(r"^(.*)\{(\d+)\.\.(\d+)\}$")


def offsets(path: str):
    """Offset of the start of each line (1-based lines) in path as Roslyn sees it: UTF-16 units, no BOM."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        text = f.read()
    starts = [0, 0]
    for i, c in enumerate(text):
        if c == "\n":
            starts.append(i + 1)
    return starts


def selector(patterns):
    """A predicate (relative path, mutant) -> bool for the area's patterns."""
    parsed = []
    for p in patterns:
        m = SPAN.match(p)
        parsed.append((m.group(1), int(m.group(2)), int(m.group(3))) if m else (p, None, None))
    line_starts = {}

    def inside(name, mutant):
        for pat, lo, hi in parsed:
            if not fnmatch.fnmatch(name, pat) and not fnmatch.fnmatch("/" + name, pat):
                continue
            if lo is None:
                return True
            if name not in line_starts:
                line_starts[name] = offsets(name)
            starts = line_starts[name]
            loc = mutant["location"]
            begin = starts[loc["start"]["line"]] + loc["start"]["column"] - 1
            end = starts[loc["end"]["line"]] + loc["end"]["column"] - 1
            if lo <= begin and end <= hi:
                return True
        return False

    return inside


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    out, area, patterns = sys.argv[1], sys.argv[2], sys.argv[3:]
    reports = glob.glob(os.path.join(out, "**", "mutation-report.json"), recursive=True)
    if not reports:
        print(f"error: no mutation-report.json under {out} (did Stryker run?)", file=sys.stderr)
        return 1
    with open(max(reports, key=os.path.getmtime), encoding="utf-8") as f:
        report = json.load(f)
    inside = selector(patterns) if patterns else None
    totals = dict.fromkeys(COLUMNS, 0)
    survivors = []
    for path, entry in sorted(report["files"].items()):
        name = os.path.relpath(path, os.getcwd()) if os.path.isabs(path) else path
        if inside:
            mutants = [m for m in entry["mutants"] if inside(name, m)]
        else:
            mutants = entry["mutants"] if any(m["status"] in COUNTED for m in entry["mutants"]) else []
        if not mutants:
            continue
        counts = {c: sum(m["status"] == c for m in mutants) for c in COLUMNS}
        for c in COLUMNS:
            totals[c] += counts[c]
        killed = counts["Killed"] + counts["Timeout"]
        counted = killed + counts["Survived"] + counts["NoCoverage"]
        score = f"{100 * killed / counted:.1f} %" if counted else "-"
        detail = ", ".join(f"{counts[c]} {c.lower()}" for c in COLUMNS)
        print(f"  {name}: {killed}/{counted} killed ({score}); {detail}")
        for m in sorted(mutants, key=lambda m: m["location"]["start"]["line"]):
            if m["status"] in ("Survived", "NoCoverage"):
                line = m["location"]["start"]["line"]
                replacement = " ".join(m.get("replacement", "").split())[:100]
                survivors.append(f"{name}:{line} {m['status']} {m['mutatorName']}: {replacement}")
    killed = totals["Killed"] + totals["Timeout"]
    counted = killed + totals["Survived"] + totals["NoCoverage"]
    score = 100 * killed / counted if counted else 0.0
    detail = ", ".join(f"{totals[c]} {c.lower()}" for c in COLUMNS)
    print(f"area {area}: {killed}/{counted} mutants killed = {score:.1f} % ({detail})")
    for s in survivors:
        print(f"  survived: {s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

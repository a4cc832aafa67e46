#!/usr/bin/env python3
"""Summarise a Stryker.NET JSON report (tools/mutation.sh): score per file and area, every surviving mutant.

usage: tools/mutation_report.py OUTPUT_DIR AREA
Score = killed (incl. timeouts) / (killed + survived + no coverage); compile errors and ignored mutants do not count.
"""
import glob
import json
import os
import sys

KILLED = {"Killed", "Timeout"}
COUNTED = KILLED | {"Survived", "NoCoverage"}


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    out, area = sys.argv[1], sys.argv[2]
    reports = glob.glob(os.path.join(out, "**", "mutation-report.json"), recursive=True)
    if not reports:
        print(f"error: no mutation-report.json under {out} (did Stryker run?)", file=sys.stderr)
        return 1
    with open(max(reports, key=os.path.getmtime), encoding="utf-8") as f:
        report = json.load(f)
    total_killed = total_counted = 0
    survivors = []
    for path, entry in sorted(report["files"].items()):
        mutants = entry["mutants"]
        killed = sum(m["status"] in KILLED for m in mutants)
        counted = sum(m["status"] in COUNTED for m in mutants)
        total_killed += killed
        total_counted += counted
        name = os.path.relpath(path, os.getcwd()) if os.path.isabs(path) else path
        score = f"{100 * killed / counted:.1f} %" if counted else "-"
        print(f"  {name}: {killed}/{counted} killed ({score})")
        for m in mutants:
            if m["status"] in ("Survived", "NoCoverage"):
                line = m["location"]["start"]["line"]
                survivors.append(f"{name}:{line} {m['status']} {m['mutatorName']}: {m.get('replacement', '').strip()[:100]}")
    score = 100 * total_killed / total_counted if total_counted else 0.0
    print(f"area {area}: {total_killed}/{total_counted} mutants killed = {score:.1f} %")
    for s in survivors:
        print(f"  survived: {s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

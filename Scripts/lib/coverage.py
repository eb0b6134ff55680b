#!/usr/bin/env python3
"""Line coverage per target from the JSON that `swift test --enable-code-coverage` writes
(llvm-cov export format): one row per Sources/TARGET, lines covered / lines, and a failure
(exit 1) when a pure target is under its floor.

Usage: Scripts/lib/coverage.py CODECOV_JSON SOURCES_DIR FLOOR_PERCENT PURE_TARGET...
"""
import json
import os
import sys


def coverage_by_target(codecov_path, sources_dir):
    with open(codecov_path, encoding="utf-8") as handle:
        export = json.load(handle)
    sources_dir = os.path.realpath(sources_dir) + os.sep
    totals = {}
    for data in export["data"]:
        for entry in data["files"]:
            path = os.path.realpath(entry["filename"])
            if not path.startswith(sources_dir):
                continue
            target = path[len(sources_dir):].split(os.sep, 1)[0]
            lines = entry["summary"]["lines"]
            count, covered = totals.get(target, (0, 0))
            totals[target] = (count + lines["count"], covered + lines["covered"])
    return totals


def main(arguments):
    if len(arguments) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    codecov_path, sources_dir, floor = arguments[0], arguments[1], float(arguments[2])
    pure = set(arguments[3:])
    totals = coverage_by_target(codecov_path, sources_dir)
    missing = sorted(pure - set(totals))
    if missing:
        print(f"no coverage data for pure targets: {', '.join(missing)}", file=sys.stderr)
        return 1
    below = []
    print(f"{'target':<24} {'lines':>7} {'covered':>8} {'percent':>8}")
    for target in sorted(totals):
        count, covered = totals[target]
        percent = 100.0 * covered / count if count else 100.0
        mark = " (pure)" if target in pure else ""
        print(f"{target:<24} {count:>7} {covered:>8} {percent:>7.1f}%{mark}")
        if target in pure and percent < floor:
            below.append(f"{target} {percent:.1f}%")
    if below:
        print(f"pure targets under {floor:.0f}% line coverage: {', '.join(below)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

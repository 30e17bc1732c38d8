"""Summarise the Python audit timings in scripts/bench/audit/results/ as Markdown tables.

    /work/venv/bin/python scripts/bench/audit/summarize_python.py [results-dir]

Reads <step>.jsonl (the anchors scripts' JSON lines) and process.jsonl (one line per
process: wall time and max RSS from /usr/bin/time -v, and `uptime` just before it started).
"""
from __future__ import annotations

import json
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RES = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "results")


def lines(name):
    path = os.path.join(RES, name)
    if not os.path.exists(path):
        return []
    return [json.loads(x) for x in open(path) if x.strip()]


def load(up):
    return up.split("load average:")[1].split(",")[0].strip()


def fmt(xs):
    return ", ".join(f"{x:.3g}" for x in xs)


def main():
    print("### In-process call timings (time.perf_counter around the library call only)\n")
    print("| step | variant | rows | runs | median s | all s | load s | peak RSS MB |")
    print("|---|---|---:|---:|---:|---|---:|---:|")
    for step in ("gen", "scale1m-fairlearn", "scale1m-direct", "scale10m-direct",
                 "scale10m-fairlearn", "bootstrap", "adult"):
        recs = lines(step + ".jsonl")
        groups = {}
        for r in recs:
            groups.setdefault((r.get("variant"), r["rows"]), []).append(r)
        for (variant, rows), rs in groups.items():
            allt = [t for r in rs for t in r["seconds_all"]]
            print(f"| {step} | {variant} | {rows:,} | {len(allt)} | "
                  f"{statistics.median(allt):.3f} | {fmt(allt)} | "
                  f"{statistics.median([r.get('load_seconds') or 0 for r in rs]):.3f} | "
                  f"{max(r['peak_rss_mb'] for r in rs):.0f} |")
    cli = lines("cli-like.jsonl")
    procs = [p for p in lines("process.jsonl") if p["step"] == "cli-like"]
    if cli:
        print("\n### audit_like_cli.py phases (s; one line per process, same order as below)\n")
        print("| input | import | read | MetricFrame (17 metrics) | fairness scalars | total |")
        print("|---|---:|---:|---:|---:|---:|")
        for c, p in zip(cli, procs):
            src = p["cmd"].split("audit_like_cli.py ")[1].split()[0]
            print(f"| {os.path.basename(src)} | {c['import']:.2f} | {c['read']:.2f} | "
                  f"{c['metricframe']:.2f} | {c['fairness']:.2f} | {c['total_in_process']:.2f} |")
    print("\n### Whole processes (`/usr/bin/time -v`)\n")
    print("| step | command | wall s | max RSS MB | load (1 min) at start |")
    print("|---|---|---:|---:|---:|")
    for p in lines("process.jsonl"):
        cmd = p["cmd"].replace("/work/venv/bin/python ", "")
        cmd = " ".join(x if not x.startswith("/tmp/") else "OUT.json" for x in cmd.split())
        print(f"| {p['step']} | `{cmd}` | {p['wall_s']:.2f} | {p['max_rss_mb']:.0f} | "
              f"{load(p['uptime'])} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""make bench's table: each row beside its baseline from the same run, as a ratio, and its target.

  bench_table.py --sizes LIB STRIPPED   what takes the space in the release library (JSON)
  bench_table.py --table DIR            the table, from target/criterion and DIR/*.json
"""

import collections
import glob
import json
import os
import re
import subprocess
import sys

CRITERION = os.path.join("target", "criterion")


def median_ns(*parts):
    """Criterion's median for one benchmark, in nanoseconds."""
    path = os.path.join(CRITERION, *parts, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]


def load(directory, name):
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def crate_of(symbol):
    """The crate (or C library) a symbol's code comes from."""
    if symbol.startswith("sqlite3") or symbol.startswith("sqlite"):
        return "sqlite (C)"
    if "ring_core" in symbol or symbol.startswith(("GFp", "ring_", "aws_lc", "OPENSSL")):
        return "ring (C, asm)"
    name = symbol.lstrip("<&*")
    name = re.sub(r"^(dyn |impl |mut )", "", name)
    head = re.split(r"::|<| as |\s", name, maxsplit=1)[0]
    if not head or head.startswith("_") or "." in head:
        return "other (C runtime, unnamed)"
    return head


def sizes(lib, stripped):
    out = subprocess.run(
        ["nm", "-S", "--size-sort", "-C", lib], check=True, capture_output=True, text=True
    ).stdout
    per_crate = collections.Counter()
    for line in out.splitlines():
        fields = line.split(maxsplit=3)
        if len(fields) < 4 or fields[2].lower() not in "tdrb":
            continue
        per_crate[crate_of(fields[3])] += int(fields[1], 16)
    return {
        "stripped_bytes": os.path.getsize(stripped),
        "symbols_bytes": sum(per_crate.values()),
        "top": per_crate.most_common(14),
    }


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


def table(directory):
    rows = []

    def ratio_row(name, core, base, target, base_name):
        ratio = core / base
        ok = ratio <= target
        rows.append(
            (name, fmt_ns(core), f"{fmt_ns(base)} ({base_name})", f"{ratio:.2f}×", f"≤ {target}×",
             "yes" if ok else "NO")
        )

    for size in (3000, 15000, 50000):
        ratio_row(f"launch: open + Saldo, {size:,} movements",
                  median_ns("launch", "core", str(size)), median_ns("launch", "bare", str(size)),
                  1.5, "bare open + query")
    ratio_row("warm saldo()", median_ns("saldo", "core"), median_ns("saldo", "bare"), 1.5,
              "bare query")
    ratio_row("sync of 5,000 movements", median_ns("sync", "core"), median_ns("sync", "decode"), 3,
              "serde_json decode")
    ratio_row("storing 5,000 movements", median_ns("store", "core"), median_ns("store", "bare"), 1.3,
              "prepared INSERT")

    facts = load(directory, "facts.json") or {}
    unchanged = facts.get("refresh_unchanged", {})
    outcomes = collections.Counter()
    for route, by_status in unchanged.get("requests", {}).items():
        outcomes.update(by_status)
    not_304 = sum(n for status, n in outcomes.items() if status != "304")
    rows.append(("unchanged refresh: requests", f"{sum(outcomes.values())} ({dict(outcomes)})", "",
                 "", "all 304", "yes" if outcomes and not_304 == 0 else "NO"))
    down = unchanged.get("bytes_down", 0)
    rows.append(("unchanged refresh: bytes down (wire)", f"{down:,} B",
                 f"{unchanged.get('bytes_up', 0):,} B up", "", "≤ 1,024 B",
                 "yes" if down <= 1024 else "NO"))
    wall, slowest = unchanged.get("wall_us", 0), unchanged.get("slowest_single_us", 1)
    alone = unchanged.get("sum_of_singles_us", 1)
    rows.append(("unchanged refresh: wall time (6 requests)", f"{wall / 1000:.2f} ms",
                 f"{slowest / 1000:.2f} ms slowest alone, {alone / 1000:.2f} ms all one by one",
                 f"{wall / max(slowest, 1):.2f}×", "together",
                 "yes" if wall < alone else "NO"))

    flows = facts.get("flows", {})
    def count(log):
        return sum(sum(v.values()) for v in log.values()) if isinstance(log, dict) else log
    for key, label, target in (("prosegui", "PROSEGUI → checkout URL", 1),
                               ("return_url", "return URL → verified status", 1),
                               ("launch", "app start, warm cache, before first frame", 0),
                               ("subscription_update_extra", "a subscription's update", 0)):
        if key in flows:
            n = count(flows[key])
            detail = ", ".join(sorted(flows[key])) if isinstance(flows[key], dict) else ""
            rows.append((f"requests: {label}", str(n), detail, "", f"{target}",
                         "yes" if n <= target else "NO"))

    rust = median_ns("ffi_rust")
    for name, file in (("JVM (JNA)", "jvm-ffi.json"), ("Swift", "swift-ffi.json")):
        measured = load(directory, file)
        if measured:
            ns = measured["ns_per_call"]
            rows.append((f"parseAmount across the FFI from {name}", fmt_ns(ns),
                         f"{fmt_ns(rust)} (the same work in Rust)", f"{ns / rust:.1f}×", "shown", ""))

    size = load(directory, "size.json")
    if size:
        mb = size["stripped_bytes"] / 1e6
        rows.append(("release library, x86-64, stripped", f"{mb:.2f} MB", "", "", "≤ 4 MB",
                     "yes" if size["stripped_bytes"] <= 4_000_000 else "NO"))
    rss = load(directory, "rss.json") or {}
    for key, label in (("demo_kib", "peak memory: make demo"),
                       ("sync_50000_kib", "peak memory: first sync of 50,000 movements")):
        if key in rss:
            rows.append((label, f"{rss[key] / 1024:.1f} MiB", "", "", "shown", ""))

    header = ("row", "measured", "baseline", "ratio", "target", "met")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
    if size:
        total = size["symbols_bytes"]
        print("\nWhat takes the space (symbol sizes, unstripped release library):")
        for crate, n in size["top"]:
            print(f"  {crate:<32} {n / 1e6:6.2f} MB  {100 * n / total:4.1f} %")
    missed = [r[0] for r in rows if r[5] == "NO"]
    if missed:
        print("\nMissed: " + "; ".join(missed))
    return 0


def main(argv):
    if argv[:1] == ["--sizes"]:
        json.dump(sizes(argv[1], argv[2]), sys.stdout)
        return 0
    if argv[:1] == ["--table"]:
        return table(argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

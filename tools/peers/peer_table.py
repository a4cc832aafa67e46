#!/usr/bin/python3
"""Result lines and the same-run table of tools/compare_peers.sh.

Every contender's run becomes one JSON line {"peer", "case", "round", "images_per_second", "gflops", ...}:
  peer_table.py --tag-round R < runner-output              # OrtPeer/TorchPeer line, round added
  peer_table.py --pytorch-json FILE --case C --round R     # tools/bench_pytorch.py --json
  peer_table.py --hilo-json FILE --case C --threads T      # hilo compare --json
and the table from all of them:
  peer_table.py --tag-peak CASE --load L < hilo-peak-json             # `hilo peak --json`, case and load added
  peer_table.py --table results.jsonl --peak peak.jsonl --load L --threads T
"""
import argparse
import json
import sys
import time

# Multiply-adds per image (docs/compare.md, FlopCounterTests); GFLOP/s = 2 x these x images/s.
CASES = {
    "hilo-b64": ("HiLo layer, batch 64", 298_296_320, 64),
    "litv2s-b16": ("LITv2-S 224², batch 16", 3_735_631_104, 16),
    "litv2s-b1": ("LITv2-S 224², batch 1", 3_735_631_104, 1),
}
PEERS = ["onnxruntime", "libtorch", "pytorch"]
TITLES = {"hilo": "`cpu` (CPU family)", "onnxruntime": "ONNX Runtime", "libtorch": "LibTorch", "pytorch": "PyTorch"}


def gflops(case, ips):
    return 2.0 * CASES[case][1] * ips / 1e9


def from_pytorch(path, case, rnd):
    with open(path) as f:
        r = json.load(f)["results"][0]
    ips = r["images_per_second"]
    # "PyTorch 1.13.0a0 (OpenBLAS 0.3.21 pthread, core SkylakeX, 2 threads)"
    name = r["device_name"]
    return dict(peer="pytorch", version=name.split(" (")[0].replace("PyTorch ", ""), detail=name, case=case,
                batch=r["batch"], round=rnd, images_per_second=ips, gflops=gflops(case, ips),
                load_average=r.get("load_average"))


def from_hilo(path, case, threads):
    with open(path) as f:
        r = json.load(f)["results"][0]
    ips = r["images_per_second"]
    return dict(peer="hilo", version="cpu", detail=r.get("device_name", ""), case=case, batch=r["batch"], round=1,
                threads=threads, images_per_second=ips, gflops=gflops(case, ips))


def fmt(x):
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def table(results_path, peak_path, load, threads):
    with open(results_path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    with open(peak_path) as f:
        peaks = [json.loads(line) for line in f if line.strip()]
    if not peaks:
        raise SystemExit(f"error: {peak_path}: no peak measurement")
    peak = max(peaks, key=lambda p: p["gflops"])
    best = {}   # (case, peer) -> best row
    runs = {}   # (case, peer) -> [images/s of each run]
    for r in rows:
        key = (r["case"], r["peer"])
        runs.setdefault(key, []).append(r["images_per_second"])
        if key not in best or r["images_per_second"] > best[key]["images_per_second"]:
            best[key] = r
    cases = [c for c in CASES if any(k[0] == c for k in best)]
    versions = {p: next((r.get("version") for r in rows if r["peer"] == p), "") for p in PEERS}
    pytorch_detail = next((r.get("detail") for r in rows if r["peer"] == "pytorch"), "")
    out = []
    loads = ", ".join(f"{p['case']} {p['load_average']}" for p in peaks if "case" in p)
    each_peak = " / ".join(f"{p['gflops']:.0f}" for p in peaks)
    out.append(f"Same run, {time.strftime('%Y-%m-%d')}: {peak['cpu_model']} ({peak['isa']}), {threads} threads for "
               f"every contender; 1-minute load average {load} at the start" + (f" ({loads} as each case began)" if loads else "")
               + f"; fp32 FMA peak measured here {peak['gflops']:.0f} GFLOP/s ({peak['instruction']}, {peak['threads']} "
               f"threads, `hilo peak`, best of {len(peaks)}: {each_peak}).")
    out.append("")
    head = ["images/s (% of peak)", TITLES["hilo"]] + [f"{TITLES[p]} {versions[p]}".strip() for p in PEERS] + ["× best peer"]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for c in cases:
        cells = [CASES[c][0]]
        for p in ["hilo"] + PEERS:
            r = best.get((c, p))
            cells.append("—" if r is None else f"{fmt(r['images_per_second'])} ({100 * r['gflops'] / peak['gflops']:.0f}%)")
        peer_best = max((best[(c, p)]["images_per_second"] for p in PEERS if (c, p) in best), default=None)
        mine = best.get((c, "hilo"))
        cells.append("—" if peer_best is None or mine is None else f"**{mine['images_per_second'] / peer_best:.2f}×**")
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    out.append("Each peer ran before and after `hilo` (its better run counts); every run, images/s:")
    out.append("")
    for c in cases:
        parts = []
        for p in ["hilo"] + PEERS:
            if (c, p) in runs:
                parts.append(f"{p} " + " / ".join(fmt(x) for x in runs[(c, p)]))
        out.append(f"- {CASES[c][0]}: " + "; ".join(parts))
    errs = [f"{r['peer']} {r['case']} {r['max_relative_error']:.1e}" for r in rows if "max_relative_error" in r and r["round"] == 1]
    if errs:
        out.append(f"- numerics vs the float64 reference (max |error| / max(1, |ref|)): {', '.join(errs)}")
    if pytorch_detail:
        out.append(f"- PyTorch: {pytorch_detail}")
    print("\n".join(out))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tag-round", type=int)
    p.add_argument("--tag-peak")
    p.add_argument("--pytorch-json")
    p.add_argument("--hilo-json")
    p.add_argument("--case", choices=list(CASES))
    p.add_argument("--round", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--table")
    p.add_argument("--peak")
    p.add_argument("--load", default="?")
    a = p.parse_args(argv)
    if a.tag_peak is not None:
        r = json.loads(sys.stdin.read())
        r["case"] = a.tag_peak
        r["load_average"] = a.load
        print(json.dumps(r))
    elif a.tag_round is not None:
        lines = [line for line in sys.stdin if line.strip()]
        if not lines:
            raise SystemExit("error: the runner printed no result (its error is above)")
        for line in lines:
            r = json.loads(line)
            r["round"] = a.tag_round
            print(json.dumps(r))
    elif a.pytorch_json:
        print(json.dumps(from_pytorch(a.pytorch_json, a.case, a.round)))
    elif a.hilo_json:
        print(json.dumps(from_hilo(a.hilo_json, a.case, a.threads)))
    elif a.table:
        if not a.peak:
            p.error("--table needs --peak")
        table(a.table, a.peak, a.load, a.threads)
    else:
        p.error("give --tag-round, --tag-peak, --pytorch-json, --hilo-json or --table")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

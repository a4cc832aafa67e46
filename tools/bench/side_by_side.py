#!/usr/bin/python3
"""Side-by-side images/s of PyTorch (tools/bench_pytorch.py --json) and `hilo compare --json`.

  python3 tools/bench/side_by_side.py pytorch.json hilo.json [--markdown]

One row per subject (hilo, sra, ..., litv2-s); one column per device with its images/s and its ratio
to PyTorch's (×). Both files use the format {"results": [{"device", "device_name", "name", "batch",
"images_per_second", ...}]}.
"""
import argparse
import json
import sys


def load(path):
    with open(path) as f:
        return json.load(f)["results"]


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("pytorch_json")
    p.add_argument("hilo_json")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    a = p.parse_args(argv)
    torch_rows = {r["name"]: r for r in load(a.pytorch_json)}
    hilo_rows = load(a.hilo_json)
    devices = []
    for r in hilo_rows:
        if r["device"] not in devices:
            devices.append(r["device"])
    names = list(torch_rows) + [r["name"] for r in hilo_rows if r["name"] not in torch_rows]
    names = list(dict.fromkeys(names))
    cell = {(r["device"], r["name"]): r for r in hilo_rows}

    torch_device = next(iter(torch_rows.values()))["device"] if torch_rows else "pytorch"
    header = ["name", "batch", f"{torch_device} img/s"] + [f"{d} img/s (×PyTorch)" for d in devices]
    rows = []
    for n in names:
        t = torch_rows.get(n)
        tps = t["images_per_second"] if t else None
        batches = {str(t["batch"])} if t else set()
        line = [n, "", f"{tps:.1f}" if tps else "-"]
        for d in devices:
            r = cell.get((d, n))
            if r is None:
                line.append("-")
                continue
            batches.add(str(r["batch"]))
            ips = r["images_per_second"]
            line.append(f"{ips:.1f} ({ips / tps:.2f}×)" if tps else f"{ips:.1f}")
        line[1] = "/".join(sorted(batches))
        rows.append(line)

    print("devices:")
    if torch_rows:
        print(f"  {torch_device}: {next(iter(torch_rows.values()))['device_name']}")
    for d in devices:
        print(f"  {d}: {next(r['device_name'] for r in hilo_rows if r['device'] == d)}")
    print()
    if a.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
        for line in rows:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(x[i]) for x in [header] + rows) for i in range(len(header))]
        for line in [header] + rows:
            print("  ".join(x.ljust(widths[i]) if i == 0 else x.rjust(widths[i]) for i, x in enumerate(line)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env bash
# Same-run comparison with PyTorch (DESIGN.md §6: ratios from one run, never absolute times from
# different runs): runs tools/bench_pytorch.py, then `hilo compare`, with the same protocol, subjects,
# batch and runs, and prints a side-by-side table of images/s with ratios to PyTorch.
#
#   tools/compare_with_pytorch.sh                                  # attention protocol, batch 64, 30 runs
#   tools/compare_with_pytorch.sh --protocol model --models litv2-s --batch 16 --runs 5
#   tools/compare_with_pytorch.sh --devices cpu,opencl:0 --threads 2 --out results/
#   tools/compare_with_pytorch.sh --quick                          # smoke test: batch 2, 2 runs
#   tools/compare_with_pytorch.sh --devices cpu,opencl:0 --pocl6   # hilo inside the PoCL 6 root (tools/pocl6.sh)
#
# Needs /usr/bin/python3 with torch + torchvision (Debian: python3-torch python3-torchvision
# libopenblas0-pthread) and the .NET SDK. Writes pytorch.json, hilo.json and side-by-side.md to --out
# (default: a new directory under /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."

protocol=attention models="" devices="" batch=64 runs=30 threads=2 out="" python=/usr/bin/python3 pocl6=0
while [ $# -gt 0 ]; do
  case "$1" in
    --protocol) protocol=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --devices) devices=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --python) python=$2; shift 2 ;;
    --quick) batch=2; runs=2; shift ;;
    --pocl6) pocl6=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$models" ]; then
  if [ "$protocol" = model ]; then models=litv2-s; else models=hilo,sra,local-window,msa; fi
fi
[ -n "$out" ] || out=$(mktemp -d /tmp/hilo-vs-pytorch.XXXXXX)
mkdir -p "$out"

# Build first so the build does not run while PyTorch is being timed.
dotnet build -c Release Hilo.Ilgpu.Cli -v quiet -nologo >/dev/null

echo "== PyTorch ($protocol: $models, batch $batch, $runs runs, $threads threads)"
# The peer at its best: bench_pytorch.py names the fastest OpenBLAS core for this CPU (SkylakeX with AVX-512, Haswell
# with AVX2), unsets OPENBLAS_L2_SIZE and prints the core OpenBLAS reports (OPENBLAS_VERBOSE=2), for itself alone.
"$python" tools/bench_pytorch.py --protocol "$protocol" --models "$models" --batch "$batch" \
  --runs "$runs" --threads "$threads" --json "$out/pytorch.json"

echo "== hilo compare"
if [ "$pocl6" = 1 ]; then
  # Inside the trixie root only the repository is mounted: write the JSON there, then move it to --out.
  work=$(mktemp -d "$PWD/.compare.XXXXXX")
  hilo_json="$work/hilo.json"
else
  hilo_json="$out/hilo.json"
fi
hilo_args=(compare --protocol "$protocol" --models "$models" --batch "$batch" --runs "$runs" --json "$hilo_json")
[ -z "$devices" ] || hilo_args+=(--devices "$devices")
if [ "$pocl6" = 1 ]; then
  tools/pocl6.sh run dotnet run -c Release --no-build --project Hilo.Ilgpu.Cli -- "${hilo_args[@]}"
  mv "$hilo_json" "$out/hilo.json"
  rmdir "$work"
else
  dotnet run -c Release --no-build --project Hilo.Ilgpu.Cli -- "${hilo_args[@]}"
fi

echo "== side by side ($(date -u +%Y-%m-%d), $(nproc) cores)"
"$python" tools/bench/side_by_side.py "$out/pytorch.json" "$out/hilo.json" | tee "$out/side-by-side.txt"
"$python" tools/bench/side_by_side.py --markdown "$out/pytorch.json" "$out/hilo.json" > "$out/side-by-side.md"
echo "results in $out"

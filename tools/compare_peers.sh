#!/usr/bin/env bash
# Same-run table against the peers a .NET user would pick for fast CPU inference (issue 18): `hilo` on `cpu` (the CPU
# kernel family) vs ONNX Runtime 1.32 (C#), LibTorch 2.10 (TorchSharp-cpu 0.107.0) and PyTorch 1.13 (best OpenBLAS
# core), all at the same thread count, on the HiLo layer (batch 64) and LITv2-S 224² (batch 16 and 1). Each peer
# checks its output against the project's PyTorch reference before it is timed, runs once before and once after
# `hilo` (the better of its two runs counts), and the table gives images/s, × the best peer, and % of the fp32 FMA peak
# measured here (`hilo peak`, in each case's lock hold; the best counts), with the CPU model, ISA, threads and the
# load averages.
#
#   tools/compare_peers.sh                                 # all three cases, 2 threads
#   tools/compare_peers.sh --cases hilo-b64 --threads 2 --out results/
#   tools/compare_peers.sh --runs 5 --repeat 3             # longer timed loops
#
# Needs: the .NET SDK, /usr/bin/python3 with torch + torchvision + onnx (Debian: python3-torch python3-torchvision
# python3-onnx), root for the trixie root that LibTorch runs in (tools/pocl6.sh; its libstdc++ has the
# GLIBCXX_3.4.32 that TorchSharp's native library needs and Debian 12's lacks). NuGet restores
# Microsoft.ML.OnnxRuntime and TorchSharp-cpu (about 1 GB) on the first run. Models: tools/peers/export_models.py,
# exported into --models (default ~/.cache/hilo/peers) when missing. Builds and exports run under
# flock /tmp/hilo-heavy.lock, and so does each case's whole sequence of timings (all seven runs under one hold, so that
# every contender of a case meets the same machine and no build of other work runs meanwhile).
# Writes results.jsonl, peak.jsonl and table.md to --out (default: a new directory under /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

cases=hilo-b64,litv2s-b16,litv2s-b1 threads=2 runs=3 repeat=2 warmup=2 out="" python=/usr/bin/python3
models=${XDG_CACHE_HOME:-$HOME/.cache}/hilo/peers
while [ $# -gt 0 ]; do
  case "$1" in
    --cases) cases=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --python) python=$2; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$threads" "$runs" "$repeat"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "error: --threads, --runs and --repeat take whole numbers >= 1 (got '$n')" >&2; exit 2; }
done
[[ "$warmup" =~ ^[0-9]+$ ]] || { echo "error: --warmup takes a whole number >= 0 (got '$warmup')" >&2; exit 2; }
IFS=, read -r -a case_list <<< "$cases"
for c in "${case_list[@]}"; do
  case "$c" in hilo-b64|litv2s-b16|litv2s-b1) ;; *) echo "error: --cases: unknown case '$c' (hilo-b64, litv2s-b16, litv2s-b1)" >&2; exit 2 ;; esac
done
[ -n "$out" ] || out=$(mktemp -d /tmp/hilo-vs-peers.XXXXXX)
mkdir -p "$out" "$models"
out=$(cd "$out" && pwd) models=$(cd "$models" && pwd)
results="$out/results.jsonl"
: > "$results"
lock() { flock /tmp/hilo-heavy.lock "$@"; }
exec 9>>/tmp/hilo-heavy.lock   # held per case below (flock 9 ... flock -u 9)

echo "== build (hilo, ONNX Runtime and LibTorch runners)" >&2
lock nice dotnet build -c Release Hilo.Ilgpu.Cli -v quiet -nologo >&2
lock nice dotnet build -c Release tools/peers/OrtPeer -v quiet -nologo >&2
lock nice dotnet build -c Release tools/peers/TorchPeer -v quiet -nologo >&2
tools/pocl6.sh setup >/dev/null

missing=()
for c in "${case_list[@]}"; do [ -f "$models/$c/case.json" ] || missing+=("$c"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== export ${missing[*]} from the PyTorch reference into $models" >&2
  lock nice "$python" tools/peers/export_models.py --out "$models" --cases "$(IFS=,; echo "${missing[*]}")" >&2
fi

load=$(cut -d' ' -f1 /proc/loadavg)
hilo=(dotnet Hilo.Ilgpu.Cli/bin/Release/net10.0/hilo.dll)
: > "$out/peak.jsonl"

peer_args=(--threads "$threads" --runs "$runs" --repeat "$repeat" --warmup "$warmup")
run_pytorch() {  # $1 case, $2 round
  local c=$1 json="$out/pytorch-$1-$2.json" proto models batch
  case "$c" in
    hilo-b64) proto=attention models=hilo batch=64 ;;
    litv2s-b16) proto=model models=litv2-s batch=16 ;;
    litv2s-b1) proto=model models=litv2-s batch=1 ;;
  esac
  "$python" tools/bench_pytorch.py --protocol "$proto" --models "$models" --batch "$batch" --threads "$threads" \
    --runs "$runs" --repeat "$repeat" --warmup "$warmup" --json "$json" >&2
  "$python" tools/peers/peer_table.py --pytorch-json "$json" --case "$c" --round "$2" >> "$results"
}
run_ort() {
  dotnet tools/peers/OrtPeer/bin/Release/net10.0/OrtPeer.dll --case "$models/$1" "${peer_args[@]}" \
    | "$python" tools/peers/peer_table.py --tag-round "$2" >> "$results"
}
run_libtorch() {
  env HILO_POCL6_BIND="$models" tools/pocl6.sh run \
    dotnet tools/peers/TorchPeer/bin/Release/net10.0/TorchPeer.dll --case "$models/$1" "${peer_args[@]}" \
    | "$python" tools/peers/peer_table.py --tag-round "$2" >> "$results"
}
run_hilo() {
  local c=$1 json="$out/hilo-$1.json" args
  case "$c" in
    hilo-b64) args=(--protocol attention --models hilo --batch 64) ;;
    litv2s-b16) args=(--protocol model --models litv2-s --batch 16) ;;
    litv2s-b1) args=(--protocol model --models litv2-s --batch 1) ;;
  esac
  # One loop of runs × repeat passes (hilo compare has no best-of-loops): no advantage over the peers.
  env HILO_CPU_THREADS="$threads" "${hilo[@]}" compare "${args[@]}" --devices cpu --runs $((runs * repeat)) \
    --warmup "$warmup" --json "$json" >&2
  "$python" tools/peers/peer_table.py --hilo-json "$json" --case "$c" --threads "$threads" >> "$results"
}

for c in "${case_list[@]}"; do
  echo "== $c: waiting for /tmp/hilo-heavy.lock" >&2
  flock 9
  case_load=$(cut -d' ' -f1 /proc/loadavg)
  echo "== $c: load average $case_load; fp32 FMA peak with $threads threads" >&2
  # The peak is measured in each case's hold and the table takes the best: a peak measured while the machine was
  # busier than during the runs would make kernels look faster than the machine.
  "${hilo[@]}" peak --threads "$threads" --json \
    | "$python" tools/peers/peer_table.py --tag-peak "$c" --load "$case_load" | tee -a "$out/peak.jsonl" >&2
  for round in 1 2; do
    if [ "$round" = 2 ]; then
      echo "== $c: hilo cpu" >&2
      run_hilo "$c"
    fi
    echo "== $c: peers, run $round of 2" >&2
    run_pytorch "$c" "$round"
    run_ort "$c" "$round"
    run_libtorch "$c" "$round"
  done
  flock -u 9
done

"$python" tools/peers/peer_table.py --table "$results" --peak "$out/peak.jsonl" --load "$load" --threads "$threads" \
  | tee "$out/table.md"
echo "results in $out" >&2

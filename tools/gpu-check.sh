#!/usr/bin/env bash
# On a machine with an NVIDIA GPU (no .NET needed): runs the whole test suite with CUDA required, `hilo compare`
# (attention and model protocols) on cuda:0 and PyTorch on the same GPU for the same shapes, and prints one table.
#
#   tools/gpu-check.sh publish/gpu.tar.xz [OUT]    # the archive tools/gpu-publish.sh made (or its unpacked folder)
#
# Writes tests.log, hilo-*.json, pytorch-*.json and side-by-side.md to OUT (default: $OUT if set, else a new folder
# under /tmp). PyTorch: /usr/bin/python3 or $PYTHON with torch (CUDA build).
set -uo pipefail
cd "$(dirname "$0")/.."
src=${1:?usage: tools/gpu-check.sh publish/gpu.tar.xz [OUT]}
out=${2:-${OUT:-$(mktemp -d /tmp/hilo-gpu.XXXXXX)}}
python=${PYTHON:-python3}
mkdir -p "$out"
if [ -f "$src" ]; then
  pub=$(mktemp -d /tmp/hilo-pub.XXXXXX)
  tar -C "$pub" -xJf "$src"
  pub="$pub/gpu"
else
  pub=$src
fi
hilo="$pub/hilo"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"

echo "== hilo devices"
"$hilo" devices | tee "$out/devices.txt"

echo "== tests (CUDA required: a missing CUDA device fails)"
start=$(date +%s)
HILO_REQUIRE_BACKENDS=cuda "$pub/Hilo.Ilgpu.Tests" -parallel none > "$out/tests.log" 2>&1
echo "tests rc=$? in $(( $(date +%s) - start )) s"; tail -5 "$out/tests.log"
grep -E "\[FAIL\]" "$out/tests.log" | head -40

echo "== hilo check / compare on cuda:0"
"$hilo" check --device cuda:0 | tee "$out/check.txt"
"$hilo" compare --devices cuda:0 --json "$out/hilo-attention.json" | tail -8
"$hilo" compare --devices cuda:0 --protocol model --models litv2-s --batch 64 --runs 30 --json "$out/hilo-model.json" | tail -4

echo "== PyTorch on the same GPU (eager fp32; then TF32 allowed, a second row)"
"$python" tools/bench_pytorch.py --device cuda --protocol attention --json "$out/pytorch-attention.json" | tail -7
"$python" tools/bench_pytorch.py --device cuda --protocol model --models litv2-s --batch 64 --runs 30 --json "$out/pytorch-model.json" | tail -3
"$python" tools/bench_pytorch.py --device cuda --tf32 --protocol attention --json "$out/pytorch-attention-tf32.json" | tail -7
"$python" tools/bench_pytorch.py --device cuda --tf32 --protocol model --models litv2-s --batch 64 --runs 30 --json "$out/pytorch-model-tf32.json" | tail -3

echo "== side by side"
for mode in "" "-tf32"; do
  "$python" tools/bench/side_by_side.py --markdown "$out/pytorch-attention$mode.json" "$out/hilo-attention.json" | tee -a "$out/side-by-side.md"
  "$python" tools/bench/side_by_side.py --markdown "$out/pytorch-model$mode.json" "$out/hilo-model.json" | tee -a "$out/side-by-side.md"
done
echo "results in $out"

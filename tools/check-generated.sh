#!/usr/bin/env bash
# Compiles every .cl (OpenCL C 1.2) and .cu (CUDA C, device-only to PTX) in a directory with clang-14.
# Usage: tools/check-generated.sh DIR   (DIR from `hilo kernels dump DIR`)
set -euo pipefail
dir="$1"
here="$(cd "$(dirname "$0")" && pwd)"
fail=0; n=0
for f in "$dir"/*.cl; do
  [ -e "$f" ] || continue
  n=$((n+1))
  clang-14 -x cl -cl-std=CL1.2 -Xclang -finclude-default-header -fsyntax-only "$f" || { echo "FAILED: $f"; fail=1; }
done
for f in "$dir"/*.cu; do
  [ -e "$f" ] || continue
  n=$((n+1))
  clang-14 -x cuda --cuda-device-only -nocudainc -nocudalib --cuda-gpu-arch=sm_70 -include "$here/cuda-prelude.h" \
    -S -o /dev/null "$f" || { echo "FAILED: $f"; fail=1; }
done
echo "checked $n generated files with clang-14"
[ "$n" -gt 0 ] || { echo "no generated files found in $dir"; exit 1; }
exit $fail

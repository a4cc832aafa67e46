#!/usr/bin/env bash
# Checks the device code `hilo kernels dump DIR` wrote: every OpenCL C file compiles with clang-14 (syntax and types,
# as a driver's front end would: ILGPU's own offline compile only generates the text, so a construct it cannot
# express — a call to an undeclared function — surfaces here, not on a user's device), and every PTX file is a whole
# module (.version, .target, .entry). With ptxas on PATH (a CUDA machine) the PTX is assembled for its target too.
# Usage: tools/check-kernels.sh DIR
set -euo pipefail
dir="$1"
fail=0; n=0
for f in "$dir"/*.cl; do
  [ -e "$f" ] || continue
  n=$((n+1))
  case "$f" in
    *.cl30.cl) std=(-cl-std=CL3.0 -D__opencl_c_work_group_collective_functions=1 -Xclang -cl-ext=+__opencl_c_generic_address_space) ;;
    *) std=(-cl-std=CL2.0) ;;
  esac
  clang-14 -x cl "${std[@]}" -Xclang -finclude-default-header -fsyntax-only "$f" || { echo "FAILED (clang-14): $f"; fail=1; }
done
for f in "$dir"/*.ptx; do
  [ -e "$f" ] || continue
  n=$((n+1))
  for token in '^\.version ' '^\.target sm_' '\.entry '; do
    grep -q "$token" "$f" || { echo "FAILED (no '$token'): $f"; fail=1; }
  done
  if command -v ptxas >/dev/null 2>&1; then
    arch=$(sed -n 's/^\.target \(sm_[0-9]*\).*/\1/p' "$f" | head -1)
    ptxas -arch="$arch" -o /dev/null "$f" || { echo "FAILED (ptxas): $f"; fail=1; }
  fi
done
echo "checked $n kernel files (OpenCL C with clang-14, PTX $(command -v ptxas >/dev/null 2>&1 && echo with ptxas || echo structurally))"
[ "$n" -gt 0 ] || { echo "no kernel files found in $dir"; exit 1; }
exit $fail

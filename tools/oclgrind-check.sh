#!/usr/bin/env bash
# Runs every ILGPU kernel that uses local (shared) memory under oclgrind (an OpenCL device simulator; Debian package
# `oclgrind`) with its data-race detector, its memory checker (every access inside its buffer) and its uninitialised-
# value checker, on small shapes that leave partial tiles and padded windows, with a 48 KiB local-memory limit and
# 1,024-thread groups (CUDA's and OpenCL's portable limits). Fails on any finding, on a kernel that did not run, and on
# a shared-memory kernel this script has no case for (add one below with the kernel).
# Input: the OpenCL C 2.0 files of `hilo kernels dump DIR`. oclgrind runs OpenCL C through its own host driver,
# `oclgrind-kernel`, from a .sim file (its format and ILGPU's kernel ABI: tools/oclgrind-sim.sh, shared with
# tools/kernel-counts.sh).
# Usage: tools/oclgrind-check.sh DUMP_DIR
set -euo pipefail
dump="$1"
source "$(dirname "$0")/oclgrind-sim.sh"   # view, buffer, output, quarter; checks for oclgrind-kernel
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail=0; runs=0

# One simulation: $1 case name, $2 kernel file, $3 kernel, $4 NDRange "x y z", $5 group "x y z"; arguments on stdin.
run_case() {
  local name="$1" sim="$work/$1.sim" log="$work/$1.log"
  { echo "$2"; echo "Kernel_$3"; echo "$4"; echo "$5"; cat; } > "$sim"
  runs=$((runs+1))
  if ! oclgrind-kernel --data-races --uninitialized --max-errors 20 --local-mem-size 49152 --max-wgsize 1024 \
       --build-options "-cl-std=CL2.0" "$sim" > "$work/$1.out" 2> "$log" || [ -s "$log" ]; then
    echo "FAILED (oclgrind): $name"; head -40 "$log"; fail=1
  else
    echo "clean: $name ($3, NDRange $4, groups $5)"
  fi
}

# The launches mirror the C# launchers (TiledGemmKernels.TiledShape, AttentionKernels.WindowGrouped): the logical
# grid folded into grid x (Configs.Folded), so NDRange x = groups × group width.
# TiledGemmKernels.TiledGemm: groups of T×T threads, each a 4T×4T tile of C; ceil(N/4T) × ceil(M/4T) groups.
# Args: a, b, bias, c, then TiledGemmArgs {M, N, K, Lda, Ldb, Ldc, HasBias, Gelu, Accumulate}.
gemm() { # T M N K lda ldc hasBias gelu accumulate
  local t=$1 m=$2 n=$3 k=$4 lda=$5 ldc=$6 tile=$(( 4 * $1 ))
  local gx=$(( (n + tile - 1) / tile * ((m + tile - 1) / tile) * t )) gy=$t
  local la=$(( (m - 1) * lda + k )) lb=$(( k * n )) lc=$(( (m - 1) * ldc + n ))
  run_case "TiledGemm-T$t-${m}x${n}x${k}-lda$lda-ldc$ldc-b$7g$8a$9" "$file" TiledGemm "$gx $gy 1" "$t $t 1" <<EOF
$(buffer $la -1 0.0078125)
$(buffer $lb -2 0.00390625)
$(buffer $n 0.5 0.125)
$(output $lc 1)
$(view $la)
$(view $lb)
$(view $n)
$(view $lc)
<int size=36> $m $n $k $lda $n $ldc $7 $8 $9
EOF
}

# BlockGemmKernels.BlockGemm128 (128×128 tiles, 256 threads) and BlockGemm64x96 (64×96 tiles, 128 threads): 1-D
# groups, ceil(N/width) × ceil(M/height) of them (BlockGemmKernels.Shape); the same arguments as TiledGemm.
block_gemm() { # kernel M N K lda ldc hasBias gelu accumulate
  local kernel=$1 m=$2 n=$3 k=$4 lda=$5 ldc=$6 th tw threads
  if [ "$kernel" = BlockGemm128 ]; then th=128; tw=128; threads=256; else th=64; tw=96; threads=128; fi
  local groups=$(( (n + tw - 1) / tw * ((m + th - 1) / th) ))
  local la=$(( (m - 1) * lda + k )) lb=$(( k * n )) lc=$(( (m - 1) * ldc + n ))
  run_case "$kernel-${m}x${n}x${k}-lda$lda-ldc$ldc-b$7g$8a$9" "$file" "$kernel" "$(( groups * threads )) 1 1" "$threads 1 1" <<EOF
$(buffer $la -1 0.0078125)
$(buffer $lb -2 0.00390625)
$(buffer $n 0.5 0.125)
$(output $lc 1)
$(view $la)
$(view $lb)
$(view $n)
$(view $lc)
<int size=36> $m $n $k $lda $n $ldc $7 $8 $9
EOF
}

# AttentionKernels.WindowAttentionGrouped: one group of 64 per (window, head, image): windows × heads × batch groups;
# WindowAttentionPacked32 one group of 64 per ⌊64/s²⌋ windows (head dim 32): ⌈windows/⌊64/s²⌋⌉ × heads × batch.
# Args: qkv, padKv, bias (padKv when there is none), output, then WindowAttentionArgs {Batch, Height, Width, Window,
# Heads, HeadDim, QkvStride, OutStride, OutOffset, HasBias, Scale}.
window_grouped() { # batch height width window heads headDim hasBias [kernel, windows per group of 64]
  local b=$1 h=$2 w=$3 s=$4 heads=$5 d=$6 hasBias=$7 kernel=${8:-WindowAttentionGrouped} per=${9:-1}
  local dim=$(( heads * d )) windows=$(( ((h + s - 1) / s) * ((w + s - 1) / s) ))
  windows=$(( (windows + per - 1) / per ))   # groups per (head, image)
  local lq=$(( b * h * w * 3 * dim )) lpad=$(( 2 * dim )) lbias=$(( heads * s * s * s * s )) lo=$(( b * h * w * dim ))
  local biasArg; biasArg="$(buffer $lbias -0.5 0.0009765625)"
  local biasView; biasView="$(view $lbias)"
  if [ "$hasBias" = 0 ]; then biasArg="$(buffer $lpad 0 0.0078125)"; biasView="$(view $lpad)"; fi
  run_case "$kernel-${b}x${h}x${w}-s$s-h$heads-d$d-bias$hasBias" "$file" "$kernel" \
    "$(( windows * heads * b * 64 )) 1 1" "64 1 1" <<EOF
$(buffer $lq -1 0.00048828125)
$(buffer $lpad 0 0.0078125)
$biasArg
$(output $lo 0)
$(view $lq)
$(view $lpad)
$biasView
$(view $lo)
<int size=44> $b $h $w $s $heads $d $(( 3 * dim )) $dim 0 $hasBias $quarter
EOF
}

# AttentionKernels.GlobalAttentionTiled: one group of 64 per (64 queries, head, image): ⌈N/64⌉ × heads × batch
# groups; GlobalAttentionFlash32 the same with groups of 32 (head dim 32). Args: q, kv, output, then GlobalAttentionArgs {Batch, Queries, Keys, Heads, HeadDim, QStride, QOffset,
# KvStride, KOffset, VOffset, OutStride, OutOffset, Scale}; q and kv strided with offsets as the layers use them.
global_tiled() { # kernel batch queries keys heads headDim [queries per group, 64]
  local kernel=$1 b=$2 n=$3 m=$4 heads=$5 d=$6 g=${7:-64}
  local dim=$(( heads * d ))
  local lq=$(( b * n * (dim + 1) )) lkv=$(( b * m * 2 * dim )) lo=$(( b * n * (dim + 2) ))
  run_case "$kernel-${b}x${n}x${m}-h$heads-d$d" "$file" "${kernel#AttentionKernels.}" \
    "$(( (n + g - 1) / g * heads * b * g )) 1 1" "$g 1 1" <<EOF
$(buffer $lq -1 0.00048828125)
$(buffer $lkv -2 0.000244140625)
$(output $lo 0)
$(view $lq)
$(view $lkv)
$(view $lo)
<int size=52> $b $n $m $heads $d $(( dim + 1 )) 1 $(( 2 * dim )) 0 $dim $(( dim + 2 )) 2 $quarter
EOF
}

# NormKernels.LayerNormRows: 4 rows a group of 128 (one 32-lane warp a row): ⌈rows/4⌉ groups. Args: x, residual,
# weight, bias, y, then rows, dim, eps, addResidual. With the residual add, x is written (s = x + residual).
layer_norm() { # rows dim addResidual
  local rows=$1 dim=$2 add=$3 n=$(( $1 * $2 ))
  run_case "LayerNormRows-${rows}x${dim}-add$add" "$file" LayerNormRows "$(( (rows + 3) / 4 * 128 )) 1 1" "128 1 1" <<EOF
<size=$(( n * 4 )) float range=-1:0.0009765625:$(awk "BEGIN { printf \"%.12g\", -1 + ($n - 1) * 0.0009765625 }")>
$(buffer $n 0.5 0.0009765625)
$(buffer $dim 0.5 0.0078125)
$(buffer $dim -0.25 0.0078125)
$(output $n 0)
$(view $n)
$(view $n)
$(view $dim)
$(view $dim)
$(view $n)
<int size=4> $rows
<int size=4> $dim
<float size=4> 0.00001
<int size=4> $add
EOF
}

# DepthwiseKernels.Depthwise3x3: groups of 32 channels × 8 rows, each an 8×16-token tile: ⌈C/32⌉ × tiles × batch
# groups folded along x. Args: x, taps [9, C], bias, y, then height, width, channels, gelu.
depthwise() { # batch height width channels gelu
  local b=$1 h=$2 w=$3 c=$4 n=$(( $1 * $2 * $3 * $4 ))
  local groups=$(( (c + 31) / 32 * ((h + 7) / 8) * ((w + 15) / 16) * b ))
  run_case "Depthwise3x3-${b}x${h}x${w}x${c}-gelu$5" "$file" Depthwise3x3 "$(( groups * 32 )) 8 1" "32 8 1" <<EOF
$(buffer $n -1 0.0009765625)
$(buffer $(( 9 * c )) -0.5 0.00390625)
$(buffer $c 0.25 0.0078125)
$(output $n 0)
$(view $n)
$(view $(( 9 * c )))
$(view $c)
$(view $n)
<int size=4> $h
<int size=4> $w
<int size=4> $c
<int size=4> $5
EOF
}

shopt -s nullglob
files=("$dump"/*.cl20.cl)
[ ${#files[@]} -gt 0 ] || { echo "no OpenCL C 2.0 files in $dump (run: hilo kernels dump $dump)"; exit 1; }
for file in "${files[@]}"; do
  # A kernel uses shared memory when its OpenCL C declares local memory (ILGPU: `local float varN[...]`).
  grep -qE '\blocal[[:space:]]+[A-Za-z_][A-Za-z0-9_]*[[:space:]]*(\*|[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\[)' "$file" || continue
  kernel="$(basename "$file" .cl20.cl)"
  case "$kernel" in
    TiledGemmKernels.TiledGemm)
      gemm 16 40 40 20 20 40 1 0 0      # partial 64×64 tile, K not a multiple of 16, bias
      gemm 8 70 33 37 40 35 0 1 0       # T = 8: 32×32 tiles, strided A and C, GELU
      gemm 16 65 70 16 16 70 1 0 1 ;;   # one row and six columns past a tile, fused residual add
    BlockGemmKernels.BlockGemm128)
      block_gemm BlockGemm128 130 97 19 21 100 1 0 0   # partial second row tile, 97 of 128 columns, K = 2 slices + 3, bias
      block_gemm BlockGemm128 3 130 8 8 130 0 1 0      # 3 rows, a second column tile of 2, one whole slice, GELU
      block_gemm BlockGemm128 129 20 1 3 25 1 0 1 ;;   # K = 1, strided A and C, fused residual add
    BlockGemmKernels.BlockGemm64x96)
      block_gemm BlockGemm64x96 70 97 19 21 100 1 0 0  # partial row and column tiles (97 = 96 + 1), K = 2 slices + 3
      block_gemm BlockGemm64x96 1 96 17 17 96 0 1 0    # M = 1, N = 96 exactly, GELU
      block_gemm BlockGemm64x96 65 40 1 3 45 1 0 1 ;;  # K = 1, strided A and C, fused residual add
    AttentionKernels.WindowAttentionGrouped)
      window_grouped 2 7 7 4 2 8 1      # 7×7 in 4×4 windows: padded keys from padKv, relative-position bias
      window_grouped 1 8 8 8 1 32 0 ;;  # one full 8×8 window, head dim 32, no bias
    AttentionKernels.GlobalAttentionTiled)
      global_tiled "$kernel" 2 70 100 2 16   # a partial block of queries, a partial second key tile
      global_tiled "$kernel" 1 5 64 1 64 ;;  # one full tile, the largest head dim
    AttentionKernels.GlobalAttentionFlash32)
      global_tiled "$kernel" 2 33 101 2 32 32 ;;   # a partial block of queries, a last tile of 5 keys (chunk padding)
    AttentionKernels.WindowAttentionPacked32)
      window_grouped 2 5 7 2 2 32 1 WindowAttentionPacked32 16   # 2×2 windows, 12 a map (padded), bias
      window_grouped 1 7 8 3 1 32 0 WindowAttentionPacked32 7    # s = 3: zero slots between windows
      window_grouped 1 9 10 7 1 32 1 WindowAttentionPacked32 1 ;; # 7×7 windows on a padded map, 49 of 64 lanes
    NormKernels.LayerNormRows)
      layer_norm 6 37 0      # a partial second group of rows, C not a multiple of 32
      layer_norm 5 100 1     # the residual add (x written), four lanes with a fourth element
      layer_norm 3 800 1 ;;  # past the 768-element stash: re-read from x after the add wrote it
    DepthwiseKernels.Depthwise3x3)
      depthwise 2 9 19 37 1  # partial tiles along rows, columns and channels, GELU
      depthwise 1 8 16 32 0  # one exact tile
      depthwise 1 3 2 5 0 ;; # a map smaller than the tile
    *)
      echo "FAILED: $kernel uses local memory but tools/oclgrind-check.sh has no case for it"; fail=1 ;;
  esac
done
# DeformKernels.DeformGather uses no shared memory, but its corners are computed from learned offsets: run it too, with
# offsets from −3 to +3 that put samples on and past every edge (the bounds checker sees any corner read outside x).
# One warp per (cell, tap), 4 a group. Args: x, offsets, cols, then items, height, width, cin, k, outH, outW.
deform="$dump/DeformKernels.DeformGather.cl20.cl"
if [ -f "$deform" ]; then
  b=1; h=7; w=9; c=37; k=2; cells=$(( b * (h / k) * (w / k) )); items=$(( cells * k * k ))
  file="$deform"
  run_case "DeformGather-${b}x${h}x${w}x${c}-k$k" "$file" DeformGather "$(( (items + 3) / 4 * 32 )) 4 1" "32 4 1" <<EOF
$(buffer $(( b * h * w * c )) -1 0.0009765625)
$(buffer $(( cells * 2 * k * k )) -3 0.0625)
$(output $(( items * c )) 0)
$(view $(( b * h * w * c )))
$(view $(( cells * 2 * k * k )))
$(view $(( items * c )))
<int size=4> $items
<int size=4> $h
<int size=4> $w
<int size=4> $c
<int size=4> $k
<int size=4> $(( h / k ))
<int size=4> $(( w / k ))
EOF
fi
echo "oclgrind: $runs runs of the shared-memory kernels and the deformable gather ($( [ $fail = 0 ] && echo clean || echo 'with findings'))"
[ "$runs" -gt 0 ] || { echo "no kernel using local memory found in $dump"; exit 1; }
exit $fail

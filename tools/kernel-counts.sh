#!/usr/bin/env bash
# What the ILGPU kernels execute, counted without a GPU: oclgrind (Debian package `oclgrind`) runs each kernel's
# OpenCL C on a scaled-down LITv2-S shape with its instruction counter (`--inst-counts`), and this script turns the
# histogram into per-output figures that decide speed on a GPU:
#   global B/out  bytes read and written in global memory per output element (the DRAM/L2 traffic, before caches)
#   local ld/mul  shared-memory loads per multiply (an FMA is one fmul + one fadd in oclgrind's counts: OpenCL C
#                 without -cl-mad-enable); a GPU issues at most one shared load per 1-2 FMAs at full speed
#   priv ld/mul   private-memory loads per multiply (arrays indexed by loop variables: on CUDA a stack frame in local
#                 memory, see ptxas)
#   inst/mul      every counted instruction per multiply (index arithmetic, branches, barriers: issue overhead)
# These are counts, not times: exact for the shapes run, independent of the machine. docs/gpu.md turns them into
# estimates. Kernels missing from the dump are listed as such (older or newer builds).
# Usage: tools/kernel-counts.sh DUMP_DIR   (DUMP_DIR from `hilo kernels dump DUMP_DIR`)
set -euo pipefail
dump="$1"
source "$(dirname "$0")/oclgrind-sim.sh"   # view, buffer, output, quarter; checks for oclgrind-kernel
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

printf '| %-28s | %-34s | %9s | %11s | %12s | %10s | %9s | %8s |\n' kernel shape outputs "read B/out" "write B/out" "local ld/mul" "priv ld/mul" "inst/mul"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..30})" "$(printf -- '-%.0s' {1..36})" "-----------" "-------------" "--------------" "------------" "-----------" "----------"

# One count: $1 kernel (Class.Method), $2 shape label, $3 outputs, $4 NDRange, $5 group; arguments on stdin.
count() {
  local kernel="$1" file="$dump/$1.cl20.cl" sim="$work/$1.sim" out="$work/$1.counts"
  if [ ! -f "$file" ]; then
    cat > /dev/null
    printf '| %-28s | %-34s | %9s | %11s | %12s | %10s | %9s | %8s |\n' "${kernel#*.}" "$2" "$3" "not in dump" "" "" "" ""
    return
  fi
  { echo "$file"; echo "Kernel_${kernel#*.}"; echo "$4"; echo "$5"; cat; } > "$sim"
  if ! oclgrind-kernel --inst-counts --build-options "-cl-std=CL2.0" "$sim" > "$out" 2>&1; then
    # e.g. ILGPU.Algorithms' group reductions become work_group_reduce_add, which oclgrind does not implement.
    printf '| %-28s | %-34s | %9s | %s |\n' "${kernel#*.}" "$2" "$3" "oclgrind cannot run it: $(grep -m1 -E 'Undefined|error|Error' "$out" | cut -c1-80)"
    return
  fi
  awk -v k="${kernel#*.}" -v s="$2" -v outs="$3" '
    /load global/   { gsub(/[()]/, ""); rb += $(NF-1) }
    /store global/  { gsub(/[()]/, ""); wb += $(NF-1) }
    /load local/    { ll += $1 }
    /load private/  { pl += $1 }
    / - fmul$/      { mul += $1 }
    / - /           { inst += $1 }
    END {
      m = mul > 0 ? mul : 1
      printf "| %-28s | %-34s | %9d | %11.1f | %12.1f | %10.3f | %9.3f | %8.2f |\n", k, s, outs, rb / outs, wb / outs, ll / m, pl / m, inst / m
    }' "$out"
}

# GEMM C = A·B (+bias) with TiledGemmArgs {M, N, K, Lda, Ldb, Ldc, HasBias, Gelu, Accumulate}; args a, b, bias, c.
gemm_args() { # m n k
  local m=$1 n=$2 k=$3
  cat <<EOF
$(buffer $(( m * k )) -1 0.0078125)
$(buffer $(( k * n )) -2 0.00390625)
$(buffer $n 0.5 0.125)
$(output $(( m * n )) 0)
$(view $(( m * k )))
$(view $(( k * n )))
$(view $n)
$(view $(( m * n )))
<int size=36> $m $n $k $k $n $n 1 0 0
EOF
}
tiled_gemm() { # T m n k (TiledGemmKernels.TiledShape)
  local t=$1 m=$2 n=$3 k=$4 tile=$(( 4 * $1 ))
  gemm_args $m $n $k | count TiledGemmKernels.TiledGemm "T=$t, ${m}x${k}x${n}" $(( m * n )) \
    "$(( (n + tile - 1) / tile * ((m + tile - 1) / tile) * t )) $t 1" "$t $t 1"
}
block_gemm() { # kernel m n k (BlockGemmKernels.Shape: 1-D groups of 256 or 128)
  local kernel=$1 m=$2 n=$3 k=$4 th tw threads
  if [ "$kernel" = BlockGemm128 ]; then th=128; tw=128; threads=256; else th=64; tw=96; threads=128; fi
  gemm_args $m $n $k | count "BlockGemmKernels.$kernel" "${m}x${k}x${n}" $(( m * n )) \
    "$(( (n + tw - 1) / tw * ((m + th - 1) / th) * threads )) 1 1" "$threads 1 1"
}
row_block_gemm() { # m n k (TiledGemmKernels.RowBlockShape)
  local m=$1 n=$2 k=$3
  gemm_args $m $n $k | count TiledGemmKernels.RowBlockGemm "${m}x${k}x${n}" $(( m * n )) \
    "$(( (n + 31) / 32 * ((m + 7) / 8) * 32 )) 1 1" "32 1 1"
}

# Global attention (Lo-Fi): GlobalAttentionArgs {Batch, Queries, Keys, Heads, HeadDim, QStride, QOffset, KvStride,
# KOffset, VOffset, OutStride, OutOffset, Scale}; dense q (N × dim), kv (M × 2·dim), output (N × dim).
global_attention() { # kernel label queries keys heads headDim group
  local kernel=$1 n=$3 m=$4 heads=$5 d=$6 group=$7 dim=$(( $5 * $6 ))
  count "$kernel" "$2" $(( n * dim )) "$(( (n + group - 1) / group * heads * group )) 1 1" "$group 1 1" <<EOF
$(buffer $(( n * dim )) -1 0.00048828125)
$(buffer $(( m * 2 * dim )) -2 0.000244140625)
$(output $(( n * dim )) 0)
$(view $(( n * dim )))
$(view $(( m * 2 * dim )))
$(view $(( n * dim )))
<int size=52> 1 $n $m $heads $d $dim 0 $(( 2 * dim )) 0 $dim $dim 0 $quarter
EOF
}

# Window attention (Hi-Fi): WindowAttentionArgs {Batch, Height, Width, Window, Heads, HeadDim, QkvStride, OutStride,
# OutOffset, HasBias, Scale}; packed qkv (H·W × 3·dim), padKv (2·dim), output (H·W × dim); no bias.
window_attention() { # kernel label height width window heads headDim ndrange group
  local kernel=$1 h=$3 w=$4 s=$5 heads=$6 d=$7 dim=$(( $6 * $7 ))
  count "$kernel" "$2" $(( h * w * dim )) "$8" "$9" <<EOF
$(buffer $(( h * w * 3 * dim )) -1 0.00048828125)
$(buffer $(( 2 * dim )) 0 0.0078125)
$(buffer $(( 2 * dim )) 0 0.0078125)
$(output $(( h * w * dim )) 0)
$(view $(( h * w * 3 * dim )))
$(view $(( 2 * dim )))
$(view $(( 2 * dim )))
$(view $(( h * w * dim )))
<int size=44> 1 $h $w $s $heads $d $(( 3 * dim )) $dim 0 0 $quarter
EOF
}

# LayerNorm over rows: x, residual, weight, bias, y, rows, dim, eps, addResidual; one 32-lane warp per row, 4 rows a
# group of 128 (NormKernels.LayerNormShape). $3 = 1: the residual add fused (x written too).
layer_norm() { # rows dim addResidual
  local rows=$1 dim=$2 add=${3:-0}
  count NormKernels.LayerNormRows "${rows} rows x $dim$( [ "$add" = 1 ] && echo ', + residual')" $(( rows * dim )) "$(( (rows + 3) / 4 * 128 )) 1 1" "128 1 1" <<EOF
$(buffer $(( rows * dim )) -1 0.0009765625)
$(buffer $(( rows * dim )) 0.5 0.0009765625)
$(buffer $dim 0.5 0.0078125)
$(buffer $dim -0.5 0.0078125)
$(output $(( rows * dim )) 0)
$(view $(( rows * dim )))
$(view $(( rows * dim )))
$(view $dim)
$(view $dim)
$(view $(( rows * dim )))
<int size=4> $rows
<int size=4> $dim
<float size=4> 0.00001
<int size=4> $add
EOF
}

# Depthwise 3×3 + GELU: x, taps [9, C], bias, y, height, width, channels, gelu; groups of 32 channels × 8 rows, each an
# 8×16-token tile with its halo in shared memory (DepthwiseKernels.LaunchShape).
depthwise() { # height width channels
  local h=$1 w=$2 c=$3
  local groups=$(( (c + 31) / 32 * ((h + 7) / 8) * ((w + 15) / 16) ))
  count DepthwiseKernels.Depthwise3x3 "${h}x${w}x$c, GELU" $(( h * w * c )) "$(( groups * 32 )) 8 1" "32 8 1" <<EOF
$(buffer $(( h * w * c )) -1 0.0009765625)
$(buffer $(( 9 * c )) -0.5 0.0009765625)
$(buffer $c 0 0.0078125)
$(output $(( h * w * c )) 0)
$(view $(( h * w * c )))
$(view $(( 9 * c )))
$(view $c)
$(view $(( h * w * c )))
<int size=4> $h
<int size=4> $w
<int size=4> $c
<int size=4> 1
EOF
}

# Deformable gather (DTM, k = 2): x, offsets, cols, items, height, width, cin, k, outH, outW; one warp per (cell, tap),
# 4 a group. Offsets from −1.5 to +1.5.
deform_gather() { # height width cin
  local h=$1 w=$2 c=$3 k=2
  local cells=$(( (h / 2) * (w / 2) )) items=$(( (h / 2) * (w / 2) * 4 ))
  count DeformKernels.DeformGather "${h}x${w}x$c, k=2" $(( items * c )) "$(( (items + 3) / 4 * 32 )) 4 1" "32 4 1" <<EOF
$(buffer $(( h * w * c )) -1 0.0009765625)
$(buffer $(( cells * 8 )) -1.5 0.001953125)
$(output $(( items * c )) 0)
$(view $(( h * w * c )))
$(view $(( cells * 8 )))
$(view $(( items * c )))
<int size=4> $items
<int size=4> $h
<int size=4> $w
<int size=4> $c
<int size=4> $k
<int size=4> $(( h / 2 ))
<int size=4> $(( w / 2 ))
EOF
}

# Shapes: LITv2-S at one image, scaled down where oclgrind would take minutes (rows of the GEMMs, the map of the
# depthwise convolution); per-output figures do not depend on the row count once tiles are full.
tiled_gemm 16 128 384 96      # stage 1 fc1 (K = 96): 128 of its 3,136 rows
tiled_gemm 16 128 96 384      # stage 1 fc2 (N = 96)
row_block_gemm 128 384 96
block_gemm BlockGemm128 128 384 96    # the same two GEMMs with the block tiles
block_gemm BlockGemm128 128 96 384
block_gemm BlockGemm64x96 128 384 96
block_gemm BlockGemm64x96 128 96 384
global_attention AttentionKernels.GlobalAttention "Lo-Fi stage 3: 196 q, 49 k, 2x32" 196 49 2 32 64
global_attention AttentionKernels.GlobalAttentionFlash32 "Lo-Fi stage 3: 196 q, 49 k, 2x32" 196 49 2 32 32
global_attention AttentionKernels.GlobalAttentionTiled "Lo-Fi stage 3: 196 q, 49 k, 2x32" 196 49 2 32 64
window_attention AttentionKernels.WindowAttentionGrouped "Hi-Fi stage 3: 14x14, s=2, 2x32" 14 14 2 2 32 \
  "$(( 49 * 2 * 64 )) 1 1" "64 1 1"
window_attention AttentionKernels.WindowAttentionPacked32 "Hi-Fi stage 3: 14x14, s=2, 2x32" 14 14 2 2 32 \
  "$(( (49 + 15) / 16 * 2 * 64 )) 1 1" "64 1 1"   # 16 windows of 2×2 a group
layer_norm 256 96             # stage 1 norm: 256 of its 3,136 rows
layer_norm 256 384 1          # stage 3 norm2 after the attention's residual add (HiLo blocks)
depthwise 14 14 384           # stage 1 hidden width on a 14×14 map (stage 1 is 56×56)
deform_gather 16 16 96         # stage 1→2 DTM on a 16×16 corner of the 56×56 map

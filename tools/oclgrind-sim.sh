# Sourced by tools/oclgrind-check.sh and tools/kernel-counts.sh: what both need to run an ILGPU kernel's OpenCL C
# under oclgrind-kernel. A .sim file names the program, the kernel, the NDRange and group size, then one line per
# kernel argument. ILGPU's kernel ABI: each ArrayView<float> is a `global float*` plus, after all pointers, a struct
# {int offset; long length} (written here as four ints: offset, padding, length low and high words); a struct
# parameter is passed by value (written as its ints; a float field as its IEEE-754 bit pattern).
command -v oclgrind-kernel >/dev/null || { echo "oclgrind-kernel not found (apt-get install oclgrind)"; exit 1; }
quarter=1048576000   # 0.25f as int bits (an attention scale)

view() { echo "<int size=16> 0 0 $1 0"; }                          # the {offset, length} struct of a view of $1 floats
# $1 floats from $2 in steps of $3 (a power of two, so that oclgrind counts exactly $1 values).
buffer() { echo "<size=$(( $1 * 4 )) float range=$2:$3:$(awk "BEGIN { printf \"%.12g\", $2 + ($1 - 1) * $3 }") ro>"; }
output() { echo "<size=$(( $1 * 4 )) float fill=$2>"; }             # written by the kernel (and read: accumulate)

// What NVRTC predefines for a CUDA C++ source, declared for clang-14 so the tests can compile generated
// CUDA C to PTX without the CUDA SDK:
//   clang-14 -x cuda --cuda-device-only -nocudainc -nocudalib --cuda-gpu-arch=sm_70 -S -o out.ptx \
//       -include tools/cuda-prelude.h kernel.cu
// Only what generated kernels use: execution-space attributes, the built-in index variables, barriers
// (__syncthreads is a clang builtin), math functions, integer min/max/abs, conversions, bit casts, atomics.
// The math functions stay external (no libdevice), which is enough to check that the code compiles.

#define __device__ __attribute__((device))
#define __global__ __attribute__((global))
#define __shared__ __attribute__((shared))
#define __host__ __attribute__((host))
#define __forceinline__ __inline__ __attribute__((always_inline))

typedef unsigned int uint;

// threadIdx, blockIdx, blockDim, gridDim: .x/.y/.z read the PTX special registers.
#define HILO_SPECIAL_REGISTER(Type, reg)                                                        \
    struct Type                                                                                 \
    {                                                                                           \
        static __device__ uint get_x() { return __nvvm_read_ptx_sreg_##reg##_x(); }             \
        static __device__ uint get_y() { return __nvvm_read_ptx_sreg_##reg##_y(); }             \
        static __device__ uint get_z() { return __nvvm_read_ptx_sreg_##reg##_z(); }             \
        __declspec(property(get = get_x)) uint x;                                               \
        __declspec(property(get = get_y)) uint y;                                               \
        __declspec(property(get = get_z)) uint z;                                               \
    }
HILO_SPECIAL_REGISTER(hilo_prelude_tid, tid);
HILO_SPECIAL_REGISTER(hilo_prelude_ctaid, ctaid);
HILO_SPECIAL_REGISTER(hilo_prelude_ntid, ntid);
HILO_SPECIAL_REGISTER(hilo_prelude_nctaid, nctaid);
extern const __device__ hilo_prelude_tid threadIdx;
extern const __device__ hilo_prelude_ctaid blockIdx;
extern const __device__ hilo_prelude_ntid blockDim;
extern const __device__ hilo_prelude_nctaid gridDim;

// Math functions (C linkage, as in the CUDA math API).
#define HILO_MATH1(name) extern "C" __device__ float name##f(float); extern "C" __device__ double name(double);
#define HILO_MATH2(name) extern "C" __device__ float name##f(float, float); extern "C" __device__ double name(double, double);
HILO_MATH1(sqrt) HILO_MATH1(rsqrt) HILO_MATH1(exp) HILO_MATH1(log) HILO_MATH1(log2) HILO_MATH1(log10)
HILO_MATH1(sin) HILO_MATH1(cos) HILO_MATH1(tan) HILO_MATH1(asin) HILO_MATH1(acos) HILO_MATH1(atan)
HILO_MATH1(sinh) HILO_MATH1(cosh) HILO_MATH1(tanh) HILO_MATH1(floor) HILO_MATH1(ceil) HILO_MATH1(trunc)
HILO_MATH1(rint) HILO_MATH1(fabs) HILO_MATH1(erf) HILO_MATH1(cbrt)
HILO_MATH2(pow) HILO_MATH2(atan2) HILO_MATH2(fmod) HILO_MATH2(copysign)
extern "C" __device__ float fmaf(float, float, float);
extern "C" __device__ double fma(double, double, double);

// Integer min/max/abs overloads.
#define HILO_MINMAX(T)                                                                           \
    static __device__ __forceinline__ T min(T a, T b) { return a < b ? a : b; }                  \
    static __device__ __forceinline__ T max(T a, T b) { return a > b ? a : b; }
HILO_MINMAX(int) HILO_MINMAX(unsigned int) HILO_MINMAX(long long) HILO_MINMAX(unsigned long long)
static __device__ __forceinline__ int abs(int a) { return a < 0 ? -a : a; }
static __device__ __forceinline__ long long llabs(long long a) { return a < 0 ? -a : a; }

// Float to integer, rounding toward zero, saturating, NaN to 0.
static __device__ __forceinline__ int __float2int_rz(float x) { return __nvvm_f2i_rz(x); }
static __device__ __forceinline__ unsigned int __float2uint_rz(float x) { return __nvvm_f2ui_rz(x); }
static __device__ __forceinline__ long long __float2ll_rz(float x) { return __nvvm_f2ll_rz(x); }
static __device__ __forceinline__ unsigned long long __float2ull_rz(float x) { return __nvvm_f2ull_rz(x); }
static __device__ __forceinline__ int __double2int_rz(double x) { return __nvvm_d2i_rz(x); }
static __device__ __forceinline__ unsigned int __double2uint_rz(double x) { return __nvvm_d2ui_rz(x); }
static __device__ __forceinline__ long long __double2ll_rz(double x) { return __nvvm_d2ll_rz(x); }
static __device__ __forceinline__ unsigned long long __double2ull_rz(double x) { return __nvvm_d2ull_rz(x); }

// Bit casts.
static __device__ __forceinline__ int __float_as_int(float x) { return __nvvm_bitcast_f2i(x); }
static __device__ __forceinline__ float __int_as_float(int x) { return __nvvm_bitcast_i2f(x); }
static __device__ __forceinline__ long long __double_as_longlong(double x) { return __nvvm_bitcast_d2ll(x); }
static __device__ __forceinline__ double __longlong_as_double(long long x) { return __nvvm_bitcast_ll2d(x); }

// Atomics on global or shared memory (generic addresses); each returns the old value.
static __device__ __forceinline__ int atomicAdd(int* p, int v) { return __nvvm_atom_add_gen_i(p, v); }
static __device__ __forceinline__ float atomicAdd(float* p, float v) { return __nvvm_atom_add_gen_f(p, v); }
static __device__ __forceinline__ int atomicMin(int* p, int v) { return __nvvm_atom_min_gen_i(p, v); }
static __device__ __forceinline__ int atomicMax(int* p, int v) { return __nvvm_atom_max_gen_i(p, v); }
static __device__ __forceinline__ int atomicExch(int* p, int v) { return __nvvm_atom_xchg_gen_i(p, v); }
static __device__ __forceinline__ int atomicCAS(int* p, int compare, int v) { return __nvvm_atom_cas_gen_i(p, compare, v); }

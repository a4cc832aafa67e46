using System.Runtime.InteropServices;
using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.Cpu;

namespace Hilo.Ilgpu.Tests.Backends;

/// <summary>A struct parameter whose C layout has padding: int at 0, double at 8, float at 16, size 24.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct CudaTestMixed : IEquatable<CudaTestMixed>
{
    public int A;
    public double B;
    public float C;

    public readonly bool Equals(CudaTestMixed other) => A == other.A && B.Equals(other.B) && C.Equals(other.C);

    public override readonly bool Equals(object? obj) => obj is CudaTestMixed other && Equals(other);

    public override readonly int GetHashCode() => HashCode.Combine(A, B, C);

    public static bool operator ==(CudaTestMixed left, CudaTestMixed right) => left.Equals(right);

    public static bool operator !=(CudaTestMixed left, CudaTestMixed right) => !left.Equals(right);

    public override readonly string ToString() => $"({A}, {B}, {C})";
}

/// <summary>
/// Hand-written kernel descriptors shaped like the generator's output (docs/internals/kernel-abi.md): CUDA C
/// following the native ABI plus C# bodies, so the same descriptors run on the managed CPU backend (which
/// checks the test logic here) and on CUDA devices. The OpenCL source is empty: these are CUDA-only tests.
/// </summary>
public static class CudaTestKernels
{
    public static KernelDescriptor VectorAdd => VectorAddKernel.Instance;

    public static KernelDescriptor Affine => AffineKernel.Instance;

    public static KernelDescriptor Grid2D => Grid2DKernel.Instance;

    public static KernelDescriptor BlockSum => BlockSumKernel.Instance;

    public static KernelDescriptor Count => CountKernel.Instance;

    public static KernelDescriptor Broken => BrokenKernel.Instance;

    /// <summary>Every descriptor whose CUDA source must compile.</summary>
    public static IReadOnlyList<KernelDescriptor> Valid => [VectorAdd, Affine, Grid2D, BlockSum, Count];

    // c[i] = a[i] + b[i]
    private sealed class VectorAddKernel : KernelDescriptor
    {
        public static readonly VectorAddKernel Instance = new();

        private VectorAddKernel() : base("Hilo.Ilgpu.Tests.CudaTestKernels.VectorAdd", "hilo_test_vector_add", "", Source,
            [new("a", KernelParameterKind.View, "ArrayView<float>"), new("b", KernelParameterKind.View, "ArrayView<float>"), new("c", KernelParameterKind.View, "ArrayView<float>")],
            usesBarriers: false, usesDoubles: false, sharedMemoryBytes: 0)
        {
        }

        private const string Source = """
            extern "C" __global__ void hilo_test_vector_add(
                const float* a_ptr, int a_offset, int a_length,
                const float* b_ptr, int b_offset, int b_length,
                float* c_ptr, int c_offset, int c_length,
                int hilo_global_x, int hilo_global_y, int hilo_global_z)
            {
                int id_x = (int)(blockIdx.x * blockDim.x + threadIdx.x);
                int id_y = (int)(blockIdx.y * blockDim.y + threadIdx.y);
                int id_z = (int)(blockIdx.z * blockDim.z + threadIdx.z);
                if (id_x >= hilo_global_x || id_y >= hilo_global_y || id_z >= hilo_global_z) return;
                c_ptr[c_offset + id_x] = a_ptr[a_offset + id_x] + b_ptr[b_offset + id_x];
            }
            """;

        protected override bool IsArgumentOfType(int index, object? arg) => index is >= 0 and < 3 && arg is ArrayView<float>;

        public override void WriteArguments(ReadOnlySpan<object?> args, IKernelArgumentWriter w)
        {
            w.View((ArrayView<float>)args[0]!);
            w.View((ArrayView<float>)args[1]!);
            w.View((ArrayView<float>)args[2]!);
        }

        public override CpuKernelBody CreateCpuBody(ReadOnlySpan<object?> args) =>
            new Body((ArrayView<float>)args[0]!, (ArrayView<float>)args[1]!, (ArrayView<float>)args[2]!);

        private sealed class Body(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c) : CpuKernelBody
        {
            public override void Run()
            {
                int i = Compute.Grid.GlobalIndex.X;
                c[i] = a[i] + b[i];
            }
        }
    }

    // y[i] = flag != 0 ? p.A * i + (float)p.B + p.C : -1
    private sealed class AffineKernel : KernelDescriptor
    {
        public static readonly AffineKernel Instance = new();

        private AffineKernel() : base("Hilo.Ilgpu.Tests.CudaTestKernels.Affine", "hilo_test_affine", "", Source,
            [new("y", KernelParameterKind.View, "ArrayView<float>"), new("p", KernelParameterKind.Struct, "CudaTestMixed"), new("flag", KernelParameterKind.Scalar, "bool")],
            usesBarriers: false, usesDoubles: true, sharedMemoryBytes: 0)
        {
        }

        private const string Source = """
            struct CudaTestMixed
            {
                int A;
                double B;
                float C;
            };

            extern "C" __global__ void hilo_test_affine(
                float* y_ptr, int y_offset, int y_length,
                CudaTestMixed p,
                int flag,
                int hilo_global_x, int hilo_global_y, int hilo_global_z)
            {
                int id_x = (int)(blockIdx.x * blockDim.x + threadIdx.x);
                if (id_x >= hilo_global_x) return;
                y_ptr[y_offset + id_x] = flag != 0 ? (float)(p.A * id_x) + (float)p.B + p.C : -1.0f;
            }
            """;

        protected override bool IsArgumentOfType(int index, object? arg) => index switch
        {
            0 => arg is ArrayView<float>,
            1 => arg is CudaTestMixed,
            2 => arg is bool,
            _ => false,
        };

        public override void WriteArguments(ReadOnlySpan<object?> args, IKernelArgumentWriter w)
        {
            w.View((ArrayView<float>)args[0]!);
            w.Scalar((CudaTestMixed)args[1]!);
            w.Scalar((bool)args[2]! ? 1 : 0);
        }

        public override CpuKernelBody CreateCpuBody(ReadOnlySpan<object?> args) =>
            new Body((ArrayView<float>)args[0]!, (CudaTestMixed)args[1]!, (bool)args[2]!);

        private sealed class Body(ArrayView<float> y, CudaTestMixed p, bool flag) : CpuKernelBody
        {
            public override void Run()
            {
                int i = Compute.Grid.GlobalIndex.X;
                y[i] = flag ? (float)(p.A * i) + (float)p.B + p.C : -1f;
            }
        }
    }

    // m[y, x] = x + 1000 * y over a 2D view with a row stride.
    private sealed class Grid2DKernel : KernelDescriptor
    {
        public static readonly Grid2DKernel Instance = new();

        private Grid2DKernel() : base("Hilo.Ilgpu.Tests.CudaTestKernels.Grid2D", "hilo_test_grid2d", "", Source,
            [new("m", KernelParameterKind.View2D, "ArrayView2D<int>")],
            usesBarriers: false, usesDoubles: false, sharedMemoryBytes: 0)
        {
        }

        private const string Source = """
            extern "C" __global__ void hilo_test_grid2d(
                int* m_ptr, int m_offset, int m_length, int m_width, int m_height, int m_stride,
                int hilo_global_x, int hilo_global_y, int hilo_global_z)
            {
                int id_x = (int)(blockIdx.x * blockDim.x + threadIdx.x);
                int id_y = (int)(blockIdx.y * blockDim.y + threadIdx.y);
                int id_z = (int)(blockIdx.z * blockDim.z + threadIdx.z);
                if (id_x >= hilo_global_x || id_y >= hilo_global_y || id_z >= hilo_global_z) return;
                if (id_x < m_width && id_y < m_height)
                {
                    m_ptr[m_offset + id_y * m_stride + id_x] = id_x + 1000 * id_y;
                }
            }
            """;

        protected override bool IsArgumentOfType(int index, object? arg) => index == 0 && arg is ArrayView2D<int>;

        public override void WriteArguments(ReadOnlySpan<object?> args, IKernelArgumentWriter w) => w.View2D((ArrayView2D<int>)args[0]!);

        public override CpuKernelBody CreateCpuBody(ReadOnlySpan<object?> args) => new Body((ArrayView2D<int>)args[0]!);

        private sealed class Body(ArrayView2D<int> m) : CpuKernelBody
        {
            public override void Run()
            {
                var id = Compute.Grid.GlobalIndex;
                if (id.X < m.Width && id.Y < m.Height)
                {
                    m[id.Y, id.X] = id.X + 1000 * id.Y;
                }
            }
        }
    }

    // output[group] = sum of the group's 256 inputs, by a tree reduction in shared memory.
    private sealed class BlockSumKernel : KernelDescriptor
    {
        public const int GroupSize = 256;
        public static readonly BlockSumKernel Instance = new();

        private BlockSumKernel() : base("Hilo.Ilgpu.Tests.CudaTestKernels.BlockSum", "hilo_test_block_sum", "", Source,
            [new("input", KernelParameterKind.View, "ArrayView<float>"), new("output", KernelParameterKind.View, "ArrayView<float>")],
            usesBarriers: true, usesDoubles: false, sharedMemoryBytes: GroupSize * sizeof(float))
        {
        }

        private const string Source = """
            extern "C" __global__ void hilo_test_block_sum(
                const float* input_ptr, int input_offset, int input_length,
                float* output_ptr, int output_offset, int output_length,
                int hilo_global_x, int hilo_global_y, int hilo_global_z)
            {
                __shared__ __align__(64) float tile[256];
                int local = (int)threadIdx.x;
                int id_x = (int)(blockIdx.x * blockDim.x + threadIdx.x);
                tile[local] = input_ptr[input_offset + id_x];
                __syncthreads();
                for (int step = 128; step > 0; step >>= 1)
                {
                    if (local < step)
                    {
                        tile[local] += tile[local + step];
                    }
                    __syncthreads();
                }
                if (local == 0)
                {
                    output_ptr[output_offset + (int)blockIdx.x] = tile[0];
                }
            }
            """;

        protected override bool IsArgumentOfType(int index, object? arg) => index is 0 or 1 && arg is ArrayView<float>;

        public override void WriteArguments(ReadOnlySpan<object?> args, IKernelArgumentWriter w)
        {
            w.View((ArrayView<float>)args[0]!);
            w.View((ArrayView<float>)args[1]!);
        }

        public override CpuKernelBody CreateCpuBody(ReadOnlySpan<object?> args) => new Body((ArrayView<float>)args[0]!, (ArrayView<float>)args[1]!);

        private sealed class Body(ArrayView<float> input, ArrayView<float> output) : CpuKernelBody
        {
            public override void Run() => throw new NotSupportedException("This kernel uses barriers.");

            public override IEnumerator<object?> RunPhased()
            {
                var tile = SharedMemory.Allocate<float>(GroupSize);
                int local = Group.Index.X;
                tile[local] = input[Compute.Grid.GlobalIndex.X];
                yield return null;
                for (int step = 128; step > 0; step >>= 1)
                {
                    if (local < step)
                    {
                        tile[local] += tile[local + step];
                    }
                    yield return null;
                }
                if (local == 0)
                {
                    output[Compute.Grid.GroupIndex.X] = tile[0];
                }
            }
        }
    }

    // counter[0] += 1 per work-item, atomically (contention on one address).
    private sealed class CountKernel : KernelDescriptor
    {
        public static readonly CountKernel Instance = new();

        private CountKernel() : base("Hilo.Ilgpu.Tests.CudaTestKernels.Count", "hilo_test_count", "", Source,
            [new("counter", KernelParameterKind.View, "ArrayView<int>")],
            usesBarriers: false, usesDoubles: false, sharedMemoryBytes: 0)
        {
        }

        private const string Source = """
            extern "C" __global__ void hilo_test_count(
                int* counter_ptr, int counter_offset, int counter_length,
                int hilo_global_x, int hilo_global_y, int hilo_global_z)
            {
                int id_x = (int)(blockIdx.x * blockDim.x + threadIdx.x);
                if (id_x >= hilo_global_x) return;
                atomicAdd(&counter_ptr[counter_offset], 1);
            }
            """;

        protected override bool IsArgumentOfType(int index, object? arg) => index == 0 && arg is ArrayView<int>;

        public override void WriteArguments(ReadOnlySpan<object?> args, IKernelArgumentWriter w) => w.View((ArrayView<int>)args[0]!);

        public override CpuKernelBody CreateCpuBody(ReadOnlySpan<object?> args) => new Body((ArrayView<int>)args[0]!);

        private sealed class Body(ArrayView<int> counter) : CpuKernelBody
        {
            public override void Run() => Atomic.Add(ref counter[0], 1);
        }
    }

    // Does not compile: NVRTC must report the undeclared identifier in its log.
    private sealed class BrokenKernel : KernelDescriptor
    {
        public const string Marker = "hilo_undeclared_identifier";
        public static readonly BrokenKernel Instance = new();

        private BrokenKernel() : base("Hilo.Ilgpu.Tests.CudaTestKernels.Broken", "hilo_test_broken", "", Source,
            [new("x", KernelParameterKind.View, "ArrayView<float>")],
            usesBarriers: false, usesDoubles: false, sharedMemoryBytes: 0)
        {
        }

        private const string Source = """
            extern "C" __global__ void hilo_test_broken(
                float* x_ptr, int x_offset, int x_length,
                int hilo_global_x, int hilo_global_y, int hilo_global_z)
            {
                x_ptr[x_offset] = hilo_undeclared_identifier;
            }
            """;

        protected override bool IsArgumentOfType(int index, object? arg) => index == 0 && arg is ArrayView<float>;

        public override void WriteArguments(ReadOnlySpan<object?> args, IKernelArgumentWriter w) => w.View((ArrayView<float>)args[0]!);

        public override CpuKernelBody CreateCpuBody(ReadOnlySpan<object?> args) => throw new NotSupportedException("CUDA-only test kernel.");
    }
}

using Hilo.Ilgpu.Kernels.Gemm;

namespace Hilo.Ilgpu.Tests.Kernels;

/// <summary>Kernels only the CPU family has (they run on the CPU accelerator alone), against their references.</summary>
public sealed class CpuFamilyKernelTests(CpuFamilyFixture fixture) : IClassFixture<CpuFamilyFixture>
{
    private ComputeDevice Device => fixture.Get();

    private static float[] RandomFloats(Random rng, int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1))];

    [Fact]
    public void PackTransposedKernelMatchesHostPacking()
    {
        const int K = 37, N = 45, Ld = 40;
        var rng = new Random(11);
        float[] bt = RandomFloats(rng, N * Ld);
        float[] dense = new float[N * K];
        for (int c = 0; c < N; c++)
        {
            Array.Copy(bt, c * Ld, dense, c * K, K);
        }
        using var source = Device.Upload(bt, bt.Length);
        using var packed = Device.Upload(Enumerable.Repeat(float.NaN, PanelGemmCpu.PackedLength(K, N)).ToArray(), PanelGemmCpu.PackedLength(K, N));
        PanelGemmCpu.PackTransposed(Device.Kernels, source.View, Ld, packed.View, K, N);
        Assert.Equal(PanelGemmCpu.PackTransposedOnHost(dense, K, N), packed.ToArray());
    }
}

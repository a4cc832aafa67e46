using System.Text.RegularExpressions;

namespace Hilo.Ilgpu.Tests.Kernels;

/// <summary>
/// The device code ILGPU emits for every kernel (what <c>hilo kernels dump</c> writes): OpenCL barriers order the
/// local memory their kernel uses, and at <c>OptimizationLevel.O2</c> every PTX load and store names its state space.
/// </summary>
[Collection(DumpCollection)]
public sealed class KernelCodeTests
{
    /// <summary>The xUnit collection of the tests that compile every kernel for every target (run one at a time).</summary>
    public const string DumpCollection = "kernel dump";

    private static readonly Lazy<List<DumpResult>> Dump = new(() => [.. KernelDump.CompileAll(KernelCatalog.Ilgpu)]);

    private static string Squeeze(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    [Fact]
    public void EveryOpenCLBarrierInAKernelWithLocalMemoryFencesIt()
    {
        var cl = Dump.Value.Where(r => r.Target.Extension == ".cl").ToList();
        Assert.All(cl, r => Assert.True(r.Code is not null, $"{r.Kernel.Name} ({r.Target.Name}): {r.Error}"));
        var shared = cl.Where(r => KernelCodeChecks.UsesLocalMemory(r.Code!)).ToList();
        // The kernels that stage tiles in shared memory, for both OpenCL C versions.
        Assert.Contains(shared, r => r.Kernel.Name == "TiledGemmKernels.TiledGemm");
        Assert.Contains(shared, r => r.Kernel.Name == "AttentionKernels.WindowAttentionGrouped");
        Assert.Contains(shared, r => r.Kernel.Name == "BlockGemmKernels.BlockGemm128");
        Assert.Contains(shared, r => r.Kernel.Name == "BlockGemmKernels.BlockGemm64x96");
        foreach (var r in shared)
        {
            Assert.True(KernelCodeChecks.UnfencedBarriers(r.Code!).Count == 0,
                $"{r.Kernel.Name} ({r.Target.Name}): {string.Join("; ", KernelCodeChecks.UnfencedBarriers(r.Code!))}");
            Assert.Contains(Squeeze(SharedBarrier.OpenCLStatement), Squeeze(r.Code!), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void PtxHasNoGenericLoadsOrStores()
    {
        var ptx = Dump.Value.Where(r => r.Target.Extension == ".ptx").ToList();
        Assert.All(ptx, r => Assert.True(r.Code is not null, $"{r.Kernel.Name} ({r.Target.Name}): {r.Error}"));
        int total = ptx.Sum(r => KernelCodeChecks.MemoryInstructionCount(r.Code!));
        Assert.True(total > 100, $"only {total} memory instructions found: the PTX pattern no longer matches ILGPU's output");
        foreach (var r in ptx)
        {
            var generic = KernelCodeChecks.GenericMemoryInstructions(r.Code!);
            Assert.True(generic.Count == 0, $"{r.Kernel.Name} ({r.Target.Name}): {generic.Count} generic, e.g. {generic.FirstOrDefault()}");
        }
    }

    [Fact]
    public void EveryKernelsStaticSharedMemoryFitsAGroupOnEveryGpu()
    {
        var ptx = Dump.Value.Where(r => r.Target.Extension == ".ptx" && r.Code is not null).ToList();
        var sizes = ptx.ToDictionary(r => $"{r.Kernel.Name} ({r.Target.Name})", r => KernelCodeChecks.StaticSharedBytes(r.Code!));
        // The tiled GEMM's shared tiles (8 KiB in the sm_80 dump) are found: the pattern matches ILGPU's declarations.
        Assert.True(sizes["TiledGemmKernels.TiledGemm (sm_80)"] > 0, "no shared declaration found in the tiled GEMM's PTX");
        Assert.All(sizes, kv => Assert.True(kv.Value <= KernelCodeChecks.MaxStaticSharedBytes, $"{kv.Key}: {kv.Value} bytes of static shared memory"));
    }

    [Fact]
    public void SharedMemoryCheckSumsEveryDeclarationOfAModule()
    {
        const string Ptx = """
            .visible .entry k(
            {
            	.shared .align 4 .b8 __shared_alloca0[16384];
            	.shared .align 4 .b8 __shared_alloca1[32768];
            	.shared .align 8 .f32 tile[1024];
            	ld.shared.f32	%f1, [%rd2];
            """;
        Assert.Equal(16384 + 32768 + 4096, KernelCodeChecks.StaticSharedBytes(Ptx));
        Assert.True(KernelCodeChecks.StaticSharedBytes(Ptx) > KernelCodeChecks.MaxStaticSharedBytes);
        Assert.Equal(0, KernelCodeChecks.StaticSharedBytes("ld.global.f32 %f1, [%rd2];"));
    }

    [Fact]
    public void PtxOfTheSharedMemoryKernelsUsesSharedLoadsAndABarrier()
    {
        var gemm = Dump.Value.Single(r => r.Kernel.Name == "TiledGemmKernels.TiledGemm" && r.Target.Name == "sm_80").Code!;
        Assert.Contains("ld.shared.f32", gemm, StringComparison.Ordinal);
        Assert.Contains("st.shared.f32", gemm, StringComparison.Ordinal);
        Assert.Contains("ld.global.f32", gemm, StringComparison.Ordinal);
        Assert.Contains("bar.sync", gemm, StringComparison.Ordinal);
    }

    [Fact]
    public void BlockGemmsReadSharedTilesSixteenBytesAtATime()
    {
        // BlockGemmKernels reads its shared tiles as 16-byte values: ILGPU must keep emitting ld.shared.v4.f32 (8 per
        // 2-step loop iteration: 2 A and 2 B reads per k in BlockGemm128, 1 A and 3 B in BlockGemm64x96), and no
        // scalar shared loads; one barrier in the K loop plus the one after the first slice.
        foreach (string kernel in new[] { "BlockGemmKernels.BlockGemm128", "BlockGemmKernels.BlockGemm64x96" })
        {
            foreach (string target in new[] { "sm_80", "sm_90" })
            {
                string ptx = Dump.Value.Single(r => r.Kernel.Name == kernel && r.Target.Name == target).Code!;
                Assert.Equal(8, Regex.Count(ptx, @"ld\.shared\.v4\.f32"));
                Assert.Equal(0, Regex.Count(ptx, @"ld\.shared\.f32"));
                Assert.Equal(2, Regex.Count(ptx, @"bar\.sync"));
                Assert.Matches(@"\.shared \.align 16 ", ptx);
            }
        }
    }

    [Fact]
    public void BarrierCheckFindsAGlobalOnlyFenceOnlyWhereLocalMemoryIsUsed()
    {
        const string Tiled = "kernel void k(global float* a) {\n\tlocal float tile[64];\n\ttile[0] = a[0];\n\t work_group_barrier ( CLK_GLOBAL_MEM_FENCE );\n\ta[1] = tile[1];\n}";
        Assert.True(KernelCodeChecks.UsesLocalMemory(Tiled));
        Assert.Equal(["work_group_barrier ( CLK_GLOBAL_MEM_FENCE )"], KernelCodeChecks.UnfencedBarriers(Tiled));
        Assert.Empty(KernelCodeChecks.UnfencedBarriers(Tiled.Replace("CLK_GLOBAL_MEM_FENCE", "CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE", StringComparison.Ordinal)));
        const string Plain = "kernel void k(global float* a) {\n\ta[0] = get_local_id(0);\n\t work_group_barrier ( CLK_GLOBAL_MEM_FENCE );\n}";
        Assert.False(KernelCodeChecks.UsesLocalMemory(Plain));
        Assert.Empty(KernelCodeChecks.UnfencedBarriers(Plain));
        Assert.True(KernelCodeChecks.UsesLocalMemory("typedef local float* type_4;"));
    }

    [Fact]
    public void GenericCheckFindsLoadsAndStoresWithoutAStateSpace()
    {
        const string Ptx = "\tld.param.u64 \t%rd1, [p];\n\tld.f32 \t%f1, [%rd2];\n\t@%p1 st.global.f32 \t[%rd3], %f1;\n"
            + "\tst.v2.f32 \t[%rd4], {%f1, %f2};\n\tld.shared.f32 \t%f3, [%r1];\n\tatom.add.f32 \t%f4, [%rd5], %f1;\n";
        Assert.Equal(["ld.f32 \t%f1, [%rd2];", "st.v2.f32 \t[%rd4], {%f1, %f2};", "atom.add.f32 \t%f4, [%rd5], %f1;"],
            KernelCodeChecks.GenericMemoryInstructions(Ptx));
        Assert.Equal(6, KernelCodeChecks.MemoryInstructionCount(Ptx));
    }
}

using Hilo.Ilgpu.Compute.Generator.Translate;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Hilo.Ilgpu.Tests.Generator;

/// <summary>Specific translation rules (exact C# semantics, ABI, naming), checked on fragments of the output.</summary>
public class TranslationTests
{
    private static GeneratedKernel Kernel(string parameters, string body, string extra = "")
    {
        string source = $$"""
            namespace T;
            {{extra}}
            public static partial class K
            {
                [Kernel]
                public static void M({{parameters}})
                {
            {{body}}
                }
            }
            """;
        return GeneratorHarness.RunClean(source).Kernel("M");
    }

    private static void Both(GeneratedKernel k, string fragment)
    {
        Assert.Contains(fragment, k.OpenCL, StringComparison.Ordinal);
        Assert.Contains(fragment, k.Cuda, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1f, "1.0f")]
    [InlineData(0.1f, "0.1f")]
    [InlineData(1e-5f, "1e-05f")]
    [InlineData(-2.5f, "-2.5f")]
    [InlineData(16777216f, "16777216.0f")]
    [InlineData(3.4028235e38f, "3.4028235e+38f")]
    [InlineData(1.401298464e-45f, "1e-45f")]
    public void FloatLiteralsRoundTrip(float value, string expected)
    {
        string text = Literals.Float(value, Dialect.OpenCL).Text;
        Assert.Equal(expected, text);
        Assert.Equal(value, float.Parse(text.TrimEnd('f'), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void SpecialFloatsUseMacrosOrBitPatterns()
    {
        Assert.Equal("NAN", Literals.Float(float.NaN, Dialect.OpenCL).Text);
        Assert.Equal("-INFINITY", Literals.Float(float.NegativeInfinity, Dialect.OpenCL).Text);
        Assert.Equal("__int_as_float(0x7f800000)", Literals.Float(float.PositiveInfinity, Dialect.Cuda).Text);
        Assert.Equal("__longlong_as_double(0x7ff8000000000000LL)", Literals.Double(double.NaN, Dialect.Cuda).Text);
    }

    [Fact]
    public void ExtremeIntegersAndLongSuffixes()
    {
        var k = Kernel("ArrayView<int> a, ArrayView<long> b", "a[0] = int.MinValue; b[0] = long.MinValue; b[1] = 3;");
        Both(k, "a.ptr[0] = (-2147483647 - 1);");
        Assert.Contains("(-9223372036854775807L - 1L)", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("(-9223372036854775807LL - 1LL)", k.Cuda, StringComparison.Ordinal);
        Assert.Contains("b.ptr[1] = 3LL;", k.Cuda, StringComparison.Ordinal);
        Assert.Contains("long long* b_ptr", k.Cuda, StringComparison.Ordinal);
    }

    [Fact]
    public void IntUnsignedCompareHappensInLongLikeCSharp()
    {
        var k = Kernel("ArrayView<int> a, int x, uint y", "a[0] = x < y ? 1 : 0;");
        Assert.Contains("(long)x < (long)y", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("(long long)x < (long long)y", k.Cuda, StringComparison.Ordinal);
    }

    [Fact]
    public void SignedArithmeticWrapsThroughUnsigned()
    {
        var k = Kernel("ArrayView<int> a, int x, int y", "a[0] = x * y + 1; int n = -x; n += y; a[1] = n;");
        Both(k, "a.ptr[0] = (int)((uint)x * (uint)y + 1u);");
        Both(k, "int n = (int)(-(uint)x);");
        Both(k, "n = (int)((uint)n + (uint)y);");
    }

    [Fact]
    public void ProvablyInRangeArithmeticStaysPlain()
    {
        var k = Kernel("ArrayView<long> a, ArrayView<byte> b, int x, int y",
            "a[0] = (long)x * y; b[0] = (byte)(b[1] + b[2]); for (int i = 0; i < x; i++) { a[i] = i; }");
        Assert.Contains("a.ptr[0] = (long)x * (long)y;", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("a.ptr[0] = (long long)x * (long long)y;", k.Cuda, StringComparison.Ordinal);
        Both(k, "(uchar)((int)b.ptr[1] + (int)b.ptr[2])");
        Both(k, "for (int i = 0; i < x; i++)");
    }

    [Fact]
    public void LoopCounterAssignedInBodyWraps()
    {
        var k = Kernel("ArrayView<int> a, int n", "for (int i = 0; i < n; i++) { i = a[i]; }");
        Both(k, "i = (int)((uint)i + 1u))");
    }

    [Fact]
    public void ShiftCountsAreMasked()
    {
        var k = Kernel("ArrayView<int> a, ArrayView<long> b, int n", "a[0] = a[1] >> n; b[0] = b[1] >> n; a[2] = 1 << 33; a[3] = 1 << 31; a[4] = a[5] >>> 3;");
        Both(k, "a.ptr[1] >> (n & 31)");
        Both(k, "b.ptr[1] >> (n & 63)");
        Both(k, "a.ptr[2] = 2;");
        Both(k, "a.ptr[3] = (-2147483647 - 1);");
        Both(k, "a.ptr[4] = (int)((uint)a.ptr[5] >> 3);");
    }

    [Fact]
    public void FloatRemainderIsFmod()
    {
        var k = Kernel("ArrayView<float> a, ArrayView<double> d", "a[0] = a[1] % a[2]; a[3] %= 2f; d[0] = d[1] % d[2];");
        Assert.Contains("a.ptr[0] = fmod(a.ptr[1], a.ptr[2]);", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("a.ptr[0] = fmodf(a.ptr[1], a.ptr[2]);", k.Cuda, StringComparison.Ordinal);
        Assert.Contains("a.ptr[3] = fmodf(a.ptr[3], 2.0f);", k.Cuda, StringComparison.Ordinal);
        Assert.Contains("d.ptr[0] = fmod(d.ptr[1], d.ptr[2]);", k.Cuda, StringComparison.Ordinal);
    }

    [Fact]
    public void FloatToIntegerConversionsSaturate()
    {
        var k = Kernel("ArrayView<float> f, ArrayView<int> i, ArrayView<uint> u, ArrayView<long> l, ArrayView<short> s",
            "i[0] = (int)f[0]; u[0] = (uint)f[1]; l[0] = (long)f[2]; s[0] = (short)f[3];");
        Assert.Contains("i.ptr[0] = convert_int_sat(f.ptr[0]);", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("u.ptr[0] = convert_uint_sat(f.ptr[1]);", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("l.ptr[0] = convert_long_sat(f.ptr[2]);", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("s.ptr[0] = (short)convert_int_sat(f.ptr[3]);", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("i.ptr[0] = __float2int_rz(f.ptr[0]);", k.Cuda, StringComparison.Ordinal);
        Assert.Contains("u.ptr[0] = __float2uint_rz(f.ptr[1]);", k.Cuda, StringComparison.Ordinal);
        Assert.Contains("l.ptr[0] = __float2ll_rz(f.ptr[2]);", k.Cuda, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxMinUseTheNaNExactHelperNotFmax()
    {
        var k = Kernel("ArrayView<float> a", "a[0] = MathF.Max(a[1], a[2]); a[3] = MathF.Min(a[4], 0f); a[5] = MathF.Round(a[6]);");
        Both(k, "hilo_max_f32(a.ptr[1], a.ptr[2])");
        Both(k, "if (a != a || b != b)");
        Assert.DoesNotContain("fmax", k.OpenCL.Replace("C's fmax", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("rint(a.ptr[6])", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("rintf(a.ptr[6])", k.Cuda, StringComparison.Ordinal);
    }

    [Fact]
    public void FloatClassification()
    {
        var k = Kernel("ArrayView<float> a, ArrayView<int> b", "b[0] = float.IsNaN(a[0]) ? 1 : 0; b[1] = float.IsInfinity(a[1]) || float.IsFinite(a[2]) ? 1 : 0;");
        Assert.Contains("isnan(a.ptr[0]) ? 1 : 0", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("isinf(a.ptr[1]) || isfinite(a.ptr[2])", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("hilo_isnan_f32(a.ptr[0]) ? 1 : 0", k.Cuda, StringComparison.Ordinal);
        Assert.Contains("return (__float_as_int(x) & 0x7fffffff) > 0x7f800000;", k.Cuda, StringComparison.Ordinal);
    }

    [Fact]
    public void Fp64PragmaOnlyWhenDoublesAreUsed()
    {
        var single = Kernel("ArrayView<float> a", "a[0] = 1f;");
        Assert.DoesNotContain("cl_khr_fp64", single.OpenCL, StringComparison.Ordinal);
        Assert.Contains("usesDoubles: false", single.CSharp, StringComparison.Ordinal);
        var twice = Kernel("ArrayView<float> a", "a[0] = (float)Math.Sqrt(a[1]);");
        Assert.StartsWith("#pragma OPENCL FP_CONTRACT OFF\n#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n", twice.OpenCL, StringComparison.Ordinal);
        Assert.Contains("usesDoubles: true", twice.CSharp, StringComparison.Ordinal);
    }

    [Fact]
    public void BoolParameterTravelsAsInt()
    {
        var k = Kernel("ArrayView<int> a, bool flag", "a[0] = flag ? 1 : 2;");
        Both(k, "int flag_arg,");
        Both(k, "bool flag = flag_arg != 0;");
        Assert.Contains("writer.Scalar((bool)args[1]! ? 1 : 0);", k.CSharp, StringComparison.Ordinal);
    }

    [Fact]
    public void AbiSignatureAndEntryGuard()
    {
        var k = Kernel("ArrayView<float> a, ArrayView2D<int> b, ArrayView3D<double> c, float s",
            "a[0] = s + b[1, 2] + (float)c[1, 2, 3];");
        Assert.Contains("__kernel void M(\n    __global float* a_ptr, int a_offset, int a_length,\n" +
            "    __global int* b_ptr, int b_offset, int b_length, int b_width, int b_height, int b_stride,\n" +
            "    __global double* c_ptr, int c_offset, int c_length, int c_width, int c_height, int c_depth, int c_rowStride, int c_sliceStride,\n" +
            "    float s,\n    int hilo_global_x, int hilo_global_y, int hilo_global_z)", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("extern \"C\" __global__ void M(", k.Cuda, StringComparison.Ordinal);
        Both(k, "b.data.ptr[1 * b.stride + 2]");
        Both(k, "c.data.ptr[1 * c.sliceStride + 2 * c.rowStride + 3]");
        Assert.Contains("if ((int)get_global_id(0) >= hilo_global_x ||", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("writer.View2D(", k.CSharp, StringComparison.Ordinal);
        Assert.Contains("writer.View3D(", k.CSharp, StringComparison.Ordinal);
        Assert.Contains("KernelParameterKind.View3D, \"ArrayView3D<double>\"", k.CSharp, StringComparison.Ordinal);
    }

    [Fact]
    public void BarrierKernelHasPhasedIteratorAndNoGuard()
    {
        var k = Kernel("ArrayView<float> a",
            "var t = SharedMemory.Allocate<float>(10);\n t[Group.Index.X] = a[Grid.GlobalIndex.X];\n Group.Barrier();\n if (Group.Index.X == 0) { a[0] = t[1]; }\n return;");
        Assert.DoesNotContain("hilo_global_x ||", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("__local float t_data[10];", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("__shared__ float t_data[10];", k.Cuda, StringComparison.Ordinal);
        Both(k, "hilo_lview_float t = { t_data, 10 };");
        Assert.Contains("barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("__syncthreads();", k.Cuda, StringComparison.Ordinal);
        Assert.Contains("usesBarriers: true", k.CSharp, StringComparison.Ordinal);
        Assert.Contains("sharedMemoryBytes: 64", k.CSharp, StringComparison.Ordinal);
        Assert.Contains("yield return null;", k.CSharp, StringComparison.Ordinal);
        Assert.Contains("yield break;", k.CSharp, StringComparison.Ordinal);
        Assert.Contains("RunPhased() => global::T.K.__HiloPhased_M(a);", k.CSharp, StringComparison.Ordinal);
    }

    [Fact]
    public void SharedAllocationsRoundUpTo64Bytes()
    {
        var k = Kernel("ArrayView<float> a",
            "var x = SharedMemory.Allocate<double>(9);\n var y = SharedMemory.Allocate<byte>(1);\n var z = SharedMemory.Allocate<int>(16);\n Group.Barrier();\n a[0] = (float)x[0] + y[0] + z[0];");
        Assert.Contains("sharedMemoryBytes: 256", k.CSharp, StringComparison.Ordinal); // 72 -> 128, 1 -> 64, 64 -> 64
    }

    [Fact]
    public void KeywordsAndReservedNamesAreRenamed()
    {
        var k = Kernel("ArrayView<float> global, int half", "int min = half; float hilo_x = global[min]; global[0] = hilo_x;");
        Both(k, "int min_ = half_;");
        Both(k, "float hilo_x_ = global_.ptr[min_];");
        Assert.Contains("__global float* global__ptr", k.OpenCL, StringComparison.Ordinal);
    }

    [Fact]
    public void KernelNamedLikeAKeywordGetsARenamedEntryPoint()
    {
        var run = GeneratorHarness.RunClean("namespace T; public static partial class K { [Kernel] public static void kernel(ArrayView<int> a) { a[0] = 1; } }");
        var k = run.Kernels.Single();
        Assert.Contains("__kernel void kernel_(", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("base(\"T.K.kernel\", \"kernel_\",", k.CSharp, StringComparison.Ordinal);
    }

    [Fact]
    public void OverloadedHelpersGetTypeSuffixes()
    {
        var k = Kernel("ArrayView<float> a, ArrayView<int> b", "a[0] = H.Sq(a[1]); b[0] = H.Sq(b[1]);",
            "public static class H { public static float Sq(float x) => x * x; public static int Sq(int x) => x * x; }");
        Both(k, "a.ptr[0] = H_Sq_float(a.ptr[1]);");
        Both(k, "b.ptr[0] = H_Sq_int(b.ptr[1]);");
        Assert.Contains("__device__ float H_Sq_float(float x)", k.Cuda, StringComparison.Ordinal);
    }

    [Fact]
    public void StructsKeepFieldOrderAndZeroInitialise()
    {
        var k = Kernel("ArrayView<P> a, P origin", "P p = default; p.Y = origin.X; a[0] = p; a[1] = new P();",
            "public struct P { public float Y; public int X; public double Z; }");
        Both(k, "typedef struct\n{\n    float Y;\n    int X;\n    double Z;\n} P;");
        Both(k, "P p = {0};");
        Assert.Contains("a.ptr[1] = (P){0};", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("a.ptr[1] = P();", k.Cuda, StringComparison.Ordinal);
        Assert.Contains("KernelParameterKind.Struct", k.CSharp, StringComparison.Ordinal);
    }

    [Fact]
    public void AtomicsMapPerDialect()
    {
        var k = Kernel("ArrayView<int> a, ArrayView<float> f",
            "Atomic.Add(ref a[0], 1); Atomic.CompareExchange(ref a[1], 2, 3); Atomic.Add(ref f[0], 1f);");
        Assert.Contains("atomic_add(&a.ptr[0], 1);", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("atomic_cmpxchg(&a.ptr[1], 2, 3);", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("hilo_atomic_add_f32_global(&f.ptr[0], 1.0f);", k.OpenCL, StringComparison.Ordinal);
        Assert.Contains("atomicCAS(&a.ptr[1], 2, 3);", k.Cuda, StringComparison.Ordinal);
        Assert.Contains("atomicAdd(&f.ptr[0], 1.0f);", k.Cuda, StringComparison.Ordinal);
    }

    [Fact]
    public void GlobalSizeInHelperIsReportedNotMiscompiled()
    {
        var run = GeneratorHarness.Run("""
            namespace T;
            public static class H { public static int N() => Grid.GlobalSize.X; }
            public static partial class K { [Kernel] public static void M(ArrayView<int> a) { a[0] = H.N(); } }
            """);
        Assert.Empty(run.Kernels);
        Assert.Contains(run.Diagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("HILO", StringComparison.Ordinal));
    }

    [Fact]
    public void SwitchSectionLocalsUsedAcrossSectionsAreReported()
    {
        var run = GeneratorHarness.Run("""
            namespace T;
            public static partial class K
            {
                [Kernel]
                public static void M(ArrayView<int> a)
                {
                    switch (a[0])
                    {
                        case 0:
                            int t = 1;
                            a[1] = t;
                            break;
                        default:
                            t = 2;
                            a[2] = t;
                            break;
                    }
                }
            }
            """);
        Assert.Empty(run.Kernels);
        Assert.Contains(run.Diagnostics, d => d.Id == "HILO0900" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("another switch section", StringComparison.Ordinal));
    }

    [Fact]
    public void KernelModelIsCachedWhenAnUnrelatedFileChanges()
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var kernel = CSharpSyntaxTree.ParseText(
            "using Hilo.Ilgpu.Compute; namespace T; public static partial class K { [Kernel] public static void M(ArrayView<int> a) { a[0] = 1; } }", options,
            cancellationToken: TestContext.Current.CancellationToken);
        var other = CSharpSyntaxTree.ParseText("namespace T; public class Other { }", options, cancellationToken: TestContext.Current.CancellationToken);
        var compilation = CSharpCompilation.Create("Cache", new[] { kernel, other },
            new[] { MetadataReference.CreateFromFile(typeof(object).Assembly.Location), MetadataReference.CreateFromFile(typeof(Hilo.Ilgpu.Compute.ArrayView<>).Assembly.Location) },
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new Hilo.Ilgpu.Compute.Generator.KernelGenerator().AsSourceGenerator() },
            parseOptions: options, driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGenerators(compilation, TestContext.Current.CancellationToken);
        var changed = compilation.ReplaceSyntaxTree(other, CSharpSyntaxTree.ParseText("namespace T; public class Other { int x; }", options, cancellationToken: TestContext.Current.CancellationToken));
        driver = driver.RunGenerators(changed, TestContext.Current.CancellationToken);
        var outputs = driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs);
        Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    [Fact]
    public void EditingAHelperInAnotherFileRegeneratesTheKernel()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var kernel = CSharpSyntaxTree.ParseText(
            "using Hilo.Ilgpu.Compute; namespace T; public static partial class K { [Kernel] public static void M(ArrayView<int> a) { a[0] = H.F(); } }",
            options, cancellationToken: ct);
        var helper = CSharpSyntaxTree.ParseText("namespace T; public static class H { public static int F() => 1; }", options, cancellationToken: ct);
        var compilation = CSharpCompilation.Create("Helpers", new[] { kernel, helper },
            new[] { MetadataReference.CreateFromFile(typeof(object).Assembly.Location), MetadataReference.CreateFromFile(typeof(Hilo.Ilgpu.Compute.ArrayView<>).Assembly.Location) },
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new Hilo.Ilgpu.Compute.Generator.KernelGenerator().AsSourceGenerator() }, parseOptions: options);
        driver = driver.RunGenerators(compilation, ct);
        var changed = compilation.ReplaceSyntaxTree(helper,
            CSharpSyntaxTree.ParseText("namespace T; public static class H { public static int F() => 42; }", options, cancellationToken: ct));
        driver = driver.RunGenerators(changed, ct);
        string text = driver.GetRunResult().Results.Single().GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("return 42;", text, StringComparison.Ordinal);
    }
}

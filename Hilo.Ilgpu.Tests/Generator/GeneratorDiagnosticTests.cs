using System.Collections.Immutable;
using Hilo.Ilgpu.Compute.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static Hilo.Ilgpu.Tests.Generator.ValidatorDriver;

namespace Hilo.Ilgpu.Tests.Generator;

/// <summary>End to end: the incremental generator reports the validator's diagnostics and emits nothing for such kernels.</summary>
public class GeneratorDiagnosticTests
{
    private static (ImmutableArray<Diagnostic> Diagnostics, ImmutableArray<GeneratedSourceResult> Sources) Run(string source, params string[] others)
    {
        var compilation = Compile(source, others);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new KernelGenerator());
        driver = driver.RunGenerators(compilation, TestContext.Current.CancellationToken);
        var result = driver.GetRunResult();
        return (result.Diagnostics, result.Results.SelectMany(r => r.GeneratedSources).ToImmutableArray());
    }

    [Fact]
    public void GeneratorReportsValidatorErrorsAndSkipsTheKernel()
    {
        string source = InClass("""
                [Kernel]
                public static void Bad(ArrayView<int> b, int n)
                {
                    /*@*/Console.WriteLine(n);
                }

                [Kernel]
                public static void Good(ArrayView<int> b, int n)
                {
                    b[Grid.GlobalIndex.X] = n;
                }
            """);
        var (diagnostics, sources) = Run(source);
        var hit = Assert.Single(diagnostics, d => d.Id == "HILO0034");
        Assert.Equal(DiagnosticSeverity.Error, hit.Severity);
        Assert.Contains("Console.WriteLine is not available in kernels", hit.GetMessage(), StringComparison.Ordinal);
        int position = source.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length;
        Assert.Equal(position, hit.Location.SourceSpan.Start);
        Assert.DoesNotContain(sources, s => s.HintName.Contains(".Bad.", StringComparison.Ordinal));
        Assert.Contains(sources, s => s.HintName.Contains(".Good.", StringComparison.Ordinal));
    }

    [Fact]
    public void GeneratorReportsDivergentBarrier()
    {
        var (diagnostics, sources) = Run(InClass("""
                [Kernel]
                public static void Bad(ArrayView<int> b, int n)
                {
                    if (Grid.GlobalIndex.X >= n) return;
                    Group.Barrier();
                    b[0] = 1;
                }
            """));
        Assert.Contains(diagnostics, d => d.Id == "HILO0087");
        Assert.Empty(sources);
    }

    [Fact]
    public void ValidKernelsTranslateWithoutAnyDiagnostic()
    {
        // The validator's allow-list and the translator must agree: what passes validation must translate.
        string source = InClass("""
                public struct Pair { public int Key; public float Value; }
                private const int Tile = 16;

                [Kernel]
                public static void Mixed(ArrayView<float> a, ArrayView<int> b, ArrayView2D<float> m, int n, float s, bool flag, Pair p)
                {
                    var tile = SharedMemory.Allocate<float>(Tile);
                    int i = Grid.GlobalIndex.X;
                    int lid = Group.Index.X;
                    tile[lid] = i < n ? a[i] : 0f;
                    Group.Barrier();
                    for (int stride = Group.Size.X / 2; stride > 0; stride >>= 1)
                    {
                        if (lid < stride) tile[lid] += tile[lid + stride];
                        Group.Barrier();
                    }
                    if (i >= n) return;
                    float v = MathF.Exp(a[i]) + KernelMath.Rsqrt(s) + MathF.Max(a[i], 0f) + m[0, 1];
                    Pair q = new Pair();
                    q.Key = p.Key + (flag ? 1 : 0);
                    switch (q.Key) { case 0: v += 1f; break; default: v -= 1f; break; }
                    Float4 x = Float4.Load(a, 0) * new Float4(s);
                    v += x.Sum() + Square(v);
                    Atomic.Add(ref b[0], (int)v);
                    a[i] = v + tile[0];
                }

                private static float Square(float v) => v * v;
            """);
        var (diagnostics, sources) = Run(source);
        Assert.True(diagnostics.IsEmpty, string.Join("\n", diagnostics));
        Assert.Single(sources);
    }
}

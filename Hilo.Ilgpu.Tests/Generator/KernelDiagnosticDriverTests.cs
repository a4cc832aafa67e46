using System.Collections.Immutable;
using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.Generator.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Hilo.Ilgpu.Tests.Generator;

/// <summary>
/// Compiles a C# snippet against the kernel language and runs <see cref="KernelValidator"/> on each [Kernel]
/// method. In expectations, <c>/*@*/</c> marks where the diagnostic must start.
/// </summary>
internal static class ValidatorDriver
{
    public const string Marker = "/*@*/";

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        string runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => string.Equals(Path.GetDirectoryName(p), runtimeDir, StringComparison.Ordinal));
        return framework.Append(typeof(ArrayView<>).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    });

    /// <summary>A file with the usual usings and <paramref name="members"/> in <c>public static partial class K</c>.</summary>
    public static string InClass(string members) => $$"""
        using System;
        using System.Linq;
        using Hilo.Ilgpu.Compute;

        namespace T;

        public static partial class K
        {
        {{members}}
        }
        """;

    /// <summary>A kernel <c>Run(ArrayView&lt;float&gt; a, ArrayView&lt;int&gt; b, int n)</c> with <paramref name="body"/>, plus <paramref name="members"/>.</summary>
    public static string Kernel(string body, string members = "") => InClass($$"""
            [Kernel]
            public static void Run(ArrayView<float> a, ArrayView<int> b, int n)
            {
        {{body}}
            }
        {{members}}
        """);

    /// <summary>Compiles <paramref name="source"/> (as Kernels.cs) and <paramref name="others"/> (Other0.cs, ...); asserts no C# errors.</summary>
    public static CSharpCompilation Compile(string source, params string[] others)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = others.Select((text, i) => CSharpSyntaxTree.ParseText(text, options, path: $"Other{i}.cs", cancellationToken: TestContext.Current.CancellationToken))
            .Prepend(CSharpSyntaxTree.ParseText(source, options, path: "Kernels.cs", cancellationToken: TestContext.Current.CancellationToken));
        var compilation = CSharpCompilation.Create("KernelSnippet", trees, References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Disable));
        var errors = compilation.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "The test snippet does not compile:\n" + string.Join("\n", errors) + "\n" + source);
        return compilation;
    }

    /// <summary>All validator diagnostics for every [Kernel] method of <paramref name="source"/>.</summary>
    public static ImmutableArray<Diagnostic> Validate(string source, params string[] others)
    {
        var compilation = Compile(source, others);
        var result = ImmutableArray.CreateBuilder<Diagnostic>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var method in tree.GetRoot(TestContext.Current.CancellationToken).DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                if (model.GetDeclaredSymbol(method, TestContext.Current.CancellationToken) is { } symbol &&
                    symbol.GetAttributes().Any(a => a.AttributeClass?.Name == nameof(KernelAttribute)))
                {
                    result.AddRange(KernelValidator.Validate(symbol, method, model, TestContext.Current.CancellationToken));
                }
            }
        }
        return result.ToImmutable();
    }

    /// <summary>
    /// Asserts that <paramref name="source"/> produces <paramref name="id"/> starting at the marker, with a message
    /// containing <paramref name="fragment"/>, and no diagnostic with another ID except <paramref name="alsoAllowed"/>.
    /// </summary>
    public static void Expect(string source, string id, string fragment, params string[] alsoAllowed)
    {
        int marker = source.IndexOf(Marker, StringComparison.Ordinal);
        Assert.True(marker >= 0, "The snippet has no " + Marker + " marker.");
        int position = marker + Marker.Length;
        var expected = SourceTextPosition(source, position);
        var diagnostics = Validate(source);
        string all = string.Join("\n", diagnostics.Select(d => $"{d.Id} {d.Location.GetLineSpan().StartLinePosition}: {d.GetMessage()}"));
        var hit = diagnostics.FirstOrDefault(d => d.Id == id && d.Location.GetLineSpan().StartLinePosition == expected);
        Assert.True(hit is not null, $"Expected {id} at {expected}; got:\n{all}\n--- source ---\n{source}");
        Assert.Equal(DiagnosticSeverity.Error, hit.Severity);
        Assert.Equal("Hilo.Kernel", hit.Descriptor.Category);
        Assert.Equal("Kernels.cs", hit.Location.GetLineSpan().Path);
        Assert.Contains(fragment, hit.GetMessage(), StringComparison.Ordinal);
        var unexpected = diagnostics.Where(d => d.Id != id && !alsoAllowed.Contains(d.Id)).ToList();
        Assert.True(unexpected.Count == 0, $"Unexpected diagnostics besides {id}:\n{all}");
    }

    /// <summary>Asserts that the validator has nothing to say about <paramref name="source"/>.</summary>
    public static void ExpectNone(string source, params string[] others)
    {
        var diagnostics = Validate(source, others);
        Assert.True(diagnostics.IsEmpty, "Expected no diagnostics; got:\n" +
            string.Join("\n", diagnostics.Select(d => $"{d.Id} {d.Location.GetLineSpan().StartLinePosition}: {d.GetMessage()}")));
    }

    private static LinePosition SourceTextPosition(string source, int position)
    {
        var text = SourceText.From(source);
        return text.Lines.GetLinePosition(position);
    }
}

public class KernelDiagnosticDriverTests
{
    [Fact]
    public void MarkerPositionIsTheDiagnosticStart()
    {
        ValidatorDriver.Expect(ValidatorDriver.Kernel("        /*@*/Console.WriteLine(n);"), "HILO0034", "Console.WriteLine is not available in kernels");
    }

    [Fact]
    public void EveryDescriptorIsAnErrorInTheKernelCategoryWithItsOwnId()
    {
        var descriptors = typeof(Diagnostics).GetFields()
            .Select(f => f.GetValue(null)).OfType<DiagnosticDescriptor>().ToList();
        Assert.True(descriptors.Count >= 60);
        Assert.All(descriptors, d =>
        {
            Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity);
            Assert.Equal("Hilo.Kernel", d.Category);
            Assert.Matches("^HILO[0-9]{4}$", d.Id);
        });
        Assert.Equal(descriptors.Count, descriptors.Select(d => d.Id).Distinct().Count());
    }

    [Fact]
    public void DocsListEveryId()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "HiloIlgpu.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }
        Assert.NotNull(dir);
        string docs = File.ReadAllText(Path.Combine(dir, "docs", "diagnostics.md"));
        foreach (var d in typeof(Diagnostics).GetFields().Select(f => f.GetValue(null)).OfType<DiagnosticDescriptor>())
        {
            Assert.Contains("| " + d.Id + " |", docs, StringComparison.Ordinal);
        }
    }
}

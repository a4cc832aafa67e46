using System.Collections.Immutable;
using Hilo.Ilgpu.Compute.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hilo.Ilgpu.Tests.Generator;

/// <summary>One kernel's generated output: the whole .g.cs and the two C sources inside it.</summary>
public sealed record GeneratedKernel(string HintName, string CSharp, string OpenCL, string Cuda)
{
    /// <summary>The method name (last part of the hint name before .g.cs).</summary>
    public string Method => HintName.Split('.')[^3];
}

/// <summary>The generator run over one source: kernels, generator diagnostics, and errors of the compiled result.</summary>
public sealed record GeneratorRun(
    IReadOnlyList<GeneratedKernel> Kernels, ImmutableArray<Diagnostic> Diagnostics, ImmutableArray<Diagnostic> CompileErrors)
{
    public GeneratedKernel Kernel(string method) => Kernels.Single(k => k.Method == method);
}

/// <summary>Drives <see cref="KernelGenerator"/> with <see cref="CSharpGeneratorDriver"/> on in-memory sources.</summary>
public static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToList();
        paths.Add(typeof(Hilo.Ilgpu.Compute.ArrayView<>).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static GeneratorRun Run(string source, string path = "Kernels.cs") => Run(new[] { (path, source) });

    /// <summary>Runs the generator over several source files compiled together.</summary>
    public static GeneratorRun Run(IEnumerable<(string Path, string Source)> files)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(f.Source, options, f.Path)).ToList();
        var globalUsings = CSharpSyntaxTree.ParseText(
            "global using System;\nglobal using Hilo.Ilgpu.Compute;\n", options, "GlobalUsings.cs");
        var compilation = CSharpCompilation.Create("SnapshotKernels", trees.Prepend(globalUsings), References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new KernelGenerator().AsSourceGenerator() }, parseOptions: options);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var result = driver.GetRunResult();
        var kernels = result.Results.SelectMany(r => r.GeneratedSources)
            .Select(s => Parse(s.HintName, s.SourceText.ToString()))
            .OrderBy(k => k.HintName, StringComparer.Ordinal)
            .ToList();
        var generatorDiagnostics = diagnostics.AddRange(result.Results.SelectMany(r => r.Diagnostics)).Distinct().ToImmutableArray();
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
        return new GeneratorRun(kernels, generatorDiagnostics, errors);
    }

    /// <summary>Runs the generator and asserts that it reported no errors and that its output compiles.</summary>
    public static GeneratorRun RunClean(string source)
    {
        var run = Run(source);
        Assert.True(run.Diagnostics.All(d => d.Severity != DiagnosticSeverity.Error),
            "Generator errors:\n" + string.Join("\n", run.Diagnostics));
        Assert.True(run.CompileErrors.IsEmpty, "Generated code does not compile:\n" + string.Join("\n", run.CompileErrors.Take(20).Select(Describe)));
        return run;
    }

    private static string Describe(Diagnostic d)
    {
        var tree = d.Location.SourceTree;
        string line = tree is null ? "" : tree.GetText().Lines[d.Location.GetLineSpan().StartLinePosition.Line].ToString().Trim();
        return $"{tree?.FilePath}: {d}\n    {line}";
    }

    private static GeneratedKernel Parse(string hintName, string csharp)
    {
        var root = CSharpSyntaxTree.ParseText(csharp).GetRoot();
        string Constant(string name) => root.DescendantNodes().OfType<VariableDeclaratorSyntax>()
            .Single(v => v.Identifier.ValueText == name).Initializer!.Value is LiteralExpressionSyntax lit
            ? lit.Token.ValueText
            : throw new InvalidOperationException($"{name} is not a literal in {hintName}");
        return new GeneratedKernel(hintName, csharp, Constant("OpenCLCode"), Constant("CudaCode"));
    }
}

using Hilo.Ilgpu.Compute.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static Hilo.Ilgpu.Tests.Generator.ValidatorDriver;

namespace Hilo.Ilgpu.Tests.Generator;

/// <summary>
/// The validator's allow-list and the translator must agree: constructs the validator accepts translate without
/// the generator's backstop diagnostic (HILO0900).
/// </summary>
public class AllowListAgreementDiagnosticTests
{
    [Theory]
    [InlineData("static void Fill(SharedView<float> t, int i) { t[i] = 1f; }", "var t = SharedMemory.Allocate<float>(8); Fill(t, 0); a[0] = t[0];")]
    [InlineData("static Float8 Widen(float v) => new Float8(v);", "Widen(1f).Store(a, 0);")]
    [InlineData("", "double e = KernelMath.Erf(1.0); a[0] = (float)e;")]
    [InlineData("static int Sub(int x, int y) => x - y;", "b[0] = Sub(x: 1, y: 2);")]
    [InlineData("", "int k = 0; k = k++ + ++k; b[0] = k;")]
    [InlineData("", "long l = 5; l >>>= 1; b[0] = (int)l;")]
    [InlineData("", "b[0] = n >>> 1;")]
    [InlineData("", "Float4 v = Float4.Zero; v -= new Float4(1f); v /= 2f; v.Store(a, 0);")]
    [InlineData("", "var r = a.As2D(n, 2); r[0, 0] = 1f; var c = a.As3D(1, 1, 1); c[0,0,0] = 2f;")]
    [InlineData("", "var r = a.As2D(n + 1, 2); r[0, 0] = 1f;")]
    [InlineData("static int Get(ArrayView<int> v) => v[0];", "b[1] = Get(b.SubView(1, 2));")]
    [InlineData("", "int x = 0, y = 1; x = y = 3; b[0] = x;")]
    [InlineData("", "b[0] = (int)(n > 0 ? 1u : 2u);")]
    [InlineData("", "sbyte s = -1; byte u = 255; short h = -2; ushort g = 3; b[0] = s + u + h + g;")]
    [InlineData("", "a[0] = 1e10f; a[1] = 0x10; a[2] = 1_000; a[3] = 3.5e-3f;")]
    [InlineData("", "bool t = true; t &= n > 0; t |= false; t ^= true; b[0] = t ? 1 : 0;")]
    public void AcceptedConstructTranslates(string members, string body)
    {
        string source = Kernel("        " + body, members);
        ExpectNone(source);
        var compilation = Compile(source);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new KernelGenerator());
        var result = driver.RunGenerators(compilation, TestContext.Current.CancellationToken).GetRunResult();
        Assert.True(result.Diagnostics.IsEmpty, string.Join("\n", result.Diagnostics));
    }
}

/// <summary>The generator runs on code being edited: the validator must not throw on code that does not compile.</summary>
public class BrokenCodeDiagnosticTests
{
    [Theory]
    [InlineData("Console.WriteLin(n);")]
    [InlineData("int x = ;")]
    [InlineData("Undefined(n); b[0] = Missing.Value;")]
    [InlineData("Group.Barrier(")]
    [InlineData("var t = SharedMemory.Allocate<float>(); Atomic.Add(ref , 1);")]
    [InlineData("if (Grid.GlobalIndex.X < n) { Group.Barrier(); return }")]
    [InlineData("switch (n) { case x: break; case 1 when: break; }")]
    [InlineData("for (int i = 0; i < ; i++) { Helper(i) }")]
    [InlineData("new S { A = }; var p = new P(); p.Foo();")]
    public void ValidatorDoesNotThrowOnBrokenCode(string body)
    {
        string source = Kernel("        " + body, "    static int Helper(int x) => Helper2(x);\n    public struct S { public S Inner; public int A; }");
        var tree = CSharpSyntaxTree.ParseText(source, cancellationToken: TestContext.Current.CancellationToken);
        var compilation = CSharpCompilation.Create("Broken", new[] { tree },
            new[] { MetadataReference.CreateFromFile(typeof(object).Assembly.Location), MetadataReference.CreateFromFile(typeof(Hilo.Ilgpu.Compute.ArrayView<>).Assembly.Location) },
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var model = compilation.GetSemanticModel(tree);
        foreach (var method in tree.GetRoot(TestContext.Current.CancellationToken).DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>())
        {
            if (model.GetDeclaredSymbol(method, TestContext.Current.CancellationToken) is { } symbol)
            {
                _ = Hilo.Ilgpu.Compute.Generator.Analysis.KernelValidator.Validate(symbol, method, model, TestContext.Current.CancellationToken);
            }
        }
    }
}

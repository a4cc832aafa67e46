using static Hilo.Ilgpu.Tests.Generator.ValidatorDriver;

namespace Hilo.Ilgpu.Tests.Generator;

/// <summary>The kernel method itself: static void, non-generic, in a top-level static partial class, by-value parameters of allowed types.</summary>
public class KernelShapeDiagnosticTests
{
    private const string Usings = "using System;\nusing Hilo.Ilgpu.Compute;\nnamespace T;\n";

    [Fact]
    public void KernelNotStatic() => Expect(Usings + """
        public partial class K
        {
            [Kernel] public void /*@*/Run(ArrayView<int> b) { b[0] = 1; }
        }
        """, "HILO0001", "must be static", "HILO0004");

    [Fact]
    public void KernelNotVoid() => Expect(InClass("""
            [Kernel] public static /*@*/int Run(ArrayView<int> b) { return b[0]; }
        """), "HILO0002", "returns 'int'");

    [Fact]
    public void KernelGeneric() => Expect(InClass("""
            [Kernel] public static void Run/*@*/<T>(ArrayView<int> b) { b[0] = 1; }
        """), "HILO0003", "is generic");

    [Theory]
    [InlineData("public static class /*@*/K { [Kernel] public static void Run(ArrayView<int> b) { b[0] = 1; } }", "is not partial")]
    [InlineData("public partial class /*@*/K { [Kernel] public static void Run(ArrayView<int> b) { b[0] = 1; } }", "is not static")]
    [InlineData("public static partial class /*@*/K<T> { [Kernel] public static void Run(ArrayView<int> b) { b[0] = 1; } }", "is generic")]
    [InlineData("public static partial class O { public static partial class /*@*/K { [Kernel] public static void Run(ArrayView<int> b) { b[0] = 1; } } }", "is nested in 'O'")]
    [InlineData("public partial struct /*@*/K { [Kernel] public static void Run(ArrayView<int> b) { b[0] = 1; } }", "is not a class")]
    public void KernelContainer(string source, string fragment) =>
        Expect(Usings + source, "HILO0004", fragment);

    [Theory]
    [InlineData("/*@*/string s", "'s' has type 'string'")]
    [InlineData("/*@*/SharedView<float> s", "SharedView<float>")]
    [InlineData("/*@*/Index3D s", "Index3D")]
    [InlineData("/*@*/ArrayView<bool> s", "ArrayView<bool>")]
    [InlineData("/*@*/ArrayView<char> s", "ArrayView<char>")]
    [InlineData("/*@*/int[] s", "int[]")]
    [InlineData("/*@*/object s", "object")]
    [InlineData("/*@*/Mode s", "Mode")]
    public void KernelParameterType(string parameter, string fragment) => Expect(InClass($$"""
            public enum Mode { A }
            [Kernel] public static void Run(ArrayView<int> b, {{parameter}}) { b[0] = 1; }
        """), "HILO0005", fragment);

    [Theory]
    [InlineData("/*@*/ref int x", "declared 'ref'")]
    [InlineData("/*@*/out int x", "declared 'out'")]
    [InlineData("/*@*/in int x", "declared 'in'")]
    public void KernelParameterModifier(string parameter, string fragment)
    {
        string body = parameter.Contains("out", StringComparison.Ordinal) ? "x = 0; b[0] = 1;" : "b[0] = 1;";
        Expect(InClass($$"""
            [Kernel] public static void Run(ArrayView<int> b, {{parameter}}) { {{body}} }
        """), "HILO0006", fragment);
    }

    [Fact]
    public void HelperParamsParameter() => Expect(Kernel("        b[0] = Sum(1, 2);", """
            static int Sum(/*@*/params int[] xs) { return 0; }
        """), "HILO0006", "declared 'params'", "HILO0011");

    [Fact]
    public void HelperRefParameter() => Expect(Kernel("        int x = 0; Inc(ref x); b[0] = x;", """
            static void Inc(/*@*/ref int x) { x++; }
        """), "HILO0006", "Parameter 'x' of 'Inc' is declared 'ref'", "HILO0072");

    [Fact]
    public void OptionalParameter() => Expect(Kernel("        b[0] = Add(1);", """
            static int Add(int x, int y /*@*/= 3) => x + y;
        """), "HILO0007", "Parameter 'y' of 'Add' has a default value");

    [Fact]
    public void AsyncKernel() => Expect(InClass("""
            [Kernel] public static /*@*/async void Run(ArrayView<int> b) { b[0] = 1; }
        """), "HILO0060", "async");

    [Fact]
    public void UnsafeKernel() => Expect(InClass("""
            [Kernel] public static /*@*/unsafe void Run(ArrayView<int> b) { b[0] = 1; }
        """), "HILO0055", "unsafe");

    [Fact]
    public void VectorKernelParameter() => Expect(InClass("""
            [Kernel] public static void Run(ArrayView<float> a, /*@*/Float4 v) { v.Store(a, 0); }
        """), "HILO0022", "'Float4' cannot be a kernel parameter");

    [Fact]
    public void ViewOfVectorsParameter() => Expect(InClass("""
            [Kernel] public static void Run(/*@*/ArrayView<Float8> a) { }
        """), "HILO0022", "'Float8' cannot be the element type of a view");
}

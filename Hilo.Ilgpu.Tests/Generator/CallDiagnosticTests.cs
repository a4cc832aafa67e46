using static Hilo.Ilgpu.Tests.Generator.ValidatorDriver;

namespace Hilo.Ilgpu.Tests.Generator;

/// <summary>Functions and members: lambdas, delegates, LINQ, calls outside the allow-list, helpers, recursion, fields and properties.</summary>
public class CallDiagnosticTests
{
    private const string Helpers = """
            public sealed class Box { public int V; public int Get() => V; }
            static readonly int Size = 4;
            static int counter;
            static int Four => 4;
            const int Eight = 8;
            static int Twice(this int x) => 2 * x;
            static T Id<T>(T x) => x;
            static extern int Ext(int x);
            static ArrayView<float> Same(ArrayView<float> v) => v;
            static int Down(int x) => x <= 0 ? 0 : Down(x - 1);
            static int Ping(int x) => x <= 0 ? 0 : Pong(x - 1);
            static int Pong(int x) => Ping(x);
        """;

    [Theory]
    [InlineData("HILO0030", "Lambdas and anonymous methods", "        Func<int, int> f = /*@*/x => x + 1;")]
    [InlineData("HILO0030", "Lambdas and anonymous methods", "        Func<int, int> f = /*@*/delegate (int x) { return x; };")]
    [InlineData("HILO0031", "Local function 'Triple'", "        b[0] = 1;\n        int /*@*/Triple(int x) => 3 * x;")]
    [InlineData("HILO0032", "found 'MathF.Exp'", "        Func<float, float> f = /*@*/MathF.Exp;")]
    [InlineData("HILO0032", "method groups used as values", "        Func<int, int> f = null; b[0] = /*@*/f(1);")]
    [InlineData("HILO0033", "LINQ is not available in kernels; write a for loop", "        var q = /*@*/from x in new[] { 1 } select x;")]
    [InlineData("HILO0034", "Console.WriteLine is not available in kernels", "        /*@*/Console.WriteLine(n);")]
    [InlineData("HILO0034", "use MathF.Max for float arguments", "        a[0] = /*@*/Math.Max(a[0], 1f);")]
    [InlineData("HILO0034", "MathF.Log is not available", "        a[0] = /*@*/MathF.Log(a[0], 2f);")]
    [InlineData("HILO0034", "MathF.Atan2 is not available", "        a[0] = /*@*/MathF.Atan2(a[0], 2f);")]
    [InlineData("HILO0034", "Convert.ToInt32", "        b[0] = /*@*/Convert.ToInt32(a[0]);")]
    [InlineData("HILO0034", "ArrayView.Offset is not available in kernels; a view in a kernel has only Length", "        b[0] = /*@*/a.Offset;")]
    [InlineData("HILO0034", "Environment.ProcessorCount", "        b[0] = /*@*/Environment.ProcessorCount;")]
    [InlineData("HILO0034", "Single.Parse", "        a[0] = /*@*/float.Parse(\"1\");")]
    [InlineData("HILO0034", "Double.IsNaN is not available", "        b[0] = /*@*/double.IsNaN(1.0) ? 1 : 0;")]
    [InlineData("HILO0035", "Int32.GetHashCode", "        b[0] = /*@*/n.GetHashCode();")]
    [InlineData("HILO0035", "Int32.CompareTo", "        b[0] = /*@*/n.CompareTo(3);")]
    [InlineData("HILO0035", "Box.Get", "        b[0] = /*@*/new Box().Get();")]
    [InlineData("HILO0035", "call the helper with static syntax, e.g. 'K.Twice(x, ...)'", "        b[0] = /*@*/n.Twice();")]
    [InlineData("HILO0038", "Call to 'Down' is recursive (Down -> Down)", "        b[0] = Down(n);")]
    [InlineData("HILO0038", "Call to 'Ping' is recursive (Ping -> Pong -> Ping)", "        b[0] = Ping(n);")]
    [InlineData("HILO0040", "'K.Size' is static readonly; kernels can read only 'const' fields", "        b[0] = /*@*/Size;")]
    [InlineData("HILO0040", "'K.counter' is a mutable static field", "        /*@*/counter++;")]
    [InlineData("HILO0040", "'String.Empty' is static readonly", "        var s = /*@*/string.Empty;")]
    [InlineData("HILO0041", "'new Box().V' is an instance member of the reference type 'Box'", "        b[0] = /*@*/new Box().V;")]
    [InlineData("HILO0042", "Static property 'K.Four'", "        b[0] = /*@*/Four;")]
    public void RefusedCall(string id, string fragment, string body)
    {
        string source = Kernel(body, Helpers);
        if (!source.Contains(Marker, StringComparison.Ordinal))
        {
            // Recursion is reported at the call that closes the cycle, inside the helper.
            string call = fragment.Contains("Ping", StringComparison.Ordinal) ? "=> Ping(x)" : ": Down(x - 1)";
            int at = source.IndexOf(call, StringComparison.Ordinal) + call.IndexOf(' ', StringComparison.Ordinal) + 1;
            source = source.Insert(at, Marker);
        }
        string[] also = ["HILO0010", "HILO0011", "HILO0012", "HILO0015", "HILO0018", "HILO0032"];
        Expect(source, id, fragment, also.Where(a => a != id).ToArray());
    }

    [Fact]
    public void GenericHelper() => Expect(Kernel("        b[0] = Id(n);", """
            static T /*@*/Id<T>(T x) => x;
        """), "HILO0036", "Helper method 'Id' is generic");

    [Fact]
    public void HelperWithoutBody() => Expect(Kernel("        b[0] = Ext(n);", """
            static extern int /*@*/Ext(int x);
        """), "HILO0037", "Method 'Ext' has no body in this project (it is extern)");

    [Fact]
    public void KernelWithoutBody() => Expect(InClass("""
            [Kernel] public static extern void /*@*/Run(ArrayView<int> b);
        """), "HILO0037", "Method 'Run' has no body in this project (it is extern)");

    [Fact]
    public void HelperReturningView() => Expect(Kernel("        var v = Same(a); v[0] = 1f;", """
            static /*@*/ArrayView<float> Same(ArrayView<float> v) => v;
        """), "HILO0039", "returns 'ArrayView<float>'");

    [Fact]
    public void HelperReturningString() => Expect(Kernel("        var s = Name(); b[0] = 1;", """
            static /*@*/string Name() => "x";
        """), "HILO0039", "returns 'string'", "HILO0012");

    [Fact]
    public void HelperInAnotherTreeIsChecked()
    {
        // A helper declared in another class of the compilation is walked like any other.
        Expect(Kernel("        b[0] = Other.Bad(n);") + """

            public static class Other
            {
                public static int Bad(int x) { /*@*/Console.WriteLine(x); return x; }
            }
            """, "HILO0034", "Console.WriteLine");
    }

    [Fact]
    public void RecursionThroughTheKernel() => Expect(InClass("""
            [Kernel] public static void Run(ArrayView<int> b, int n) { if (n > 0) Again(b, n); }
            static void Again(ArrayView<int> b, int n) { /*@*/Run(b, n - 1); }
        """), "HILO0038", "Run -> Again -> Run");

    [Fact]
    public void NamedArgumentsOutOfOrder() => Expect(Kernel("        b[0] = Sub(/*@*/y: 1, x: 2);", """
            static int Sub(int x, int y) => x - y;
        """), "HILO0099", "named argument out of parameter order");
}

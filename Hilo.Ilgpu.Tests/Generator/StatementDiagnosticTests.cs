using static Hilo.Ilgpu.Tests.Generator.ValidatorDriver;

namespace Hilo.Ilgpu.Tests.Generator;

/// <summary>Statements and expressions outside the allow-list.</summary>
public class StatementDiagnosticTests
{
    private const string Members = """
            public sealed class D : IDisposable { public void Dispose() { } }
            public struct S { public int A; public float B; }
            static System.Collections.Generic.IEnumerable<int> Numbers() { /*Y*/yield return 1; }
            static async System.Threading.Tasks.Task<int> Later() { return /*A*/await System.Threading.Tasks.Task.FromResult(1); }
        """;

    [Theory]
    [InlineData("HILO0050", "try/catch/finally is not available", "        /*@*/try { b[0] = 1; } finally { b[1] = 2; }")]
    [InlineData("HILO0051", "throw is not available", "        if (n < 0) /*@*/throw new InvalidOperationException();")]
    [InlineData("HILO0051", "throw is not available", "        int x = n > 0 ? n : /*@*/throw new InvalidOperationException();")]
    [InlineData("HILO0052", "using statements and declarations", "        /*@*/using (var d = new D()) { }")]
    [InlineData("HILO0052", "using statements and declarations", "        /*@*/using var d = new D();")]
    [InlineData("HILO0053", "use Atomic operations or Group.Barrier()", "        /*@*/lock (typeof(K)) { b[0] = 1; }")]
    [InlineData("HILO0055", "unsafe code is not available", "        /*@*/unsafe { b[0] = 1; }")]
    [InlineData("HILO0056", "stackalloc is not available", "        Span<int> s = /*@*/stackalloc int[4];")]
    [InlineData("HILO0057", "write 'for (int i = 0; i < view.Length; i++)'", "        /*@*/foreach (var x in new[] { 1, 2 }) { b[0] = x; }")]
    [InlineData("HILO0058", "'goto' is not available", "        /*@*/goto end;\n        end: b[0] = 1;")]
    [InlineData("HILO0058", "'label 'end:'' is not available", "        goto end;\n        /*@*/end: b[0] = 1;")]
    [InlineData("HILO0058", "'goto case' is not available", "        switch (n) { case 0: b[0] = 1; /*@*/goto case 1; case 1: break; }")]
    [InlineData("HILO0061", "Pattern matching is not available in kernels (found 'n is > 3')", "        bool big = /*@*/n is > 3;")]
    [InlineData("HILO0061", "Pattern matching is not available", "        object o = n; bool isInt = /*@*/o is int;")]
    [InlineData("HILO0062", "The 'as' operator", "        object o = n /*@*/as object;")]
    [InlineData("HILO0063", "use a switch statement or if/else", "        int y = n /*@*/switch { 0 => 1, _ => 2 };")]
    [InlineData("HILO0064", "'case int x when x > 3:'", "        switch (n) { /*@*/case int x when x > 3: b[0] = x; break; }")]
    [InlineData("HILO0064", "'case > 3:'", "        switch (n) { /*@*/case > 3: b[0] = 1; break; }")]
    [InlineData("HILO0065", "switch on a value of type 'float'", "        switch (/*@*/a[0]) { case 1f: b[0] = 1; break; }")]
    [InlineData("HILO0065", "switch on a value of type 'bool'", "        switch (/*@*/n > 0) { case true: b[0] = 1; break; }")]
    [InlineData("HILO0066", "checked arithmetic is not available", "        int y = /*@*/checked(n + 1);")]
    [InlineData("HILO0066", "checked arithmetic is not available", "        /*@*/checked { b[0] = n + 1; }")]
    [InlineData("HILO0067", "remove 'unchecked(...)'", "        int y = /*@*/unchecked(n + 1);")]
    [InlineData("HILO0067", "remove 'unchecked { ... }'", "        /*@*/unchecked { b[0] = n + 1; }")]
    [InlineData("HILO0068", "sizeof(bool)", "        int s = /*@*/sizeof(bool);")]
    [InlineData("HILO0069", "nameof is not available", "        var s = /*@*/nameof(n);")]
    [InlineData("HILO0070", "typeof is not available", "        var t = /*@*/typeof(int);")]
    [InlineData("HILO0071", "assign the fields one by one", "        var s = new S /*@*/{ A = 1 };")]
    [InlineData("HILO0071", "assign the fields one by one", "        S s = new() /*@*/{ B = 1f };")]
    [InlineData("HILO0072", "'ref local'", "        /*@*/ref int r = ref b[0];")]
    [InlineData("HILO0072", "'ref b[1]'", "        ref int r = ref b[0]; r = /*@*/ref b[1];")]
    [InlineData("HILO0099", "The null-forgiving operator", "        b[0] = /*@*/n!;")]
    [InlineData("HILO0099", "A 'with' expression", "        var s = new S(); var t = /*@*/s with { A = 1 };")]
    public void RefusedStatement(string id, string fragment, string body)
    {
        string[] also = ["HILO0010", "HILO0011", "HILO0012", "HILO0017", "HILO0018", "HILO0070"];
        Expect(Kernel(body, Members.Replace("/*Y*/", "", StringComparison.Ordinal).Replace("/*A*/", "", StringComparison.Ordinal)),
            id, fragment, also.Where(a => a != id).ToArray());
    }

    [Fact]
    public void FixedStatement() => Expect(InClass("""
            [Kernel] public static unsafe void Run(ArrayView<int> b) { /*@*/fixed (int* p = &b[0]) { } }
        """), "HILO0054", "fixed is not available", "HILO0055");

    [Fact]
    public void YieldInCalledHelper() => Expect(Kernel("        b[0] = Count(Numbers());", """
            static int Count(System.Collections.Generic.IEnumerable<int> xs) => 0;
            static System.Collections.Generic.IEnumerable<int> Numbers() { /*@*/yield return 1; }
        """), "HILO0059", "yield is not available", "HILO0010", "HILO0039");

    [Fact]
    public void AwaitInHelper() => Expect(Kernel("        var t = Later();", Members.Replace("/*A*/", Marker, StringComparison.Ordinal)),
        "HILO0060", "found 'await'", "HILO0010", "HILO0039");
}

using static Hilo.Ilgpu.Tests.Generator.ValidatorDriver;

namespace Hilo.Ilgpu.Tests.Generator;

/// <summary>Types kernels cannot use, struct layout rules, vector misuse, conversions.</summary>
public class TypeDiagnosticTests
{
    private const string Types = """
            public sealed class Box { public int V; public int Get() => V; }
            public enum Mode { A, B }
            public struct S { public int A; public float B; }
        """;

    [Theory]
    [InlineData("HILO0010", "'object' is a reference type (object)", "        /*@*/object o = n;")]
    [InlineData("HILO0010", "'dynamic' is a reference type (dynamic)", "        /*@*/dynamic d = n;")]
    [InlineData("HILO0010", "'Box' is a reference type (a class)", "        /*@*/Box x = default;")]
    [InlineData("HILO0011", "Arrays are not available", "        var arr = /*@*/new int[4];")]
    [InlineData("HILO0011", "Arrays are not available", "        int[] arr = /*@*/{ 1, 2 };")]
    [InlineData("HILO0012", "a string literal", "        var s = /*@*/\"hi\";")]
    [InlineData("HILO0012", "an interpolated string", "        var s = /*@*/$\"{n}\";")]
    [InlineData("HILO0012", "'string'", "        /*@*/string s = default;")]
    [InlineData("HILO0013", "'decimal' is not available", "        /*@*/decimal d = n;")]
    [InlineData("HILO0014", "'char' is not available", "        int c = /*@*/'a';")]
    [InlineData("HILO0014", "'char' is not available", "        /*@*/char c = default;")]
    [InlineData("HILO0015", "'int?'", "        /*@*/int? x = n;")]
    [InlineData("HILO0015", "found 'null'", "        Box x = /*@*/null;")]
    [InlineData("HILO0015", "'x?.Get()'", "        Box x = default; var y = /*@*/x?.Get();")]
    [InlineData("HILO0016", "Tuples are not available", "        var t = /*@*/(n, n);")]
    [InlineData("HILO0016", "Tuples are not available", "        /*@*/var (x, y) = (n, n);")]
    [InlineData("HILO0017", "enums are not supported", "        /*@*/Mode m = default;")]
    [InlineData("HILO0017", "read .X, .Y or .Z directly", "        var /*@*/g = Grid.GlobalIndex;")]
    [InlineData("HILO0017", "'DateTime' is not available", "        /*@*/DateTime t = default;")]
    [InlineData("HILO0017", "native-sized integers", "        /*@*/nint p = 0;")]
    [InlineData("HILO0018", "creates an instance of 'Box'", "        var x = /*@*/new Box();")]
    [InlineData("HILO0018", "an anonymous type", "        var x = /*@*/new { A = 1 };")]
    [InlineData("HILO0018", "creates an instance of 'int'", "        int x = /*@*/new int();")]
    [InlineData("HILO0023", "Pointers are not available", "        unsafe { int* p = null; }")]
    public void RefusedType(string id, string fragment, string body)
    {
        if (!body.Contains(Marker, StringComparison.Ordinal))
        {
            // Pointers need an unsafe context, itself refused: test the pointer in an unsafe helper instead.
            Expect(Kernel("        b[0] = P();", "    static unsafe int P() { /*@*/int* p = null; return 0; }"), id, fragment, "HILO0055", "HILO0015");
            return;
        }
        string[] also = ["HILO0010", "HILO0011", "HILO0012", "HILO0014", "HILO0015", "HILO0016", "HILO0017", "HILO0035"];
        Expect(Kernel(body, Types), id, fragment, also.Where(a => a != id).ToArray());
    }

    [Fact]
    public void StructFieldOfUnsupportedType() => Expect(Kernel("        b[0] = s.A;", """
            public struct W { public int A; public string /*@*/Name; }
        """).Replace("int n)", "int n, W s)", StringComparison.Ordinal), "HILO0019", "has the field 'Name' of type 'string'");

    [Fact]
    public void StructAutoProperty() => Expect(Kernel("        b[0] = s.A;", """
            public struct W { public int A; public int /*@*/P { get; set; } }
        """).Replace("int n)", "int n, W s)", StringComparison.Ordinal), "HILO0019", "has the auto-property 'P'");

    [Fact]
    public void StructWithoutFields() => Expect(Kernel("        var e = new E(); b[0] = 1;", """
            public struct /*@*/E { }
        """), "HILO0019", "has no fields");

    [Fact]
    public void StructOfStructs() => Expect(Kernel("        var o = new Outer(); b[0] = o.I.A;", """
            public struct Outer { public S /*@*/I; }
        """ + Types), "HILO0019", "has the field 'I' of type 'S'");

    [Fact]
    public void BoolStructField() => Expect(Kernel("        var f = new F(); b[0] = f.A;", """
            public struct F { public int A; public bool /*@*/Flag; }
        """), "HILO0020", "Field 'Flag' of struct 'F' is a bool");

    [Fact]
    public void BoolStructFieldInLongView() => Expect(InClass("""
            public struct F { public long A; public bool /*@*/Flag; }
            [Kernel] public static void Run(ArrayView<F> v) { v[0].A = 1; }
        """), "HILO0020", "use an int");

    [Theory]
    [InlineData("HILO0021", "'Sum' is a method of struct 'P'", "        var p = new P(); b[0] = /*@*/p.Sum();")]
    [InlineData("HILO0021", "'Total' is a property of struct 'P'", "        var p = new P(); b[0] = /*@*/p.Total;")]
    [InlineData("HILO0021", "'op_Addition' is a user-defined operator of struct 'P'", "        var p = new P(); var q = /*@*/p + p;")]
    [InlineData("HILO0021", "'P' is a constructor of struct 'P'", "        var p = /*@*/new P(3);")]
    [InlineData("HILO0021", "indexer of struct 'P'", "        var p = new P(); b[0] = /*@*/p[0];")]
    public void StructMembersThatAreNotFields(string id, string fragment, string body) => Expect(Kernel(body, """
            public struct P
            {
                public int A;
                public P(int a) { A = a; }
                public int Sum() => A;
                public int Total => A * 2;
                public int this[int i] => A;
                public static P operator +(P x, P y) => new P(x.A + y.A);
            }
        """), id, fragment);

    [Theory]
    [InlineData("        var t = /*@*/SharedMemory.Allocate<Float4>(4);", "'Float4' cannot be the element type of shared memory")]
    public void VectorInSharedMemory(string body, string fragment) => Expect(Kernel(body), "HILO0022", fragment, "HILO0017");

    [Fact]
    public void VectorStructField() => Expect(Kernel("        var w = new V(); b[0] = 1;", """
            public struct V { public int A; public Float4 /*@*/Lanes; }
        """), "HILO0022", "'Float4' cannot be a struct field");

    [Fact]
    public void VectorUnsupportedMember() => Expect(Kernel("        var v = new Float4(1f); int h = /*@*/v.GetHashCode(); b[0] = h;"),
        "HILO0035", "Float4.GetHashCode");

    [Fact]
    public void UserConversionCast() => Expect(Kernel("        var c = new C(); int x = /*@*/(int)c; b[0] = x;", """
            public struct C { public int A; public static explicit operator int(C c) => c.A; }
        """), "HILO0024", "Conversion from 'C' to 'int'");
}

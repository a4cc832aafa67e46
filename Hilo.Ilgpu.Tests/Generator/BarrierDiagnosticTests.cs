using static Hilo.Ilgpu.Tests.Generator.ValidatorDriver;

namespace Hilo.Ilgpu.Tests.Generator;

/// <summary>Shared memory placement, barrier placement and divergence, atomic targets.</summary>
public class BarrierDiagnosticTests
{
    private static string Barrier(string body, string members = "") => Kernel(body, members);

    [Theory]
    [InlineData("HILO0080", "not in a nested block, loop or branch", "        if (n > 0) { var t = /*@*/SharedMemory.Allocate<float>(16); t[0] = 1f; }")]
    [InlineData("HILO0080", "not in an expression", "        float x = /*@*/SharedMemory.Allocate<float>(16)[0];")]
    [InlineData("HILO0081", "(found 'n')", "        var t = SharedMemory.Allocate<float>(/*@*/n);")]
    [InlineData("HILO0081", "(found '0')", "        var t = SharedMemory.Allocate<float>(/*@*/0);")]
    [InlineData("HILO0083", "Shared view 't2' is initialised from 't'", "        var t = SharedMemory.Allocate<float>(16);\n        SharedView<float> /*@*/t2 = t;")]
    [InlineData("HILO0083", "Shared view 't' is reassigned", "        var t = SharedMemory.Allocate<float>(16);\n        var u = SharedMemory.Allocate<float>(16);\n        /*@*/t = u;")]
    [InlineData("HILO0084", "not part of an expression or a for-loop header", "        for (int i = 0; i < 4; i++, /*@*/Group.Barrier()) { }")]
    [InlineData("HILO0089", "The first argument of Atomic.Add is 'x'", "        int x = 0; Atomic.Add(/*@*/ref x, 1);")]
    [InlineData("HILO0089", "is 'arr[0]'", "        float[] arr = null; Atomic.Add(/*@*/ref arr[0], 1f);")]
    public void Placement(string id, string fragment, string body) => Expect(Barrier(body), id, fragment, "HILO0011", "HILO0015");

    [Fact]
    public void AllocateInHelper() => Expect(Kernel("        Tile(a);", """
            static void Tile(ArrayView<float> a) { var t = /*@*/SharedMemory.Allocate<float>(8); t[0] = a[0]; }
        """), "HILO0082", "SharedMemory.Allocate is called in helper method 'Tile'");

    [Fact]
    public void BarrierInHelper() => Expect(Kernel("        Sync();", """
            static void Sync() { /*@*/Group.Barrier(); }
        """), "HILO0085", "Group.Barrier() is called in helper method 'Sync'");

    [Fact]
    public void AtomicOnStructFieldOfView() => Expect(InClass("""
            public struct P { public int A; }
            [Kernel] public static void Run(ArrayView<P> v) { Atomic.Add(/*@*/ref v[0].A, 1); }
        """), "HILO0089", "'v[0].A'");

    [Theory]
    // Directly on the global index.
    [InlineData("        if (Grid.GlobalIndex.X < n) { /*@*/Group.Barrier(); }", "an if statement whose condition 'Grid.GlobalIndex.X < n'", "Grid.GlobalIndex")]
    // Through locals, transitively.
    [InlineData("        int i = Grid.GlobalIndex.X;\n        int j = i * 2;\n        if (j < n) /*@*/Group.Barrier();", "'j < n'", "'j', which is assigned from 'i'")]
    // In the else branch.
    [InlineData("        if (Group.Index.X == 0) b[0] = 1; else /*@*/Group.Barrier();", "the else branch", "Group.Index")]
    // Loop bound loaded from memory.
    [InlineData("        for (int k = 0; k < b[0]; k++) { /*@*/Group.Barrier(); }", "a for loop whose condition 'k < b[0]'", "a load from memory")]
    [InlineData("        int k = 0;\n        while (k < Group.LinearIndex) { /*@*/Group.Barrier(); k++; }", "a while loop", "Group.LinearIndex")]
    [InlineData("        int k = 0;\n        do { /*@*/Group.Barrier(); k++; } while (k < Group.LinearIndex);", "a do-while loop", "Group.LinearIndex")]
    [InlineData("        switch (Group.LinearIndex) { case 0: /*@*/Group.Barrier(); break; }", "a switch statement", "Group.LinearIndex")]
    // Through a helper that reads a varying value.
    [InlineData("        if (Lane() == 0) /*@*/Group.Barrier();", "'Lane() == 0'", "helper 'Lane', which reads Group.LinearIndex")]
    // Control dependence: m is assigned under a varying condition.
    [InlineData("        int m = 0;\n        if (Grid.GlobalIndex.X > 3) m = 1;\n        if (m == 1) /*@*/Group.Barrier();", "'m == 1'", "'m', which is assigned from")]
    // Atomic results are varying.
    [InlineData("        int old = Atomic.Add(ref b[0], 1);\n        if (old == 0) /*@*/Group.Barrier();", "'old == 0'", "atomic")]
    // A varying argument to a pure helper.
    [InlineData("        int i = Grid.GlobalIndex.X;\n        if (Half(i) > 2) /*@*/Group.Barrier();", "'Half(i) > 2'", "'i'")]
    public void DivergentBarrier(string body, string fragment, string reason)
    {
        string source = Kernel(body, """
                static int Lane() => Group.LinearIndex;
                static int Half(int x) => x / 2;
            """);
        Expect(source, "HILO0086", fragment);
        Expect(source, "HILO0086", reason);
    }

    [Fact]
    public void EarlyReturnBeforeBarrier() => Expect(Kernel("""
                int i = Grid.GlobalIndex.X;
                if (i >= n) /*@*/return;
                var t = SharedMemory.Allocate<float>(64);
                t[Group.Index.X] = a[i];
                Group.Barrier();
                a[i] = t[0];
        """), "HILO0087", "under the condition 'i >= n'");

    [Fact]
    public void ReturnInLoopWithBarrier() => Expect(Kernel("""
                for (int k = 0; k < 4; k++)
                {
                    Group.Barrier();
                    if (a[k] > 0f) /*@*/return;
                }
        """), "HILO0087", "a load from memory");

    [Fact]
    public void VaryingBreakInLoopWithBarrier() => Expect(Kernel("""
                for (int k = 0; k < 4; k++)
                {
                    if (b[k] == 0) /*@*/break;
                    Group.Barrier();
                }
        """), "HILO0088", "This break, under the condition 'b[k] == 0'");

    [Fact]
    public void VaryingContinueBeforeBarrier() => Expect(Kernel("""
                for (int k = 0; k < 4; k++)
                {
                    if (Grid.GlobalIndex.X == k) /*@*/continue;
                    Group.Barrier();
                }
        """), "HILO0088", "This continue");

    [Fact]
    public void LoopLeftEarlyMakesItsCounterVarying() => Expect(Kernel("""
                int k = 0;
                while (k < 8)
                {
                    if (b[k] == 0) break;
                    k++;
                }
                if (k < 4) /*@*/Group.Barrier();
        """), "HILO0086", "'k < 4'");

    [Theory]
    // Uniform conditions: parameters, constants, group size, grid group index/count, view lengths.
    [InlineData("        if (n > 0) Group.Barrier();")]
    [InlineData("        for (int k = 0; k < Group.Size.X; k++) Group.Barrier();")]
    [InlineData("        if (Grid.GroupIndex.X == 0 && Grid.GroupCount.Y > 1 && Grid.GlobalSize.Z > 0) Group.Barrier();")]
    [InlineData("        for (int s = Group.Size.X / 2; s > 0; s >>= 1) { if (Group.Index.X < s) b[0] += 1; Group.Barrier(); }")]
    [InlineData("        int len = a.Length; while (len > 1) { len /= 2; Group.Barrier(); }")]
    // A varying return after the last barrier is fine.
    [InlineData("        Group.Barrier();\n        if (Grid.GlobalIndex.X >= n) return;\n        b[Grid.GlobalIndex.X] = 1;")]
    // A varying continue after the last barrier of the loop body is fine.
    [InlineData("        for (int k = 0; k < 4; k++) { Group.Barrier(); if (b[k] == 0) continue; b[k] = 1; }")]
    // Varying break in a loop without barriers.
    [InlineData("        for (int k = 0; k < 4; k++) { if (b[k] == 0) break; }\n        Group.Barrier();")]
    public void UniformBarrierIsAccepted(string body) => ExpectNone(Kernel(body));
}

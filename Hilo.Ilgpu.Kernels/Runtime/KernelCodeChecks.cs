using System.Text.RegularExpressions;

namespace Hilo.Ilgpu.Kernels.Runtime;

/// <summary>
/// Checks on the device code ILGPU emits (<c>hilo kernels dump</c> fails on a finding; tests assert none):
/// barriers that do not order the local memory an OpenCL kernel uses, static shared memory over the 48 KiB every CUDA
/// GPU grants a group without opting in (and many OpenCL GPUs' whole local memory), and PTX memory instructions in
/// the generic address space (slower than <c>ld.global</c>/<c>ld.shared</c>: the hardware resolves the space per access).
/// </summary>
public static partial class KernelCodeChecks
{
    private static readonly HashSet<string> StateSpaces = ["global", "shared", "local", "param", "const"];

    /// <summary>Whether OpenCL C code declares local (shared) memory: a <c>local</c> array or pointer.</summary>
    public static bool UsesLocalMemory(string openclC)
    {
        ArgumentNullException.ThrowIfNull(openclC);
        return LocalDeclaration().IsMatch(openclC);
    }

    /// <summary>
    /// The barrier statements of OpenCL C code that uses local memory and whose fence flags leave local memory out
    /// (ILGPU's <c>Group.Barrier()</c>: <c>work_group_barrier(CLK_GLOBAL_MEM_FENCE)</c>); empty when the code uses no
    /// local memory or every barrier fences it (<see cref="SharedBarrier"/>).
    /// </summary>
    public static IReadOnlyList<string> UnfencedBarriers(string openclC)
    {
        if (!UsesLocalMemory(openclC))
        {
            return [];
        }
        return [.. Barrier().Matches(openclC).Select(m => m.Value.Trim())
            .Where(b => !b.Contains("CLK_LOCAL_MEM_FENCE", StringComparison.Ordinal))];
    }

    /// <summary>
    /// PTX loads, stores and atomics without a state space (<c>ld.f32</c> rather than <c>ld.global.f32</c>), one
    /// trimmed line each.
    /// </summary>
    public static IReadOnlyList<string> GenericMemoryInstructions(string ptx)
    {
        ArgumentNullException.ThrowIfNull(ptx);
        var found = new List<string>();
        foreach (Match m in PtxMemoryInstruction().Matches(ptx))
        {
            var qualifiers = m.Groups["q"].Captures.Select(c => c.Value);
            if (!qualifiers.Any(StateSpaces.Contains))
            {
                found.Add(m.Value.Trim());
            }
        }
        return found;
    }

    /// <summary>Static shared memory a group may declare: 48 KiB (CUDA's limit without an opt-in; a common OpenCL local memory size).</summary>
    public const int MaxStaticSharedBytes = 48 * 1024;

    /// <summary>Bytes of static shared memory a PTX module declares (<c>.shared .align A .b8 name[N];</c>, summed).</summary>
    public static long StaticSharedBytes(string ptx)
    {
        ArgumentNullException.ThrowIfNull(ptx);
        return PtxSharedDeclaration().Matches(ptx).Sum(m => long.Parse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture) * ElementBytes(m.Groups["t"].Value));
    }

    // .b8/.u8/.s8 are one byte an element, .b32/.f32 four, and so on.
    private static int ElementBytes(string type) => int.Parse(type[1..], System.Globalization.CultureInfo.InvariantCulture) / 8;

    /// <summary>PTX memory instructions of every state space (the denominator of <see cref="GenericMemoryInstructions"/>).</summary>
    public static int MemoryInstructionCount(string ptx)
    {
        ArgumentNullException.ThrowIfNull(ptx);
        return PtxMemoryInstruction().Count(ptx);
    }

    [GeneratedRegex(@"^[ \t]*\.shared\s+(?:\.align\s+\d+\s+)?\.(?<t>[bfsu](?:8|16|32|64))\s+[A-Za-z_$%][A-Za-z0-9_$]*\[(?<n>\d+)\]", RegexOptions.Multiline)]
    private static partial Regex PtxSharedDeclaration();

    [GeneratedRegex(@"\blocal\s+(?:[A-Za-z_][A-Za-z0-9_]*\s*\*|[A-Za-z_][A-Za-z0-9_]*\s+[A-Za-z_][A-Za-z0-9_]*\s*\[)")]
    private static partial Regex LocalDeclaration();

    [GeneratedRegex(@"\b(?:work_group_barrier|barrier)\s*\([^;]*\)")]
    private static partial Regex Barrier();

    [GeneratedRegex(@"^[ \t]*(?:@!?%p\d+[ \t]+)?(?:ld|st|atom|red)(?:\.(?<q>[a-z0-9_]+))+[ \t][^\n]*", RegexOptions.Multiline)]
    private static partial Regex PtxMemoryInstruction();
}

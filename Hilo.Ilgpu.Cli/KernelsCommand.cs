using System.CommandLine;
using System.Globalization;

namespace Hilo.Ilgpu.Cli;

/// <summary>
/// <c>hilo kernels [list]</c>: every kernel with its family and op; <c>hilo kernels dump DIR</c>: ILGPU's PTX (SM_80,
/// SM_90) and OpenCL C (2.0, 3.0) of every ILGPU kernel, compiled without a device. Exit code 1 if any kernel fails to
/// compile for any target.
/// </summary>
internal static class KernelsCommand
{
    public static Command Create()
    {
        var command = new Command("kernels", "List the kernels of both families, or dump the ILGPU kernels' device code.");
        command.SetAction(parse => List(parse.InvocationConfiguration.Output));

        var list = new Command("list", "List every kernel with its op and family.");
        list.SetAction(parse => List(parse.InvocationConfiguration.Output));

        var dirArgument = new Argument<DirectoryInfo>("DIR") { Description = "Directory to write <kernel>.<target>.ptx/.cl into (created if missing)." };
        var dump = new Command("dump", "Compile every ILGPU kernel to PTX (sm_80, sm_90) and OpenCL C (2.0, 3.0) without a device and write the code.");
        dump.Arguments.Add(dirArgument);
        dump.SetAction(parse => Dump(parse.GetValue(dirArgument)!.FullName, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));

        command.Subcommands.Add(list);
        command.Subcommands.Add(dump);
        return command;
    }

    public static int List(TextWriter output)
    {
        output.WriteLine($"{"op",-16} {"family",-7} kernel");
        foreach (var k in KernelCatalog.All)
        {
            output.WriteLine($"{k.Op,-16} {k.Family,-7} {k.Name}");
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{KernelCatalog.All.Count(k => k.Family == KernelFamily.Ilgpu)} ILGPU kernels, {KernelCatalog.All.Count(k => k.Family == KernelFamily.Cpu)} CPU-family kernels"));
        return 0;
    }

    /// <summary>
    /// Writes <c>Class.Method.target.ext</c> per kernel and target (each file whole or not at all); 1 when any compile
    /// failed or an OpenCL barrier leaves out the local memory its kernel uses (<see cref="KernelCodeChecks"/>).
    /// </summary>
    public static int Dump(string directory, TextWriter output, TextWriter? error = null)
    {
        if (File.Exists(directory))
        {
            (error ?? Console.Error).WriteLine($"error: {directory} is a file; give a directory to write the kernels into.");
            return TopLevelErrors.ExitCode;
        }
        try
        {
            // Before compiling anything: a read-only folder is one error line now, not after every kernel compiled.
            Directory.CreateDirectory(directory);
            Hilo.Ilgpu.IO.AtomicFile.EnsureWritable(Path.Combine(directory, "kernels.probe"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            (error ?? Console.Error).WriteLine($"error: {e.Message}");
            return TopLevelErrors.ExitCode;
        }
        int written = 0, unfenced = 0, generic = 0, memory = 0, oversized = 0;
        var failures = new List<DumpResult>();
        foreach (var result in KernelDump.CompileAll(KernelCatalog.Ilgpu))
        {
            if (result.Code is null)
            {
                failures.Add(result);
                output.WriteLine($"FAILED {result.Kernel.Name} for {result.Target.Name}: {result.Error}");
                continue;
            }
            WriteAtomically(Path.Combine(directory, $"{result.Kernel.Name}.{result.Target.Name}{result.Target.Extension}"), result.Code);
            written++;
            if (result.Target.Extension == ".cl")
            {
                // A barrier that does not fence the local memory it orders is a race on GPU drivers (PoCL hides it).
                foreach (string barrier in KernelCodeChecks.UnfencedBarriers(result.Code))
                {
                    unfenced++;
                    output.WriteLine($"FAILED {result.Kernel.Name} for {result.Target.Name}: '{barrier}' does not fence the local memory the kernel uses (use SharedBarrier.Sync)");
                }
            }
            else
            {
                generic += KernelCodeChecks.GenericMemoryInstructions(result.Code).Count;
                memory += KernelCodeChecks.MemoryInstructionCount(result.Code);
                long shared = KernelCodeChecks.StaticSharedBytes(result.Code);
                if (shared > KernelCodeChecks.MaxStaticSharedBytes)
                {
                    oversized++;
                    output.WriteLine($"FAILED {result.Kernel.Name} for {result.Target.Name}: {shared} bytes of static shared memory, over the {KernelCodeChecks.MaxStaticSharedBytes} a group gets on every CUDA GPU");
                }
            }
        }
        int kernels = KernelCatalog.Ilgpu.Count();
        output.WriteLine($"wrote {written} files ({kernels} ILGPU kernels × {KernelDump.Targets.Count} targets: {string.Join(", ", KernelDump.Targets.Select(t => t.Name))}) to {directory}");
        output.WriteLine($"PTX: {generic} of {memory} loads/stores/atomics in the generic address space");
        if (failures.Count > 0)
        {
            output.WriteLine($"{failures.Count} kernel/target pairs did not compile");
        }
        if (unfenced > 0)
        {
            output.WriteLine($"{unfenced} OpenCL barriers do not fence local memory");
        }
        if (oversized > 0)
        {
            output.WriteLine($"{oversized} kernel/target pairs declare more than {KernelCodeChecks.MaxStaticSharedBytes} bytes of static shared memory");
        }
        return failures.Count > 0 || unfenced > 0 || oversized > 0 ? 1 : 0;
    }

    // Each file whole or not at all, and a device or pipe in the folder written through, not replaced (AtomicFile).
    private static void WriteAtomically(string path, string text) => Hilo.Ilgpu.IO.AtomicFile.WriteText(path, w => w.Write(text));
}

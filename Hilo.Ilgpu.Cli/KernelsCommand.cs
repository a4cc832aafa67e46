using System.CommandLine;
using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Cli;

/// <summary><c>hilo kernels list|dump DIR</c>: the project's kernels and their generated OpenCL C / CUDA C.</summary>
internal static class KernelsCommand
{
    public static Command Create()
    {
        var command = new Command("kernels", "Inspect the project's kernels.");

        var list = new Command("list", "List every kernel with its parameters.");
        list.SetAction(_ =>
        {
            foreach (var k in KernelCatalog.All)
            {
                var parameters = string.Join(", ", k.Parameters.Select(p => $"{p.TypeName} {p.Name}"));
                var traits = (k.UsesBarriers ? " [barriers]" : "") + (k.SharedMemoryBytes > 0 ? $" [shared {k.SharedMemoryBytes} B]" : "") + (k.UsesDoubles ? " [fp64]" : "");
                Console.WriteLine($"{k.Name}({parameters}){traits}");
            }
            return 0;
        });

        var dirArgument = new Argument<DirectoryInfo>("DIR") { Description = "Directory to write <kernel>.cl and <kernel>.cu files into (created if missing)." };
        var dump = new Command("dump", "Write every kernel's generated OpenCL C (.cl) and CUDA C (.cu).");
        dump.Arguments.Add(dirArgument);
        dump.SetAction(parse =>
        {
            var dir = parse.GetValue(dirArgument)!;
            int count = Dump(dir.FullName);
            Console.WriteLine($"wrote {count} kernels ({count * 2} files) to {dir.FullName}");
            return 0;
        });

        command.Subcommands.Add(list);
        command.Subcommands.Add(dump);
        return command;
    }

    /// <summary>Writes <c>Name.cl</c> and <c>Name.cu</c> per kernel; each file is written whole or not at all.</summary>
    public static int Dump(string directory)
    {
        Directory.CreateDirectory(directory);
        int count = 0;
        foreach (var kernel in KernelCatalog.All)
        {
            WriteAtomically(Path.Combine(directory, kernel.Name + ".cl"), kernel.OpenCLSource);
            WriteAtomically(Path.Combine(directory, kernel.Name + ".cu"), kernel.CudaSource);
            count++;
        }
        return count;
    }

    private static void WriteAtomically(string path, string text)
    {
        string temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}

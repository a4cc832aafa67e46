using System.Runtime.CompilerServices;
using Hilo.Ilgpu.Scheduling;

namespace Hilo.Ilgpu.Tests.Scheduling;

/// <summary>
/// Isolates the whole test run from the user's tuning cache: before any test, <c>HILO_TUNING_CACHE</c> points into a
/// fresh temporary folder (removed at exit), and <c>HILO_TUNING</c> is <c>off</c> unless the caller set it, so the
/// other tests run the device-style default variants as before (deterministic kernel choice, no measuring time).
/// Tests of the scheduler set their own mode and cache explicitly.
/// </summary>
internal static class TuningTestEnvironment
{
    public static string Folder { get; } = Path.Combine(Path.GetTempPath(), $"hilo-tests-tuning-{Environment.ProcessId}-{Guid.NewGuid():N}");

    [ModuleInitializer]
    internal static void Initialize()
    {
        Directory.CreateDirectory(Folder);
        Environment.SetEnvironmentVariable(TuningCache.PathVariable, Path.Combine(Folder, "tuning.json"));
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(TuningModes.EnvironmentVariable)))
        {
            Environment.SetEnvironmentVariable(TuningModes.EnvironmentVariable, "off");
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover temporary folder is harmless.
            }
        };
    }
}

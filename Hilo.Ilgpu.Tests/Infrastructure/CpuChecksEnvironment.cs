using System.Runtime.CompilerServices;

namespace Hilo.Ilgpu.Tests.Infrastructure;

/// <summary>
/// Turns on the CPU family's bounds checks for the whole test run (<c>HILO_CPU_CHECKS=1</c>, read once by
/// <c>HostView</c> before any kernel runs): an out-of-range access in a CPU-family kernel then throws instead of
/// reading or writing past a buffer. Release runs outside the tests leave them off (no cost per access).
/// </summary>
internal static class CpuChecksEnvironment
{
    [ModuleInitializer]
    internal static void Initialize() => Environment.SetEnvironmentVariable("HILO_CPU_CHECKS", "1");
}

using System.Globalization;
using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Tests.Conformance;

/// <summary>
/// The conformance suite, written once and run on every backend through one small subclass per backend
/// (<see cref="CpuConformance"/>, <see cref="OpenCLConformance"/>, <see cref="CudaConformance"/>).
/// Expected values always come from plain C# on the host (or a float64 reference), never from a backend.
/// </summary>
public abstract partial class ConformanceSuite(AcceleratorFixture fixture)
{
    /// <summary>The shared accelerator of this backend; skips the test when the device is absent.</summary>
    protected Accelerator Acc => fixture.Get();

    protected AcceleratorFixture Fixture => fixture;

    protected BackendKind Backend => fixture.Backend;

    protected MemoryBuffer<T> Upload<T>(T[] data) where T : unmanaged => Acc.Allocate<T>(data);

    protected MemoryBuffer<T> Filled<T>(int length, T value) where T : unmanaged
    {
        var buffer = Acc.Allocate<T>(length);
        buffer.Fill(value);
        return buffer;
    }

    protected void Launch(KernelDescriptor kernel, int global, params object?[] args) =>
        Acc.Launch(kernel, new LaunchDims(global), args);

    /// <summary>Writes a line to the test output (and to $HILO_CONFORMANCE_LOG when set, for reports).</summary>
    protected void Log(string line)
    {
        string text = $"[{Backend}] {line}";
        TestContext.Current.TestOutputHelper?.WriteLine(text);
        string? path = Environment.GetEnvironmentVariable("HILO_CONFORMANCE_LOG");
        if (!string.IsNullOrEmpty(path))
        {
            lock (LogGate)
            {
                File.AppendAllText(path, text + Environment.NewLine);
            }
        }
    }

    private static readonly Lock LogGate = new();

    /// <summary>Asserts element-wise equality, reporting the number of mismatches and the first few.</summary>
    protected static void AssertElements<T>(T[] expected, T[] actual, Func<int, string> describe)
        where T : IEquatable<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        var bad = new List<string>();
        int count = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (!expected[i].Equals(actual[i]))
            {
                if (count++ < 12)
                {
                    bad.Add(string.Create(CultureInfo.InvariantCulture, $"{describe(i)}: expected {expected[i]}, got {actual[i]}"));
                }
            }
        }
        Assert.True(count == 0, $"{count} of {expected.Length} elements differ:\n" + string.Join("\n", bad));
    }

    /// <summary>Asserts floats are bit-identical (any NaN matches any NaN).</summary>
    protected static void AssertSameFloats(float[] expected, float[] actual, Func<int, string> describe)
    {
        Assert.Equal(expected.Length, actual.Length);
        var bad = new List<string>();
        int count = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (!Ulp.SameFloat(expected[i], actual[i]))
            {
                if (count++ < 12)
                {
                    bad.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{describe(i)}: expected {expected[i]:R} (0x{BitConverter.SingleToInt32Bits(expected[i]):X8}), got {actual[i]:R} (0x{BitConverter.SingleToInt32Bits(actual[i]):X8})"));
                }
            }
        }
        Assert.True(count == 0, $"{count} of {expected.Length} floats differ:\n" + string.Join("\n", bad));
    }

    protected static string F(float x) => x.ToString("R", CultureInfo.InvariantCulture);

    protected static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}

public sealed class CpuConformance(CpuFixture fixture) : ConformanceSuite(fixture), IClassFixture<CpuFixture>;

public sealed class OpenCLConformance(OpenCLFixture fixture) : ConformanceSuite(fixture), IClassFixture<OpenCLFixture>
{
    /// <summary>OpenCL 1.2 §7.4: sqrt ≤ 3 ulp unless built with -cl-fp32-correctly-rounded-divide-sqrt.</summary>
    protected override int SqrtUlps => 3;
}

public sealed class CudaConformance(CudaFixture fixture) : ConformanceSuite(fixture), IClassFixture<CudaFixture>;

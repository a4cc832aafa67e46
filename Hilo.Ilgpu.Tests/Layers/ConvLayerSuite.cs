
namespace Hilo.Ilgpu.Tests.Layers;

/// <summary>
/// Tests of the convolution-family layers (pooling, patch conv, patch embed, depthwise, deformable conv,
/// BatchNorm folding, DTM), written once and run on every backend by one subclass per backend: parity with the
/// PyTorch fixtures, property tests against the float64 references, and bad input.
/// </summary>
public abstract partial class ConvLayerSuite(DeviceFixture fixture)
{
    protected ComputeDevice Device => fixture.Get();

    protected BackendKind Backend => fixture.Backend;

    protected Tensor Upload(float[] data, params int[] shape) => Device.Upload(data, shape);

    protected void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine($"[{Backend}] {line}");
}

public sealed class CpuConvLayers(CpuFamilyFixture fixture) : ConvLayerSuite(fixture), IClassFixture<CpuFamilyFixture>;

public sealed class IlgpuCpuConvLayers(IlgpuCpuFixture fixture) : ConvLayerSuite(fixture), IClassFixture<IlgpuCpuFixture>;

public sealed class OpenCLConvLayers(OpenCLFixture fixture) : ConvLayerSuite(fixture), IClassFixture<OpenCLFixture>;

public sealed class CudaConvLayers(CudaFixture fixture) : ConvLayerSuite(fixture), IClassFixture<CudaFixture>;

namespace Hilo.Ilgpu.Compute.Generator.Model;

/// <summary>
/// Everything the output step needs to write one kernel's <c>.g.cs</c>: plain strings only, so the
/// incremental pipeline can compare it by value and skip unchanged kernels.
/// </summary>
internal sealed record KernelModel(
    string Namespace,
    EquatableArray<string> ContainingTypes,
    string MethodName,
    string EntryPoint,
    string Accessibility,
    string Usings,
    EquatableArray<ParameterModel> Parameters,
    string OpenCLSource,
    string CudaSource,
    bool UsesBarriers,
    bool UsesDoubles,
    int SharedMemoryBytes,
    string? PhasedBody,
    string? CpuBody,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>Full C# name <c>Namespace.Class.Method</c>, the descriptor's <c>Name</c>.</summary>
    public string FullName =>
        (Namespace.Length > 0 ? Namespace + "." : "") + string.Join(".", ContainingTypes) + "." + MethodName;
}

/// <summary>One kernel parameter as the descriptor and the CPU glue need it.</summary>
/// <param name="Name">The C# name (escaped with <c>@</c> where it is a keyword).</param>
/// <param name="Kind">A <c>KernelParameterKind</c> member name.</param>
/// <param name="DisplayType">Short C# type for messages, e.g. <c>ArrayView&lt;float&gt;</c>.</param>
/// <param name="FullType">Fully qualified C# type for generated code.</param>
/// <param name="IsBool">True for <c>bool</c>, which travels as an int.</param>
internal sealed record ParameterModel(string Name, string Kind, string DisplayType, string FullType, bool IsBool);

namespace Hilo.Ilgpu.Compute;

/// <summary>
/// Marks a <c>static void</c> method of a <c>static partial class</c> as a kernel. At build time the
/// source generator translates it to OpenCL C and CUDA C and adds a <see cref="KernelDescriptor"/>
/// named <c>&lt;Method&gt;Kernel</c> to the class. Only the documented subset of C# is allowed in a
/// kernel (see docs/kernel-language.md); anything else is a compile-time error with an ID.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class KernelAttribute : Attribute
{
}

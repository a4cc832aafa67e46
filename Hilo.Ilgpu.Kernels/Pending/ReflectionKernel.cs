using System.Reflection;
using System.Runtime.ExceptionServices;
using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.Cpu;

namespace Hilo.Ilgpu.Kernels.Pending;

// TEMPORARY, deleted when the source generator lands: a descriptor built by reflection so that the
// conformance tests of kernels without barriers can run on the managed CPU backend before then.
// It has no OpenCL/CUDA source, so device backends fail to build it.
internal sealed class ReflectionKernel : KernelDescriptor
{
    private readonly MethodInfo method;

    private ReflectionKernel(MethodInfo method, KernelParameter[] parameters, bool barriers, int shared)
        : base(method.DeclaringType!.FullName + "." + method.Name, method.Name, "/* no generator yet */", "/* no generator yet */",
            parameters, barriers, false, shared) => this.method = method;

    public static KernelDescriptor Of(Type type, string name, bool barriers = false, int sharedBytes = 0)
    {
        var m = type.GetMethod(name, BindingFlags.Public | BindingFlags.Static)!;
        var ps = m.GetParameters().Select(p => new KernelParameter(p.Name!, KindOf(p.ParameterType), p.ParameterType.Name)).ToArray();
        return new ReflectionKernel(m, ps, barriers, sharedBytes);
    }

    private static KernelParameterKind KindOf(Type t) =>
        !t.IsGenericType ? (t.IsPrimitive ? KernelParameterKind.Scalar : KernelParameterKind.Struct)
        : t.GetGenericTypeDefinition() == typeof(ArrayView<>) ? KernelParameterKind.View
        : t.GetGenericTypeDefinition() == typeof(ArrayView2D<>) ? KernelParameterKind.View2D
        : KernelParameterKind.View3D;

    protected override bool IsArgumentOfType(int index, object? arg) =>
        arg is not null && arg.GetType() == method.GetParameters()[index].ParameterType;

    public override void WriteArguments(ReadOnlySpan<object?> args, IKernelArgumentWriter writer)
    {
        var ps = method.GetParameters();
        for (int i = 0; i < ps.Length; i++)
        {
            var t = ps[i].ParameterType;
            string call = KindOf(t) switch
            {
                KernelParameterKind.View => "View",
                KernelParameterKind.View2D => "View2D",
                KernelParameterKind.View3D => "View3D",
                _ => "Scalar",
            };
            var element = t.IsGenericType ? t.GetGenericArguments()[0] : t;
            try
            {
                typeof(IKernelArgumentWriter).GetMethod(call)!.MakeGenericMethod(element).Invoke(writer, [args[i]]);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            }
        }
    }

    public override CpuKernelBody CreateCpuBody(ReadOnlySpan<object?> args) => new Body(method, args.ToArray());

    private sealed class Body(MethodInfo method, object?[] args) : CpuKernelBody
    {
        public override void Run()
        {
            try
            {
                method.Invoke(null, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            }
        }
    }
}

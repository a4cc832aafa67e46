using Microsoft.CodeAnalysis;

// Release tracking (RS2008) is for analyzers shipped as packages; these IDs are documented in docs/diagnostics.md.
#pragma warning disable RS2008

namespace Hilo.Ilgpu.Compute.Generator.Analysis;

/// <summary>
/// Every diagnostic the kernel validator reports. The kernel language is an allow-list: each construct
/// outside it has its own ID, and every message says what was found and what to use instead.
/// docs/diagnostics.md lists them all; keep the two in step.
/// </summary>
internal static class Diagnostics
{
    private const string Category = "Hilo.Kernel";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            helpLinkUri: "docs/diagnostics.md#" + id.ToLowerInvariant());

    // ---- Kernel method shape ----
    public static readonly DiagnosticDescriptor KernelNotStatic = Error("HILO0001",
        "Kernel method is not static", "Kernel '{0}' must be static: declare it 'public static void'");
    public static readonly DiagnosticDescriptor KernelNotVoid = Error("HILO0002",
        "Kernel method does not return void", "Kernel '{0}' returns '{1}'; kernels return void, write results to an ArrayView parameter instead");
    public static readonly DiagnosticDescriptor KernelGeneric = Error("HILO0003",
        "Kernel method is generic", "Kernel '{0}' is generic; kernels cannot have type parameters, write one kernel per element type");
    public static readonly DiagnosticDescriptor KernelContainer = Error("HILO0004",
        "Kernel is not in a top-level static partial class", "Kernel '{0}' is declared in '{1}', which {2}; put kernels in a non-generic, non-nested 'static partial class'");
    public static readonly DiagnosticDescriptor KernelParameterType = Error("HILO0005",
        "Unsupported kernel parameter type", "Kernel parameter '{0}' has type '{1}', which cannot be passed to a kernel; allowed are ArrayView<T>, ArrayView2D<T>, ArrayView3D<T> (T a numeric primitive or a struct of them), numeric primitives, bool, and structs of numeric primitives");
    public static readonly DiagnosticDescriptor ParameterModifier = Error("HILO0006",
        "Parameter passed by reference", "Parameter '{0}' of '{1}' is declared '{2}'; kernel and helper parameters are passed by value only, return a value (or write to a view) instead");
    public static readonly DiagnosticDescriptor OptionalParameter = Error("HILO0007",
        "Optional parameter", "Parameter '{0}' of '{1}' has a default value; pass every argument explicitly");

    // ---- Types ----
    public static readonly DiagnosticDescriptor ReferenceType = Error("HILO0010",
        "Reference type in kernel code", "Type '{0}' is a reference type ({1}), which kernels cannot use; use primitives, structs of primitives and views");
    public static readonly DiagnosticDescriptor ArrayType = Error("HILO0011",
        "Array in kernel code", "Arrays are not available in kernels (found '{0}'); use an ArrayView<T> parameter for global memory, SharedMemory.Allocate<T>(n) for group memory, or separate locals");
    public static readonly DiagnosticDescriptor StringType = Error("HILO0012",
        "String in kernel code", "Strings are not available in kernels (found {0}); kernels cannot print or format text, write numbers to a view instead");
    public static readonly DiagnosticDescriptor DecimalType = Error("HILO0013",
        "decimal in kernel code", "'decimal' is not available in kernels (found '{0}'); use double or float");
    public static readonly DiagnosticDescriptor CharType = Error("HILO0014",
        "char in kernel code", "'char' is not available in kernels (found '{0}'); use ushort or int character codes");
    public static readonly DiagnosticDescriptor NullableType = Error("HILO0015",
        "Nullable value or null in kernel code", "Nullable types and null are not available in kernels (found '{0}'); use a plain value and a separate flag (int) or a sentinel value");
    public static readonly DiagnosticDescriptor TupleType = Error("HILO0016",
        "Tuple in kernel code", "Tuples are not available in kernels (found '{0}'); use separate locals or a struct of primitives");
    public static readonly DiagnosticDescriptor UnsupportedStruct = Error("HILO0017",
        "Unsupported value type in kernel code", "Type '{0}' is not available in kernels ({1}); use primitives, structs of primitives declared in this project, views or Float4/Float8/Float16");
    public static readonly DiagnosticDescriptor ClassCreation = Error("HILO0018",
        "Object creation in kernel code", "'{0}' creates an instance of '{1}', which kernels cannot do; only 'new S()' of a struct of primitives and 'new Float4(x)' (Float8, Float16) are allowed");
    public static readonly DiagnosticDescriptor StructField = Error("HILO0019",
        "Unsupported struct member layout", "Struct '{0}' used in a kernel {1}; kernel structs contain only instance fields of numeric primitives");
    public static readonly DiagnosticDescriptor BoolStructField = Error("HILO0020",
        "bool field in kernel struct", "Field '{0}' of struct '{1}' is a bool, whose size differs between C# and OpenCL/CUDA; use an int (0 or 1)");
    public static readonly DiagnosticDescriptor StructMember = Error("HILO0021",
        "Struct member that is not a field", "'{0}' is a {1} of struct '{2}'; kernel structs are plain fields only, use a static helper method taking the struct instead");
    public static readonly DiagnosticDescriptor VectorMisuse = Error("HILO0022",
        "Vector type used in an unsupported way", "'{0}' cannot be {1}; use ArrayView<float> (or a shared float view) and {0}.Load/Store");
    public static readonly DiagnosticDescriptor PointerType = Error("HILO0023",
        "Pointer in kernel code", "Pointers are not available in kernels (found '{0}'); index an ArrayView<T> instead");
    public static readonly DiagnosticDescriptor UnsupportedCast = Error("HILO0024",
        "Unsupported conversion", "Conversion from '{0}' to '{1}' is not available in kernels; casts are allowed only between numeric primitives (and bool only by comparison, e.g. 'x != 0')");

    // ---- Functions and members ----
    public static readonly DiagnosticDescriptor Lambda = Error("HILO0030",
        "Lambda in kernel code", "Lambdas and anonymous methods are not available in kernels; write a static helper method in this project and call it");
    public static readonly DiagnosticDescriptor LocalFunction = Error("HILO0031",
        "Local function in kernel code", "Local function '{0}' is not available in kernels; make it a static helper method of the class");
    public static readonly DiagnosticDescriptor Delegate = Error("HILO0032",
        "Delegate in kernel code", "Delegates and method groups used as values are not available in kernels (found '{0}'); call a static helper method directly");
    public static readonly DiagnosticDescriptor Linq = Error("HILO0033",
        "LINQ in kernel code", "LINQ is not available in kernels; write a for loop");
    public static readonly DiagnosticDescriptor ExternalMember = Error("HILO0034",
        "Member not available in kernels", "{0} is not available in kernels; {1}");
    public static readonly DiagnosticDescriptor InstanceCall = Error("HILO0035",
        "Instance method call in kernel code", "Instance method '{0}' is not available in kernels; {1}");
    public static readonly DiagnosticDescriptor GenericHelper = Error("HILO0036",
        "Generic helper method", "Helper method '{0}' is generic; kernel helpers cannot have type parameters, write one helper per type");
    public static readonly DiagnosticDescriptor HelperWithoutBody = Error("HILO0037",
        "Kernel or helper method without a body", "Method '{0}' has no body in this project ({1}); kernels and the helpers they call must be static methods with source in this compilation");
    public static readonly DiagnosticDescriptor Recursion = Error("HILO0038",
        "Recursion in kernel code", "Call to '{0}' is recursive ({1}); GPUs have no call stack for recursion, rewrite it as a loop");
    public static readonly DiagnosticDescriptor HelperReturnType = Error("HILO0039",
        "Unsupported helper return type", "Helper method '{0}' returns '{1}'; helpers may return void, primitives, structs of primitives or Float4/Float8/Float16, take views as parameters instead");
    public static readonly DiagnosticDescriptor StaticField = Error("HILO0040",
        "Static field that is not const", "Static field '{0}' is {1}; kernels can read only 'const' fields, make it a const or pass the value as a kernel parameter");
    public static readonly DiagnosticDescriptor ClassMember = Error("HILO0041",
        "Member of a reference type", "'{0}' is an instance member of the reference type '{1}'; kernels can access fields of structs only");
    public static readonly DiagnosticDescriptor UserProperty = Error("HILO0042",
        "Static property in kernel code", "Static property '{0}' is not available in kernels; use a const field or a static helper method");

    // ---- Statements and expressions ----
    public static readonly DiagnosticDescriptor TryCatch = Error("HILO0050",
        "try/catch/finally in kernel code", "try/catch/finally is not available in kernels: there are no exceptions on the device; check conditions with if instead");
    public static readonly DiagnosticDescriptor Throw = Error("HILO0051",
        "throw in kernel code", "throw is not available in kernels: there are no exceptions on the device; write an error code to a view, or return");
    public static readonly DiagnosticDescriptor Using = Error("HILO0052",
        "using in kernel code", "using statements and declarations are not available in kernels: nothing in a kernel is disposable; remove it");
    public static readonly DiagnosticDescriptor Lock = Error("HILO0053",
        "lock in kernel code", "lock is not available in kernels; use Atomic operations or Group.Barrier()");
    public static readonly DiagnosticDescriptor Fixed = Error("HILO0054",
        "fixed in kernel code", "fixed is not available in kernels; index the ArrayView directly");
    public static readonly DiagnosticDescriptor Unsafe = Error("HILO0055",
        "unsafe code in kernel code", "unsafe code is not available in kernels (found '{0}'); use views and plain arithmetic");
    public static readonly DiagnosticDescriptor Stackalloc = Error("HILO0056",
        "stackalloc in kernel code", "stackalloc is not available in kernels; use separate locals, Float4/Float8/Float16, or SharedMemory.Allocate<T>(n) at the top of the kernel");
    public static readonly DiagnosticDescriptor Foreach = Error("HILO0057",
        "foreach in kernel code", "foreach is not available in kernels; write 'for (int i = 0; i < view.Length; i++)'");
    public static readonly DiagnosticDescriptor Goto = Error("HILO0058",
        "goto or label in kernel code", "'{0}' is not available in kernels; use structured control flow (break, continue, return, if)");
    public static readonly DiagnosticDescriptor Yield = Error("HILO0059",
        "yield in kernel code", "yield is not available in kernels; write results to a view");
    public static readonly DiagnosticDescriptor Async = Error("HILO0060",
        "async/await in kernel code", "async/await is not available in kernels (found '{0}'); kernels run synchronously on the device");
    public static readonly DiagnosticDescriptor TypePattern = Error("HILO0061",
        "is/pattern matching in kernel code", "Pattern matching is not available in kernels (found '{0}'); compare values with ==, <, > and use if/else");
    public static readonly DiagnosticDescriptor AsOperator = Error("HILO0062",
        "as in kernel code", "The 'as' operator is not available in kernels; use a cast between numeric primitives");
    public static readonly DiagnosticDescriptor SwitchExpression = Error("HILO0063",
        "switch expression in kernel code", "Switch expressions are not available in kernels; use a switch statement or if/else (or the ?: operator)");
    public static readonly DiagnosticDescriptor SwitchLabel = Error("HILO0064",
        "Unsupported switch label", "Switch label '{0}' is not available in kernels; use 'case <constant>:' labels only (no patterns, no 'when')");
    public static readonly DiagnosticDescriptor SwitchGoverningType = Error("HILO0065",
        "Switch on a non-integer type", "switch on a value of type '{0}' is not available in kernels; switch on an integer, or use if/else");
    public static readonly DiagnosticDescriptor Checked = Error("HILO0066",
        "checked in kernel code", "checked arithmetic is not available in kernels: integer arithmetic wraps on overflow; test the range with if instead");
    public static readonly DiagnosticDescriptor Unchecked = Error("HILO0067",
        "unchecked block or non-constant unchecked expression", "unchecked is allowed only around constant expressions: kernel arithmetic already wraps, remove '{0}'");
    public static readonly DiagnosticDescriptor SizeOf = Error("HILO0068",
        "sizeof of a non-primitive type", "sizeof({0}) is not available in kernels: struct sizes differ between C# and the device; use sizeof of a numeric primitive or a const");
    public static readonly DiagnosticDescriptor NameOf = Error("HILO0069",
        "nameof in kernel code", "nameof is not available in kernels: kernels have no strings; remove it");
    public static readonly DiagnosticDescriptor TypeOf = Error("HILO0070",
        "typeof in kernel code", "typeof is not available in kernels: kernels have no reflection; remove it");
    public static readonly DiagnosticDescriptor Initializer = Error("HILO0071",
        "Object or collection initializer", "Object and collection initializers are not available in kernels; write 'var s = new S();' and assign the fields one by one");
    public static readonly DiagnosticDescriptor RefLocal = Error("HILO0072",
        "ref local, ref return or ref argument", "'{0}' is not available in kernels: references exist only as the first argument of Atomic.* ('ref view[i]'); use plain values and write back through the view");
    public static readonly DiagnosticDescriptor UnsupportedSyntax = Error("HILO0099",
        "Unsupported C# construct", "{0} is not part of the kernel language; see docs/kernel-language.md for what kernels may use");

    // ---- Shared memory, barriers, atomics ----
    public static readonly DiagnosticDescriptor SharedAllocPlacement = Error("HILO0080",
        "SharedMemory.Allocate in an unsupported place", "SharedMemory.Allocate must be the whole initializer of a local declaration at the top level of the kernel body (not in {0}); e.g. 'var tile = SharedMemory.Allocate<float>(256);' as a first statement");
    public static readonly DiagnosticDescriptor SharedAllocLength = Error("HILO0081",
        "SharedMemory.Allocate length is not a positive constant", "SharedMemory.Allocate needs a positive compile-time constant length (found '{0}'); use a literal or a const, and pass the used size as a kernel parameter");
    public static readonly DiagnosticDescriptor SharedAllocInHelper = Error("HILO0082",
        "SharedMemory.Allocate in a helper method", "SharedMemory.Allocate is called in helper method '{0}'; allocate in the kernel body and pass the SharedView<T> to the helper");
    public static readonly DiagnosticDescriptor SharedViewCopy = Error("HILO0083",
        "Shared view not from SharedMemory.Allocate", "Shared view '{0}' is {1}; a SharedView<T> local must be initialised by SharedMemory.Allocate and never reassigned");
    public static readonly DiagnosticDescriptor BarrierPlacement = Error("HILO0084",
        "Group.Barrier() not a statement", "Group.Barrier() must be a statement of its own ('Group.Barrier();') in the kernel body, not part of {0}");
    public static readonly DiagnosticDescriptor BarrierInHelper = Error("HILO0085",
        "Group.Barrier() in a helper method", "Group.Barrier() is called in helper method '{0}'; barriers are allowed only as statements in the kernel method itself, move it to the kernel");
    public static readonly DiagnosticDescriptor DivergentBarrier = Error("HILO0086",
        "Group.Barrier() in divergent control flow", "Group.Barrier() is inside {0} whose condition '{1}' can differ between work-items of a group (it depends on {2}); every work-item must reach the same barriers, move the barrier out of it or make the condition depend only on parameters, constants, Group.Size, Grid.GlobalSize/GroupIndex/GroupCount");
    public static readonly DiagnosticDescriptor DivergentReturn = Error("HILO0087",
        "Divergent return in a kernel with barriers", "This return, under the condition '{0}' that depends on {1}, lets some work-items of a group skip a Group.Barrier() others wait at; instead of returning, guard the work after the barrier with if (e.g. 'if (i < n) {{ ... }}') and let every work-item reach the barrier");
    public static readonly DiagnosticDescriptor DivergentLoopExit = Error("HILO0088",
        "Divergent break/continue in a loop with barriers", "This {0}, under the condition '{1}' that depends on {2}, lets some work-items skip a Group.Barrier() in the loop; make the loop's trip count uniform and guard the work inside with if instead");
    public static readonly DiagnosticDescriptor AtomicTarget = Error("HILO0089",
        "Atomic target is not a view element", "The first argument of {0} is '{1}'; atomics work only on global or shared memory elements, pass 'ref view[i]' (ArrayView, ArrayView2D/3D or SharedView element)");
}

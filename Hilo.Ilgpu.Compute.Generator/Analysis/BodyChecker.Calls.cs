using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hilo.Ilgpu.Compute.Generator.Analysis;

/// <summary>Calls: helpers of the compilation, allow-listed members, barriers, shared memory, atomics.</summary>
internal sealed partial class BodyChecker
{
    private void Invocation(InvocationExpressionSyntax invocation)
    {
        if (invocation.Expression is IdentifierNameSyntax { Identifier.Text: "nameof" } &&
            model.GetSymbolInfo(invocation).Symbol is null)
        {
            Report(Diagnostics.NameOf, invocation);
            return;
        }
        if (model.GetSymbolInfo(invocation).Symbol is not IMethodSymbol target)
        {
            // Unresolved (the C# compiler reports it): still look at the arguments.
            Arguments(invocation, null);
            return;
        }
        ExpressionSyntax? receiver = null;
        if (invocation.Expression is MemberAccessExpressionSyntax memberAccess &&
            model.GetSymbolInfo(memberAccess.Expression).Symbol is not (ITypeSymbol or INamespaceSymbol or IAliasSymbol))
        {
            receiver = memberAccess.Expression;
        }
        if (!CallTarget(invocation, target))
        {
            return;
        }
        if (receiver is not null)
        {
            Expr(receiver);
        }
        Arguments(invocation, target);
    }

    /// <summary>Checks what is called; false when the call is refused (its arguments are then not checked).</summary>
    private bool CallTarget(InvocationExpressionSyntax invocation, IMethodSymbol target)
    {
        switch (target.MethodKind)
        {
            case MethodKind.DelegateInvoke:
                Report(Diagnostics.Delegate, invocation.Expression, invocation.Expression.ToString());
                return false;
            case MethodKind.LocalFunction:
                return false; // reported at the local function's declaration
        }
        if (context.IsInSource(target))
        {
            if (target.ReducedFrom is not null)
            {
                Report(Diagnostics.InstanceCall, invocation, target.ContainingType.Name + "." + target.Name,
                    "call the helper with static syntax, e.g. '" + target.ContainingType.Name + "." + target.Name + "(x, ...)'");
                return false;
            }
            if (!target.IsStatic)
            {
                if (target.ContainingType.IsValueType)
                {
                    Report(Diagnostics.StructMember, invocation, target.Name, "method", target.ContainingType.Name);
                }
                else
                {
                    Report(Diagnostics.InstanceCall, invocation, target.ContainingType.Name + "." + target.Name,
                        "kernels have no objects; make it a static helper method");
                }
                return false;
            }
            facts.Callees.Add(target.OriginalDefinition);
            context.CallHelper(target.OriginalDefinition, invocation);
            return true;
        }
        if (!AllowList.IsAllowed(target))
        {
            if (target.IsStatic || target.MethodKind == MethodKind.Constructor)
            {
                Report(Diagnostics.ExternalMember, invocation, AllowList.Show(target), AllowList.Hint(target));
            }
            else
            {
                string shown = invocation.Expression is MemberAccessExpressionSyntax access &&
                    model.GetTypeInfo(access.Expression).Type is { } receiverType
                        ? receiverType.Name + "." + target.Name : AllowList.Show(target);
                Report(Diagnostics.InstanceCall, invocation, shown, AllowList.Hint(target));
            }
            return false;
        }
        NoteVaryingSource(target);
        string type = target.ContainingType.Name;
        if (type == "Group" && target.Name == "Barrier")
        {
            Barrier(invocation);
        }
        else if (type == "SharedMemory" && target.Name == "Allocate")
        {
            SharedAllocation(invocation, target);
        }
        else if (type == "Atomic")
        {
            return AtomicTarget(invocation, target);
        }
        return true;
    }

    private void Barrier(InvocationExpressionSyntax invocation)
    {
        if (!isKernel)
        {
            Report(Diagnostics.BarrierInHelper, invocation, method.Name);
        }
        else if (!allowedSpecialCalls.Contains(invocation))
        {
            Report(Diagnostics.BarrierPlacement, invocation, "an expression or a for-loop header");
        }
    }

    private void SharedAllocation(InvocationExpressionSyntax invocation, IMethodSymbol target)
    {
        if (!isKernel)
        {
            Report(Diagnostics.SharedAllocInHelper, invocation, method.Name);
            return;
        }
        if (!allowedSpecialCalls.Contains(invocation))
        {
            bool declaration = invocation.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax };
            Report(Diagnostics.SharedAllocPlacement, invocation, declaration ? "a nested block, loop or branch" : "an expression");
            return;
        }
        var element = target.TypeArguments.FirstOrDefault();
        if (element is not null)
        {
            if (TypeRules.IsVector(element))
            {
                Report(Diagnostics.VectorMisuse, invocation, element.Name, "the element type of shared memory");
            }
            else if (!TypeRules.IsNumericPrimitive(element) && !TypeRules.IsUserStruct(element, Compilation))
            {
                context.Report(Diagnostics.UnsupportedStruct, invocation.GetLocation(), TypeRules.Show(element),
                    "shared memory elements must be numeric primitives or structs of them");
            }
            else
            {
                CheckValueType(element, invocation.GetLocation());
            }
        }
        var length = invocation.ArgumentList.Arguments.FirstOrDefault()?.Expression;
        if (length is not null)
        {
            var value = model.GetConstantValue(length);
            if (!value.HasValue || value.Value is not int n || n <= 0)
            {
                Report(Diagnostics.SharedAllocLength, length, length.ToString());
            }
        }
    }

    /// <summary>Atomic.*(ref view[i], ...): the target must be an element of a view or shared view.</summary>
    private bool AtomicTarget(InvocationExpressionSyntax invocation, IMethodSymbol target)
    {
        var arguments = invocation.ArgumentList.Arguments;
        if (arguments.Count == 0)
        {
            return true;
        }
        var first = arguments[0];
        var element = first.Expression as ElementAccessExpressionSyntax;
        var receiverType = element is null ? null : model.GetTypeInfo(element.Expression).Type;
        if (element is null || !(TypeRules.IsView(receiverType) || TypeRules.IsSharedView(receiverType)))
        {
            Report(Diagnostics.AtomicTarget, first, "Atomic." + target.Name, first.Expression.ToString());
            return false;
        }
        ElementAccess(element);
        foreach (var argument in arguments.Skip(1))
        {
            Argument(argument);
        }
        return false; // arguments done here
    }

    private void Arguments(InvocationExpressionSyntax invocation, IMethodSymbol? target)
    {
        var arguments = invocation.ArgumentList.Arguments;
        for (int i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument.NameColon is { } nameColon && target is not null &&
                target.Parameters.FirstOrDefault(p => p.Name == nameColon.Name.Identifier.Text) is { } parameter &&
                parameter.Ordinal != i)
            {
                Report(Diagnostics.UnsupportedSyntax, argument, "A named argument out of parameter order ('" + argument + "')");
            }
            Argument(argument);
        }
    }

    private void Argument(ArgumentSyntax argument)
    {
        if (argument.RefKindKeyword != default)
        {
            Report(Diagnostics.RefLocal, argument, argument.ToString());
            return;
        }
        Expr(argument.Expression);
    }

    /// <summary>Whether <paramref name="invocation"/> calls the kernel-language method Type.Name.</summary>
    private bool IsLanguageMethod(InvocationExpressionSyntax invocation, string type, string name) =>
        model.GetSymbolInfo(invocation).Symbol is IMethodSymbol target && target.Name == name &&
        TypeRules.IsLanguageType(target.ContainingType, type);

    /// <summary>Records that this method reads a work-item-varying value (for the barrier divergence analysis).</summary>
    private void NoteVaryingSource(ISymbol member)
    {
        if (facts.DirectVarying is not null || member.ContainingType is not { } type)
        {
            return;
        }
        string? source = (type.Name, member.Name) switch
        {
            ("Grid", "GlobalIndex") => "Grid.GlobalIndex",
            ("Group", "Index") => "Group.Index",
            ("Group", "LinearIndex") => "Group.LinearIndex",
            ("Atomic", _) => "the result of an atomic operation",
            ("Float4" or "Float8" or "Float16", "Load") => "a load from a view",
            _ => null,
        };
        if (source is not null && TypeRules.IsLanguageType(type, type.MetadataName))
        {
            facts.DirectVarying = source;
        }
    }
}

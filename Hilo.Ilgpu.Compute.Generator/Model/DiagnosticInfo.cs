using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Hilo.Ilgpu.Compute.Generator.Model;

/// <summary>
/// A diagnostic stored by value (no syntax trees held), so it can travel through the incremental pipeline;
/// <see cref="ToDiagnostic"/> recreates it with the same ID, severity, message and location.
/// </summary>
internal sealed record DiagnosticInfo(
    string Id, string Title, string Message, string Category, DiagnosticSeverity Severity, string? HelpLink,
    string? FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static DiagnosticInfo From(Diagnostic d)
    {
        var location = d.Location;
        string? path = location.IsInSource ? location.SourceTree?.FilePath : null;
        return new DiagnosticInfo(
            d.Id, d.Descriptor.Title.ToString(System.Globalization.CultureInfo.InvariantCulture),
            d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), d.Descriptor.Category, d.Severity,
            d.Descriptor.HelpLinkUri, path, location.SourceSpan, location.GetLineSpan().Span);
    }

    public Diagnostic ToDiagnostic()
    {
        // The message is already formatted; escape braces so it is not formatted a second time.
        var descriptor = new DiagnosticDescriptor(Id, Title, Message.Replace("{", "{{").Replace("}", "}}"), Category,
            Severity, isEnabledByDefault: true, helpLinkUri: HelpLink);
        var location = FilePath is null ? Location.None : Location.Create(FilePath, Span, LineSpan);
        return Diagnostic.Create(descriptor, location);
    }
}

using Microsoft.CodeAnalysis;

// Release tracking (RS2008) is for analyzers shipped as packages; the ID is documented in docs/kernel-language.md.
#pragma warning disable RS2008

namespace Hilo.Ilgpu.Compute.Generator.Translate;

/// <summary>
/// The generator's own diagnostic, for code the validator accepted but the translator cannot express
/// (the validator's IDs are HILO00xx; this one is a backstop and should not normally be seen).
/// </summary>
internal static class TranslationDiagnostics
{
    public static readonly DiagnosticDescriptor Untranslatable = new(
        "HILO0900", "Kernel code the generator cannot translate",
        "Kernel '{0}': the generator cannot translate {1}; see docs/kernel-language.md for the supported forms",
        "Hilo.Kernel", DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: "docs/kernel-language.md#hilo0900");
}

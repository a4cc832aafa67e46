using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Cli;

/// <summary><c>hilo classify --explain DIR</c>: the pictures of what HiLo does on each classified image.</summary>
internal static class ClassifyExplain
{
    public static void Write(Litv2Model model, ImageClassifier classifier, IReadOnlyList<ImageClassification> results, ClassifyOptions o, TextWriter log) =>
        throw new ArgumentException("--explain is not available yet");
}

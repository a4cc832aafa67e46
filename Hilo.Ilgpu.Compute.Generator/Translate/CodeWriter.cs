using System.Text;

namespace Hilo.Ilgpu.Compute.Generator.Translate;

/// <summary>Builds indented C source line by line (4 spaces per level, '\n' line ends).</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder text = new();

    public int Indent { get; set; }

    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            text.Append(' ', Indent * 4).Append(line);
        }
        text.Append('\n');
        return this;
    }

    /// <summary>Appends already indented text (e.g. a whole prelude block) as is.</summary>
    public CodeWriter Raw(string block)
    {
        text.Append(block);
        return this;
    }

    public void Open()
    {
        Line("{");
        Indent++;
    }

    public void Close(string suffix = "")
    {
        Indent--;
        Line("}" + suffix);
    }

    /// <summary>True when the last written line is empty (or nothing was written), to avoid double blank lines.</summary>
    public bool EndsWithBlankLine =>
        text.Length == 0 || (text.Length >= 2 && text[text.Length - 1] == '\n' && text[text.Length - 2] == '\n');

    public override string ToString() => text.ToString();
}

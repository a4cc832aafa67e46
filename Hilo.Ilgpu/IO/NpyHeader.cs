using System.Globalization;
using System.Text;

namespace Hilo.Ilgpu.IO;

/// <summary>
/// Parses the header of a .npy file: a Python dict literal such as
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c>. Only the literal forms numpy
/// writes are accepted (strings, True/False, tuples of integers); anything else is an error.
/// </summary>
internal sealed class NpyHeader
{
    private readonly string _text;
    private readonly string _file;
    private int _pos;

    private NpyHeader(string text, string file)
    {
        _text = text;
        _file = file;
    }

    public string Descr { get; private set; } = "";

    public bool FortranOrder { get; private set; }

    public int[] Shape { get; private set; } = [];

    public static NpyHeader Parse(string text, string file, int maxRank)
    {
        var header = new NpyHeader(text, file);
        header.ParseDict(maxRank);
        return header;
    }

    private CheckpointFormatException Fail(string problem) =>
        new(_file, $".npy header {problem}: {(_text.Length > 200 ? _text[..200] + "…" : _text).TrimEnd()}");

    private void ParseDict(int maxRank)
    {
        bool sawDescr = false, sawOrder = false, sawShape = false;
        Expect('{');
        while (true)
        {
            SkipSpace();
            if (Peek() == '}')
            {
                _pos++;
                break;
            }
            string key = ParseString();
            Expect(':');
            switch (key)
            {
                case "descr":
                    SkipSpace();
                    if (Peek() != '\'' && Peek() != '"')
                    {
                        throw Fail("has a structured dtype (descr is not a plain string); only plain float arrays are read");
                    }
                    Descr = ParseString();
                    sawDescr = true;
                    break;
                case "fortran_order":
                    FortranOrder = ParseBool();
                    sawOrder = true;
                    break;
                case "shape":
                    Shape = ParseShape(maxRank);
                    sawShape = true;
                    break;
                default:
                    throw Fail($"has an unknown key '{key}'");
            }
            SkipSpace();
            if (Peek() == ',')
            {
                _pos++;
            }
            else if (Peek() != '}')
            {
                throw Fail("is not a dict literal");
            }
        }
        if (_text[_pos..].Trim().Length != 0)
        {
            throw Fail("has text after the dict");
        }
        if (!(sawDescr && sawOrder && sawShape))
        {
            throw Fail("lacks one of 'descr', 'fortran_order', 'shape'");
        }
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }

    private void Expect(char c)
    {
        SkipSpace();
        if (Peek() != c)
        {
            throw Fail($"expected '{c}' at character {_pos}");
        }
        _pos++;
    }

    private string ParseString()
    {
        SkipSpace();
        char quote = Peek();
        if (quote is not ('\'' or '"'))
        {
            throw Fail($"expected a string at character {_pos}");
        }
        int end = _text.IndexOf(quote, _pos + 1);
        if (end < 0)
        {
            throw Fail("has an unterminated string");
        }
        string value = _text[(_pos + 1)..end];
        if (value.Contains('\\', StringComparison.Ordinal))
        {
            throw Fail("has an escaped string");
        }
        _pos = end + 1;
        return value;
    }

    private bool ParseBool()
    {
        SkipSpace();
        foreach (var (word, value) in new[] { ("True", true), ("False", false) })
        {
            if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) == 0)
            {
                _pos += word.Length;
                return value;
            }
        }
        throw Fail("has a fortran_order that is neither True nor False");
    }

    private int[] ParseShape(int maxRank)
    {
        Expect('(');
        var dims = new List<int>();
        while (true)
        {
            SkipSpace();
            if (Peek() == ')')
            {
                _pos++;
                return dims.ToArray();
            }
            int start = _pos;
            while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
            {
                _pos++;
            }
            if (_pos == start || !int.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out int d))
            {
                throw Fail("has a shape entry that is not a non-negative 32-bit integer");
            }
            dims.Add(d);
            if (dims.Count > maxRank)
            {
                throw Fail($"has rank above {maxRank}");
            }
            SkipSpace();
            if (Peek() == ',')
            {
                _pos++;
            }
            else if (Peek() != ')')
            {
                throw Fail("has a malformed shape tuple");
            }
        }
    }

    /// <summary>Formats the header numpy would write for a C-order little-endian float32 array.</summary>
    public static string Format(IReadOnlyList<int> shape)
    {
        var text = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (");
        text.AppendJoin(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        if (shape.Count == 1)
        {
            text.Append(',');
        }
        return text.Append("), }").ToString();
    }
}

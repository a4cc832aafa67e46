using System.Collections.Generic;
using System.Text;

namespace Hilo.Ilgpu.Compute.Generator.Translate;

/// <summary>
/// The helper definitions one kernel's source needs (view structs, exact Max/Min, vector operators...),
/// each emitted once, in the order first required; a snippet requires its dependencies before itself.
/// </summary>
internal sealed class Prelude
{
    private readonly Dialect dialect;
    private readonly HashSet<string> keys = new();
    private readonly List<string> blocks = new();

    public Prelude(Dialect dialect) => this.dialect = dialect;

    /// <summary>Adds the snippet <paramref name="key"/> (see <see cref="Dialect.Snippet"/>) unless present.</summary>
    public void Require(string key)
    {
        if (!keys.Add(key))
        {
            return;
        }
        string text = dialect.Snippet(key, this);
        if (text.Length > 0)
        {
            blocks.Add(text);
        }
    }

    public bool IsEmpty => blocks.Count == 0;

    /// <summary>All snippets, separated by blank lines.</summary>
    public string Text
    {
        get
        {
            var sb = new StringBuilder();
            foreach (string block in blocks)
            {
                if (sb.Length > 0)
                {
                    sb.Append('\n');
                }
                sb.Append(block);
            }
            return sb.ToString();
        }
    }
}

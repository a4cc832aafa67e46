using System.CommandLine;
using System.Text.RegularExpressions;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Cli;

/// <summary>The <see cref="RunProvenance"/> of a command: its command line as typed, and the facts of the run.</summary>
internal static partial class CliProvenance
{
    /// <summary><c>hilo</c> and the parsed arguments, each quoted for a POSIX shell where it needs it.</summary>
    public static string CommandLine(ParseResult parse) => "hilo " + string.Join(' ', parse.Tokens.Select(t => Quote(t.Value)));

    /// <summary>The provenance of a model run: the weights' SHA-256 is read here (about a second for LITv2-B's 350 MB).</summary>
    /// <param name="commandLine">The command line (<see cref="CommandLine"/>), or null when called from code: then <c>hilo</c> and <paramref name="command"/>.</param>
    /// <param name="command">The subcommand's name, e.g. <c>classify</c>.</param>
    /// <param name="config">The model.</param>
    /// <param name="weights">The checkpoint file, or null with <paramref name="randomSeed"/>.</param>
    /// <param name="randomSeed">The seed of random weights, or null for a checkpoint.</param>
    /// <param name="device">The device the model runs on.</param>
    /// <param name="kernels">The <c>--kernels</c> value.</param>
    /// <param name="preprocessing">What the inputs were (<see cref="RunProvenance.Describe(Imaging.Preprocess)"/>).</param>
    public static RunProvenance ForModel(string? commandLine, string command, Litv2Config config, string? weights, int? randomSeed,
        ComputeDevice device, string? kernels, string? preprocessing) => new()
    {
        Command = commandLine ?? "hilo " + command,
        Model = config.Name,
        WeightsFile = randomSeed is null ? weights : null,
        WeightsSha256 = randomSeed is null && weights is not null ? RunProvenance.Sha256Of(weights) : null,
        RandomSeed = randomSeed,
        Device = device.Info.ToString(),
        Kernels = Kernels(kernels),
        Preprocessing = preprocessing,
    };

    /// <summary>The <c>--kernels</c> value as provenance records it (<c>auto</c> when not given).</summary>
    public static string Kernels(string? option) => string.IsNullOrWhiteSpace(option) ? "auto" : option.Trim().ToLowerInvariant();

    // Safe characters stay bare; anything else goes in single quotes (a quote inside as '\'').
    private static string Quote(string token) =>
        token.Length > 0 && Bare().IsMatch(token) ? token : "'" + token.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"^[A-Za-z0-9_@%+=:,./-]+$")]
    private static partial Regex Bare();
}

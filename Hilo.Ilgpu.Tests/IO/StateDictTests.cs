using Hilo.Ilgpu.IO;

namespace Hilo.Ilgpu.Tests.IO;

public class StateDictTests
{
    private static StateDict Make(params (string Key, int[] Shape)[] entries)
    {
        var sd = new StateDict();
        foreach (var (key, shape) in entries)
        {
            sd.Add(key, HostTensor.Zeros(shape));
        }
        return sd;
    }

    [Fact]
    public void Check_reports_every_missing_unexpected_and_misshaped_key_at_once()
    {
        var sd = Make(("a.weight", [3, 4]), ("a.bias", [3]), ("extra.x", [1]), ("extra.y", [2]), ("b.weight", [5]));
        (string, int[])[] expected = [("a.weight", [4, 3]), ("a.bias", [3]), ("b.weight", [5]), ("c.weight", [2]), ("c.bias", [2])];
        var e = Assert.Throws<CheckpointMismatchException>(() => sd.CheckAgainst(expected, "tiny-net"));
        Assert.Equal(["c.weight", "c.bias"], e.Missing);
        Assert.Equal(["extra.x", "extra.y"], e.Unexpected);
        var bad = Assert.Single(e.MisShaped);
        Assert.Equal("a.weight", bad.Key);
        Assert.Equal([3, 4], bad.Actual);
        Assert.Equal([4, 3], bad.Expected);
        Assert.Contains("tiny-net", e.Message, StringComparison.Ordinal);
        Assert.Contains("2 missing, 2 unexpected, 1 mis-shaped", e.Message, StringComparison.Ordinal);
        Assert.Contains("a.weight: checkpoint [3, 4], expected [4, 3]", e.Message, StringComparison.Ordinal);
        Assert.Contains("extra.y", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_passes_on_exact_match_and_honours_ignore()
    {
        var sd = Make(("w", [2, 2]), ("bn.num_batches_tracked", []));
        sd.CheckAgainst([("w", [2, 2])], "x", k => k.EndsWith("num_batches_tracked", StringComparison.Ordinal));
        Assert.Throws<CheckpointMismatchException>(() => sd.CheckAgainst([("w", [2, 2])], "x"));
    }

    [Fact]
    public void Strip_prefix_only_touches_prefixed_keys_and_detects_collisions()
    {
        var sd = Make(("module.a", [1]), ("b", [1]));
        Assert.Equal(["a", "b"], sd.StripPrefix("module.").Keys);
        var clash = Make(("module.a", [1]), ("a", [1]));
        var e = Assert.Throws<ArgumentException>(() => clash.StripPrefix("module."));
        Assert.Contains("'module.a' and 'a'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Finite_weights_pass_and_duplicate_keys_are_refused()
    {
        var sd = Make(("w", [2]));
        sd.CheckFinite();
        Assert.Throws<ArgumentException>(() => sd.Add("w", HostTensor.Zeros(1)));
        Assert.Throws<KeyNotFoundException>(() => sd["nope"]);
    }

    [Fact]
    public void Host_tensor_checks_its_shape()
    {
        Assert.Throws<ArgumentException>(() => new HostTensor([2, 3], new float[5]));
        Assert.Throws<ArgumentException>(() => new HostTensor([-1], []));
        Assert.Equal(1, HostTensor.Zeros().ElementCount);
        Assert.Equal("[2, 3]", HostTensor.Zeros(2, 3).ShapeText);
    }
}

using Hilo.Ilgpu.IO;
using static Hilo.Ilgpu.Tests.IO.CheckpointFixtures;

namespace Hilo.Ilgpu.Tests.IO;

public class TorchCheckpointTests
{
    [Theory]
    [InlineData("bare.pt")]
    [InlineData("wrapped.pt")]
    [InlineData("wrapped_state_dict.pt")]
    [InlineData("dataparallel.pt")]
    [InlineData("half.pt")]
    [InlineData("protocol4.pt")]
    [InlineData("protocol5.pt")]
    [InlineData("views.pt")]
    [InlineData("dtypes.pt")]
    [InlineData("tiny.safetensors")]
    [InlineData("mixed.safetensors")]
    public void Loader_reads_fixture_exactly(string fixture)
    {
        AssertMatches(CheckpointLoader.Load(PathOf(fixture)), fixture);
    }

    [Fact]
    public void Bare_state_dict_has_batchnorm_buffers_and_integer_counter()
    {
        var sd = TorchCheckpointReader.ReadStateDict(PathOf("bare.pt"));
        Assert.Equal(["fc.weight", "fc.bias", "norm.weight", "norm.bias", "conv.weight", "conv.bias",
            "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"], sd.Keys);
        Assert.Equal(TensorDType.Int64, sd["bn.num_batches_tracked"].SourceDType);
        Assert.Equal(0, sd["bn.num_batches_tracked"].Rank);
        Assert.Equal(3f, sd["bn.num_batches_tracked"].Data[0]);
        Assert.Equal([4, 2, 3, 3], sd["conv.weight"].Shape);
    }

    [Fact]
    public void Dataparallel_prefix_is_kept_by_the_reader_and_stripped_by_the_loader()
    {
        var raw = TorchCheckpointReader.ReadStateDict(PathOf("dataparallel.pt"));
        Assert.All(raw.Keys, k => Assert.StartsWith("module.", k, StringComparison.Ordinal));
        var loaded = CheckpointLoader.Load(PathOf("dataparallel.pt"));
        Assert.Equal(raw.Keys.Select(k => k["module.".Length..]), loaded.Keys);
    }

    [Fact]
    public void Wrapped_checkpoint_keeps_config_and_metadata_as_inert_values()
    {
        using var reader = TorchCheckpointReader.Open(PathOf("wrapped.pt"));
        var top = Assert.IsType<PickleDict>(reader.Root);
        Assert.True(top.TryGetValue("epoch", out object? epoch));
        Assert.Equal(3L, epoch);
        Assert.True(top.TryGetValue("max_accuracy", out object? accuracy));
        Assert.Equal(81.2, accuracy);
        Assert.True(top.TryGetValue("config", out object? config));
        var cfg = Assert.IsType<ForeignObject>(config);
        Assert.Equal("yacs.config.CfgNode", cfg.Type.FullName);
        Assert.True(cfg.DictItems.TryGetValue("TAG", out object? tag));
        Assert.Equal("default", tag);
        Assert.True(cfg.DictItems.TryGetValue("MODEL", out object? modelCfg));
        var modelNode = Assert.IsType<ForeignObject>(modelCfg);
        Assert.True(modelNode.DictItems.TryGetValue("NAME", out object? name));
        Assert.Equal("litv2_tiny", name);
        Assert.True(top.TryGetValue("args", out object? args));
        Assert.Equal("argparse.Namespace", Assert.IsType<ForeignObject>(args).Type.FullName);
        Assert.True(top.TryGetValue("np_metric", out object? metric));
        Assert.Equal("numpy.core.multiarray.scalar", Assert.IsType<ForeignObject>(metric).Type.FullName);
        // The optimizer state holds tensors too; they are described but never read.
        Assert.True(top.TryGetValue("optimizer", out object? optimizer));
        var opt = Assert.IsType<PickleDict>(optimizer);
        Assert.True(opt.TryGetValue("state", out object? state));
        Assert.NotEqual(0, Assert.IsType<PickleDict>(state).Count);
    }

    [Fact]
    public void Views_share_one_storage_and_are_gathered_contiguously()
    {
        using var reader = TorchCheckpointReader.Open(PathOf("views.pt"));
        var top = Assert.IsType<PickleDict>(reader.Root);
        var tensors = top.Entries.Select(e => Assert.IsType<PickledTensor>(e.Value)).ToList();
        Assert.Single(tensors.Select(t => t.StorageKey).Distinct());
        top.TryGetValue("transposed", out object? transposed);
        Assert.Equal([1L, 5L], Assert.IsType<PickledTensor>(transposed).Stride);
        var sd = reader.ReadStateDict();
        // base = arange(15).reshape(3, 5) * 0.25 - 1; transposed[i, j] = base[j, i].
        Assert.Equal([5, 3], sd["transposed"].Shape);
        Assert.Equal(-1f + (1 * 5 + 0) * 0.25f, sd["transposed"].Data[1]); // [0, 1] = base[1, 0]
        Assert.Equal(-1f + (2 * 5 + 4) * 0.25f, sd["transposed"].Data[4 * 3 + 2]);
        Assert.Equal(-1f + (2 * 5 + 3) * 0.25f, sd["scalar"].Data.Single());
    }

    [Fact]
    public void Half_checkpoint_reports_its_source_dtype()
    {
        var sd = CheckpointLoader.Load(PathOf("half.pt"));
        Assert.Equal(TensorDType.Float16, sd["fc.weight"].SourceDType);
        Assert.Equal(TensorDType.Int64, sd["bn.num_batches_tracked"].SourceDType);
    }

    [Fact]
    public void Materialize_reads_an_optimizer_tensor_on_request()
    {
        using var reader = TorchCheckpointReader.Open(PathOf("wrapped.pt"));
        var top = (PickleDict)reader.Root!;
        top.TryGetValue("optimizer", out object? optimizer);
        ((PickleDict)optimizer!).TryGetValue("state", out object? state);
        var first = (PickleDict)((PickleDict)state!).Entries[0].Value!;
        first.TryGetValue("exp_avg", out object? expAvg);
        var tensor = reader.Materialize(Assert.IsType<PickledTensor>(expAvg));
        Assert.Equal([3, 4], tensor.Shape);
        Assert.Contains(tensor.Data, v => v != 0);
    }
}

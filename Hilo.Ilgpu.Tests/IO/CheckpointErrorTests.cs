using Hilo.Ilgpu.IO;
using static Hilo.Ilgpu.Tests.IO.CheckpointFixtures;

namespace Hilo.Ilgpu.Tests.IO;

public class CheckpointErrorTests
{
    private static CheckpointFormatException LoadFails(string fixture)
    {
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(PathOf(fixture)));
        Assert.Contains(fixture, e.Message, StringComparison.Ordinal);
        return e;
    }

    private static CheckpointFormatException OpenFails(byte[] pickle, Dictionary<string, byte[]>? storages = null,
        CheckpointLimits? limits = null, string? byteOrder = null)
    {
        using var zip = TorchZipBuilder.Build(pickle, storages, byteOrder: byteOrder);
        return Assert.Throws<CheckpointFormatException>(() =>
        {
            using var reader = TorchCheckpointReader.Open(zip, "test.pt", limits);
            reader.ReadStateDict().Materialize();
        });
    }

    private static StateDict Open(byte[] pickle, Dictionary<string, byte[]>? storages = null, string? byteOrder = null)
    {
        using var zip = TorchZipBuilder.Build(pickle, storages, byteOrder: byteOrder);
        using var reader = TorchCheckpointReader.Open(zip, "test.pt");
        var state = reader.ReadStateDict();
        state.Materialize(); // lazy entries read from the archive, which closes here
        return state;
    }

    [Fact]
    public void Os_system_is_refused_by_name()
    {
        var e = LoadFails("malicious_os_system.pt");
        Assert.Contains("disallowed global os.system", e.Message, StringComparison.Ordinal);
        Assert.Contains("data.pkl", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_through_stack_global_is_refused_by_name()
    {
        Assert.Contains("disallowed global builtins.eval", LoadFails("malicious_eval.pt").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_zip_is_a_format_error()
    {
        Assert.Contains("zip", LoadFails("truncated.pt").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Legacy_format_asks_for_a_resave()
    {
        var e = LoadFails("legacy.pt");
        Assert.Contains("legacy", e.Message, StringComparison.Ordinal);
        Assert.Contains("re-save", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pickled_whole_module_is_explained()
    {
        var e = LoadFails("whole_module.pt");
        Assert.Contains("tiny_models.TinyNet", e.Message, StringComparison.Ordinal);
        Assert.Contains("state_dict()", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Top_level_list_is_refused()
    {
        Assert.Contains("top-level object is a list", LoadFails("not_a_dict.pt").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Npy_and_garbage_are_not_checkpoints()
    {
        Assert.Contains(".npy array", LoadFails("input.npy").Message, StringComparison.Ordinal);
        string path = Path.Combine(Path.GetTempPath(), $"garbage-{Guid.NewGuid():N}.pt");
        try
        {
            File.WriteAllBytes(path, [1, 2, 3]);
            var e = Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(path));
            Assert.Contains("unrecognised", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Non_finite_weights_are_reported_with_key_and_index()
    {
        var sd = CheckpointLoader.Load(PathOf("nonfinite.pt"));
        var e = Assert.Throws<NonFiniteWeightsException>(() => sd.CheckFinite());
        Assert.Equal(["has_nan", "has_inf"], e.Entries.Select(x => x.Key));
        Assert.Equal(2, e.Entries[0].FirstIndex);
        Assert.True(float.IsNaN(e.Entries[0].Value));
        Assert.Equal(1, e.Entries[1].FirstIndex);
        Assert.Equal(2, e.Entries[1].Count);
        Assert.Contains("has_nan", e.Message, StringComparison.Ordinal);
        Assert.Contains("flat index 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_as_pickle_are_a_format_error()
    {
        var random = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(1, 200)];
            random.NextBytes(bytes);
            OpenFails(bytes);
        }
    }

    [Fact]
    public void Every_truncation_of_a_real_pickle_is_a_format_error()
    {
        var entries = TorchZipBuilder.ReadEntries(PathOf("bare.pt"));
        byte[] pickle = entries["bare/data.pkl"];
        for (int length = 0; length < pickle.Length; length++)
        {
            entries["bare/data.pkl"] = pickle[..length];
            using var zip = TorchZipBuilder.Rebuild(entries);
            Assert.Throws<CheckpointFormatException>(() => TorchCheckpointReader.Open(zip, "cut.pt").Dispose());
        }
    }

    [Fact]
    public void Storage_size_must_match_its_entry()
    {
        var entries = TorchZipBuilder.ReadEntries(PathOf("bare.pt"));
        entries["bare/data/0"] = entries["bare/data/0"][..^4];
        using var zip = TorchZipBuilder.Rebuild(entries);
        var e = Assert.Throws<CheckpointFormatException>(() => TorchCheckpointReader.Open(zip, "short.pt").Dispose());
        Assert.Contains("storage '0' should hold", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_storage_entry_is_named()
    {
        byte[] pickle = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("0", 4, 0, [4], [1]).SetItem().Stop().ToArray();
        Assert.Contains("no entry archive/data/0", OpenFails(pickle).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, new[] { 5 }, new[] { 1 })]
    [InlineData(2, new[] { 3 }, new[] { 1 })]
    [InlineData(0, new[] { 2, 2 }, new[] { 3, 1 })]
    [InlineData(5, new[] { 0 }, new[] { 1 })]
    public void Tensor_outside_its_storage_is_refused(int offset, int[] size, int[] stride)
    {
        byte[] pickle = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("0", 4, offset, size, stride).SetItem().Stop().ToArray();
        var e = OpenFails(pickle, new() { ["0"] = new byte[16] });
        Assert.Contains("outside storage '0'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2147483648", "tensor dimension 2147483648 is too large")]
    [InlineData("18446744073709551616", "tensor size entry 0 is 18446744073709551616, too large (at most 2147483647 for a size)")]
    [InlineData("-3", "tensor size entry 0 is negative (-3)")]
    public void Sizes_past_int_range_are_called_too_large(string size, string expected)
    {
        byte[] pickle = new PickleBuilder().Proto().EmptyDict().Str("w")
            .Global("torch._utils", "_rebuild_tensor_v2").Mark().Storage("0", 4).Int(0)
            .Mark().Long(System.Numerics.BigInteger.Parse(size, System.Globalization.CultureInfo.InvariantCulture)).Tuple()
            .Mark().Int(1).Tuple()
            .Op(0x89).Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce()
            .SetItem().Stop().ToArray();
        Assert.Contains(expected, OpenFails(pickle, new() { ["0"] = new byte[16] }).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hand_built_strided_tensor_and_big_endian_storage_read_correctly()
    {
        byte[] pickle = new PickleBuilder().Proto().EmptyDict()
            .Str("w").Tensor("0", 6, 1, [2, 2], [1, 2]).SetItem().Stop().ToArray();
        var storage = new byte[24];
        for (int i = 0; i < 6; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteSingleBigEndian(storage.AsSpan(i * 4), i + 0.5f);
        }
        var sd = Open(pickle, new() { ["0"] = storage }, byteOrder: "big");
        // Element [i, j] sits at storage index 1 + i + 2j.
        Assert.Equal([1.5f, 3.5f, 2.5f, 4.5f], sd["w"].Data);
    }

    [Fact]
    public void Reduce_of_a_non_global_is_refused()
    {
        byte[] pickle = new PickleBuilder().Proto().EmptyDict().EmptyTuple().Reduce().Stop().ToArray();
        Assert.Contains("REDUCE calls a dict", OpenFails(pickle).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Newobj_of_any_class_stays_inert()
    {
        // NEWOBJ never runs anything here; the object is a record and is not a tensor.
        byte[] pickle = new PickleBuilder().Proto().EmptyDict().Str("w")
            .Global("os", "system").Str("echo hi").Op(0x85).Op(0x81).SetItem().Stop().ToArray();
        using var zip = TorchZipBuilder.Build(pickle);
        using var reader = TorchCheckpointReader.Open(zip, "inert.pt");
        ((PickleDict)reader.Root!).TryGetValue("w", out object? w);
        Assert.Equal("os.system", Assert.IsType<ForeignObject>(w).Type.FullName);
        Assert.Contains("not a tensor", Assert.Throws<CheckpointFormatException>(reader.ReadStateDict).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_opcode_and_bad_persistent_id_are_named()
    {
        Assert.Contains("unsupported pickle opcode 0x50", OpenFails(new PickleBuilder().Proto().Op('P').Stop().ToArray()).Message, StringComparison.Ordinal);
        byte[] pid = new PickleBuilder().Proto().Str("nope").Op('Q').Stop().ToArray();
        Assert.Contains("unsupported persistent id", OpenFails(pid).Message, StringComparison.Ordinal);
        byte[] type = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("0", 1, 0, [1], [1], "ComplexFloatStorage").SetItem().Stop().ToArray();
        Assert.Contains("unsupported storage type global torch.ComplexFloatStorage", OpenFails(type, new() { ["0"] = new byte[8] }).Message, StringComparison.Ordinal);
        byte[] quantized = new PickleBuilder().Proto().Global("torch._utils", "_rebuild_qtensor").EmptyTuple().Reduce().Stop().ToArray();
        Assert.Contains("unsupported tensor kind torch._utils._rebuild_qtensor", OpenFails(quantized).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_are_enforced()
    {
        var entries = TorchZipBuilder.ReadEntries(PathOf("bare.pt"));
        byte[] pickle = entries["bare/data.pkl"];
        void Check(CheckpointLimits limits, string expected)
        {
            using var zip = TorchZipBuilder.Rebuild(entries);
            var e = Assert.Throws<CheckpointFormatException>(() => TorchCheckpointReader.Open(zip, "limits.pt", limits).Dispose());
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        }
        Check(new CheckpointLimits { MaxPickleBytes = pickle.Length - 1 }, "exceeds the limit");
        Check(new CheckpointLimits { MaxMemoEntries = 10 }, "memo entries");
        Check(new CheckpointLimits { MaxStackDepth = 6 }, "deeper than 6");
        Check(new CheckpointLimits { MaxTensors = 3 }, "more than 3 tensors");
        Check(new CheckpointLimits { MaxStringBytes = 8 }, "exceeds the limit of 8");
        Check(new CheckpointLimits { MaxRank = 3 }, "rank limit 3");
    }

    [Fact]
    public void Zip_without_data_pkl_is_not_a_checkpoint()
    {
        using var zip = TorchZipBuilder.Rebuild(new() { ["archive/other"] = [1, 2] });
        var e = Assert.Throws<CheckpointFormatException>(() => TorchCheckpointReader.Open(zip, "empty.pt").Dispose());
        Assert.Contains("no ROOT/data.pkl", e.Message, StringComparison.Ordinal);
    }
}

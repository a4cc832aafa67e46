using System.Numerics;
using Hilo.Ilgpu.IO;

namespace Hilo.Ilgpu.Tests.IO;

/// <summary>
/// What a torch checkpoint's pickle may call (<c>TorchPicklePolicy</c>), each rule on its own hand-built pickle: the
/// containers and codecs it honours and their argument forms, every tensor-rebuilding function, the storage and tensor
/// bounds on their exact values, and every refusal by its full message with the opcode's offset. Mutation testing
/// (<c>tools/mutation.sh io-pickle</c>) found these rules exercised only through whole checkpoints, or not at all.
/// </summary>
public class PicklePolicyTests
{
    private static PickleBuilder P() => new PickleBuilder().Proto();

    private static object? Root(PickleBuilder body, Dictionary<string, byte[]>? storages = null, CheckpointLimits? limits = null)
    {
        using var zip = TorchZipBuilder.Build([.. body.ToArray(), (byte)'.'], storages);
        using var reader = TorchCheckpointReader.Open(zip, "p.pt", limits);
        return reader.Root;
    }

    private static string Refusal(PickleBuilder body, Dictionary<string, byte[]>? storages = null, CheckpointLimits? limits = null) =>
        Assert.Throws<CheckpointFormatException>(() => Root(body, storages, limits)).Problem;

    // The message without the opcode's offset, which these tests do not count by hand.
    private static string Problem(string refusal)
    {
        Assert.StartsWith("archive/data.pkl: ", refusal, StringComparison.Ordinal);
        int at = refusal.LastIndexOf(" (pickle opcode at byte ", StringComparison.Ordinal);
        Assert.True(at > 0, refusal);
        return refusal["archive/data.pkl: ".Length..at];
    }

    private static PickleBuilder Global(PickleBuilder b, string fullName)
    {
        int dot = fullName.LastIndexOf('.');
        return b.Global(fullName[..dot], fullName[(dot + 1)..]);
    }

    private static Dictionary<string, byte[]> Floats(int count, string key = "0") => new() { [key] = new byte[4 * count] };

    [Fact]
    public void ADisallowedGlobalIsNamedWithWhereItWasCalled()
    {
        // PROTO (0-1), GLOBAL os.system (2-12), MARK (13), BINUNICODE "x" (14-19), TUPLE (20), REDUCE (21).
        Assert.Equal("archive/data.pkl: disallowed global os.system in data.pkl: a checkpoint may only call tensor-rebuilding " +
                     "functions, OrderedDict and plain data classes (see docs/checkpoints.md); nothing was executed (pickle opcode at byte 21)",
            Refusal(P().Global("os", "system").Mark().Str("x").Tuple().Reduce()));
    }

    [Theory]
    [InlineData("torch._utils._rebuild_sparse_tensor")]
    [InlineData("torch._tensor._rebuild_wrapper_subclass")]
    public void AnotherTensorKindIsNamedAsSuch(string function)
    {
        Assert.Equal($"unsupported tensor kind {function} with 1 arguments: only dense CPU-loadable tensors are read " +
                     "(quantized, sparse, nested and meta tensors are not)",
            Problem(Refusal(Global(P(), function).Mark().Int(1).Tuple().Reduce())));
    }

    [Theory]
    [InlineData("torch._utils._helper")]
    [InlineData("os._rebuild_tensor")]
    [InlineData("torch._rebuild_tensor")]
    public void OnlyTorchsRebuildFunctionsAreTensorKinds(string function)
    {
        Assert.StartsWith($"disallowed global {function} in data.pkl", Problem(Refusal(Global(P(), function).Mark().Int(1).Tuple().Reduce())),
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("builtins.set")]
    [InlineData("builtins.frozenset")]
    [InlineData("__builtin__.set")]
    [InlineData("__builtin__.frozenset")]
    public void SetsOfAListOrOfNothingBecomeLists(string function)
    {
        // set([1, 2]) and set(): lists of the items; set(1) is refused.
        var items = Root(Global(P(), function).Mark().Op(']').Mark().Int(1).Int(2).Op('e').Tuple().Reduce());
        Assert.Equal([1L, 2L], Assert.IsType<List<object?>>(items));
        Assert.Empty(Assert.IsType<List<object?>>(Root(Global(P(), function).EmptyTuple().Reduce())));
        Assert.Equal($"{function} with unexpected arguments", Problem(Refusal(Global(P(), function).Mark().Int(1).Tuple().Reduce())));
    }

    [Fact]
    public void OrderedDictTakesPairsAsTuplesOrLists()
    {
        // OrderedDict([("a", 1), ["b", 2]]).
        var dict = Assert.IsType<PickleDict>(Root(P().Global("collections", "OrderedDict").Mark().Op(']').Mark()
            .Mark().Str("a").Int(1).Tuple().Mark().Str("b").Int(2).Op('l').Op('e').Tuple().Reduce()));
        Assert.Equal([new KeyValuePair<object?, object?>("a", 1L), new KeyValuePair<object?, object?>("b", 2L)], dict.Entries);
        Assert.Equal(0, Assert.IsType<PickleDict>(Root(P().Global("collections", "OrderedDict").EmptyTuple().Reduce())).Count);
        Assert.Equal("collections.OrderedDict item is not a (key, value) pair",
            Problem(Refusal(P().Global("collections", "OrderedDict").Mark().Op(']').Mark().Mark().Int(1).Int(2).Int(3).Tuple().Op('e').Tuple().Reduce())));
        Assert.Equal("collections.OrderedDict with unexpected arguments",
            Problem(Refusal(P().Global("collections", "OrderedDict").Mark().Int(1).Tuple().Reduce())));
    }

    [Theory]
    [InlineData("latin1", new byte[] { 0xE9 })]
    [InlineData("LATIN-1", new byte[] { 0xE9 })]
    [InlineData("iso-8859-1", new byte[] { 0xE9 })]
    [InlineData("utf8", new byte[] { 0xC3, 0xA9 })]
    [InlineData("UTF-8", new byte[] { 0xC3, 0xA9 })]
    public void CodecsEncodeIsHonouredForLatin1AndUtf8(string encoding, byte[] expected)
    {
        // _codecs.encode("é", encoding): how protocol 2 pickles bytes.
        Assert.Equal(expected, Assert.IsType<byte[]>(Root(P().Global("_codecs", "encode").Mark().Str("é").Str(encoding).Tuple().Reduce())));
    }

    [Fact]
    public void CodecsEncodeOfAnotherEncodingIsRefused()
    {
        Assert.Equal("_codecs.encode with unexpected arguments",
            Problem(Refusal(P().Global("_codecs", "encode").Mark().Str("é").Str("ascii").Tuple().Reduce())));
    }

    [Fact]
    public void CopyregReconstructorAndInertClassesMakeInertObjects()
    {
        var o = Assert.IsType<ForeignObject>(Root(P().Global("copyreg", "_reconstructor").Mark()
            .Global("m", "C").Global("builtins", "object").Int(5).Tuple().Reduce()));
        Assert.Equal(new PickleGlobal("m", "C"), o.Type);
        Assert.Equal(5L, o.State);
        var ns = Assert.IsType<ForeignObject>(Root(P().Global("argparse", "Namespace").EmptyTuple().Reduce()));
        Assert.Equal("argparse.Namespace", ns.Type.FullName);
        Assert.Null(ns.State);
    }

    // (storage "0" of `numel` floats, offset 0, size (2,), stride (1,)) as the arguments of _rebuild_tensor.
    private static PickleBuilder TensorArgs(PickleBuilder b, int numel = 2) =>
        b.Storage("0", numel).Int(0).Mark().Int(2).Tuple().Mark().Int(1).Tuple();

    [Fact]
    public void EveryDenseTensorRebuilderIsHonoured()
    {
        var v1 = Assert.IsType<PickledTensor>(Root(TensorArgs(P().Global("torch._utils", "_rebuild_tensor").Mark()).Tuple().Reduce(), Floats(2)));
        Assert.Equal([2], v1.Shape);
        var parameter = Assert.IsType<PickledTensor>(Root(P().Global("torch._utils", "_rebuild_parameter").Mark()
            .Tensor("0", 2, 0, [2], [1]).Op(0x89).Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce(), Floats(2)));
        Assert.Equal([2], parameter.Shape);
        var withState = Assert.IsType<PickledTensor>(Root(P().Global("torch._utils", "_rebuild_parameter_with_state").Mark()
            .Tensor("0", 2, 0, [2], [1]).Op(0x89).Global("collections", "OrderedDict").EmptyTuple().Reduce().EmptyDict().Tuple().Reduce(), Floats(2)));
        Assert.Equal([1L], withState.Stride);
        Assert.Equal("torch._utils._rebuild_parameter of a int", Problem(Refusal(P().Global("torch._utils", "_rebuild_parameter").Mark()
            .Int(1).Op(0x89).Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce())));
    }

    // _rebuild_from_type_v2(func, torch.Tensor, (storage, 0, (2,), (1,), False, OrderedDict()), {}).
    private static PickleBuilder FromType(PickleBuilder b, Func<PickleBuilder, PickleBuilder> func, Func<PickleBuilder, PickleBuilder> args) =>
        args(func(b.Global("torch._tensor", "_rebuild_from_type_v2").Mark()).Global("torch", "Tensor")).EmptyDict().Tuple().Reduce();

    private static PickleBuilder V2Args(PickleBuilder b) =>
        TensorArgs(b.Mark()).Op(0x89).Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple();

    [Fact]
    public void RebuildFromTypeIsHonouredOneLevelDeep()
    {
        var t = Assert.IsType<PickledTensor>(Root(FromType(P(), f => f.Global("torch._utils", "_rebuild_tensor_v2"), V2Args), Floats(2)));
        Assert.Equal([2], t.Shape);
        // _rebuild_from_type_v2 handing on to itself is not followed.
        Assert.Equal("unsupported tensor kind torch._tensor._rebuild_from_type_v2 with 4 arguments: only dense CPU-loadable tensors " +
                     "are read (quantized, sparse, nested and meta tensors are not)",
            Problem(Refusal(FromType(P(), f => f.Global("torch._tensor", "_rebuild_from_type_v2"),
                a => a.Mark().Global("torch._utils", "_rebuild_tensor_v2").Global("torch", "Tensor").Apply(V2Args).EmptyDict().Tuple()), Floats(2))));
    }

    [Fact]
    public void StorageKeysArePlainNamesOfAtMost256Characters()
    {
        string key256 = new('k', 256);
        var t = Assert.IsType<PickledTensor>(Root(P().Tensor(key256, 2, 0, [2], [1]), Floats(2, key256)));
        Assert.Equal(key256, t.StorageKey);
        string key257 = new('k', 257);
        Assert.Equal("storage key is not a plain name", Problem(Refusal(P().Tensor(key257, 2, 0, [2], [1]), Floats(2, key257))));
        Assert.Equal("storage key is not a plain name", Problem(Refusal(P().Tensor("a/b", 2, 0, [2], [1]))));
        Assert.Equal("storage key is not a plain name", Problem(Refusal(P().Tensor("a\\b", 2, 0, [2], [1]))));
        Assert.Equal("storage '0' has an invalid element count", Problem(Refusal(P().Tensor("0", -1, 0, [2], [1]), Floats(2))));
    }

    [Fact]
    public void AStorageNamedTwiceMustBeDescribedAlike()
    {
        // Two tensors sharing storage "0" read; the same storage as float32 then as int32 (both 8 bytes) does not.
        var pair = Assert.IsType<PickleTuple>(Root(P().Mark().Tensor("0", 2, 0, [2], [1]).Tensor("0", 2, 1, [1], [1]).Tuple(), Floats(2)));
        Assert.Equal(1L, Assert.IsType<PickledTensor>(pair.Items[1]).StorageOffset);
        Assert.Equal("storage '0' is described twice with different types or sizes",
            Problem(Refusal(P().Mark().Tensor("0", 2, 0, [2], [1]).Tensor("0", 2, 0, [2], [1], "IntStorage").Tuple(), Floats(2))));
    }

    [Fact]
    public void TheTensorLimitIncludesItsValue()
    {
        var limits = new CheckpointLimits { MaxTensors = 1 };
        Assert.IsType<PickledTensor>(Root(P().Tensor("0", 2, 0, [2], [1]), Floats(2), limits));
        Assert.Equal("more than 1 tensors",
            Problem(Refusal(P().Mark().Tensor("0", 2, 0, [2], [1]).Tensor("0", 2, 0, [2], [1]).Tuple(), Floats(2), limits)));
    }

    [Fact]
    public void TheRankLimitIncludesItsValue()
    {
        var limits = new CheckpointLimits { MaxRank = 2 };
        Assert.Equal([1, 2], Assert.IsType<PickledTensor>(Root(P().Tensor("0", 2, 0, [1, 2], [2, 1]), Floats(2), limits)).Shape);
        Assert.Equal("tensor has 3 sizes and 3 strides (rank limit 2)",
            Problem(Refusal(P().Tensor("0", 2, 0, [1, 1, 2], [2, 2, 1]), Floats(2), limits)));
        Assert.Equal("tensor has 1 sizes and 2 strides (rank limit 64)", Problem(Refusal(P().Tensor("0", 2, 0, [2], [1, 1]), Floats(2))));
    }

    // _rebuild_tensor_v2(storage "0" of 2 floats, offset, size, stride, False, OrderedDict()) with any integers (LONG1).
    private static PickleBuilder V2(BigInteger offset, BigInteger[] size, BigInteger[] stride, Func<PickleBuilder, PickleBuilder>? storage = null)
    {
        var b = P().Global("torch._utils", "_rebuild_tensor_v2").Mark();
        b = (storage ?? (s => s.Storage("0", 2)))(b).Long(offset).Mark();
        foreach (var s in size)
        {
            b.Long(s);
        }
        b.Tuple().Mark();
        foreach (var s in stride)
        {
            b.Long(s);
        }
        return b.Tuple().Op(0x89).Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce();
    }

    public static TheoryData<BigInteger, BigInteger[], BigInteger[], string> BadTensors() => new()
    {
        { -1, [2], [1], "tensor has an invalid storage offset" },
        { 0, [int.MaxValue], [1], "tensor of 2147483647 elements is too large for one array" },
        { 0, [(BigInteger)int.MaxValue + 1], [1], "tensor dimension 2147483648 is too large" },
        { 0, [Array.MaxLength], [1], "tensor (offset 0, size [2147483591], stride [1]) reaches outside storage '0' of 2 elements" },
        { 1, [2], [1], "tensor (offset 1, size [2], stride [1]) reaches outside storage '0' of 2 elements" },
        // 2^30 · 2^30 · 16 = 2^64 elements: the count overflows (unchecked it would wrap to 0, an empty tensor).
        { 0, [1 << 30, 1 << 30, 16], [1, 1, 1], "tensor extent overflows" },
        // The last element at 2 · 2^62 = 2^63: past a long (unchecked it would wrap below 0, inside the storage).
        { 0, [3], [BigInteger.One << 62], "tensor extent overflows" },
        { 0, [BigInteger.One << 64], [1], "tensor size entry 0 is 18446744073709551616, too large (at most 2147483647 for a size)" },
        { 0, [2], [-1], "tensor stride entry 0 is negative (-1)" },
    };

    [Theory]
    [MemberData(nameof(BadTensors))]
    public void TensorBoundsAreCheckedOnTheirValues(BigInteger offset, BigInteger[] size, BigInteger[] stride, string expected)
    {
        Assert.Equal(expected, Problem(Refusal(V2(offset, size, stride), Floats(2))));
    }

    [Fact]
    public void TensorArgumentsOfTheWrongKindAreNamed()
    {
        Assert.Equal("tensor rebuilt from a int instead of a storage", Problem(Refusal(V2(0, [2], [1], s => s.Int(1)))));
        Assert.Equal("tensor size is a int, not a tuple", Problem(Refusal(P().Global("torch._utils", "_rebuild_tensor").Mark()
            .Storage("0", 2).Int(0).Int(2).Mark().Int(1).Tuple().Tuple().Reduce(), Floats(2))));
        Assert.Equal("tensor stride is a int, not a tuple", Problem(Refusal(P().Global("torch._utils", "_rebuild_tensor").Mark()
            .Storage("0", 2).Int(0).Mark().Int(2).Tuple().Int(1).Tuple().Reduce(), Floats(2))));
        Assert.Equal("tensor stride entry 0 is a str, not an integer", Problem(Refusal(P().Global("torch._utils", "_rebuild_tensor").Mark()
            .Storage("0", 2).Int(0).Mark().Int(2).Tuple().Mark().Str("1").Tuple().Tuple().Reduce(), Floats(2))));
    }

    [Fact]
    public void ValuesDescribeThemselves()
    {
        var t = Assert.IsType<PickledTensor>(Root(P().Tensor("0", 6, 0, [2, 3], [3, 1]), Floats(6)));
        Assert.Equal("tensor[2, 3] Float32", t.ToString());
        Assert.Equal("tuple(2)", new PickleTuple([1L, 2L]).ToString());
        var dict = Assert.IsType<PickleDict>(Root(P().EmptyDict().Str("a").Int(1).SetItem()));
        Assert.Equal("dict(1)", dict.ToString());
        Assert.False(dict.TryGetValue("b", out object? missing));
        Assert.Null(missing);
        var o = Assert.IsType<ForeignObject>(Root(P().Global("m", "C").EmptyTuple().Op(0x81)));
        Assert.Equal("<m.C object (inert)>", o.ToString());
    }
}

internal static class PickleBuilderExtensions
{
    public static PickleBuilder Apply(this PickleBuilder b, Func<PickleBuilder, PickleBuilder> f) => f(b);
}

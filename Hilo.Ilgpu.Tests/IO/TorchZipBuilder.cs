using System.IO.Compression;
using System.Text;

namespace Hilo.Ilgpu.Tests.IO;

/// <summary>Builds torch.save-shaped zips in memory around hand-written pickles.</summary>
public static class TorchZipBuilder
{
    public static MemoryStream Build(byte[] pickle, IReadOnlyDictionary<string, byte[]>? storages = null,
        string root = "archive", string? byteOrder = null)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, $"{root}/data.pkl", pickle);
            foreach (var (key, bytes) in storages ?? new Dictionary<string, byte[]>())
            {
                Add(zip, $"{root}/data/{key}", bytes);
            }
            if (byteOrder is not null)
            {
                Add(zip, $"{root}/byteorder", Encoding.ASCII.GetBytes(byteOrder));
            }
            Add(zip, $"{root}/version", "3\n"u8.ToArray());
        }
        stream.Position = 0;
        return stream;
    }

    /// <summary>The entries of a real checkpoint, by name.</summary>
    public static Dictionary<string, byte[]> ReadEntries(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        return zip.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var s = e.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        });
    }

    /// <summary>Rebuilds a zip from entries (after a test changed some).</summary>
    public static MemoryStream Rebuild(Dictionary<string, byte[]> entries)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in entries)
            {
                Add(zip, name, bytes);
            }
        }
        stream.Position = 0;
        return stream;
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        using var s = entry.Open();
        s.Write(bytes);
    }
}

/// <summary>Emits pickle opcodes by name, for tests that need a precise pickle.</summary>
public sealed class PickleBuilder
{
    private readonly MemoryStream _bytes = new();

    public PickleBuilder Proto(byte version = 2) => Op(0x80).Byte(version);

    public PickleBuilder Op(byte op) => Byte(op);

    public PickleBuilder Op(char op) => Byte((byte)op);

    public PickleBuilder Byte(byte b)
    {
        _bytes.WriteByte(b);
        return this;
    }

    public PickleBuilder Raw(byte[] bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    public PickleBuilder Global(string module, string name) => Op('c').Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    public PickleBuilder Str(string s)
    {
        byte[] b = Encoding.UTF8.GetBytes(s);
        Op('X').Raw(BitConverter.GetBytes(b.Length));
        return Raw(b);
    }

    public PickleBuilder Int(int i) => Op('J').Raw(BitConverter.GetBytes(i));

    /// <summary>LONG1: an integer of any size, little-endian two's complement.</summary>
    public PickleBuilder Long(System.Numerics.BigInteger value)
    {
        byte[] bytes = value.ToByteArray();
        return Op(0x8a).Byte((byte)bytes.Length).Raw(bytes);
    }

    public PickleBuilder Mark() => Op('(');

    public PickleBuilder Tuple() => Op('t');

    public PickleBuilder EmptyDict() => Op('}');

    public PickleBuilder EmptyTuple() => Op(')');

    public PickleBuilder Reduce() => Op('R');

    public PickleBuilder SetItem() => Op('s');

    public PickleBuilder Stop() => Op('.');

    /// <summary>Pushes ('storage', torch.FloatStorage, key, 'cpu', numel) and loads it (BINPERSID).</summary>
    public PickleBuilder Storage(string key, int numel, string type = "FloatStorage") =>
        Mark().Str("storage").Global("torch", type).Str(key).Str("cpu").Int(numel).Tuple().Op('Q');

    /// <summary>Pushes _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()).</summary>
    public PickleBuilder Tensor(string key, int numel, int offset, int[] size, int[] stride, string type = "FloatStorage")
    {
        Global("torch._utils", "_rebuild_tensor_v2").Mark().Storage(key, numel, type).Int(offset);
        Mark();
        foreach (int s in size)
        {
            Int(s);
        }
        Tuple().Mark();
        foreach (int s in stride)
        {
            Int(s);
        }
        return Tuple().Op(0x89).Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce();
    }

    public byte[] ToArray() => _bytes.ToArray();
}

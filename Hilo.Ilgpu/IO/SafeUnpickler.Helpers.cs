using System.Numerics;
using System.Text;

namespace Hilo.Ilgpu.IO;

// Stack, memo, reading and object-building helpers of the interpreter.
internal sealed partial class SafeUnpickler
{
    private const int MaxGlobalNameBytes = 1024;
    private const int MaxLongBytes = 1 << 16;

    private void Push(object? value)
    {
        CheckDepth();
        _stack.Add(value);
    }

    // Values and MARKs count alike (CheckpointLimits.MaxStackDepth): a pickle of nothing but '(' would otherwise grow
    // the mark stack without bound.
    private void CheckDepth()
    {
        if (_stack.Count + _marks.Count >= _limits.MaxStackDepth)
        {
            throw Fail($"pickle stack deeper than {_limits.MaxStackDepth} (values and MARKs; CheckpointLimits.MaxStackDepth)");
        }
    }

    // The values above the last MARK are all an opcode may take: what lies below belongs to an enclosing MARK.
    private int Floor => _marks.Count > 0 ? _marks.Peek() : 0;

    private object? Pop()
    {
        if (_stack.Count <= Floor)
        {
            throw Fail(_marks.Count > 0 ? "opcode takes a value from below the last MARK" : "pop from an empty pickle stack");
        }
        object? value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object? Top()
    {
        if (_stack.Count <= Floor)
        {
            throw Fail(_marks.Count > 0 ? "opcode takes a value from below the last MARK" : "opcode needs a value but the pickle stack is empty");
        }
        return _stack[^1];
    }

    private object?[] PopMark()
    {
        if (_marks.Count == 0)
        {
            throw Fail("opcode needs a MARK but none is set");
        }
        int start = _marks.Pop();
        object?[] items = _stack.GetRange(start, _stack.Count - start).ToArray();
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private void Memoize(long index)
    {
        // As CPython: the value stored is the top one above the last MARK.
        object? top = Top();
        if (!_memo.ContainsKey(index) && _memo.Count >= _limits.MaxMemoEntries)
        {
            throw Fail($"more than {_limits.MaxMemoEntries} memo entries");
        }
        _memo[index] = top;
    }

    private object? Recall(long index) =>
        _memo.TryGetValue(index, out object? value) ? value : throw Fail($"memo entry {index} read before it was stored");

    private byte ReadByte()
    {
        if (_pos >= _data.Length)
        {
            throw Fail("pickle ends before its STOP opcode (truncated?)");
        }
        return _data[_pos++];
    }

    private ReadOnlySpan<byte> Read(int count)
    {
        if (count > _data.Length - _pos)
        {
            throw Fail($"pickle ends inside a value: {count} bytes needed, {_data.Length - _pos} left (truncated?)");
        }
        var span = new ReadOnlySpan<byte>(_data, _pos, count);
        _pos += count;
        return span;
    }

    /// <summary>Checks a length field against the limits and the bytes left; returns it as an int.</summary>
    private int ReadLength(long length)
    {
        if (length < 0)
        {
            throw Fail($"negative length {length}");
        }
        if (length > _limits.MaxStringBytes)
        {
            throw Fail($"value of {length} bytes exceeds the limit of {_limits.MaxStringBytes}");
        }
        if (length > _data.Length - _pos)
        {
            throw Fail($"pickle ends inside a value: {length} bytes needed, {_data.Length - _pos} left (truncated?)");
        }
        return (int)length;
    }

    private int ReadLength(ulong length) =>
        length > int.MaxValue ? throw Fail($"value of {length} bytes exceeds the limit of {_limits.MaxStringBytes}") : ReadLength((long)length);

    private string ReadUtf8(int length)
    {
        try
        {
            return StrictUtf8.GetString(Read(length));
        }
        catch (DecoderFallbackException)
        {
            throw Fail("string is not valid UTF-8");
        }
    }

    /// <summary>A little-endian two's-complement integer of <paramref name="length"/> bytes (LONG1/LONG4).</summary>
    private object ReadLong(int length)
    {
        if (length > MaxLongBytes)
        {
            throw Fail($"integer of {length} bytes is too long");
        }
        ReadOnlySpan<byte> bytes = Read(length);
        if (length == 0)
        {
            return 0L;
        }
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        // Boxed apart: a conditional of long and BigInteger would be a BigInteger, and every LONG1/LONG4 value with it.
        return value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;
    }

    private string ReadLine()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos, Math.Min(MaxGlobalNameBytes, _data.Length - _pos));
        if (end < 0)
        {
            throw Fail("GLOBAL name is unterminated or longer than 1024 bytes");
        }
        string text = Encoding.ASCII.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return text;
    }

    private PickleGlobal MakeGlobal(string module, string name)
    {
        if (module.Length == 0 || name.Length == 0 || module.Length + name.Length > MaxGlobalNameBytes)
        {
            throw Fail("GLOBAL with an empty or overlong name");
        }
        return new PickleGlobal(module, name);
    }

    private object? Reduce(object? callable, object? args)
    {
        if (callable is not PickleGlobal function)
        {
            throw Fail($"REDUCE calls a {TypeName(callable)}, not a named global; refused");
        }
        if (args is not PickleTuple tuple)
        {
            throw Fail($"REDUCE of {function.FullName} with {TypeName(args)} arguments instead of a tuple");
        }
        return _call(function, tuple);
    }

    private ForeignObject NewObject(object? cls, object? args)
    {
        if (cls is not PickleGlobal type)
        {
            throw Fail($"NEWOBJ of a {TypeName(cls)}, not a named class");
        }
        return new ForeignObject(type, args);
    }

    private void Build(object? target, object? state)
    {
        switch (target)
        {
            case ForeignObject foreign:
                foreign.State = state;
                break;
            case PickleDict dict:
                dict.Attributes = state;
                break;
            case PickledTensor:
                break; // Tensor attributes (e.g. names) do not change the data.
            default:
                throw Fail($"BUILD (set state) on a {TypeName(target)}");
        }
    }

    private void SetItems(object? target, object?[] items)
    {
        if (items.Length % 2 != 0)
        {
            throw Fail("SETITEMS with an odd number of values");
        }
        PickleDict dict = target switch
        {
            PickleDict d => d,
            ForeignObject f => f.DictItems,
            _ => throw Fail($"SETITEM on a {TypeName(target)}, not a dict"),
        };
        for (int i = 0; i < items.Length; i += 2)
        {
            dict.Set(items[i], items[i + 1]);
        }
    }

    private void Append(object? target, object?[] items)
    {
        List<object?> list = target switch
        {
            List<object?> l => l,
            ForeignObject f => f.ListItems,
            _ => throw Fail($"APPEND on a {TypeName(target)}, not a list"),
        };
        list.AddRange(items);
    }

    /// <summary>The Python-side name of a value's type, for messages.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "None",
        bool => "bool",
        long or BigInteger => "int",
        double => "float",
        string => "str",
        byte[] => "bytes",
        List<object?> => "list",
        PickleTuple => "tuple",
        PickleDict => "dict",
        PickleGlobal g => $"global {g.FullName}",
        ForeignObject f => $"{f.Type.FullName} object",
        PickledTensor => "tensor",
        _ => value.GetType().Name,
    };
}

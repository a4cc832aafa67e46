using System.Buffers.Binary;
using System.Text;

namespace Hilo.Ilgpu.IO;

/// <summary>
/// An interpreter for the pickle opcodes (protocols 2–5) a PyTorch checkpoint uses. It executes
/// nothing: GLOBAL only names a callable; REDUCE hands the name and arguments to a policy callback
/// (which allow-lists what may produce values and rejects the rest); NEWOBJ records an inert
/// <see cref="ForeignObject"/>. Every read is bounds-checked, and every failure is a
/// <see cref="CheckpointFormatException"/> naming the source and byte offset.
/// </summary>
internal sealed partial class SafeUnpickler
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _data;
    private readonly string _file;
    private readonly string _entry;
    private readonly CheckpointLimits _limits;
    private readonly Func<object?, object?> _persistentLoad;
    private readonly Func<PickleGlobal, PickleTuple, object?> _call;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos;
    private int _opStart;

    /// <param name="data">The pickle bytes.</param>
    /// <param name="file">The file, for messages.</param>
    /// <param name="entry">The part of the file (e.g. <c>archive/data.pkl</c>), for messages.</param>
    /// <param name="limits">Bounds to enforce.</param>
    /// <param name="persistentLoad">Resolves a BINPERSID id; throws <see cref="CheckpointFormatException"/> to reject.</param>
    /// <param name="call">Resolves REDUCE of a global with arguments; throws to reject.</param>
    public SafeUnpickler(byte[] data, string file, string entry, CheckpointLimits limits,
        Func<object?, object?> persistentLoad, Func<PickleGlobal, PickleTuple, object?> call)
    {
        _data = data;
        _file = file;
        _entry = entry;
        _limits = limits;
        _persistentLoad = persistentLoad;
        _call = call;
    }

    /// <summary>Runs the pickle to its STOP and returns the value it built.</summary>
    public object? Load()
    {
        while (true)
        {
            _opStart = _pos;
            byte op = ReadByte();
            if (op == (byte)'.')
            {
                if (_stack.Count == 0)
                {
                    throw Fail("STOP with an empty stack");
                }
                return _stack[^1];
            }
            Step(op);
        }
    }

    /// <summary>A format error naming the source and the current opcode's offset.</summary>
    public CheckpointFormatException Fail(string problem) =>
        new(_file, $"{_entry}: {problem} (pickle opcode at byte {_opStart})");

    private void Step(byte op)
    {
        switch (op)
        {
            case 0x80: // PROTO
                byte proto = ReadByte();
                if (proto > 5)
                {
                    throw Fail($"unsupported pickle protocol {proto}");
                }
                break;
            case 0x95: // FRAME: frames only group opcodes; check the length is plausible and read on.
                ulong frame = BinaryPrimitives.ReadUInt64LittleEndian(Read(8));
                if (frame > (ulong)(_data.Length - _pos))
                {
                    throw Fail($"FRAME of {frame} bytes runs past the end of the pickle ({_data.Length - _pos} left)");
                }
                break;
            case (byte)'}': Push(new PickleDict()); break; // EMPTY_DICT
            case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
            case (byte)')': Push(PickleTuple.Empty); break; // EMPTY_TUPLE
            case 0x8f: Push(new List<object?>()); break; // EMPTY_SET (kept as a list)
            case (byte)'(': // MARK
                CheckDepth();
                _marks.Push(_stack.Count);
                break;
            case 0x85: Push(new PickleTuple([Pop()])); break; // TUPLE1
            case 0x86: // TUPLE2
            {
                object? b = Pop(), a = Pop();
                Push(new PickleTuple([a, b]));
                break;
            }
            case 0x87: // TUPLE3
            {
                object? c = Pop(), b = Pop(), a = Pop();
                Push(new PickleTuple([a, b, c]));
                break;
            }
            case (byte)'t': Push(new PickleTuple(PopMark())); break; // TUPLE
            case (byte)'l': Push(new List<object?>(PopMark())); break; // LIST
            case (byte)'d': // DICT
            {
                var dict = new PickleDict();
                SetItems(dict, PopMark());
                Push(dict);
                break;
            }
            case (byte)'s': // SETITEM
            {
                object? value = Pop(), key = Pop();
                SetItems(Top(), [key, value]);
                break;
            }
            case (byte)'u': // SETITEMS
            {
                object?[] items = PopMark();
                SetItems(Top(), items);
                break;
            }
            case (byte)'a': // APPEND
            {
                object? item = Pop();
                Append(Top(), [item]);
                break;
            }
            case (byte)'e': // APPENDS
            case 0x90: // ADDITEMS
            {
                object?[] items = PopMark();
                Append(Top(), items);
                break;
            }
            case 0x91: Push(new List<object?>(PopMark())); break; // FROZENSET
            case (byte)'0': Pop(); break; // POP
            case (byte)'1': PopMark(); break; // POP_MARK
            case (byte)'2': Push(Top()); break; // DUP
            case (byte)'N': Push(null); break; // NONE
            case 0x88: Push(true); break; // NEWTRUE
            case 0x89: Push(false); break; // NEWFALSE
            case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Read(4))); break; // BININT
            case (byte)'K': Push((long)ReadByte()); break; // BININT1
            case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Read(2))); break; // BININT2
            case 0x8a: Push(ReadLong(ReadByte())); break; // LONG1
            case 0x8b: Push(ReadLong(ReadLength(BinaryPrimitives.ReadInt32LittleEndian(Read(4))))); break; // LONG4
            case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Read(8))); break; // BINFLOAT
            case (byte)'X': Push(ReadUtf8(ReadLength(BinaryPrimitives.ReadUInt32LittleEndian(Read(4))))); break; // BINUNICODE
            case 0x8c: Push(ReadUtf8(ReadByte())); break; // SHORT_BINUNICODE
            case 0x8d: Push(ReadUtf8(ReadLength(BinaryPrimitives.ReadUInt64LittleEndian(Read(8))))); break; // BINUNICODE8
            case (byte)'T': Push(Encoding.Latin1.GetString(Read(ReadLength(BinaryPrimitives.ReadInt32LittleEndian(Read(4)))))); break; // BINSTRING
            case (byte)'U': Push(Encoding.Latin1.GetString(Read(ReadByte()))); break; // SHORT_BINSTRING
            case (byte)'B': Push(Read(ReadLength(BinaryPrimitives.ReadUInt32LittleEndian(Read(4)))).ToArray()); break; // BINBYTES
            case (byte)'C': Push(Read(ReadByte()).ToArray()); break; // SHORT_BINBYTES
            case 0x8e: // BINBYTES8
            case 0x96: // BYTEARRAY8
                Push(Read(ReadLength(BinaryPrimitives.ReadUInt64LittleEndian(Read(8)))).ToArray());
                break;
            case (byte)'q': Memoize(ReadByte()); break; // BINPUT
            case (byte)'r': Memoize(BinaryPrimitives.ReadUInt32LittleEndian(Read(4))); break; // LONG_BINPUT
            case 0x94: Memoize(_memo.Count); break; // MEMOIZE
            case (byte)'h': Push(Recall(ReadByte())); break; // BINGET
            case (byte)'j': Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(Read(4)))); break; // LONG_BINGET
            case (byte)'c': // GLOBAL
            {
                string module = ReadLine(), name = ReadLine();
                Push(MakeGlobal(module, name));
                break;
            }
            case 0x93: // STACK_GLOBAL
            {
                object? name = Pop(), module = Pop();
                if (module is not string m || name is not string n)
                {
                    throw Fail("STACK_GLOBAL needs two strings");
                }
                Push(MakeGlobal(m, n));
                break;
            }
            case (byte)'R': // REDUCE
            {
                object? args = Pop(), callable = Pop();
                Push(Reduce(callable, args));
                break;
            }
            case 0x81: // NEWOBJ
            {
                object? args = Pop(), cls = Pop();
                Push(NewObject(cls, args));
                break;
            }
            case 0x92: // NEWOBJ_EX
            {
                Pop(); // kwargs: recorded nowhere; the object is inert anyway.
                object? args = Pop(), cls = Pop();
                Push(NewObject(cls, args));
                break;
            }
            case (byte)'b': // BUILD
            {
                object? state = Pop();
                Build(Top(), state);
                break;
            }
            case (byte)'Q': // BINPERSID
                Push(_persistentLoad(Pop()));
                break;
            default:
                throw Fail($"unsupported pickle opcode 0x{op:x2}{Describe(op)}; " +
                           "this reader handles the binary opcodes torch.save writes (protocols 2-5)");
        }
    }

    private static string Describe(byte op) =>
        op is >= 0x20 and < 0x7f ? $" ('{(char)op}')" : "";
}

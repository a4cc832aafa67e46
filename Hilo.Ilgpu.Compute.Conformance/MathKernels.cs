using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Compute.Conformance;

/// <summary>Math functions, selected by an operation code so one kernel covers them all.</summary>
public static partial class MathKernels
{
    public const int Exp = 0;
    public const int Log = 1;
    public const int Sqrt = 2;
    public const int Tanh = 3;
    public const int Erf = 4;
    public const int Abs = 5;
    public const int Floor = 6;
    public const int Ceiling = 7;
    public const int Round = 8;
    public const int Rsqrt = 9;
    public const int Truncate = 10;

    public const int Pow = 0;
    public const int Min = 1;
    public const int Max = 2;
    public const int Fma = 3;

    [Kernel]
    public static void Unary(ArrayView<float> x, ArrayView<float> r, int op)
    {
        int i = Grid.GlobalIndex.X;
        float v = x[i];
        float result;
        switch (op)
        {
            case Exp:
                result = MathF.Exp(v);
                break;
            case Log:
                result = MathF.Log(v);
                break;
            case Sqrt:
                result = MathF.Sqrt(v);
                break;
            case Tanh:
                result = MathF.Tanh(v);
                break;
            case Erf:
                result = KernelMath.Erf(v);
                break;
            case Abs:
                result = MathF.Abs(v);
                break;
            case Floor:
                result = MathF.Floor(v);
                break;
            case Ceiling:
                result = MathF.Ceiling(v);
                break;
            case Round:
                result = MathF.Round(v);
                break;
            case Rsqrt:
                result = KernelMath.Rsqrt(v);
                break;
            default:
                result = MathF.Truncate(v);
                break;
        }
        r[i] = result;
    }

    [Kernel]
    public static void Binary(ArrayView<float> x, ArrayView<float> y, ArrayView<float> z, ArrayView<float> r, int op)
    {
        int i = Grid.GlobalIndex.X;
        if (op == Pow)
        {
            r[i] = MathF.Pow(x[i], y[i]);
        }
        else if (op == Min)
        {
            r[i] = MathF.Min(x[i], y[i]);
        }
        else if (op == Max)
        {
            r[i] = MathF.Max(x[i], y[i]);
        }
        else
        {
            r[i] = MathF.FusedMultiplyAdd(x[i], y[i], z[i]);
        }
    }
}

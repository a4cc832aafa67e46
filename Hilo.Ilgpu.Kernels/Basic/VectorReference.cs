namespace Hilo.Ilgpu.Kernels.Basic;

/// <summary>Plain C# versions of <see cref="VectorKernels"/>, the reference their tests compare with.</summary>
public static class VectorReference
{
    /// <summary><c>a + b</c> element-wise.</summary>
    public static float[] Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var c = new float[b.Length];
        for (int i = 0; i < c.Length; i++)
        {
            c[i] = a[i] + b[i];
        }
        return c;
    }

    /// <summary><c>alpha * x</c> element-wise.</summary>
    public static float[] Scale(ReadOnlySpan<float> x, float alpha)
    {
        var y = new float[x.Length];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = alpha * x[i];
        }
        return y;
    }

    /// <summary><c>alpha * x + y</c> element-wise.</summary>
    public static float[] Axpy(float alpha, ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var r = new float[y.Length];
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = alpha * x[i] + y[i];
        }
        return r;
    }

    /// <summary><c>max(x, 0)</c> element-wise.</summary>
    public static float[] Relu(ReadOnlySpan<float> x)
    {
        var y = new float[x.Length];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = MathF.Max(x[i], 0f);
        }
        return y;
    }
}

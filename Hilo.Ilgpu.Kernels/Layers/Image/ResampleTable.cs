namespace Hilo.Ilgpu.Kernels.Layers.Image;

/// <summary>
/// The filter taps of one axis of a bicubic resize as Pillow computes them for 8-bit images (<c>Image.resize</c> with
/// <c>BICUBIC</c>, which torchvision's <c>Resize</c> calls for PIL images): for output index i the source window
/// starts at <see cref="Starts"/>[i], holds <see cref="Counts"/>[i] samples, and its weights are Pillow's normalised
/// double-precision weights rounded to fixed point with <see cref="PrecisionBits"/> fraction bits. A table can cover
/// only the outputs a crop keeps (<c>first</c>, <c>count</c>): each output's taps depend on its own index alone, so
/// resizing only the kept pixels gives exactly the pixels of the full resize.
/// </summary>
public sealed class ResampleTable
{
    /// <summary>Fraction bits of the fixed-point weights: Pillow's 32 − 8 − 2 (8 bits of pixel, 2 of headroom).</summary>
    public const int PrecisionBits = 22;

    /// <summary>The bicubic kernel's support radius at scale 1 (Keys' cubic, a = −0.5).</summary>
    public const double Support = 2.0;

    private ResampleTable(int inSize, int outSize, int first, int kernelSize, int[] starts, int[] counts, int[] weights)
    {
        InSize = inSize;
        OutSize = outSize;
        First = first;
        KernelSize = kernelSize;
        Starts = starts;
        Counts = counts;
        Weights = weights;
    }

    /// <summary>Source length along this axis.</summary>
    public int InSize { get; }

    /// <summary>Length of the full resize along this axis.</summary>
    public int OutSize { get; }

    /// <summary>The first output index the table covers.</summary>
    public int First { get; }

    /// <summary>Outputs covered.</summary>
    public int Count => Starts.Count;

    /// <summary>Weights stored per output (the longest window; shorter ones are zero-padded).</summary>
    public int KernelSize { get; }

    /// <summary>Per output covered: the first source index of its window.</summary>
    public IReadOnlyList<int> Starts { get; }

    /// <summary>Per output covered: its window's length.</summary>
    public IReadOnlyList<int> Counts { get; }

    /// <summary>Per output covered, <see cref="KernelSize"/> fixed-point weights (Count × KernelSize).</summary>
    public IReadOnlyList<int> Weights { get; }

    /// <summary>The first source index any covered output reads.</summary>
    public int SourceBegin => Starts[0];

    /// <summary>One past the last source index any covered output reads.</summary>
    public int SourceEnd
    {
        get
        {
            int end = 0;
            for (int i = 0; i < Count; i++)
            {
                end = Math.Max(end, Starts[i] + Counts[i]);
            }
            return end;
        }
    }

    /// <summary>Pillow's bicubic filter (Keys, a = −0.5), with its operations in Pillow's order so the doubles agree.</summary>
    public static double Bicubic(double x)
    {
        const double a = -0.5;
        if (x < 0.0)
        {
            x = -x;
        }
        if (x < 1.0)
        {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0)
        {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /// <summary>
    /// The taps of outputs [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>) of a resize
    /// from <paramref name="inSize"/> to <paramref name="outSize"/> samples. When downscaling, the filter is widened
    /// by the scale (antialiasing), as Pillow does; each output's weights are normalised to sum to 1 before rounding.
    /// </summary>
    public static ResampleTable Bicubic(int inSize, int outSize, int first, int count)
    {
        if (inSize < 1 || outSize < 1 || first < 0 || count < 1 || first > outSize - count)
        {
            throw new ArgumentException($"Bicubic resample table: invalid sizes (in {inSize}, out {outSize}, outputs {first}..{(long)first + count}).");
        }
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = Support * filterScale;
        int kernelSize = (int)Math.Ceiling(support) * 2 + 1;
        var starts = new int[count];
        var counts = new int[count];
        var weights = new int[count * kernelSize];
        var w = new double[kernelSize];
        for (int i = 0; i < count; i++)
        {
            int xx = first + i;
            double center = (xx + 0.5) * scale;
            double inverse = 1.0 / filterScale;
            // Pillow rounds the window's ends by adding 0.5 and truncating toward zero (a C cast), then clips them.
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            double sum = 0.0;
            for (int x = 0; x < xmax; x++)
            {
                w[x] = Bicubic((x + xmin - center + 0.5) * inverse);
                sum += w[x];
            }
            for (int x = 0; x < xmax; x++)
            {
                double k = sum != 0.0 ? w[x] / sum : w[x];
                // Pillow's ROUND_UP: half away from zero, in double, then truncated.
                weights[i * kernelSize + x] = k < 0 ? (int)(-0.5 + k * (1 << PrecisionBits)) : (int)(0.5 + k * (1 << PrecisionBits));
            }
            starts[i] = xmin;
            counts[i] = xmax;
        }
        return new ResampleTable(inSize, outSize, first, kernelSize, starts, counts, weights);
    }

    /// <summary>
    /// The table as the kernels read it: per output, its window's start relative to <paramref name="sourceOffset"/>,
    /// its length, then <see cref="KernelSize"/> weights, all as floats (every value is an integer below 2^24, which a
    /// float holds exactly; the kernels' views are float views).
    /// </summary>
    public float[] Pack(int sourceOffset)
    {
        int stride = KernelSize + 2;
        var packed = new float[Count * stride];
        for (int i = 0; i < Count; i++)
        {
            int start = Starts[i] - sourceOffset;
            if (start < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(sourceOffset), $"Output {First + i} reads from source index {Starts[i]}, before the offset {sourceOffset}.");
            }
            packed[i * stride] = start;
            packed[i * stride + 1] = Counts[i];
            for (int t = 0; t < KernelSize; t++)
            {
                int k = Weights[i * KernelSize + t];
                if (Math.Abs(k) >= 1 << 24)
                {
                    throw new InvalidOperationException($"Resample weight {k} does not fit a float exactly.");
                }
                packed[i * stride + 2 + t] = k;
            }
        }
        return packed;
    }
}

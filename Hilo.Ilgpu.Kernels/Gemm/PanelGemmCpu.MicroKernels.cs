using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Hilo.Ilgpu.Kernels.Cpu;

namespace Hilo.Ilgpu.Kernels.Gemm;

/// <summary>
/// The panel GEMM's micro-kernels: the K loop over one register-resident tile of C, on raw pointers and free of calls
/// (see <see cref="Tile"/>). With AVX-512, 8 rows × 32 columns in sixteen 512-bit accumulators (per k: two loads of B,
/// eight broadcasts of A, sixteen FMAs). Without, 8×32 would need 32 of AVX2's 16 vector registers and spill in the K
/// loop, so a block is 6 rows × 32 columns computed as two 6×16 halves, each in twelve 256-bit accumulators with two
/// loads of B and one broadcast of A: 15 registers. The packed B is the same (32-column panels) for both.
/// </summary>
public static unsafe partial class PanelGemmCpu
{
    /// <summary>Rows of C per block without AVX-512.</summary>
    public const int NarrowBlockRows = 6;

    private const int HalfWidth = 16;

    /// <summary>
    /// <c>tile += A[8 rows, k] · B[k, 32]</c> for an 8×32 tile (row-major, 32 floats a row): A rows
    /// <paramref name="lda"/> apart (rows from <paramref name="rows"/> on repeat the last valid one), B rows 32 floats
    /// apart (a packed panel).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel8x32(float* a, int lda, int rows, float* b, int k, float* tile)
    {
        float* a0 = a;
        float* a1 = a + Math.Min(1, rows - 1) * (nint)lda;
        float* a2 = a + Math.Min(2, rows - 1) * (nint)lda;
        float* a3 = a + Math.Min(3, rows - 1) * (nint)lda;
        float* a4 = a + Math.Min(4, rows - 1) * (nint)lda;
        float* a5 = a + Math.Min(5, rows - 1) * (nint)lda;
        float* a6 = a + Math.Min(6, rows - 1) * (nint)lda;
        float* a7 = a + Math.Min(7, rows - 1) * (nint)lda;
        Float16 c00 = Float16.Load(tile), c01 = Float16.Load(tile + 16);
        Float16 c10 = Float16.Load(tile + 32), c11 = Float16.Load(tile + 48);
        Float16 c20 = Float16.Load(tile + 64), c21 = Float16.Load(tile + 80);
        Float16 c30 = Float16.Load(tile + 96), c31 = Float16.Load(tile + 112);
        Float16 c40 = Float16.Load(tile + 128), c41 = Float16.Load(tile + 144);
        Float16 c50 = Float16.Load(tile + 160), c51 = Float16.Load(tile + 176);
        Float16 c60 = Float16.Load(tile + 192), c61 = Float16.Load(tile + 208);
        Float16 c70 = Float16.Load(tile + 224), c71 = Float16.Load(tile + 240);
        for (int p = 0; p < k; p++)
        {
            Float16 b0 = Float16.Load(b);
            Float16 b1 = Float16.Load(b + 16);
            b += PanelWidth;
            Float16 av = new(a0[p]);
            c00 = Float16.Fma(av, b0, c00);
            c01 = Float16.Fma(av, b1, c01);
            av = new(a1[p]);
            c10 = Float16.Fma(av, b0, c10);
            c11 = Float16.Fma(av, b1, c11);
            av = new(a2[p]);
            c20 = Float16.Fma(av, b0, c20);
            c21 = Float16.Fma(av, b1, c21);
            av = new(a3[p]);
            c30 = Float16.Fma(av, b0, c30);
            c31 = Float16.Fma(av, b1, c31);
            av = new(a4[p]);
            c40 = Float16.Fma(av, b0, c40);
            c41 = Float16.Fma(av, b1, c41);
            av = new(a5[p]);
            c50 = Float16.Fma(av, b0, c50);
            c51 = Float16.Fma(av, b1, c51);
            av = new(a6[p]);
            c60 = Float16.Fma(av, b0, c60);
            c61 = Float16.Fma(av, b1, c61);
            av = new(a7[p]);
            c70 = Float16.Fma(av, b0, c70);
            c71 = Float16.Fma(av, b1, c71);
        }
        c00.Store(tile); c01.Store(tile + 16);
        c10.Store(tile + 32); c11.Store(tile + 48);
        c20.Store(tile + 64); c21.Store(tile + 80);
        c30.Store(tile + 96); c31.Store(tile + 112);
        c40.Store(tile + 128); c41.Store(tile + 144);
        c50.Store(tile + 160); c51.Store(tile + 176);
        c60.Store(tile + 192); c61.Store(tile + 208);
        c70.Store(tile + 224); c71.Store(tile + 240);
    }

    /// <summary>
    /// <c>tile += A[6 rows, k] · B[k, 16]</c> for a 6×16 tile (row-major, 16 floats a row): A rows
    /// <paramref name="lda"/> apart (rows from <paramref name="rows"/> on repeat the last valid one), B rows 32 floats
    /// apart (one half of a packed panel). Twelve accumulators, two B loads and six broadcasts per k: 15 of AVX2's 16
    /// vector registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16(float* a, int lda, int rows, float* b, int k, float* tile)
    {
        float* a0 = a;
        float* a1 = a + Math.Min(1, rows - 1) * (nint)lda;
        float* a2 = a + Math.Min(2, rows - 1) * (nint)lda;
        float* a3 = a + Math.Min(3, rows - 1) * (nint)lda;
        float* a4 = a + Math.Min(4, rows - 1) * (nint)lda;
        float* a5 = a + Math.Min(5, rows - 1) * (nint)lda;
        Vector256<float> c00 = Vector256.Load(tile), c01 = Vector256.Load(tile + 8);
        Vector256<float> c10 = Vector256.Load(tile + 16), c11 = Vector256.Load(tile + 24);
        Vector256<float> c20 = Vector256.Load(tile + 32), c21 = Vector256.Load(tile + 40);
        Vector256<float> c30 = Vector256.Load(tile + 48), c31 = Vector256.Load(tile + 56);
        Vector256<float> c40 = Vector256.Load(tile + 64), c41 = Vector256.Load(tile + 72);
        Vector256<float> c50 = Vector256.Load(tile + 80), c51 = Vector256.Load(tile + 88);
        for (int p = 0; p < k; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = Vector256.Load(b + 8);
            b += PanelWidth;
            Vector256<float> av = Vector256.Create(a0[p]);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            av = Vector256.Create(a1[p]);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            av = Vector256.Create(a2[p]);
            c20 = Vector256.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            av = Vector256.Create(a3[p]);
            c30 = Vector256.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            av = Vector256.Create(a4[p]);
            c40 = Vector256.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(av, b1, c41);
            av = Vector256.Create(a5[p]);
            c50 = Vector256.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(av, b1, c51);
        }
        c00.Store(tile); c01.Store(tile + 8);
        c10.Store(tile + 16); c11.Store(tile + 24);
        c20.Store(tile + 32); c21.Store(tile + 40);
        c30.Store(tile + 48); c31.Store(tile + 56);
        c40.Store(tile + 64); c41.Store(tile + 72);
        c50.Store(tile + 80); c51.Store(tile + 88);
    }
}

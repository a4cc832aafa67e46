#!/usr/bin/env python3
"""Fits the coefficients of KernelMath.Erf(float) (Hilo.Ilgpu.Compute/Language/KernelMath.cs).

Two pieces, each a weighted minimax polynomial found by Lawson's iteratively reweighted least squares:
  |x| < 1:      erf(x) = x + x * Q(x^2),   Q(t) ~ erf(sqrt t)/sqrt t - 1      (error relative to erf)
  1 <= |x| < 4: erf(x) = 1 - exp(P(|x|)),  P(x) ~ log(erfc(x))                (error weighted by erfc/erf,
                                                                              i.e. relative to the result)
Beyond 4, erf rounds to +-1 in float32 (erfc(3.92) < 2^-25). Reference: Python's math.erf/erfc (float64).
Prints the float32-rounded coefficients (lowest degree first) and the fit's error in float32 ulps of the
result; the float32 evaluation itself is measured by Hilo.Ilgpu.Tests (ErfAccuracyTests).
Run: /usr/bin/python3 tools/fit_erf.py
"""
import math

import numpy as np


def lawson(xs, f, weight, degree, iterations=300):
    a = np.vander(xs, degree + 1, increasing=True)
    lw = np.full(len(xs), 1.0 / len(xs))
    for _ in range(iterations):
        sw = np.sqrt(lw) * weight
        c, *_ = np.linalg.lstsq(a * sw[:, None], f * sw, rcond=None)
        err = np.abs(a @ c - f) * weight
        lw = lw * err
        lw /= lw.sum()
    c32 = np.array([float(np.float32(v)) for v in c])
    return c32, (np.abs(a @ c32 - f) * weight).max()


def main():
    ulp = 2.0 ** -24  # spacing of floats in [0.5, 1); results below are relative errors in these units
    xs = np.concatenate([np.sqrt(np.linspace(0, 1, 4000)), np.linspace(0, 1, 4000)])
    q = np.array([(math.erf(x) / x if x > 1e-6 else 2 / math.sqrt(math.pi)) - 1 for x in xs])
    small, small_err = lawson(xs * xs, q, 1 / (1 + q), 6)
    xl = np.linspace(1, 4, 8000)
    p = np.array([math.log(math.erfc(x)) for x in xl])
    large, large_err = lawson(xl, p, np.array([math.erfc(x) / math.erf(x) for x in xl]), 7)
    print(f"Q (|x| < 1), degree 6, fit error {small_err / ulp:.4f} ulp:")
    print(", ".join(f"{v!r}f" for v in small))
    print(f"P (1 <= |x| < 4), degree 7, fit error {large_err / ulp:.4f} ulp:")
    print(", ".join(f"{v!r}f" for v in large))


if __name__ == "__main__":
    main()

"""Deterministic, realistically scaled random parameters (NumPy PCG64, so values do not depend on the
torch version). Every value is rounded to float32 first: fixtures store float32 parameters and the
reference runs in float64 on exactly those values."""
import numpy as np
import torch
import torch.nn as nn

from .hilo_ref import WindowAttention
from .litv2_ref import DeformConv


def _std(fan_in, lo=0.02, hi=0.3):
    return float(min(max(fan_in ** -0.5, lo), hi))


def _fill(t, values):
    with torch.no_grad():
        t.copy_(torch.from_numpy(np.asarray(values, dtype=np.float32).reshape(t.shape)))


def randomize(module, rng, offset_std=None):
    """Fill every parameter and BatchNorm statistic of `module` in registration order.
    offset_std: std of DeformConv.conv_offset weights (None: weights of the usual scale)."""
    for m in module.modules():
        if isinstance(m, nn.Linear):
            _fill(m.weight, rng.normal(0, _std(m.in_features), m.weight.shape))
            if m.bias is not None:
                _fill(m.bias, rng.normal(0, 0.05, m.bias.shape))
        elif isinstance(m, nn.Conv2d):
            fan_in = m.weight.shape[1] * m.weight.shape[2] * m.weight.shape[3]
            _fill(m.weight, rng.normal(0, _std(fan_in), m.weight.shape))
            if m.bias is not None:
                _fill(m.bias, rng.normal(0, 0.05, m.bias.shape))
        elif isinstance(m, (nn.LayerNorm, nn.BatchNorm2d)):
            _fill(m.weight, 1 + rng.normal(0, 0.1, m.weight.shape))
            _fill(m.bias, rng.normal(0, 0.1, m.bias.shape))
            if isinstance(m, nn.BatchNorm2d):
                _fill(m.running_mean, rng.normal(0, 0.3, m.running_mean.shape))
                _fill(m.running_var, rng.uniform(0.5, 1.5, m.running_var.shape))
                m.num_batches_tracked.fill_(int(rng.integers(1, 1000)))
        elif isinstance(m, DeformConv):
            c_out, c_in, kh, kw = m.weight.shape
            _fill(m.weight, rng.normal(0, _std(c_in * kh * kw), m.weight.shape))
            _fill(m.bias, rng.normal(0, 0.05, m.bias.shape))
        elif isinstance(m, WindowAttention) and m.relative_position_bias_table is not None:
            t = m.relative_position_bias_table
            _fill(t, rng.normal(0, 0.5, t.shape))
    if offset_std is not None:
        for m in module.modules():
            if isinstance(m, DeformConv):
                w = m.conv_offset.weight
                _fill(w, rng.normal(0, offset_std, w.shape))
                _fill(m.conv_offset.bias, rng.normal(0, 0.5, m.conv_offset.bias.shape))
    return module


def tensor(rng, shape, scale=1.0, mean=0.0):
    """Float32-rounded random input as a float64 torch tensor."""
    a = (mean + scale * rng.standard_normal(shape)).astype(np.float32)
    return torch.from_numpy(a).double()

"""Our own PyTorch reference implementations of HiLo, the comparison attentions and LITv2.

Written for the parity fixtures of Hilo.Ilgpu (see docs/reference-fixtures.md). Module and parameter
names follow the official ziplab/LITv2, PVT and Swin code so that official state dicts load, but the
code itself is ours.
"""

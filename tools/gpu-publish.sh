#!/usr/bin/env bash
# Builds what tools/gpu-check.sh runs on a GPU machine that has no .NET: a self-contained linux-x64 publish of the
# test suite (an xunit v3 executable) and of the `hilo` command into one folder, packed as publish/gpu.tar.xz
# (≈ 30 MB; the device tool carries at most 64 MiB). publish/ is git-ignored.
set -euo pipefail
cd "$(dirname "$0")/.."
out=publish/gpu
rm -rf "$out" publish/gpu.tar.xz
dotnet publish Hilo.Ilgpu.Tests -c Release -r linux-x64 --self-contained -o "$out" -nologo -v q
dotnet publish Hilo.Ilgpu.Cli -c Release -r linux-x64 --self-contained -o "$out" -nologo -v q
tar -C publish -cJf publish/gpu.tar.xz gpu
ls -l publish/gpu.tar.xz

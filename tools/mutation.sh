#!/usr/bin/env bash
# Mutation testing with Stryker.NET (the local tool pinned in .config/dotnet-tools.json), one area at a time, each
# with a fixed test filter so that a run takes minutes. Too slow for every CI run: not part of .ci/run.
#
#   flock /tmp/hilo-heavy.lock nice -n 10 tools/mutation.sh AREA...     # on a shared machine: always like this
#   tools/mutation.sh --list                                            # the areas
#
# Each area writes artifacts/mutation/AREA/ (Stryker's HTML and JSON reports) and prints its score and every
# surviving mutant (file:line, mutator, replacement). docs/testing.md has the scores and the survivors judged harmless.
# The test project is an xUnit v3 executable: Stryker's Microsoft Testing Platform runner (--test-runner mtp) captures
# per-test coverage with it (the default VSTest runner could not, so every mutant ran the whole filter) and passes the
# filter on as MTP's --filter. MTP reuses the test process, so a mutant in a static field initializer cannot be killed.
# ILGPU kernels are not mutated: Stryker's mutant switch (a static field read) cannot run on an accelerator; the
# non-finite area mutates the CPU family's check and the host-side wrapper, the kernel tests run them.
set -euo pipefail
cd "$(dirname "$0")/.."

# area | project to mutate | files (Stryker --mutate globs, ';'-separated; GLOB#Method: only that method, turned into
# Stryker's character span by tools/mutation_span.py) | tests (dotnet test --filter syntax)
areas=(
  "io-pickle|Hilo.Ilgpu.csproj|**/IO/SafeUnpickler*.cs;**/IO/PickleValues.cs;**/IO/TorchPicklePolicy.cs|FullyQualifiedName~Hilo.Ilgpu.Tests.IO&FullyQualifiedName!~FuzzTests&FullyQualifiedName!~CheckpointMemoryTests"
  "io-torch|Hilo.Ilgpu.csproj|**/IO/TorchCheckpointReader.cs;**/IO/TorchStorageReads.cs;**/IO/ElementDecoder.cs;**/IO/CheckpointSniffer.cs;**/IO/CheckpointLoader.cs|FullyQualifiedName~Hilo.Ilgpu.Tests.IO&FullyQualifiedName!~FuzzTests&FullyQualifiedName!~CheckpointMemoryTests"
  "io-safetensors|Hilo.Ilgpu.csproj|**/IO/SafeTensorsFile.cs|FullyQualifiedName~Hilo.Ilgpu.Tests.IO&FullyQualifiedName!~FuzzTests&FullyQualifiedName!~CheckpointMemoryTests"
  "io-npy|Hilo.Ilgpu.csproj|**/IO/NpyFile.cs;**/IO/NpyHeader.cs|FullyQualifiedName~Hilo.Ilgpu.Tests.IO.Npy|FullyQualifiedName~Hilo.Ilgpu.Tests.IO.InputFileTests"
  "imaging|Hilo.Ilgpu.csproj|**/Imaging/*.cs|FullyQualifiedName~Hilo.Ilgpu.Tests.Imaging&FullyQualifiedName!~IlgpuCpu&FullyQualifiedName!~OpenCL&FullyQualifiedName!~Cuda"
  # The untrusted-file part of imaging (header checks, format sniffing, GIF palette walk) with its fast tests only: the
  # whole imaging area's filter runs the classifier and preprocessing tests too, whose per-test coverage capture timed
  # out under load.
  "imaging-readers|Hilo.Ilgpu.csproj|**/Imaging/ImageFile.cs;**/Imaging/ImageFormats.cs;**/Imaging/GifFirstFrame.cs;**/Imaging/ImageLimits.cs|FullyQualifiedName~Hilo.Ilgpu.Tests.Imaging.ImageFileTests|FullyQualifiedName~Hilo.Ilgpu.Tests.Imaging.ImageRefusalTests|FullyQualifiedName~Hilo.Ilgpu.Tests.Imaging.ImageEdgeTests|FullyQualifiedName~Hilo.Ilgpu.Tests.Imaging.ImageSourceTests|FullyQualifiedName~Hilo.Ilgpu.Tests.Imaging.GifFirstFrameTests"
  "finite|Hilo.Ilgpu.Kernels.csproj|**/Layers/Basic/ElementwiseCpu.cs#FlagNonFinite;**/Layers/Basic/Elementwise.cs#FlagNonFinite|FullyQualifiedName~Hilo.Ilgpu.Tests.Kernels.CpuKernels.FiniteCheck|FullyQualifiedName~Hilo.Ilgpu.Tests.Kernels.IlgpuCpuKernels.FiniteCheck"
  "gemm-tails|Hilo.Ilgpu.Kernels.csproj|**/Gemm/PanelGemmCpu.cs|FullyQualifiedName~Hilo.Ilgpu.Tests.Kernels.CpuFamilyKernelTests|FullyQualifiedName~Hilo.Ilgpu.Tests.Kernels.CpuKernels"
)

usage() {
  echo "usage: tools/mutation.sh AREA... (under flock /tmp/hilo-heavy.lock nice -n 10)" >&2
  echo "areas:" >&2
  for a in "${areas[@]}"; do echo "  ${a%%|*}" >&2; done
  exit 2
}
[ $# -ge 1 ] || usage
[ "$1" != "--list" ] || usage

dotnet tool restore >/dev/null
for want in "$@"; do
  spec=""
  for a in "${areas[@]}"; do
    [ "${a%%|*}" = "$want" ] && spec=$a
  done
  if [ -z "$spec" ]; then
    echo "error: no mutation area '$want' (tools/mutation.sh --list)" >&2
    exit 2
  fi
  IFS='|' read -r name project files filter <<< "$spec"
  IFS=';' read -r -a globs <<< "$files"
  # The filter's '|' separated the fields above: everything after the third field is the filter.
  filter=${spec#*|*|*|}
  out="$PWD/artifacts/mutation/$name"
  rm -rf "$out"
  mkdir -p "$out"
  mutate=()
  patterns=()
  for g in "${globs[@]}"; do
    if [[ $g == *"#"* ]]; then
      # "**/Dir/File.cs#Method": the file lies under the mutated project's folder.
      src="${project%.csproj}/${g%%#*}"
      src=${src/\*\*\//}
      g="${g%%#*}$(python3 tools/mutation_span.py "$src" "${g#*#}")"
    fi
    mutate+=(--mutate "$g")
    patterns+=("$g")
  done
  echo "== mutation area $name: $project [${files}], tests: $filter"
  start=$(date +%s)
  # Debug build (Stryker's default) in the usual bin/ and obj/: a Release build of the solution is not disturbed.
  (cd Hilo.Ilgpu.Tests && dotnet stryker --project "$project" "${mutate[@]}" --test-case-filter "$filter" \
      --test-runner mtp --concurrency 1 --reporter Html --reporter Json --reporter Progress --output "$out" --skip-version-check)
  echo "area $name: $(( $(date +%s) - start )) s"
  python3 tools/mutation_report.py "$out" "$name" "${patterns[@]}"
done

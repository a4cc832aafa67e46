#!/usr/bin/env bash
# PoCL 6.0 (Debian trixie) for ILGPU's OpenCL accelerator on a Debian 12 machine, without touching the system.
#
# ILGPU's OpenCL backend needs the generic address space; bookworm's PoCL 3.1 lacks it ("GenericAddressSpace feature
# is not supported"), trixie's PoCL 6.0 has it. Trixie's libpocl needs trixie's glibc (2.41) and cannot be loaded by a
# process on bookworm's (2.36), so the tests run inside a minimal trixie root: debootstrap unpacks the trixie .debs
# (PoCL 6, LLVM 18, the ICD loader, libicu for .NET) into a cache folder once; later calls reuse it. The repository,
# the .NET SDK and the NuGet caches are bind-mounted at their own paths in a private mount namespace (gone when the
# command ends), so the build outputs made outside work inside unchanged. Needs root (chroot, mount).
#
#   tools/pocl6.sh setup              # create or check the root (idempotent); prints its path
#   tools/pocl6.sh run CMD [ARGS...]  # run CMD in the repository root inside it, e.g. tools/pocl6.sh run clinfo -l
#
# HILO_POCL6_ROOT overrides the cache folder (default ~/.cache/hilo/pocl6-trixie); HILO_DEBIAN_MIRROR the mirror;
# HILO_POCL6_BIND=DIR[:DIR...] also mounts those folders at their own paths (tools/peers/ runs LibTorch there).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
root=${HILO_POCL6_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/hilo/pocl6-trixie}
mirror=${HILO_DEBIAN_MIRROR:-http://deb.debian.org/debian}
packages=pocl-opencl-icd,ocl-icd-libopencl1,ocl-icd-opencl-dev,clinfo,libicu76,libssl3t64
marker="$root/.hilo-pocl6-ready"

setup() {
  if [ -f "$marker" ] && [ "$(cat "$marker")" = "$packages" ]; then
    echo "$root"
    return
  fi
  if ! command -v debootstrap >/dev/null 2>&1; then
    echo "== installing debootstrap (bookworm)" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >&2
  fi
  echo "== debootstrap trixie (minbase + $packages) into $root" >&2
  rm -rf "$root.partial"
  mkdir -p "$(dirname "$root")"
  # Into a temporary folder first: an interrupted run leaves no half-made root behind.
  debootstrap --variant=minbase --include="$packages" trixie "$root.partial" "$mirror" >&2
  rm -rf "$root"
  mv "$root.partial" "$root"
  echo "$packages" > "$marker"
  echo "$root"
}

run() {
  [ -f "$marker" ] || setup >/dev/null
  local dotnet_root
  dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  local nuget=${NUGET_PACKAGES:-$HOME/.nuget/packages}
  # Everything below runs in a private mount namespace: the mounts disappear with the command.
  unshare --mount --propagation private -- bash -s -- "$root" "$repo" "$dotnet_root" "$nuget" "${HILO_POCL6_BIND:-}" "$@" <<'INNER'
set -euo pipefail
root=$1 repo=$2 dotnet_root=$3 nuget=$4 extra=$5
shift 5
bind() { mkdir -p "$root$2"; mount --bind "$1" "$root$2"; }
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --rbind /dev "$root/dev"
bind "$repo" "$repo"
bind "$dotnet_root" "$dotnet_root"
mkdir -p "$nuget"
bind "$nuget" "$nuget"
[ -d /opt/nuget ] && bind /opt/nuget /opt/nuget
IFS=: read -r -a extra_dirs <<< "$extra"
for d in "${extra_dirs[@]}"; do [ -z "$d" ] || bind "$d" "$d"; done
# The charts' text (hilo compare --chart): Skia reads fonts from /usr/share/fonts only; the minimal root has none.
[ -d /usr/share/fonts ] && bind /usr/share/fonts /usr/share/fonts
cmd=$(printf '%q ' "$@")
exec chroot "$root" /usr/bin/env -i \
  HOME="$HOME" PATH="$dotnet_root:/usr/local/bin:/usr/bin:/bin" DOTNET_ROOT="$dotnet_root" NUGET_PACKAGES="$nuget" \
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 \
  CI="${CI:-}" HILO_TUNING="${HILO_TUNING:-}" HILO_REQUIRE_BACKENDS="${HILO_REQUIRE_BACKENDS:-}" TERM="${TERM:-dumb}" \
  bash -c "cd $(printf '%q' "$repo") && $cmd"
INNER
}

case "${1:-}" in
  setup) setup ;;
  run) shift; [ $# -gt 0 ] || { echo "usage: $0 run CMD [ARGS...]" >&2; exit 2; }; run "$@" ;;
  *) sed -n '2,15p' "$0"; exit 2 ;;
esac

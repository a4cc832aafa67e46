#!/usr/bin/python3
"""PyTorch CPU baseline for the paper's speed protocols (DESIGN.md §1, §6), in the JSON format of
`hilo compare --json`, so the two can be compared side by side (tools/compare_with_pytorch.sh).

Uses our own reference layers (tools/reference/), fp32, inference mode, a fixed thread count.

  /usr/bin/python3 tools/bench_pytorch.py --protocol attention --json pytorch-attention.json
  /usr/bin/python3 tools/bench_pytorch.py --protocol model --models litv2-s --batch 16 --runs 5
  /usr/bin/python3 tools/bench_pytorch.py --quick          # smoke test: tiny batch, 2 runs
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ATTENTIONS = ["hilo", "sra", "local-window", "msa"]
MODELS = ["litv2-s", "litv2-m", "litv2-b"]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--protocol", choices=["attention", "model"], default="attention")
    p.add_argument("--models", "--layers", dest="models", default=None,
                   help="comma-separated subjects, as in `hilo compare --models`: " + ",".join(MODELS)
                   + " (model protocol; default litv2-s) or " + ",".join(ATTENTIONS) + " (attention; default all)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--runs", type=int, default=30, help="timed forwards (default 30)")
    p.add_argument("--warmup", type=int, default=None,
                   help="untimed forwards first (default: 3 for attention, 1 for model)")
    p.add_argument("--repeat", type=int, default=1,
                   help="repeat the timed loop N times and keep the fastest (for busy shared machines; default 1)")
    p.add_argument("--threads", type=int, default=2, help="intra-op threads, also OpenBLAS/OpenMP (default 2)")
    p.add_argument("--json", dest="json_path", help="write results as {\"results\": [...]} to this file")
    p.add_argument("--quick", action="store_true", help="smoke test: batch 2, 2 runs, 1 warm-up")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu", help="torch device: cpu (default) or cuda (eager fp32, synchronised around the timed loop)")
    p.add_argument("--tf32", action="store_true",
                   help="with --device cuda: allow TF32 tensor cores in matmuls and convolutions (a second row beside "
                        "eager fp32; its device is pytorch-cuda-tf32)")
    p.add_argument("--openblas-core", default="auto",
                   help="OPENBLAS_CORETYPE for this process: auto (default: SkylakeX with AVX-512, Haswell with AVX2, "
                        "what the CPU's /proc/cpuinfo flags allow), keep (the environment's), or a core name")
    a = p.parse_args(argv)
    if a.tf32 and not a.device.startswith("cuda"):
        p.error("--tf32 applies to --device cuda only")
    if a.quick:
        a.batch, a.runs, a.warmup = 2, 2, 1
    if a.models is None:
        a.models = ",".join(ATTENTIONS) if a.protocol == "attention" else "litv2-s"
    if a.warmup is None:
        a.warmup = 3 if a.protocol == "attention" else 1
    if a.batch < 1 or a.runs < 1 or a.warmup < 0 or a.threads < 1 or a.repeat < 1:
        p.error("--batch, --runs, --repeat and --threads must be >= 1, --warmup >= 0")
    return a


# AVX-512 subsets OpenBLAS's SkylakeX kernels use (its own CPU check asks for these).
SKYLAKEX_FLAGS = {"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"}


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def best_openblas_core(flags):
    """The fastest OpenBLAS core this CPU can run, or None (let OpenBLAS detect). OpenBLAS 0.3.21 (Debian 12) does not
    recognise recent CPUs (Sapphire/Emerald Rapids, some Zen 4 VMs) and falls back to its Prescott SSE3 kernels,
    4-5x slower at sgemm; naming the core by the ISA the CPU reports avoids that."""
    if SKYLAKEX_FLAGS <= flags:
        return "SkylakeX"
    if {"avx2", "fma"} <= flags:
        return "Haswell"
    return None


def choose_openblas_core(choice):
    """Sets OPENBLAS_CORETYPE (before the BLAS loads) and asks OpenBLAS to print the core it picks (OPENBLAS_VERBOSE=2);
    unsets OPENBLAS_L2_SIZE (a wrong cache size slows its blocking). Returns the core asked for, or None."""
    os.environ.pop("OPENBLAS_L2_SIZE", None)
    os.environ["OPENBLAS_VERBOSE"] = "2"
    if choice == "keep":
        return os.environ.get("OPENBLAS_CORETYPE")
    core = best_openblas_core(cpu_flags()) if choice == "auto" else choice
    if core is None:
        os.environ.pop("OPENBLAS_CORETYPE", None)
    else:
        os.environ["OPENBLAS_CORETYPE"] = core
    return core


def openblas_core_name():
    """The core OpenBLAS runs (openblas_get_corename), or None where the BLAS is not OpenBLAS."""
    import ctypes
    path = loaded_blas_path()
    if path is None:
        return None
    try:
        fn = ctypes.CDLL(path).openblas_get_corename
        fn.restype = ctypes.c_char_p
        return fn().decode()
    except (OSError, AttributeError):
        return None


def loaded_blas_path():
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                if "libblas" in line or "libopenblas" in line:
                    return line.split()[-1]
    except OSError:
        pass
    return None


def blas_description():
    """Name and version of the BLAS the process actually loaded (Debian's torch links libblas.so.3,
    which update-alternatives points at OpenBLAS or the reference BLAS)."""
    import ctypes
    path = loaded_blas_path()
    if path is None:
        return "BLAS unknown"
    try:
        fn = ctypes.CDLL(path).openblas_get_config
        fn.restype = ctypes.c_char_p
        words = fn().decode().split()
        desc = " ".join(words[:2])          # "OpenBLAS 0.3.21"
        if "openblas-pthread" in path:
            desc += " pthread"
        elif "openblas-openmp" in path:
            desc += " openmp"
        core = openblas_core_name()
        if core:
            desc += f", core {core}"
        return desc
    except (OSError, AttributeError):
        return "reference BLAS (" + os.path.realpath(path) + ")"


def build_attention(name):
    from reference.hilo_ref import HiLo, SRA, WindowAttention, MSA
    dim, heads = 768, 12
    if name == "hilo":
        return HiLo(dim, heads, qkv_bias=True, window_size=2, alpha=0.9)
    if name == "sra":
        return SRA(dim, heads, qkv_bias=True, sr_ratio=2)
    if name == "local-window":
        return WindowAttention(dim, heads, window_size=7, qkv_bias=True, rel_pos_bias=False)
    if name == "msa":
        return MSA(dim, heads, qkv_bias=True)
    raise SystemExit(f"unknown attention layer '{name}' (expected one of {', '.join(ATTENTIONS)})")


def build_model(name):
    from reference import litv2_ref
    if name not in litv2_ref.PRESETS:
        raise SystemExit(f"unknown model '{name}' (expected one of {', '.join(litv2_ref.PRESETS)})")
    cfg = litv2_ref.preset_config(name)
    return litv2_ref.build(cfg), cfg["img_size"]


def time_forward(torch, fn, warmup, runs, repeat, sync=lambda: None):
    """Seconds for `runs` forwards after `warmup` untimed ones; the fastest of `repeat` such loops."""
    best = float("inf")
    with torch.inference_mode():
        for _ in range(warmup):
            fn()
        sync()
        for _ in range(repeat):
            start = time.perf_counter()
            for _ in range(runs):
                fn()
            sync()
            best = min(best, time.perf_counter() - start)
    return best


def main(argv):
    args = parse_args(argv)
    # OpenBLAS and OpenMP read their thread counts at load time: set them before importing torch.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    asked = choose_openblas_core(args.openblas_core)
    sys.path.insert(0, HERE)
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))      # make sure the BLAS is loaded
    running = openblas_core_name()
    if asked and running and running.lower() != asked.lower():
        raise SystemExit(f"error: OPENBLAS_CORETYPE={asked} but OpenBLAS runs core {running}: "
                         "this OpenBLAS lacks that core; pass --openblas-core with one it has")
    dev = torch.device(args.device)
    if dev.type == "cuda":
        # Eager fp32, as the paper's GPU figures: no TF32 in matmuls or convolutions (unless --tf32, a second row).
        torch.backends.cuda.matmul.allow_tf32 = args.tf32
        torch.backends.cudnn.allow_tf32 = args.tf32
        mode = "TF32 tensor cores allowed" if args.tf32 else "fp32 eager"
        device_name = f"PyTorch {torch.__version__} on {torch.cuda.get_device_name(dev)} (CUDA {torch.version.cuda}, {mode})"
        sync = torch.cuda.synchronize
    else:
        device_name = f"PyTorch {torch.__version__} ({blas_description()}, {torch.get_num_threads()} threads)"
        sync = lambda: None  # noqa: E731
    print(device_name, flush=True)

    results = []
    if args.protocol == "attention":
        names = [n.strip() for n in args.models.split(",") if n.strip()]
        h = w = 14
        for name in names:
            layer = build_attention(name).eval().to(dev)
            x = torch.randn(args.batch, h * w, 768, device=dev)
            secs = time_forward(torch, lambda: layer(x, h, w), args.warmup, args.runs, args.repeat, sync)
            results.append(record(args, device_name, name, layer, secs))
            print_row(results[-1])
    else:
        names = [n.strip() for n in args.models.split(",") if n.strip()]
        for name in names:
            model, size = build_model(name)
            model.eval().to(dev)
            img = torch.randn(args.batch, 3, size, size, device=dev)
            secs = time_forward(torch, lambda: model(img), args.warmup, args.runs, args.repeat, sync)
            results.append(record(args, device_name, name, model, secs))
            print_row(results[-1])

    print_table(results)
    if args.json_path:
        with open(args.json_path, "w") as f:
            json.dump({"results": results}, f, indent=2)
            f.write("\n")
        print(f"wrote {args.json_path}")
    return 0


def record(args, device_name, name, module, secs):
    return {
        "device": f"pytorch-{args.device}" + ("-tf32" if args.tf32 else ""),
        "device_name": device_name,
        "device_kind": "gpu" if args.device.startswith("cuda") else "cpu",
        "protocol": args.protocol,
        "name": name,
        "batch": args.batch,
        "runs": args.runs,
        "images_per_second": args.runs * args.batch / secs,
        "ms_per_batch": secs / args.runs * 1000.0,
        "params": sum(p.numel() for p in module.parameters()),
        "flops": None,
        "peak_memory_bytes": None,
        "repeat": args.repeat,
        "load_average": round(os.getloadavg()[0], 2),
        "date": time.strftime("%Y-%m-%d"),
    }


def print_row(r):
    print(f"  {r['name']:<14} {r['images_per_second']:9.1f} img/s  {r['ms_per_batch']:10.1f} ms/batch",
          flush=True)


def print_table(results):
    if not results:
        return
    msa = next((r for r in results if r["name"] == "msa"), None)
    print()
    print(f"{'device':<12} {'name':<14} {'batch':>5} {'img/s':>9} {'ms/batch':>10} {'vs MSA':>7} {'params':>12}")
    for r in results:
        ratio = f"{r['images_per_second'] / msa['images_per_second']:.2f}x" if msa else "-"
        print(f"{r['device']:<12} {r['name']:<14} {r['batch']:>5} {r['images_per_second']:>9.1f} "
              f"{r['ms_per_batch']:>10.1f} {ratio:>7} {r['params']:>12,}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The numerical configuration that NumPy runs with: which OpenBLAS kernel, how many threads.

The notebooks must give the same verdicts under two numerical configurations (see README,
"What reproducible means"). ``make test`` runs them a second time with ``OPENBLAS_CORETYPE`` set to
another kernel than the machine's own, and uses this script to choose it and to prove that it
took effect:

    python tools/blas_config.py                 # print the kernel and threads in use
    python tools/blas_config.py --alternative   # print a kernel that differs from the one in use
    python tools/blas_config.py --expect NAME   # exit 1 unless NAME is the kernel in use

The alternative differs in arithmetic, not only in name: on x86-64 it is ``Sandybridge`` (AVX
without fused multiply-add), unless that is already the kernel in use, then ``Haswell`` (FMA);
on 64-bit Arm it is ``ARMV8`` (the generic kernel), unless already in use, then ``NEOVERSEN1``.
"""

from __future__ import annotations

import argparse
import platform
import sys

ALTERNATIVES = {
    "x86_64": ("SANDYBRIDGE", "HASWELL"),
    "AMD64": ("SANDYBRIDGE", "HASWELL"),
    "aarch64": ("ARMV8", "NEOVERSEN1"),
    "arm64": ("ARMV8", "NEOVERSEN1"),
}


def openblas() -> dict | None:
    """threadpoolctl's record of the OpenBLAS that NumPy loaded (None if NumPy uses another BLAS)."""
    import numpy  # noqa: F401  (loads the BLAS)
    from threadpoolctl import threadpool_info

    found = [i for i in threadpool_info() if i.get("internal_api") == "openblas"]
    return found[0] if found else None


def kernel() -> str:
    info = openblas()
    return "not-openblas" if info is None else str(info.get("architecture", "unknown"))


def alternative(current: str) -> str:
    first, second = ALTERNATIVES.get(platform.machine(), ALTERNATIVES["x86_64"])
    return second if current.upper() == first else first


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--alternative", action="store_true", help="print a kernel other than the one in use")
    group.add_argument("--expect", metavar="NAME", help="exit 1 unless NAME is the kernel in use")
    args = parser.parse_args(argv)
    current = kernel()
    if args.alternative:
        print(alternative(current))
        return 0
    if args.expect:
        if current.upper() != args.expect.upper():
            print(f"expected the OpenBLAS kernel {args.expect}, but NumPy runs {current}", file=sys.stderr)
            return 1
        print(f"OpenBLAS kernel in use: {current} (as expected)")
        return 0
    info = openblas() or {}
    print(f"OpenBLAS kernel: {current}, threads: {info.get('num_threads', '?')}, version: {info.get('version', '?')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

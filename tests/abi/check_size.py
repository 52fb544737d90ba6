#!/usr/bin/env python3
"""Prints the stripped size of libember.so and fails above the limit (issue 7: CPU-only,
without oneDNN, at most 5 MB). Strips a copy with `strip --strip-unneeded`; the build is not
touched.

  python3 tests/abi/check_size.py build/release/libember.so [--max-mb 5]
"""
import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lib")
    ap.add_argument("--max-mb", type=float, default=5.0)
    args = ap.parse_args()
    lib = Path(args.lib).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / lib.name
        shutil.copyfile(lib, copy)
        subprocess.run(["strip", "--strip-unneeded", str(copy)], check=True)
        size = copy.stat().st_size
    mb = size / 1e6
    print(f"check_size: {lib.name}: {lib.stat().st_size / 1e6:.2f} MB as built, "
          f"{mb:.2f} MB stripped (limit {args.max_mb:g} MB)")
    if mb > args.max_mb:
        print(f"check_size: FAILED: stripped {lib.name} is {mb:.2f} MB > {args.max_mb:g} MB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""INT8 end to end: Ember f32 vs Ember int8 vs onnxruntime int8 on the same quantized files.

For each model from scripts/make_models.py, quantizes the float file with onnxruntime's own
quantizer (ResNet-50 / MobileNetV2: quantize_static, QOperator format, per-channel weights,
Conv/MatMul only so the file stays standard ONNX (its QLinearAdd, QLinearGlobalAveragePool, QGemm
are com.microsoft ops Ember does not run), calibrated on --calib random feeds; BERT-base: quantize_dynamic, per-channel), once with
full-range int8 weights and once with reduce_range=True (7-bit weights, which Ember's narrow
vpmaddubsw kernels take on AVX2), then times every (engine, file) pair in one process at
--threads threads, alternating the sessions in rounds so machine noise hits all alike.
Prints the median latency of each (process CPU time: on a shared machine wall time is mostly
descheduling; wall time next to it), its ratio to Ember's f32 latency, the int8 output's
agreement with onnxruntime's on the same file (max |diff| / max |ref|), and the load average.

Usage:
    PYTHONPATH=build/release/python python benchmarks/int8_compare.py --models resnet50,bert_base
    EMBER_ISA=avx2 PYTHONPATH=... python benchmarks/int8_compare.py   # Ember capped at AVX2
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import make_models  # noqa: E402


def load():
    return " ".join(open("/proc/loadavg").read().split()[:3])


def quantize_files(name, f32_path, out_dir, calib):
    """onnxruntime-quantized files: {"q8": full-range int8 weights, "q7": reduce_range}."""
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType, quantize_dynamic,
                                          quantize_static)
    files = {}
    for tag, reduce_range in (("q8", False), ("q7", True)):
        dst = os.path.join(out_dir, f"{name}.ort_{tag}.onnx")
        files[tag] = dst
        if os.path.exists(dst):
            continue
        if name == "bert_base":
            quantize_dynamic(f32_path, dst, per_channel=True, reduce_range=reduce_range,
                             weight_type=QuantType.QInt8)
        else:
            class Feeds(CalibrationDataReader):
                def __init__(self):
                    self.it = iter([make_models.random_feeds(name, np.random.default_rng(100 + i))
                                    for i in range(calib)])

                def get_next(self):
                    return next(self.it, None)

            quantize_static(f32_path, dst, Feeds(), quant_format=QuantFormat.QOperator, per_channel=True,
                            op_types_to_quantize=["Conv", "MatMul"],
                            reduce_range=reduce_range, activation_type=QuantType.QUInt8,
                            weight_type=QuantType.QInt8)
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="resnet50,bert_base")
    ap.add_argument("--models-dir", default="/tmp/ember_int8_models")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--calib", type=int, default=4)
    args = ap.parse_args()
    import ember
    import onnxruntime as ort

    os.makedirs(args.models_dir, exist_ok=True)
    print(f"EMBER_ISA={os.environ.get('EMBER_ISA', '(unset)')} threads={args.threads} rounds={args.rounds} "
          f"onnxruntime {ort.__version__}; load before: {load()}")
    for name in args.models.split(","):
        f32 = os.path.join(args.models_dir, f"{name}.onnx")
        if not os.path.exists(f32):
            make_models.save_model(make_models.MODELS[name](), f32)
        files = quantize_files(name, f32, args.models_dir, args.calib)
        feeds = make_models.random_feeds(name, np.random.default_rng(0))

        def ort_session(path):
            so = ort.SessionOptions()
            so.intra_op_num_threads = args.threads
            so.inter_op_num_threads = 1
            so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])

        runs = {
            "ember f32": ember.Session(f32, threads=args.threads),
            "ort f32": ort_session(f32),
        }
        for tag, path in files.items():
            runs[f"ember {tag}"] = ember.Session(path, threads=args.threads)
            runs[f"ort {tag}"] = ort_session(path)
        outs = {k: [np.asarray(o) for o in s.run(None, feeds)] for k, s in runs.items()}  # warm-up
        times = {k: [] for k in runs}
        walls = {k: [] for k in runs}
        keys = list(runs)
        for r in range(args.rounds):
            for k in (keys if r % 2 == 0 else keys[::-1]):
                c0, t0 = time.process_time(), time.perf_counter()
                runs[k].run(None, feeds)
                times[k].append((time.process_time() - c0) * 1e3)
                walls[k].append((time.perf_counter() - t0) * 1e3)
        base = statistics.median(times["ember f32"])
        print(f"\n{name} (load after: {load()})")
        print(f"{'engine / file':<14} {'cpu ms':>10} {'min cpu':>9} {'wall ms':>9} {'/ ember f32':>12}  agreement")
        for k in keys:
            med = statistics.median(times[k])
            ref = outs["ort " + k.split()[1]]
            err = max(float(np.abs(a.astype(np.float64) - b).max() / max(np.abs(b).max(), 1e-6))
                      for a, b in zip(outs[k], ref))
            agree = "" if k.startswith("ort") else f"max|d|/max|ort| {err:.2e}"
            print(f"{k:<14} {med:>10.2f} {min(times[k]):>9.2f} {statistics.median(walls[k]):>9.2f} "
                  f"{med / base:>12.2f}  {agree}")


if __name__ == "__main__":
    main()

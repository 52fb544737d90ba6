// Vector-op microbenchmark, one thread: each workload runs through the op's reference kernel
// (src/ops) and through Ember's native kernel (src/backends/cpu/vector, the dispatched ISA),
// and the raw kernel of each ISA the CPU has is timed too. BERT / ResNet-like sizes:
// Softmax 12x128x128, LayerNorm 128x768, Gelu 128x3072, Add 1x64x56x56, MaxPool 1x64x112x112
// 3x3 s2 p1, GlobalAveragePool 1x2048x7x7, Attention 1x128x768 (12 heads, native only).
//
//   ember_vector_bench [--min-seconds S]   (default 0.3 s of repeats per line)
//
// Times are medians of thread CPU time (CLOCK_THREAD_CPUTIME_ID): the machines are shared.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <time.h>

#include "backends/cpu/native_registry.h"
#include "backends/cpu/vector/vector_util.h"
#include "kernels/cpu_features.h"
#include "kernels/dispatch/f32_vector.h"
#include "ops/eager.h"
#include "support/thread_pool.h"
#include "bench_clock.h"

namespace {

using ember::bench::cpu_now;

using namespace ember;

double min_seconds = 0.3;

// Median time of fn() in microseconds, repeated for at least min_seconds (and 5 times).
double time_us(const std::function<void()>& fn) {
  fn();  // warm caches and thread-local scratch
  std::vector<double> t;
  const double start = cpu_now();
  while (t.size() < 5 || cpu_now() - start < min_seconds) {
    const double t0 = cpu_now();
    fn();
    t.push_back((cpu_now() - t0) * 1e6);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

Tensor random_f32(const Dims& shape, float lo, float hi) {
  static std::mt19937 rng(42);
  std::uniform_real_distribution<float> d(lo, hi);
  Tensor t(DType::Float32, shape);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = d(rng);
  return t;
}

struct Workload {
  std::string label;
  std::string op, domain;
  int opset;
  std::vector<Tensor> inputs;
  std::vector<ir::Attribute> attrs;
  std::function<void(const kernels::F32VectorKernels&)> raw;  // the bare kernel call, or empty
};

ir::Attribute ints(const std::string& name, std::vector<int64_t> v) {
  ir::Attribute a;
  a.name = name;
  a.type = ir::AttrType::Ints;
  a.ints = std::move(v);
  return a;
}
ir::Attribute int1(const std::string& name, int64_t v) {
  ir::Attribute a;
  a.name = name;
  a.type = ir::AttrType::Int;
  a.i = v;
  return a;
}

void run_workload(const Workload& w, ThreadPool& pool, const std::vector<const kernels::F32VectorKernels*>& isas) {
  ir::Graph g;
  auto node = std::make_unique<ir::Node>();
  node->name = w.label;
  node->op_type = w.op;
  node->domain = w.domain;
  node->opset = w.opset;
  std::vector<ops::RtValue> values(w.inputs.size());
  std::vector<const ops::RtValue*> ptrs;
  for (size_t i = 0; i < w.inputs.size(); ++i) {
    ir::Value* v = g.add_value("in" + std::to_string(i));
    v->type = ir::TypeInfo::tensor(DType::Float32, w.inputs[i].shape());
    node->inputs.push_back(v);
    values[i].tensor = w.inputs[i];
    ptrs.push_back(&values[i]);
  }
  node->outputs.push_back(g.add_value("out"));
  for (const ir::Attribute& a : w.attrs) node->attrs[a.name] = a;
  ir::Node* n = g.add_node(std::move(node));
  auto run = [&](const ops::Kernel& k) {
    ops::HeapKernelContext ctx(ptrs, {true}, pool);
    k.run(ctx);
  };
  double ref_us = 0;
  if (auto ref = backends::vector::reference_kernel(*n)) ref_us = time_us([&] { run(*ref); });
  auto fast = backends::make_native_kernel(*n, runtime::BackendOptions{});
  const double fast_us = fast ? time_us([&] { run(*fast); }) : 0;
  std::printf("%-34s reference %9.1f us   native %9.1f us (%s)", w.label.c_str(), ref_us, fast_us,
              fast ? fast->name() : "none");
  if (ref_us > 0 && fast_us > 0) std::printf("   x%.1f", ref_us / fast_us);
  std::printf("\n");
  if (w.raw) {
    for (const kernels::F32VectorKernels* k : isas)
      std::printf("%-34s   raw kernel %-8s %9.1f us\n", "", k->isa, time_us([&] { w.raw(*k); }));
  }
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--min-seconds") == 0 && i + 1 < argc) min_seconds = std::atof(argv[++i]);
    else {
      std::fprintf(stderr, "usage: %s [--min-seconds S]\n", argv[0]);
      return 2;
    }
  }
  const uint32_t f = kernels::cpu_features();
  std::vector<const kernels::F32VectorKernels*> isas = {&kernels::f32_vector_generic_kernels()};
  const uint32_t avx2 = kernels::kCpuAvx2 | kernels::kCpuFma;
  if ((f & avx2) == avx2) isas.push_back(&kernels::avx2::f32_vector_kernels());
  if ((f & avx2) == avx2 && (f & kernels::kCpuAvx512f)) isas.push_back(&kernels::avx512::f32_vector_kernels());
  double load[3] = {0, 0, 0};
  if (FILE* fl = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(fl, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3) load[0] = -1;
    std::fclose(fl);
  }
  std::printf("ember_vector_bench: cpu [%s], dispatched vector ISA %s, 1 thread, load average %.2f\n",
              kernels::cpu_features_string(f).c_str(), kernels::vector_kernels().isa, load[0]);
  ThreadPool pool(1);

  std::vector<Workload> ws;
  {
    Tensor x = random_f32({12, 128, 128}, -8, 8);
    std::vector<float> y(size_t(x.numel()));
    ws.push_back({"Softmax 12x128x128", "Softmax", "", 13, {x}, {},
                  [x, y](const kernels::F32VectorKernels& k) mutable { k.softmax(12 * 128, 128, x.data<float>(), y.data()); }});
  }
  {
    Tensor x = random_f32({128, 768}, -2, 2), g = random_f32({768}, 0.5, 1.5), b = random_f32({768}, -1, 1);
    std::vector<float> y(size_t(x.numel()));
    ws.push_back({"LayerNormalization 128x768", "LayerNormalization", "", 17, {x, g, b}, {},
                  [x, g, b, y](const kernels::F32VectorKernels& k) mutable {
                    k.layernorm(128, 768, x.data<float>(), nullptr, nullptr, g.data<float>(), b.data<float>(), 1e-5f,
                                y.data(), nullptr);
                  }});
  }
  {
    Tensor x = random_f32({128, 3072}, -4, 4);
    std::vector<float> y(size_t(x.numel()));
    ws.push_back({"Gelu 128x3072", "Gelu", "", 20, {x}, {}, [x, y](const kernels::F32VectorKernels& k) mutable {
                    k.unary(kernels::UnaryOp::Gelu, 128 * 3072, x.data<float>(), y.data(), 0, 0);
                  }});
  }
  {
    Tensor a = random_f32({1, 64, 56, 56}, -1, 1), b = random_f32({1, 64, 56, 56}, -1, 1);
    std::vector<float> y(size_t(a.numel()));
    ws.push_back({"Add 1x64x56x56", "Add", "", 14, {a, b}, {}, [a, b, y](const kernels::F32VectorKernels& k) mutable {
                    k.binary(kernels::BinaryOp::Add, a.numel(), a.data<float>(), b.data<float>(), y.data());
                  }});
  }
  {
    Tensor x = random_f32({1, 64, 112, 112}, -1, 1);
    std::vector<float> y(size_t(64 * 56 * 56));
    ws.push_back({"MaxPool 1x64x112x112 3x3 s2 p1", "MaxPool", "", 12, {x},
                  {ints("kernel_shape", {3, 3}), ints("strides", {2, 2}), ints("pads", {1, 1, 1, 1})},
                  [x, y](const kernels::F32VectorKernels& k) mutable {
                    kernels::Pool2d g;
                    g.in_h = g.in_w = 112;
                    g.out_h = g.out_w = 56;
                    g.kernel_h = g.kernel_w = 3;
                    g.stride_h = g.stride_w = 2;
                    g.pad_top = g.pad_left = g.pad_bottom = g.pad_right = 1;
                    for (int c = 0; c < 64; ++c) k.maxpool2d(g, x.data<float>() + c * 112 * 112, y.data() + c * 56 * 56);
                  }});
  }
  {
    Tensor x = random_f32({1, 2048, 7, 7}, -1, 1);
    ws.push_back({"GlobalAveragePool 1x2048x7x7", "GlobalAveragePool", "", 1, {x}, {}, {}});
  }
  {
    Tensor q = random_f32({1, 128, 768}, -1, 1), k = random_f32({1, 128, 768}, -1, 1), v = random_f32({1, 128, 768}, -1, 1);
    ws.push_back({"Attention 1x128x768 12 heads", "Attention", "ai.ember", 1, {q, k, v}, {int1("num_heads", 12)}, {}});
  }
  for (const Workload& w : ws) run_workload(w, pool, isas);
  return 0;
}

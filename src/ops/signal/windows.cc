// Window generators (HannWindow, HammingWindow, BlackmanWindow) and MelWeightMatrix. All take
// their sizes as runtime scalars and produce a tensor of `output_datatype` (default float32).
// Periodic windows use N = size in the denominators, symmetric ones N = size - 1.
#include <cmath>

#include "ops/nn/nn_util.h"
#include "ops/op_util.h"
#include "ops/signal/signal_ops.h"

namespace ember::ops {
namespace {

enum class Window { Hann, Hamming, Blackman };

int64_t int_scalar(const std::string& node, const Tensor& t, const char* what) {
  EMBER_CHECK(t.numel() == 1 && dtype_is_integer(t.dtype()), InvalidModel, node, ": ", what,
              " must be one integer, given ", dtype_name(t.dtype()), dims_str(t.shape()));
  return t.int_at(0);
}

DType output_dtype(const ir::Node& node) {
  const int64_t code = node.attr_int("output_datatype", 1);
  EMBER_CHECK(dtype_is_valid(int32_t(code)), Unsupported, node.describe(), ": output_datatype ", code,
              " is not supported");
  const DType t = DType(code);
  EMBER_CHECK(t != DType::String && t != DType::Bool, Unsupported, node.describe(), ": output_datatype ",
              dtype_name(t), " is not supported");
  return t;
}

class WindowKernel final : public Kernel {
 public:
  WindowKernel(const ir::Node& node, Window w)
      : node_(node.describe()), w_(w), dt_(output_dtype(node)), periodic_(node.attr_int("periodic", 1) != 0) {}
  void run(KernelContext& ctx) const override {
    const int64_t n = int_scalar(node_, ctx.input(0), "size");
    EMBER_CHECK(n >= 0 && n < (int64_t(1) << 31), InvalidArgument, node_, ": size must be in [0, 2^31), given ", n);
    const double N = double(periodic_ ? n : n - 1);
    std::vector<double> v(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      const double x = 2.0 * M_PI * double(i) / N;  // n == 1 symmetric: 0/0 -> NaN, as numpy
      switch (w_) {
        case Window::Hann: v[size_t(i)] = std::pow(std::sin(M_PI * double(i) / N), 2); break;
        case Window::Hamming: v[size_t(i)] = 25.0 / 46.0 - (21.0 / 46.0) * std::cos(x); break;
        case Window::Blackman: v[size_t(i)] = 0.42 - 0.5 * std::cos(x) + 0.08 * std::cos(2 * x); break;
      }
    }
    Tensor& y = ctx.output(0, dt_, {n});
    store_doubles(v, y);
  }

 private:
  std::string node_;
  Window w_;
  DType dt_;
  bool periodic_;
};

void infer_window(InferContext& ctx) {
  const DType t = output_dtype(ctx.node());
  const Tensor* s = ctx.input_value(0);
  if (s && s->numel() == 1 && dtype_is_integer(s->dtype()) && s->int_at(0) >= 0)
    ctx.set_output(0, TypeInfo::tensor(t, {s->int_at(0)}));
  else
    ctx.set_output(0, TypeInfo{ir::ValueKind::Tensor, t, true, {ir::Dim{}}, nullptr});
}

template <Window W>
std::unique_ptr<Kernel> make_window(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<WindowKernel>(node, W);
}

// numpy's float floor division (a // b), which is not always floor(a / b).
double floor_div(double a, double b) {
  double mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1.0;
  if (div == 0) return std::copysign(0.0, a / b);
  double f = std::floor(div);
  if (div - f > 0.5) f += 1.0;
  return f;
}

// The onnx reference's construction (triangular filters between mel-spaced bin edges), with the
// same precision steps: the edge frequencies arrive as float32 and are mapped to mel in float32.
class MelKernel final : public Kernel {
 public:
  explicit MelKernel(const ir::Node& node) : node_(node.describe()), dt_(output_dtype(node)) {}
  void run(KernelContext& ctx) const override {
    const int64_t mels = int_scalar(node_, ctx.input(0), "num_mel_bins");
    const int64_t dft = int_scalar(node_, ctx.input(1), "dft_length");
    const int64_t rate = int_scalar(node_, ctx.input(2), "sample_rate");
    EMBER_CHECK(ctx.input(3).numel() == 1 && ctx.input(4).numel() == 1, InvalidModel, node_,
                ": lower_edge_hertz and upper_edge_hertz must be scalars");
    const float lo = float(read_doubles(ctx.input(3))[0]), hi = float(read_doubles(ctx.input(4))[0]);
    EMBER_CHECK(mels > 0 && mels < (1 << 20) && dft > 0 && dft < (1 << 24) && rate > 0, InvalidArgument, node_,
                ": num_mel_bins, dft_length and sample_rate must be positive (and of sane size)");
    const int64_t bins = dft / 2 + 1;
    auto to_mel = [](float hz) { return double(2595.0f * std::log1p(hz / 700.0f)) / std::log(10.0); };
    const double lmel = to_mel(lo), hmel = to_mel(hi), step = (hmel - lmel) / double(mels + 2);
    std::vector<int64_t> edge(size_t(mels + 2));
    for (int64_t i = 0; i < mels + 2; ++i) {
      const double hz = 700.0 * std::expm1((double(i) * step + lmel) / 2595.0 * std::log(10.0));
      const double b = floor_div(double(dft + 1) * hz, double(rate));
      EMBER_CHECK(std::isfinite(b) && b >= 0 && b < double(bins), InvalidArgument, node_,
                  ": the mel edges fall outside the ", bins, " spectrogram bins (check the edge frequencies)");
      edge[size_t(i)] = int64_t(b);
    }
    std::vector<double> out(size_t(bins * mels), 0.0);
    for (int64_t i = 0; i < mels; ++i) {
      const int64_t l = edge[size_t(i)], c = edge[size_t(i + 1)], h = edge[size_t(i + 2)];
      if (c == l) out[size_t(c * mels + i)] = 1;
      else
        for (int64_t j = l; j <= c; ++j) out[size_t(j * mels + i)] = double(j - l) / double(c - l);
      for (int64_t j = c; j < h; ++j) out[size_t(j * mels + i)] = double(h - j) / double(h - c);
    }
    Tensor& y = ctx.output(0, dt_, {bins, mels});
    store_doubles(out, y);
  }

 private:
  std::string node_;
  DType dt_;
};

void infer_mel(InferContext& ctx) {
  ctx.set_output(0, TypeInfo{ir::ValueKind::Tensor, output_dtype(ctx.node()), true, {ir::Dim{}, ir::Dim{}}, nullptr});
}

std::unique_ptr<Kernel> make_mel(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<MelKernel>(node);
}

}  // namespace

void add_window_ops(OpRegistry& r) {
  const std::vector<DType> f = {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64};
  r.add({"HannWindow", "", 17, 1 << 30, infer_window, make_window<Window::Hann>, f});
  r.add({"HammingWindow", "", 17, 1 << 30, infer_window, make_window<Window::Hamming>, f});
  r.add({"BlackmanWindow", "", 17, 1 << 30, infer_window, make_window<Window::Blackman>, f});
  r.add({"MelWeightMatrix", "", 17, 1 << 30, infer_mel, make_mel, f});
}

}  // namespace ember::ops

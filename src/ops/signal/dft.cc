// DFT and STFT. The complex inverse DFT of float32 (and float16/bfloat16, widened) runs a
// mixed-radix FFT in float arithmetic that reproduces numpy's float32 ifft bit for bit (fft_f32.h
// says why). Everything else runs the direct O(n^2) sum in double, rounded once at the end: that
// is what numpy 2.x does for forward transforms even of float32 data (its fft/rfft of complex64
// compute in double), and the real inverse (irfft) stays accurate rather than imitating numpy's
// float real-FFT noise. Index arithmetic is exact; twiddles come from a table indexed by j*k mod n
// so large products do not lose precision.
//   DFT: the last dim holds 1 (real) or 2 (real, imaginary) values; the transform runs along
//   `axis` (attribute before opset 20, default 1; input 2 from opset 20, default -2) with
//   length dft_length (truncating or zero-padding). onesided keeps bins [0, n/2]; inverse
//   divides by n, and inverse + onesided is the real inverse of a half spectrum (real output).
//   STFT: frames of the signal [batch, length, 1|2], weighted by the window, each transformed.
#include <cmath>
#include <complex>

#include "ops/nn/nn_util.h"
#include "ops/op_util.h"
#include "ops/signal/fft_f32.h"
#include "ops/signal/signal_ops.h"

namespace ember::ops {
namespace {

using cd = std::complex<double>;
constexpr int64_t kMaxLen = int64_t(1) << 24;

int64_t int_scalar(const std::string& node, const Tensor& t, const char* what) {
  EMBER_CHECK(t.numel() == 1 && dtype_is_integer(t.dtype()), InvalidModel, node, ": ", what,
              " must be one integer, given ", dtype_name(t.dtype()), dims_str(t.shape()));
  return t.int_at(0);
}

// Reads x [..., 1|2] as complex numbers.
std::vector<cd> read_complex(const std::string& node, const Tensor& x) {
  EMBER_CHECK(x.rank() >= 2 && (x.dim(x.rank() - 1) == 1 || x.dim(x.rank() - 1) == 2), ShapeMismatch, node,
              ": input must end in a dim of 1 (real) or 2 (complex), given ", dims_str(x.shape()));
  EMBER_CHECK(dtype_is_float(x.dtype()), TypeMismatch, node, ": input must be floating point");
  const std::vector<double> v = read_doubles(x);
  const int64_t c = x.dim(x.rank() - 1);
  std::vector<cd> out(v.size() / size_t(c));
  for (size_t i = 0; i < out.size(); ++i) out[i] = c == 2 ? cd(v[2 * i], v[2 * i + 1]) : cd(v[i], 0);
  return out;
}

struct Twiddles {
  std::vector<cd> w;  // w[t] = exp(sign * 2 pi i t / n)
  Twiddles(int64_t n, double sign) : w(size_t(n)) {
    for (int64_t t = 0; t < n; ++t) {
      const auto [c, s] = fft::unit_root_ld(t, n);  // exact 0 and +-1 where they belong
      w[size_t(t)] = cd(double(c), sign * double(s));
    }
  }
  cd at(int64_t j, int64_t k) const { return w[size_t((j * k) % int64_t(w.size()))]; }
};

class DftKernel final : public Kernel {
 public:
  DftKernel(const ir::Node& node)
      : node_(node.describe()), axis_input_(node.opset >= 20), axis_(node.attr_int("axis", 1)),
        inverse_(node.attr_int("inverse", 0) != 0), onesided_(node.attr_int("onesided", 0) != 0) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const std::vector<cd> in = read_complex(node_, x);
    const int64_t rank = int64_t(x.rank());
    int64_t axis = axis_input_ ? (ctx.has_input(2) ? int_scalar(node_, ctx.input(2), "axis") : -2) : axis_;
    EMBER_CHECK(axis >= -rank && axis < rank, InvalidModel, node_, ": axis ", axis, " is out of range for rank ", rank);
    if (axis < 0) axis += rank;
    EMBER_CHECK(axis < rank - 1, InvalidModel, node_, ": axis may not be the last (real/imaginary) dim");
    const Dims& s = x.shape();
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= s[size_t(i)];
    for (int64_t i = axis + 1; i < rank - 1; ++i) inner *= s[size_t(i)];
    const int64_t L = s[size_t(axis)];
    int64_t n = inverse_ && onesided_ ? 2 * (L - 1) : L;
    if (ctx.has_input(1)) n = int_scalar(node_, ctx.input(1), "dft_length");
    EMBER_CHECK(n >= 1 && n <= kMaxLen, InvalidArgument, node_, ": dft_length must be in [1, 2^24], given ", n);
    const bool real_out = inverse_ && onesided_;
    const int64_t bins = !inverse_ && onesided_ ? n / 2 + 1 : n;
    Dims out_shape = s;
    out_shape[size_t(axis)] = bins;
    out_shape.back() = real_out ? 1 : 2;
    std::vector<double> out(size_t(outer * bins * inner) * (real_out ? 1 : 2));
    const int64_t used = std::min(L, real_out ? n / 2 + 1 : n);
    if (x.dtype() != DType::Float64 && inverse_ && !onesided_) {
      run_f32(in, out, outer, inner, L, n, bins, used);
    } else {
      run_f64(in, out, outer, inner, L, n, bins, used);
    }
    Tensor& y = ctx.output(0, x.dtype(), out_shape);
    store_doubles(out, y);
  }

 private:
  // The complex inverse of float data, one column at a time through the float FFT.
  void run_f32(const std::vector<cd>& in, std::vector<double>& out, int64_t outer, int64_t inner, int64_t L,
               int64_t n, int64_t bins, int64_t used) const {
    const fft::PlanF32 plan(n);
    std::vector<fft::Cf> buf(static_cast<size_t>(n));
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        for (auto& v : buf) v = {0, 0};
        for (int64_t j = 0; j < used; ++j) {
          const cd v = in[size_t((o * L + j) * inner + i)];
          buf[size_t(j)] = {float(v.real()), float(v.imag())};
        }
        plan.exec(buf.data(), !inverse_, inverse_ ? 1.0f / float(n) : 1.0f);
        for (int64_t k = 0; k < bins; ++k) {
          const size_t dst = size_t((o * bins + k) * inner + i);
          out[2 * dst] = buf[size_t(k)].r;
          out[2 * dst + 1] = buf[size_t(k)].i;
        }
      }
  }

  void run_f64(const std::vector<cd>& in, std::vector<double>& out, int64_t outer, int64_t inner, int64_t L,
               int64_t n, int64_t bins, int64_t used) const {
    const bool real_out = inverse_ && onesided_;
    const Twiddles tw(n, inverse_ ? 1.0 : -1.0);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        auto src = [&](int64_t j) { return in[size_t((o * L + j) * inner + i)]; };
        for (int64_t k = 0; k < bins; ++k) {
          const size_t dst = size_t((o * bins + k) * inner + i);
          if (real_out) {
            // Hermitian extension of the half spectrum: DC and Nyquist count once (real part
            // only), every other bin twice.
            double acc = 0;
            for (int64_t j = 0; j < used; ++j) {
              const double term = (src(j) * tw.at(j, k)).real();
              acc += (j == 0 || 2 * j == n) ? term : 2 * term;
            }
            out[dst] = acc / double(n);
            continue;
          }
          cd acc = 0;
          for (int64_t j = 0; j < used; ++j) acc += src(j) * tw.at(j, k);
          if (inverse_) acc /= double(n);
          out[2 * dst] = acc.real();
          out[2 * dst + 1] = acc.imag();
        }
      }
  }

  std::string node_;
  bool axis_input_;
  int64_t axis_;
  bool inverse_, onesided_;
};

class StftKernel final : public Kernel {
 public:
  StftKernel(const ir::Node& node) : node_(node.describe()), onesided_(node.attr_int("onesided", 1) != 0) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    EMBER_CHECK(x.rank() == 3, ShapeMismatch, node_, ": signal must be [batch, length, 1|2], given ",
                dims_str(x.shape()));
    const std::vector<cd> in = read_complex(node_, x);
    const int64_t B = x.dim(0), len = x.dim(1);
    const int64_t step = int_scalar(node_, ctx.input(1), "frame_step");
    std::vector<double> win;
    if (ctx.has_input(2)) {
      EMBER_CHECK(ctx.input(2).rank() == 1, ShapeMismatch, node_, ": window must be 1-D");
      win = read_doubles(ctx.input(2));
    }
    int64_t fl = ctx.has_input(3) ? int_scalar(node_, ctx.input(3), "frame_length")
                                  : (win.empty() ? len : int64_t(win.size()));
    EMBER_CHECK(fl >= 1 && fl <= len && fl <= kMaxLen && step >= 1, InvalidArgument, node_,
                ": need 1 <= frame_length <= signal length and frame_step >= 1, given frame_length ", fl,
                ", frame_step ", step, ", length ", len);
    if (win.empty()) win.assign(size_t(fl), 1.0);
    EMBER_CHECK(int64_t(win.size()) == fl, ShapeMismatch, node_, ": window length ", win.size(),
                " differs from frame_length ", fl);
    const int64_t frames = 1 + (len - fl) / step, bins = onesided_ ? fl / 2 + 1 : fl;
    std::vector<double> out(size_t(B * frames * bins * 2));
    // The weighted sample is rounded to the input type first, as numpy forms it.
    const bool f64 = x.dtype() == DType::Float64;
    auto frame = [&](int64_t b, int64_t f, int64_t j) {
      const cd v = in[size_t(b * len + f * step + j)];
      const double w = win[size_t(j)];
      return f64 ? v * w : cd(float(v.real()) * float(w), float(v.imag()) * float(w));
    };
    const Twiddles tw(fl, -1.0);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t f = 0; f < frames; ++f)
        for (int64_t k = 0; k < bins; ++k) {
          cd acc = 0;
          for (int64_t j = 0; j < fl; ++j) acc += frame(b, f, j) * tw.at(j, k);
          const size_t dst = size_t(((b * frames + f) * bins + k) * 2);
          out[dst] = acc.real();
          out[dst + 1] = acc.imag();
        }
    Tensor& y = ctx.output(0, x.dtype(), {B, frames, bins, 2});
    store_doubles(out, y);
  }

 private:
  std::string node_;
  bool onesided_;
};


void infer_stft(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  ctx.set_output(0, TypeInfo{ir::ValueKind::Tensor, x.dtype, true,
                             {x.has_shape && !x.dims.empty() ? x.dims[0] : ir::Dim{}, ir::Dim{}, ir::Dim{}, ir::Dim::of(2)},
                             nullptr});
}

std::unique_ptr<Kernel> make_dft(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<DftKernel>(node);
}
std::unique_ptr<Kernel> make_stft(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<StftKernel>(node);
}

}  // namespace

void add_dft_ops(OpRegistry& r) {
  const std::vector<DType> f = {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64};
  r.add({"DFT", "", 17, 1 << 30, infer_same_rank_unknown_dims, make_dft, f});
  r.add({"STFT", "", 17, 1 << 30, infer_stft, make_stft, f});
}

}  // namespace ember::ops

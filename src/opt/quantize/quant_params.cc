#include "opt/quantize/quant_params.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "support/error.h"

namespace ember::opt::quantize {

namespace {

// Splits w's shape around `axis`: outer * dim * inner elements.
struct AxisSplit {
  int64_t outer = 1, dim = 1, inner = 1;
};
AxisSplit split_at(const Tensor& w, int64_t axis) {
  EMBER_CHECK(axis >= 0 && axis < int64_t(w.rank()), Runtime, "quantize: axis ", axis, " out of range for ",
              dims_str(w.shape()));
  AxisSplit s;
  for (int64_t k = 0; k < axis; ++k) s.outer *= w.dim(size_t(k));
  s.dim = w.dim(size_t(axis));
  for (size_t k = size_t(axis) + 1; k < w.rank(); ++k) s.inner *= w.dim(k);
  return s;
}

int8_t round_clamp(double v, int qmax) {
  return int8_t(std::clamp(std::nearbyint(v), double(-qmax), double(qmax)));
}

}  // namespace

UInt8Params uint8_params(Range r) {
  const double lo = std::min(r.lo, 0.0), hi = std::max(r.hi, 0.0);
  UInt8Params p;
  if (hi - lo <= 0) return p;
  p.scale = float((hi - lo) / 255.0);
  p.zero_point = uint8_t(std::clamp(std::nearbyint(-lo / double(p.scale)), 0.0, 255.0));
  return p;
}

QuantizedWeight quantize_symmetric(const Tensor& w, int64_t axis, bool per_channel, int qmax) {
  EMBER_CHECK(qmax > 0 && qmax <= 127, InvalidArgument, "int8 weight range must be in (0, 127], got ", qmax);
  EMBER_CHECK(w.dtype() == DType::Float32, Unsupported, "quantize: weights must be float32, got ",
              dtype_name(w.dtype()));
  const AxisSplit s = split_at(w, axis);
  const float* x = w.data<float>();
  QuantizedWeight out{Tensor(DType::Int8, w.shape()),
                      per_channel ? Tensor(DType::Float32, {s.dim}) : Tensor(DType::Float32, {})};
  std::vector<double> amax(size_t(per_channel ? s.dim : 1), 0.0);
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t d = 0; d < s.dim; ++d)
      for (int64_t i = 0; i < s.inner; ++i) {
        double& m = amax[per_channel ? size_t(d) : 0];
        m = std::max(m, std::fabs(double(x[(o * s.dim + d) * s.inner + i])));
      }
  float* sc = out.scale.data<float>();
  for (size_t d = 0; d < amax.size(); ++d) sc[d] = amax[d] > 0 ? float(amax[d] / qmax) : 1.0f;
  int8_t* q = out.q.data<int8_t>();
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t d = 0; d < s.dim; ++d)
      for (int64_t i = 0; i < s.inner; ++i) {
        const int64_t k = (o * s.dim + d) * s.inner + i;
        q[k] = round_clamp(double(x[k]) / double(sc[per_channel ? d : 0]), qmax);
      }
  return out;
}

QuantizedWeight quantize_blockwise(const Tensor& w, int64_t axis, int64_t block, DType type) {
  EMBER_CHECK(w.dtype() == DType::Float32, Unsupported, "quantize: weights must be float32, got ",
              dtype_name(w.dtype()));
  EMBER_CHECK(type == DType::Int8 || type == DType::Int4, Runtime, "quantize_blockwise: int8 or int4 only");
  EMBER_CHECK(block > 0, InvalidArgument, "block size must be positive, got ", block);
  const int qmax = type == DType::Int8 ? 127 : 7;
  const AxisSplit s = split_at(w, axis);
  const int64_t nblocks = (s.dim + block - 1) / block;
  Dims sshape = w.shape();
  sshape[size_t(axis)] = nblocks;
  QuantizedWeight out{Tensor(type, w.shape()), Tensor(DType::Float32, sshape)};
  const float* x = w.data<float>();
  float* sc = out.scale.data<float>();
  // int4 is stored unpacked as a sign-extended int8 per element (ir/dtype.h).
  int8_t* q = static_cast<int8_t*>(out.q.raw());
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t b = 0; b < nblocks; ++b)
      for (int64_t i = 0; i < s.inner; ++i) {
        const int64_t d0 = b * block, d1 = std::min(s.dim, d0 + block);
        double amax = 0;
        for (int64_t d = d0; d < d1; ++d) amax = std::max(amax, std::fabs(double(x[(o * s.dim + d) * s.inner + i])));
        const float scale = amax > 0 ? float(amax / qmax) : 1.0f;
        sc[(o * nblocks + b) * s.inner + i] = scale;
        for (int64_t d = d0; d < d1; ++d) {
          const int64_t k = (o * s.dim + d) * s.inner + i;
          q[k] = round_clamp(double(x[k]) / double(scale), qmax);
        }
      }
  return out;
}

Tensor quantize_bias(const Tensor& bias, float x_scale, const Tensor& w_scale) {
  EMBER_CHECK(bias.dtype() == DType::Float32, Unsupported, "quantize: bias must be float32, got ",
              dtype_name(bias.dtype()));
  const int64_t n = bias.numel();
  EMBER_CHECK(w_scale.numel() == n || w_scale.numel() == 1, Runtime, "quantize_bias: ", n, " biases, ",
              w_scale.numel(), " weight scales");
  Tensor out(DType::Int32, {n});
  const float* b = bias.data<float>();
  const float* ws = w_scale.data<float>();
  constexpr double kMax = double(std::numeric_limits<int32_t>::max());
  for (int64_t c = 0; c < n; ++c) {
    const double s = double(x_scale) * double(ws[w_scale.numel() == 1 ? 0 : c]);
    out.data<int32_t>()[c] = int32_t(std::clamp(std::nearbyint(double(b[c]) / s), -kMax, kMax));
  }
  return out;
}

Tensor transpose_2d(const Tensor& w) {
  EMBER_CHECK(w.rank() == 2 && w.dtype() == DType::Float32, Runtime, "transpose_2d: 2-D float32 only");
  const int64_t r = w.dim(0), c = w.dim(1);
  Tensor t(DType::Float32, {c, r});
  const float* src = w.data<float>();
  float* dst = t.data<float>();
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < c; ++j) dst[j * r + i] = src[i * c + j];
  return t;
}

}  // namespace ember::opt::quantize

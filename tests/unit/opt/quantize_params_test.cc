// Quantization parameters and quantized weights (src/opt/quantize/quant_params.cc) against
// direct formulas: round-trip error within half a step, zero exact, block layout.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "opt/quantize/quant_params.h"

namespace ember::test {

namespace {

Tensor random_tensor(const Dims& shape, uint64_t seed, float scale = 1.0f) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> d(0.0f, scale);
  Tensor t(DType::Float32, shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

}  // namespace

TEST_CASE("uint8 params: range widened to include 0, zero exactly representable") {
  using opt::quantize::uint8_params;
  auto p = uint8_params({0.0, 6.0});
  CHECK(p.zero_point == 0);
  CHECK(p.scale == doctest::Approx(6.0 / 255));
  p = uint8_params({-1.0, 3.0});
  CHECK(p.scale == doctest::Approx(4.0 / 255));
  CHECK(p.zero_point == 64);  // rint(1 / (4 / 255)) = rint(63.75)
  p = uint8_params({0.5, 2.0});  // widened to [0, 2]
  CHECK(p.zero_point == 0);
  CHECK(p.scale == doctest::Approx(2.0 / 255));
  p = uint8_params({-3.0, -1.0});  // widened to [-3, 0]
  CHECK(p.zero_point == 255);
}

TEST_CASE("symmetric int8 weights, per channel and per tensor: error <= scale / 2") {
  for (const bool per_channel : {true, false}) {
    for (const auto& [shape, axis] : {std::pair{Dims{7, 3, 3, 3}, int64_t(0)}, std::pair{Dims{17, 9}, int64_t(1)},
                                      std::pair{Dims{1, 1}, int64_t(1)}}) {
      CAPTURE(per_channel);
      CAPTURE(dims_str(shape));
      Tensor w = random_tensor(shape, 42);
      if (w.numel() > 3) w.data<float>()[2] = 0.0f;
      const auto q = opt::quantize::quantize_symmetric(w, axis, per_channel);
      CHECK(q.q.dtype() == DType::Int8);
      CHECK(q.scale.numel() == (per_channel ? shape[size_t(axis)] : 1));
      const Dims strides = dims_strides(shape);
      for (int64_t i = 0; i < w.numel(); ++i) {
        const int64_t c = per_channel ? (i / strides[size_t(axis)]) % shape[size_t(axis)] : 0;
        const float s = q.scale.data<float>()[c];
        const int8_t v = q.q.data<int8_t>()[i];
        CHECK(v >= -127);
        CHECK(std::fabs(float(v) * s - w.data<float>()[i]) <= 0.5f * s * (1 + 1e-5f));
      }
      if (w.numel() > 3) CHECK(q.q.data<int8_t>()[2] == 0);
    }
  }
}

TEST_CASE("block-wise int4 / int8 weights: scale layout and error <= scale / 2") {
  for (const DType type : {DType::Int4, DType::Int8}) {
    for (const int64_t block : {int64_t(32), int64_t(64)}) {
      for (const int64_t axis : {int64_t(0), int64_t(1)}) {
        CAPTURE(dtype_name(type));
        CAPTURE(block);
        CAPTURE(axis);
        const Dims shape{axis == 0 ? 129 : 5, axis == 0 ? 7 : 100};  // partial last blocks
        const Tensor w = random_tensor(shape, 9);
        const auto q = opt::quantize::quantize_blockwise(w, axis, block, type);
        const int64_t dim = shape[size_t(axis)], nb = (dim + block - 1) / block;
        Dims sshape = shape;
        sshape[size_t(axis)] = nb;
        CHECK(q.scale.shape() == sshape);
        const int qmax = type == DType::Int4 ? 7 : 127;
        const int8_t* v = static_cast<const int8_t*>(q.q.raw());
        for (int64_t r = 0; r < shape[0]; ++r)
          for (int64_t c = 0; c < shape[1]; ++c) {
            const int64_t i = r * shape[1] + c;
            const int64_t si = axis == 0 ? (r / block) * shape[1] + c : r * nb + c / block;
            const float s = q.scale.data<float>()[si];
            CHECK(std::abs(int(v[i])) <= qmax);
            CHECK(std::fabs(float(v[i]) * s - w.data<float>()[i]) <= 0.5f * s * (1 + 1e-5f));
          }
      }
    }
  }
}

TEST_CASE("int32 bias at scale x_scale * w_scale[c]") {
  Tensor b(DType::Float32, {3});
  b.data<float>()[0] = 1.0f;
  b.data<float>()[1] = -0.5f;
  b.data<float>()[2] = 0.0f;
  Tensor ws(DType::Float32, {3});
  ws.data<float>()[0] = 0.01f;
  ws.data<float>()[1] = 0.02f;
  ws.data<float>()[2] = 0.5f;
  const Tensor q = opt::quantize::quantize_bias(b, 0.1f, ws);
  CHECK(q.data<int32_t>()[0] == 1000);
  CHECK(q.data<int32_t>()[1] == -250);
  CHECK(q.data<int32_t>()[2] == 0);
}

}  // namespace ember::test

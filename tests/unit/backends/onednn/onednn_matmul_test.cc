// oneDNN MatMul, Gemm and FusedMatMul kernels (cpu_backend=onednn) against a double-precision
// triple loop written in the test: odd sizes, broadcast batches, constant and fed weights,
// transposes, alpha/beta, every C shape Gemm allows, bias, residual and activations.
#include <doctest/doctest.h>

#include "backend_test_util.h"
#include "backends/onednn/onednn_kernels.h"

using namespace ember;
using namespace ember::test;

TEST_CASE("onednn: MatMul over odd sizes, broadcast batches, constant or fed B") {
  if (!backends::onednn_available()) return;
  struct Case { Dims a, b; };
  const std::vector<Case> cases = {
      {{1, 1}, {1, 1}},           {{7, 17}, {17, 63}},          {{129, 63}, {63, 17}},
      {{2, 3, 7, 17}, {17, 9}},   {{2, 1, 5, 8}, {3, 8, 7}},    {{4, 17, 33}, {4, 33, 7}},
      {{1, 64, 128}, {128, 129}},
  };
  for (const Case& c : cases)
    for (bool constant_b : {true, false}) {
      CAPTURE(dims_str(c.a));
      CAPTURE(dims_str(c.b));
      CAPTURE(constant_b);
      CAPTURE(seed());
      const Tensor a = random_tensor(DType::Float32, c.a), b = random_tensor(DType::Float32, c.b);
      OpRun r{"MatMul", {a, b}};
      if (constant_b) r.constant_inputs = {1};
      CHECK(kernel_names(r, "onednn").at(0) == "onednn:matmul");
      for (int threads : {1, 2})
        check_close(run_with_backend(r, "onednn", threads).at(0), ref_matmul(a, b), Tier::Close, c.a.back(), dot_atol(c.a.back()));
    }
}

TEST_CASE("onednn: MatMul with a 1-D operand is left to the other kernels") {
  if (!backends::onednn_available()) return;
  const Tensor a = random_tensor(DType::Float32, {5}), b = random_tensor(DType::Float32, {5, 3});
  OpRun r{"MatMul", {a, b}};
  r.constant_inputs = {1};
  CHECK(kernel_names(r, "onednn").at(0).find("onednn") == std::string::npos);
}

TEST_CASE("onednn: Gemm transposes, alpha, beta and every C shape") {
  if (!backends::onednn_available()) return;
  const int64_t M = 7, K = 17, N = 13;
  const std::vector<Dims> c_shapes = {{}, {N}, {1, N}, {M, 1}, {M, N}, {1, 1}};
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (const Dims& cs : c_shapes)
        for (bool constant_b : {true, false})
          for (bool constant_c : {true, false}) {
            const float alpha = constant_b ? 0.75f : 1.0f;  // fed B: alpha 1 only
            const float beta = constant_c ? -1.5f : 1.0f;   // fed C: beta 1 only
            CAPTURE(ta);
            CAPTURE(tb);
            CAPTURE(dims_str(cs));
            CAPTURE(constant_b);
            CAPTURE(constant_c);
            CAPTURE(seed());
            const Tensor a = random_tensor(DType::Float32, ta ? Dims{K, M} : Dims{M, K});
            const Tensor b = random_tensor(DType::Float32, tb ? Dims{N, K} : Dims{K, N});
            const Tensor c = random_tensor(DType::Float32, cs);
            OpRun r{"Gemm", {a, b, c}};
            r.attrs = {attr_int("transA", ta), attr_int("transB", tb), attr_float("alpha", alpha),
                       attr_float("beta", beta)};
            r.opset = 13;
            if (constant_b) r.constant_inputs.push_back(1);
            if (constant_c) r.constant_inputs.push_back(2);
            Tensor want = ref_matmul(a, b, ta, tb, alpha);
            ref_add(want, c, beta);
            CHECK(kernel_names(r, "onednn").at(0) == "onednn:gemm");
            check_close(run_with_backend(r, "onednn").at(0), want, Tier::Close, K, dot_atol(K));
          }
}

TEST_CASE("onednn: Gemm with a fed C and beta != 1 is left to the other kernels") {
  if (!backends::onednn_available()) return;
  OpRun r{"Gemm", {random_tensor(DType::Float32, {3, 4}), random_tensor(DType::Float32, {4, 5}),
                   random_tensor(DType::Float32, {5})}};
  r.attrs = {attr_float("beta", 0.5f)};
  r.opset = 13;
  r.constant_inputs = {1};
  CHECK(kernel_names(r, "onednn").at(0).find("onednn") == std::string::npos);
  r.attrs = {attr_float("alpha", 0.5f)};  // alpha with fed B: not taken either
  r.constant_inputs = {2};
  CHECK(kernel_names(r, "onednn").at(0).find("onednn") == std::string::npos);
}

TEST_CASE("onednn: FusedMatMul bias, residual, alpha, transposes and activations") {
  if (!backends::onednn_available()) return;
  struct Act { const char* name; std::vector<float> params; };
  const std::vector<Act> acts = {{"", {}}, {"Relu", {}}, {"LeakyRelu", {0.2f}}, {"Clip", {-0.25f, 0.5f}},
                                 {"Sigmoid", {}}, {"HardSigmoid", {0.3f, 0.4f}}, {"HardSwish", {}},
                                 {"Silu", {}}, {"Gelu", {}}, {"GeluTanh", {}}};
  const int64_t M = 9, K = 33, N = 17;
  int variant = 0;
  for (const Act& act : acts)
    for (bool constant_b : {true, false})
      for (int bias : {0, 1, 2})  // none, constant, fed
        for (bool with_z : {false, true}) {
          // Rotate transposes and alpha through the combinations to keep the count down.
          const bool ta = variant % 3 == 1, tb = variant % 2 == 1;
          const float alpha = constant_b && variant % 4 == 2 ? 0.5f : 1.0f;  // fed B: alpha 1 only
          ++variant;
          CAPTURE(act.name);
          CAPTURE(constant_b);
          CAPTURE(bias);
          CAPTURE(with_z);
          CAPTURE(ta);
          CAPTURE(tb);
          CAPTURE(alpha);
          CAPTURE(seed());
          const Tensor a = random_tensor(DType::Float32, ta ? Dims{2, K, M} : Dims{2, M, K});
          const Tensor b = random_tensor(DType::Float32, tb ? Dims{N, K} : Dims{K, N});
          const Tensor bv = bias ? random_tensor(DType::Float32, {N}) : Tensor();
          Tensor want = ref_matmul(a, b, ta, tb, alpha);
          const Tensor z = with_z ? random_tensor(DType::Float32, want.shape()) : Tensor();
          OpRun r{"FusedMatMul", {a, b, bv}};
          if (with_z) r.inputs.push_back(z);
          r.domain = "ai.ember";
          r.opset = 1;
          r.attrs = {attr_int("transA", ta), attr_int("transB", tb), attr_float("alpha", alpha),
                     attr_string("activation", act.name)};
          if (!act.params.empty()) r.attrs.push_back(attr_floats("activation_params", act.params));
          if (constant_b) r.constant_inputs.push_back(1);
          if (bias == 1) r.constant_inputs.push_back(2);
          if (bias) ref_add(want, bv);
          if (with_z) ref_add(want, z);
          ref_activation(want, act.name, act.params);
          CHECK(kernel_names(r, "onednn").at(0) == "onednn:fused_matmul");
          check_close(run_with_backend(r, "onednn").at(0), want, Tier::Close, K, dot_atol(K));
        }
}

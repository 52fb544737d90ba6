// The header-only C++ wrapper (include/ember/ember.hpp). This file includes no internal
// header, as a host application would not.
#include <doctest/doctest.h>

#include <random>

#include "capi/onnx_bytes.h"
#include "include/ember/ember.hpp"

TEST_CASE("capi: C++ wrapper runs a model and reports errors as ember::Exception") {
  const std::string model = capi_test::add_model();
  ember::Session session = ember::Session::from_memory(model.data(), model.size(),
                                                       ember::Options().set("threads", "1"));
  REQUIRE(session.input_count() == 2);
  const ember::TensorInfo x_info = session.input(0);
  CHECK(x_info.name == "x");
  CHECK(x_info.dtype == EMBER_FLOAT32);
  CHECK(x_info.rank_known);
  CHECK(x_info.dims == std::vector<int64_t>{-1, 5});
  CHECK(session.output(0).name == "z");

  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> xs(17 * 5), ys(17 * 5);
  for (auto& v : xs) v = dist(rng);
  for (auto& v : ys) v = dist(rng);
  ember::Tensor x = ember::Tensor::borrow(EMBER_FLOAT32, {17, 5}, xs.data());
  ember::Tensor y = ember::Tensor::borrow(EMBER_FLOAT32, {17, 5}, ys.data());
  std::vector<ember::Tensor> out = session.run({{"x", &x}, {"y", &y}});
  REQUIRE(out.size() == 1);
  CHECK(out[0].shape() == std::vector<int64_t>{17, 5});
  CHECK(out[0].element_count() == 85);
  for (size_t i = 0; i < xs.size(); ++i) REQUIRE(out[0].data<float>()[i] == xs[i] + ys[i]);

  // Caller-provided output, filled in place.
  std::vector<ember::Tensor> into;
  into.push_back(ember::Tensor::allocate(EMBER_FLOAT32, {17, 5}));
  ember_tensor* handle = into[0].get();
  session.run_into({{"x", &x}, {"y", &y}}, {"z"}, into);
  CHECK(into[0].get() == handle);
  CHECK(into[0].data<float>()[3] == xs[3] + ys[3]);

  ember::Tensor wrong = ember::Tensor::allocate(EMBER_INT32, {17, 5});
  try {
    session.run({{"x", &x}, {"y", &wrong}});
    FAIL("expected an exception");
  } catch (const ember::Exception& e) {
    CHECK(e.status() == EMBER_ERR_TYPE_MISMATCH);
    CHECK(std::string(e.what()).find("y") != std::string::npos);
  }
  CHECK_THROWS_AS(session.input(2), ember::Exception);
  CHECK_THROWS_AS(ember::Options().set("bogus", "1"), ember::Exception);
  try {
    ember::Session missing("/nonexistent/model.onnx");
    FAIL("expected an exception");
  } catch (const ember::Exception& e) {
    CHECK(e.status() == EMBER_ERR_IO);
  }
}

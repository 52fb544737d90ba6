// ember_session_run: results against a naive reference, caller-provided outputs, and every
// misuse status with outputs left untouched.
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "capi/onnx_bytes.h"
#include "include/ember/ember.h"
#include "test_util.h"

namespace {

struct AddFixture {
  int64_t n;
  std::vector<float> x, y;
  ember_session* s = nullptr;
  ember_tensor* tx = nullptr;
  ember_tensor* ty = nullptr;
  const char* in_names[2] = {"x", "y"};
  const char* out_names[1] = {"z"};

  explicit AddFixture(int64_t rows) : n(rows) {
    const std::string model = capi_test::add_model();
    REQUIRE(ember_session_create_from_memory(model.data(), model.size(), nullptr, &s) == EMBER_OK);
    std::uniform_real_distribution<float> dist(-1, 1);
    for (int64_t i = 0; i < n * 5; ++i) x.push_back(dist(ember::test::rng())), y.push_back(dist(ember::test::rng()));
    const int64_t shape[] = {n, 5};
    REQUIRE(ember_tensor_create(EMBER_FLOAT32, shape, 2, x.data(), &tx) == EMBER_OK);
    REQUIRE(ember_tensor_create(EMBER_FLOAT32, shape, 2, y.data(), &ty) == EMBER_OK);
  }
  ~AddFixture() {
    ember_tensor_destroy(tx);
    ember_tensor_destroy(ty);
    ember_session_destroy(s);
  }
  const ember_tensor* inputs[2] = {nullptr, nullptr};
  const ember_tensor* const* feeds() {
    inputs[0] = tx;
    inputs[1] = ty;
    return inputs;
  }
  // Checks z against x + y computed here.
  void check_sum(ember_tensor* z) const {
    REQUIRE(ember_tensor_dtype(z) == EMBER_FLOAT32);
    REQUIRE(ember_tensor_rank(z) == 2);
    CHECK(ember_tensor_shape(z)[0] == n);
    CHECK(ember_tensor_shape(z)[1] == 5);
    const auto* v = static_cast<const float*>(ember_tensor_data(z));
    for (int64_t i = 0; i < n * 5; ++i) {
      if (v[i] != x[i] + y[i]) {
        FAIL_CHECK("z[" << i << "] = " << v[i] << ", want " << x[i] + y[i]);
        break;
      }
    }
  }
};

}  // namespace

TEST_CASE("capi: run allocates outputs, odd sizes") {
  for (int64_t n : {1, 7, 17, 63}) {
    CAPTURE(n);
    AddFixture f(n);
    ember_tensor* out[1] = {nullptr};
    REQUIRE(ember_session_run(f.s, f.in_names, f.feeds(), 2, f.out_names, out, 1) == EMBER_OK);
    REQUIRE(out[0] != nullptr);
    f.check_sum(out[0]);
    ember_tensor_destroy(out[0]);
  }
}

TEST_CASE("capi: run fills a caller-provided output") {
  AddFixture f(7);
  std::vector<float> zbuf(35, -99.f);
  const int64_t shape[] = {7, 5};
  ember_tensor* z = nullptr;
  REQUIRE(ember_tensor_create(EMBER_FLOAT32, shape, 2, zbuf.data(), &z) == EMBER_OK);
  ember_tensor* out[1] = {z};
  REQUIRE(ember_session_run(f.s, f.in_names, f.feeds(), 2, f.out_names, out, 1) == EMBER_OK);
  CHECK(out[0] == z);
  f.check_sum(z);
  CHECK(zbuf[0] == f.x[0] + f.y[0]);
  ember_tensor_destroy(z);
}

TEST_CASE("capi: caller-provided output of the wrong shape or dtype") {
  AddFixture f(7);
  std::vector<float> zbuf(36, -99.f);
  const int64_t bad_shape[] = {6, 6};
  ember_tensor* z = nullptr;
  REQUIRE(ember_tensor_create(EMBER_FLOAT32, bad_shape, 2, zbuf.data(), &z) == EMBER_OK);
  ember_tensor* out[1] = {z};
  CHECK(ember_session_run(f.s, f.in_names, f.feeds(), 2, f.out_names, out, 1) == EMBER_ERR_SHAPE_MISMATCH);
  CHECK(std::string(ember_last_error()).find("[7, 5]") != std::string::npos);
  CHECK(out[0] == z);
  CHECK(zbuf[0] == -99.f);  // not written
  ember_tensor_destroy(z);

  const int64_t shape[] = {7, 5};
  REQUIRE(ember_tensor_create(EMBER_FLOAT64, shape, 2, nullptr, &z) == EMBER_OK);
  out[0] = z;
  CHECK(ember_session_run(f.s, f.in_names, f.feeds(), 2, f.out_names, out, 1) == EMBER_ERR_TYPE_MISMATCH);
  CHECK(std::string(ember_last_error()).find("float64") != std::string::npos);
  ember_tensor_destroy(z);
}

TEST_CASE("capi: run misuse gives a status and leaves outputs NULL") {
  AddFixture f(7);
  ember_tensor* out[1] = {nullptr};
  const ember_tensor* const* feeds = f.feeds();

  CHECK(ember_session_run(nullptr, f.in_names, feeds, 2, f.out_names, out, 1) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_session_run(f.s, nullptr, feeds, 2, f.out_names, out, 1) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_session_run(f.s, f.in_names, nullptr, 2, f.out_names, out, 1) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_session_run(f.s, f.in_names, feeds, 2, nullptr, out, 1) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_session_run(f.s, f.in_names, feeds, 2, f.out_names, nullptr, 1) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_session_run(f.s, f.in_names, feeds, 2, f.out_names, out, 0) == EMBER_ERR_INVALID_ARGUMENT);

  const char* null_name[2] = {"x", nullptr};
  CHECK(ember_session_run(f.s, null_name, feeds, 2, f.out_names, out, 1) == EMBER_ERR_INVALID_ARGUMENT);
  const ember_tensor* null_input[2] = {f.tx, nullptr};
  CHECK(ember_session_run(f.s, f.in_names, null_input, 2, f.out_names, out, 1) == EMBER_ERR_INVALID_ARGUMENT);

  // A missing input, an unknown input, an unknown output.
  CHECK(ember_session_run(f.s, f.in_names, feeds, 1, f.out_names, out, 1) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(std::string(ember_last_error()).find("y") != std::string::npos);
  const char* wrong_in[2] = {"x", "nope"};
  CHECK(ember_session_run(f.s, wrong_in, feeds, 2, f.out_names, out, 1) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(std::string(ember_last_error()).find("nope") != std::string::npos);
  const char* wrong_out[1] = {"zz"};
  CHECK(ember_session_run(f.s, f.in_names, feeds, 2, wrong_out, out, 1) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(std::string(ember_last_error()).find("zz") != std::string::npos);

  // Wrong input dtype and wrong static dimension.
  ember_tensor* ints = nullptr;
  const int64_t shape[] = {7, 5};
  REQUIRE(ember_tensor_create(EMBER_INT32, shape, 2, nullptr, &ints) == EMBER_OK);
  const ember_tensor* typed[2] = {f.tx, ints};
  CHECK(ember_session_run(f.s, f.in_names, typed, 2, f.out_names, out, 1) == EMBER_ERR_TYPE_MISMATCH);
  ember_tensor_destroy(ints);
  ember_tensor* narrow = nullptr;
  const int64_t narrow_shape[] = {7, 4};
  REQUIRE(ember_tensor_create(EMBER_FLOAT32, narrow_shape, 2, nullptr, &narrow) == EMBER_OK);
  const ember_tensor* shaped[2] = {f.tx, narrow};
  CHECK(ember_session_run(f.s, f.in_names, shaped, 2, f.out_names, out, 1) == EMBER_ERR_SHAPE_MISMATCH);
  ember_tensor_destroy(narrow);

  CHECK(out[0] == nullptr);
}

TEST_CASE("capi: one session run from several threads") {
  AddFixture f(17);
  std::vector<ember_tensor*> results(4, nullptr);
  std::vector<ember_status> statuses(4, EMBER_ERR_RUNTIME);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < results.size(); ++t)
    threads.emplace_back([&, t] {
      const ember_tensor* feeds[2] = {f.tx, f.ty};
      statuses[t] = ember_session_run(f.s, f.in_names, feeds, 2, f.out_names, &results[t], 1);
    });
  for (auto& th : threads) th.join();
  for (size_t t = 0; t < results.size(); ++t) {
    REQUIRE(statuses[t] == EMBER_OK);
    f.check_sum(results[t]);
    ember_tensor_destroy(results[t]);
  }
}

TEST_CASE("capi: the bundled digits model runs through the C API") {
  const std::string path = std::string(EMBER_SOURCE_DIR) + "/models/digits_cnn.onnx";
  ember_session* s = nullptr;
  if (ember_session_create(path.c_str(), nullptr, &s) == EMBER_ERR_IO) {
    MESSAGE("models/digits_cnn.onnx not present; skipped");
    return;
  }
  REQUIRE(s != nullptr);
  REQUIRE(ember_session_input_count(s) == 1);
  ember_dtype dtype;
  size_t rank;
  int64_t dims[8];
  REQUIRE(ember_session_input_info(s, 0, &dtype, &rank, dims, 8) == EMBER_OK);
  for (size_t d = 0; d < rank; ++d)
    if (dims[d] < 0) dims[d] = 1;
  ember_tensor* x = nullptr;
  REQUIRE(ember_tensor_create(dtype, dims, rank, nullptr, &x) == EMBER_OK);
  const char* in_name = ember_session_input_name(s, 0);
  const char* out_name = ember_session_output_name(s, 0);
  ember_tensor* y = nullptr;
  const ember_tensor* feeds[1] = {x};
  CHECK(ember_session_run(s, &in_name, feeds, 1, &out_name, &y, 1) == EMBER_OK);
  CHECK(ember_tensor_element_count(y) > 0);
  ember_tensor_destroy(y);
  ember_tensor_destroy(x);
  ember_session_destroy(s);
}

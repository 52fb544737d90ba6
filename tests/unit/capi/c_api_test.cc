// Contract tests of the C API (include/ember/ember.h): NULL arguments, untouched
// out-parameters on error, statuses, thread-local errors, and correct results.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "capi/onnx_bytes.h"
#include "include/ember/ember.h"
#include "test_util.h"

namespace {

// A pointer value no allocation returns: lets tests see that an out-parameter was not written.
template <class T>
T* sentinel() {
  return reinterpret_cast<T*>(uintptr_t(0x5e57));
}

std::string last_error() { return ember_last_error(); }

ember_session* open_bytes(const std::string& bytes) {
  ember_session* s = nullptr;
  REQUIRE(ember_session_create_from_memory(bytes.data(), bytes.size(), nullptr, &s) == EMBER_OK);
  REQUIRE(s != nullptr);
  return s;
}

ember_tensor* float_tensor(const std::vector<int64_t>& shape, float* data) {
  ember_tensor* t = nullptr;
  REQUIRE(ember_tensor_create(EMBER_FLOAT32, shape.data(), shape.size(), data, &t) == EMBER_OK);
  return t;
}

}  // namespace

TEST_CASE("capi: version, status strings") {
  CHECK(std::string(ember_version()) == EMBER_VERSION_STRING);
  CHECK(std::string(ember_status_string(EMBER_OK)) == "ok");
  CHECK(std::string(ember_status_string(EMBER_ERR_SHAPE_MISMATCH)) == "shape mismatch");
  CHECK(std::string(ember_status_string(EMBER_ERR_RUNTIME)) == "runtime error");
  CHECK(std::string(ember_status_string(ember_status(99))) == "unknown status");
}

TEST_CASE("capi: options") {
  CHECK(ember_options_create(nullptr) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(last_error().find("'out' is NULL") != std::string::npos);
  ember_options* o = nullptr;
  REQUIRE(ember_options_create(&o) == EMBER_OK);
  CHECK(ember_options_set(nullptr, "threads", "1") == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_options_set(o, nullptr, "1") == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_options_set(o, "threads", nullptr) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_options_set(o, "threads", "2") == EMBER_OK);
  CHECK(ember_options_set(o, "optimization", "0") == EMBER_OK);
  CHECK(ember_options_set(o, "device", "cpu") == EMBER_OK);
  CHECK(ember_options_set(o, "no_such_key", "1") == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(last_error().find("no_such_key") != std::string::npos);
  CHECK(ember_options_set(o, "threads", "lots") == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_options_set(o, "optimization", "9") == EMBER_ERR_INVALID_ARGUMENT);
  // A rejected value left the options usable and unchanged: a session still opens.
  const std::string model = capi_test::add_model();
  ember_session* s = nullptr;
  CHECK(ember_session_create_from_memory(model.data(), model.size(), o, &s) == EMBER_OK);
  ember_session_destroy(s);
  ember_options_destroy(o);
  ember_options_destroy(nullptr);
}

TEST_CASE("capi: session creation errors leave out untouched") {
  const std::string model = capi_test::add_model();
  ember_session* s = sentinel<ember_session>();
  CHECK(ember_session_create(nullptr, nullptr, &s) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(last_error().find("model_path") != std::string::npos);
  CHECK(ember_session_create("x.onnx", nullptr, nullptr) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_session_create("/nonexistent/dir/model.onnx", nullptr, &s) == EMBER_ERR_IO);
  CHECK(last_error().find("/nonexistent/dir/model.onnx") != std::string::npos);
  CHECK(ember_session_create_from_memory(nullptr, 10, nullptr, &s) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_session_create_from_memory(model.data(), 0, nullptr, &s) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_session_create_from_memory(model.data(), model.size(), nullptr, nullptr) ==
        EMBER_ERR_INVALID_ARGUMENT);
  const std::string garbage = "this is not an onnx model at all";
  CHECK(ember_session_create_from_memory(garbage.data(), garbage.size(), nullptr, &s) ==
        EMBER_ERR_INVALID_MODEL);
  CHECK(s == sentinel<ember_session>());
  ember_session_destroy(nullptr);
}

TEST_CASE("capi: session from a file") {
  const capi_test::TempFile file = capi_test::write_temp_file("add.onnx", capi_test::add_model());
  ember_session* s = nullptr;
  REQUIRE(ember_session_create(file.path.c_str(), nullptr, &s) == EMBER_OK);
  CHECK(ember_session_input_count(s) == 2);
  ember_session_destroy(s);
}

TEST_CASE("capi: input and output descriptions") {
  ember_session* s = open_bytes(capi_test::add_model());
  CHECK(ember_session_input_count(s) == 2);
  CHECK(ember_session_output_count(s) == 1);
  CHECK(ember_session_input_count(nullptr) == 0);
  CHECK(ember_session_output_count(nullptr) == 0);
  CHECK(std::string(ember_session_input_name(s, 0)) == "x");
  CHECK(std::string(ember_session_input_name(s, 1)) == "y");
  CHECK(std::string(ember_session_output_name(s, 0)) == "z");
  CHECK(ember_session_input_name(s, 2) == nullptr);
  CHECK(last_error().find("out of range") != std::string::npos);
  CHECK(ember_session_output_name(s, 1) == nullptr);
  CHECK(ember_session_input_name(nullptr, 0) == nullptr);

  ember_dtype dtype = ember_dtype(0);
  size_t rank = 0;
  int64_t dims[4] = {0, 0, 0, 0};
  REQUIRE(ember_session_input_info(s, 1, &dtype, &rank, dims, 4) == EMBER_OK);
  CHECK(dtype == EMBER_FLOAT32);
  CHECK(rank == 2);
  CHECK(dims[0] == -1);  // symbolic "N"
  CHECK(dims[1] == 5);
  REQUIRE(ember_session_output_info(s, 0, &dtype, &rank, dims, 4) == EMBER_OK);
  CHECK(rank == 2);
  CHECK(dims[1] == 5);

  // Every failure leaves all out-parameters as they were.
  // A valid enumerator the input does not have (an out-of-range value would be UB to load).
  ember_dtype d2 = EMBER_BOOL;
  size_t r2 = 99;
  int64_t small[1] = {42};
  CHECK(ember_session_input_info(s, 0, &d2, &r2, small, 1) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(last_error().find("rank 2") != std::string::npos);
  CHECK(ember_session_input_info(s, 2, &d2, &r2, dims, 4) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_session_output_info(s, 1, &d2, &r2, dims, 4) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_session_input_info(nullptr, 0, &d2, &r2, dims, 4) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_session_input_info(s, 0, nullptr, &r2, dims, 4) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_session_input_info(s, 0, &d2, nullptr, dims, 4) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_session_input_info(s, 0, &d2, &r2, nullptr, 4) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(d2 == EMBER_BOOL);
  CHECK(r2 == 99);
  CHECK(small[0] == 42);
  ember_session_destroy(s);
}

TEST_CASE("capi: tensors") {
  ember_tensor* t = sentinel<ember_tensor>();
  const int64_t shape[] = {7, 3};
  CHECK(ember_tensor_create(EMBER_FLOAT32, shape, 2, nullptr, nullptr) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_tensor_create(EMBER_FLOAT32, nullptr, 2, nullptr, &t) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_tensor_create(ember_dtype(0), shape, 2, nullptr, &t) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(ember_tensor_create(ember_dtype(8), shape, 2, nullptr, &t) == EMBER_ERR_INVALID_ARGUMENT);  // string
  CHECK(ember_tensor_create(ember_dtype(42), shape, 2, nullptr, &t) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(last_error().find("42") != std::string::npos);
  const int64_t negative[] = {3, -2};
  CHECK(ember_tensor_create(EMBER_FLOAT32, negative, 2, nullptr, &t) == EMBER_ERR_INVALID_ARGUMENT);
  const int64_t huge[] = {int64_t(1) << 40, int64_t(1) << 40};
  CHECK(ember_tensor_create(EMBER_FLOAT32, huge, 2, nullptr, &t) == EMBER_ERR_INVALID_ARGUMENT);
  CHECK(t == sentinel<ember_tensor>());

  // Allocated storage is zeroed.
  ember_tensor* owned = nullptr;
  REQUIRE(ember_tensor_create(EMBER_INT64, shape, 2, nullptr, &owned) == EMBER_OK);
  CHECK(ember_tensor_dtype(owned) == EMBER_INT64);
  CHECK(ember_tensor_rank(owned) == 2);
  CHECK(ember_tensor_shape(owned)[0] == 7);
  CHECK(ember_tensor_shape(owned)[1] == 3);
  CHECK(ember_tensor_element_count(owned) == 21);
  CHECK(ember_tensor_byte_size(owned) == 21 * 8);
  const auto* v = static_cast<const int64_t*>(ember_tensor_data(owned));
  for (int i = 0; i < 21; ++i) CHECK(v[i] == 0);
  ember_tensor_destroy(owned);

  // Borrowed storage is used in place.
  std::vector<float> buf(21, 1.5f);
  ember_tensor* borrowed = float_tensor({7, 3}, buf.data());
  CHECK(ember_tensor_data(borrowed) == buf.data());
  ember_tensor_destroy(borrowed);
  CHECK(buf[20] == 1.5f);

  // A scalar needs no shape array.
  ember_tensor* scalar = nullptr;
  REQUIRE(ember_tensor_create(EMBER_FLOAT64, nullptr, 0, nullptr, &scalar) == EMBER_OK);
  CHECK(ember_tensor_rank(scalar) == 0);
  CHECK(ember_tensor_shape(scalar) == nullptr);
  CHECK(ember_tensor_element_count(scalar) == 1);
  ember_tensor_destroy(scalar);

  ember_tensor_destroy(nullptr);
  CHECK(ember_tensor_data(nullptr) == nullptr);
  CHECK(ember_tensor_dtype(nullptr) == ember_dtype(0));
  CHECK(ember_tensor_rank(nullptr) == 0);
  CHECK(ember_tensor_shape(nullptr) == nullptr);
  CHECK(ember_tensor_element_count(nullptr) == 0);
  CHECK(ember_tensor_byte_size(nullptr) == 0);
}

TEST_CASE("capi: last_error is per thread") {
  CHECK(ember_options_set(nullptr, "main_thread_key", "1") == EMBER_ERR_INVALID_ARGUMENT);
  const std::string mine = last_error();
  std::string theirs;
  std::thread other([&] {
    ember_options* o = nullptr;
    ember_options_create(&o);
    ember_options_set(o, "other_thread_key", "1");
    theirs = ember_last_error();
    ember_options_destroy(o);
  });
  other.join();
  CHECK(theirs.find("other_thread_key") != std::string::npos);
  CHECK(last_error() == mine);
}

// TensorProto import: every element type through raw_data and through its typed field,
// zero-copy versus copy, and the content checks (sizes, ranges, types).
#include <doctest/doctest.h>

#include <cstring>
#include <new>

#include "onnx_test_helpers.h"
#include "proto_builder.h"
#include "test_util.h"

using namespace ember;
using namespace ember::test::pb;
using ember::test::load_bytes;
using ember::test::try_load;

namespace {

// A model whose only content is initializer `t` (also the graph output).
std::string model_with(const Msg& t, const std::string& name = "t") {
  GraphB g;
  g.initializers = {t};
  g.outputs = {value_info(name)};
  return model(g.build()).str();
}

Tensor load_initializer(const Msg& t) {
  auto m = load_bytes(model_with(t));
  const ir::Value* v = m->graph->find("t");
  REQUIRE(v);
  REQUIRE(v->constant);
  return *v->constant;
}

template <class T>
void check_raw_roundtrip(DType dt, const std::vector<T>& vals) {
  CAPTURE(dtype_name(dt));
  Tensor t = load_initializer(tensor_raw("t", int(dt), {int64_t(vals.size())}, raw_of(vals)));
  CHECK(t.dtype() == dt);
  CHECK(t.shape() == Dims{int64_t(vals.size())});
  CHECK(std::memcmp(t.raw(), vals.data(), vals.size() * sizeof(T)) == 0);
}

}  // namespace

TEST_CASE("onnx tensor: raw_data of every element type keeps its bytes") {
  check_raw_roundtrip<float>(DType::Float32, {1.f, -2.5f, 1e30f, 0.f, -0.f, 3.f, 7.f});
  check_raw_roundtrip<double>(DType::Float64, {1.0, -1e300});
  check_raw_roundtrip<int8_t>(DType::Int8, {-128, 127, 0});
  check_raw_roundtrip<uint8_t>(DType::UInt8, {0, 255, 17});
  check_raw_roundtrip<int16_t>(DType::Int16, {-32768, 32767});
  check_raw_roundtrip<uint16_t>(DType::UInt16, {65535, 1});
  check_raw_roundtrip<int32_t>(DType::Int32, {INT32_MIN, INT32_MAX, 5});
  check_raw_roundtrip<uint32_t>(DType::UInt32, {UINT32_MAX, 0});
  check_raw_roundtrip<int64_t>(DType::Int64, {INT64_MIN, INT64_MAX});
  check_raw_roundtrip<uint64_t>(DType::UInt64, {UINT64_MAX});
  check_raw_roundtrip<uint16_t>(DType::Float16, {0x3c00, 0xc000});
  check_raw_roundtrip<uint16_t>(DType::BFloat16, {0x3f80, 0x4000});
  check_raw_roundtrip<uint8_t>(DType::Bool, {0, 1, 1, 0});
}

TEST_CASE("onnx tensor: random float data of odd sizes survives raw_data and float_data") {
  for (int64_t n : {1, 7, 17, 63}) {
    CAPTURE(n);
    Tensor ref = test::random_tensor(DType::Float32, {n}, -10.0, 10.0);
    std::vector<float> vals(ref.data<float>(), ref.data<float>() + n);
    Tensor raw = load_initializer(tensor_raw("t", 1, {n}, raw_of(vals)));
    test::check_close(raw, ref, test::Tier::Exact, 1, 0.0);
    Tensor typed = load_initializer(tensor_head("t", 1, {1, n}).packed_f32(4, vals));
    test::check_close(typed.reshaped({n}), ref, test::Tier::Exact, 1, 0.0);
  }
}

TEST_CASE("onnx tensor: typed fields for every element type") {
  SUBCASE("int32_data carries the small integer types, bool and 16-bit float bits") {
    auto t8 = load_initializer(tensor_head("t", 3, {3}).packed_i64(5, {-128, 0, 127}));
    CHECK(t8.to_int64_vector() == std::vector<int64_t>{-128, 0, 127});
    auto u8 = load_initializer(tensor_head("t", 2, {2}).packed_i64(5, {255, 3}));
    CHECK(u8.to_int64_vector() == std::vector<int64_t>{255, 3});
    auto i16 = load_initializer(tensor_head("t", 5, {2}).packed_i64(5, {-32768, 32767}));
    CHECK(i16.to_int64_vector() == std::vector<int64_t>{-32768, 32767});
    auto u16 = load_initializer(tensor_head("t", 4, {1}).packed_i64(5, {65535}));
    CHECK(u16.to_int64_vector() == std::vector<int64_t>{65535});
    auto i32 = load_initializer(tensor_head("t", 6, {2}).packed_i64(5, {-7, 1 << 30}));
    CHECK(i32.to_int64_vector() == std::vector<int64_t>{-7, 1 << 30});
    auto b = load_initializer(tensor_head("t", 9, {3}).packed_i64(5, {1, 0, 1}));
    CHECK(b.to_int64_vector() == std::vector<int64_t>{1, 0, 1});
    auto h = load_initializer(tensor_head("t", 10, {2}).packed_i64(5, {0x3c00, 0xc000}));
    CHECK(float(h.data<half>()[0]) == 1.0f);
    CHECK(float(h.data<half>()[1]) == -2.0f);
    auto bf = load_initializer(tensor_head("t", 16, {1}).packed_i64(5, {0x4040}));
    CHECK(float(bf.data<bfloat16>()[0]) == 3.0f);
  }
  SUBCASE("int64_data, uint64_data, double_data, string_data") {
    auto i64 = load_initializer(tensor_head("t", 7, {2}).packed_i64(7, {INT64_MIN, 3}));
    CHECK(i64.to_int64_vector() == std::vector<int64_t>{INT64_MIN, 3});
    auto u32 = load_initializer(tensor_head("t", 12, {1}).packed_i64(11, {int64_t(UINT32_MAX)}));
    CHECK(u32.data<uint32_t>()[0] == UINT32_MAX);
    auto u64 = load_initializer(tensor_head("t", 13, {1}).packed_i64(11, {-1}));
    CHECK(u64.data<uint64_t>()[0] == UINT64_MAX);
    auto d = load_initializer(tensor_head("t", 11, {2}).f64(10, 0.5).f64(10, -3.0));
    CHECK(d.data<double>()[0] == 0.5);
    CHECK(d.data<double>()[1] == -3.0);
    auto s = load_initializer(tensor_head("t", 8, {2}).bytes(6, "abc").bytes(6, std::string("\0z", 2)));
    CHECK(s.data<std::string>()[0] == "abc");
    CHECK(s.data<std::string>()[1] == std::string("\0z", 2));
  }
  SUBCASE("empty tensors and scalars") {
    auto e = load_initializer(tensor_head("t", 1, {0, 5}));
    CHECK(e.numel() == 0);
    CHECK(e.shape() == Dims{0, 5});
    auto s = load_initializer(tensor_head("t", 7, {}).packed_i64(7, {42}));
    CHECK(s.rank() == 0);
    CHECK(s.int_at(0) == 42);
  }
}

TEST_CASE("onnx tensor: aligned raw_data is used in place, misaligned raw_data is copied") {
  const std::vector<float> vals = {1.f, 2.f, 3.f, 4.f, 5.f};
  const std::string bytes = model_with(tensor_raw("t", 1, {5}, raw_of(vals)));
  const size_t raw_at = bytes.find(raw_of(vals));
  REQUIRE(raw_at != std::string::npos);
  // Place the model at each offset 0..7 of an aligned buffer, so raw_data lands both on and off
  // a 4-byte boundary; zero copy must happen exactly when it is aligned.
  int in_place = 0, copied = 0;
  for (size_t shift = 0; shift < 8; ++shift) {
    CAPTURE(shift);
    auto buf = std::shared_ptr<uint8_t[]>(new (std::align_val_t(64)) uint8_t[bytes.size() + 64],
                                          [](uint8_t* p) { ::operator delete[](p, std::align_val_t(64)); });
    std::memcpy(buf.get() + shift, bytes.data(), bytes.size());
    auto m = onnx::load_model_memory(buf.get() + shift, bytes.size(), buf);
    const Tensor& t = *m->graph->find("t")->constant;
    const auto* raw = static_cast<const uint8_t*>(t.raw());
    const uint8_t* expect_at = buf.get() + shift + raw_at;
    const bool aligned = reinterpret_cast<uintptr_t>(expect_at) % alignof(float) == 0;
    CHECK((raw == expect_at) == aligned);
    in_place += raw == expect_at;
    copied += raw != expect_at;
    CHECK(std::memcmp(raw, vals.data(), sizeof(float) * 5) == 0);
  }
  CHECK(in_place == 2);
  CHECK(copied == 6);
}

TEST_CASE("onnx tensor: misaligned raw_data from 64 KiB stays in the buffer as a deferred view") {
  std::vector<float> vals(size_t(64) << 8);  // exactly 64 KiB
  for (size_t i = 0; i < vals.size(); ++i) vals[i] = float(i) * 0.5f - 7.0f;
  const std::string bytes = model_with(tensor_raw("t", 1, {int64_t(vals.size())}, raw_of(vals)));
  const size_t raw_at = bytes.find(raw_of(vals));
  REQUIRE(raw_at != std::string::npos);
  for (size_t shift = 0; shift < 4; ++shift) {
    CAPTURE(shift);
    auto buf = std::shared_ptr<uint8_t[]>(new (std::align_val_t(64)) uint8_t[bytes.size() + 64],
                                          [](uint8_t* p) { ::operator delete[](p, std::align_val_t(64)); });
    std::memcpy(buf.get() + shift, bytes.data(), bytes.size());
    auto m = onnx::load_model_memory(buf.get() + shift, bytes.size(), buf);
    const Tensor& t = *m->graph->find("t")->constant;
    const uint8_t* expect_at = buf.get() + shift + raw_at;
    const bool aligned = reinterpret_cast<uintptr_t>(expect_at) % alignof(float) == 0;
    CHECK(t.deferred() == !aligned);  // a view, not a copy, when misaligned
    CHECK(t.bytes() == expect_at);
    CHECK(std::memcmp(t.raw(), vals.data(), t.nbytes()) == 0);
    CHECK(!t.deferred());
  }
}

TEST_CASE("onnx tensor: bool raw bytes other than 0/1 are normalised in a copy") {
  Tensor t = load_initializer(tensor_raw("t", 9, {3}, std::string("\x00\x02\x01", 3)));
  const auto* b = static_cast<const uint8_t*>(t.raw());
  CHECK(b[0] == 0);
  CHECK(b[1] == 1);
  CHECK(b[2] == 1);
}

TEST_CASE("onnx tensor: inconsistent content is refused with a message naming the tensor") {
  auto expect_invalid = [](const Msg& t, const char* part) {
    auto res = try_load(model_with(t));
    CHECK(res.status == Status::InvalidModel);
    CHECK(test::contains(res.message, "initializer 't'"));
    CHECK_MESSAGE(test::contains(res.message, part), res.message);
  };
  expect_invalid(tensor_raw("t", 1, {2, 3}, raw_of<float>({1, 2, 3, 4, 5})), "raw_data has 20 bytes");
  expect_invalid(tensor_raw("t", 1, {-1}, ""), "negative dimension");
  expect_invalid(tensor_raw("t", 1, {1LL << 40, 1LL << 40}, ""), "overflow");
  // Empty, yet multiplying the dims left to right would overflow before reaching the zero.
  expect_invalid(tensor_head("t", 1, {1LL << 40, 1LL << 40, 0}), "overflow");
  expect_invalid(tensor_raw("t", 99, {1}, "x"), "unknown element type");
  expect_invalid(tensor_raw("t", 0, {1}, "x"), "UNDEFINED");
  expect_invalid(tensor_head("t", 1, {3}).packed_f32(4, {1, 2}), "float_data holds 2 values");
  expect_invalid(tensor_head("t", 1, {2}).packed_i64(7, {1, 2}), "carries int64_data");
  expect_invalid(tensor_head("t", 1, {2}), "float_data holds 0 values");
  expect_invalid(tensor_head("t", 3, {1}).packed_i64(5, {128}), "does not fit int8");
  expect_invalid(tensor_head("t", 2, {1}).packed_i64(5, {-1}), "does not fit uint8");
  expect_invalid(tensor_head("t", 9, {1}).packed_i64(5, {2}), "does not fit bool");
  expect_invalid(tensor_head("t", 12, {1}).packed_i64(11, {1LL << 32}), "does not fit uint32");
  expect_invalid(tensor_raw("t", 8, {1}, "abc"), "string_data");
  expect_invalid(tensor_raw("t", 1, {1}, raw_of<float>({1})).packed_f32(4, {1}), "both raw_data");
  expect_invalid(tensor_raw("t", 1, {1}, raw_of<float>({1})).varint(14, 5), "data_location");
}

TEST_CASE("onnx tensor: valid but unsupported element types give Unsupported") {
  for (int code : {14, 15}) {  // complex64, complex128
    CAPTURE(code);
    auto res = try_load(model_with(tensor_raw("t", code, {1}, "12345678")));
    CHECK(res.status == Status::Unsupported);
    CHECK(test::contains(res.message, "initializer 't'"));
  }
  auto seg = try_load(model_with(tensor_raw("t", 1, {1}, raw_of<float>({1})).bytes(3, "")));
  CHECK(seg.status == Status::Unsupported);
  CHECK(test::contains(seg.message, "segment"));
}

// The protobuf wire decoder on hand-made byte strings: values, both repeated encodings, and
// every kind of malformed input it must refuse.
#include <doctest/doctest.h>

#include <limits>

#include "proto_builder.h"
#include "onnx_test_helpers.h"
#include "onnx/wire.h"

using ember::Error;
using ember::Status;
using ember::onnx::WireReader;
using ember::onnx::WireType;
using ember::test::try_run;
using ember::test::pb::Msg;

namespace {

WireReader reader(const std::string& s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  return WireReader(p, p + s.size(), p, "TestProto");
}

// Reads every field of `s`, to trigger whatever error the bytes contain.
ember::test::LoadResult read_all(const std::string& s) {
  return try_run([&] {
    WireReader r = reader(s);
    while (r.next()) {
    }
  });
}

}  // namespace

TEST_CASE("onnx wire: scalar fields decode to the encoded values") {
  Msg m;
  m.varint(1, 0).varint(2, 300).varint(3, std::numeric_limits<uint64_t>::max()).i64(4, -5)
      .f32(5, 1.5f).f64(6, -2.25).bytes(7, "hello").varint(536870911, 7);
  WireReader r = reader(m.str());
  REQUIRE(r.next());
  CHECK(r.field() == 1);
  CHECK(r.as_uint64("a") == 0);
  REQUIRE(r.next());
  CHECK(r.as_uint64("b") == 300);
  REQUIRE(r.next());
  CHECK(r.as_uint64("c") == std::numeric_limits<uint64_t>::max());
  REQUIRE(r.next());
  CHECK(r.as_int64("d") == -5);
  CHECK(r.as_int32("d") == -5);
  REQUIRE(r.next());
  CHECK(r.wire_type() == WireType::Fixed32);
  CHECK(r.as_float("e") == 1.5f);
  REQUIRE(r.next());
  CHECK(r.as_double("f") == -2.25);
  REQUIRE(r.next());
  CHECK(r.as_bytes("g") == "hello");
  REQUIRE(r.next());
  CHECK(r.field() == 536870911);  // the largest legal field number
  CHECK(r.as_uint64("h") == 7);
  CHECK_FALSE(r.next());
}

TEST_CASE("onnx wire: repeated scalars are accepted packed and unpacked, in order") {
  Msg m;
  m.varint(1, 7).packed_i64(1, {-1, 2, 1LL << 40}).varint(1, 9);
  m.f32(2, 0.5f).packed_f32(2, {1.0f, -3.0f});
  std::vector<int64_t> ints;
  std::vector<float> floats;
  WireReader r = reader(m.str());
  while (r.next()) {
    if (r.field() == 1) r.append_int64s("ints", ints);
    if (r.field() == 2) r.append_floats("floats", floats);
  }
  CHECK(ints == std::vector<int64_t>{7, -1, 2, 1LL << 40, 9});
  CHECK(floats == std::vector<float>{0.5f, 1.0f, -3.0f});
}

TEST_CASE("onnx wire: a field read with the wrong wire type is refused, naming it") {
  Msg m;
  m.bytes(3, "abc");
  WireReader r = reader(m.str());
  REQUIRE(r.next());
  auto res = try_run([&] { r.as_int64("dims"); });
  CHECK(res.status == Status::InvalidModel);
  CHECK(ember::test::contains(res.message, "dims"));
  CHECK(ember::test::contains(res.message, "TestProto"));
  res = try_run([&] { r.as_float("f"); });
  CHECK(res.status == Status::InvalidModel);
}

TEST_CASE("onnx wire: malformed bytes give InvalidModel") {
  SUBCASE("varint overflow: 10th byte above 1") {
    std::string s = "\x08";
    s += std::string(9, '\xff') + "\x02";
    auto res = read_all(s);
    CHECK(res.status == Status::InvalidModel);
    CHECK(ember::test::contains(res.message, "overflow"));
  }
  SUBCASE("varint longer than 10 bytes") {
    std::string s = "\x08";
    s += std::string(10, '\x80') + "\x00";
    CHECK(read_all(s).status == Status::InvalidModel);
  }
  SUBCASE("truncated varint") { CHECK(read_all("\x08\x80\x80").status == Status::InvalidModel); }
  SUBCASE("truncated tag") { CHECK(read_all("\x88").status == Status::InvalidModel); }
  SUBCASE("field number 0") { CHECK(read_all(std::string("\x00\x01", 2)).status == Status::InvalidModel); }
  SUBCASE("wire types 6 and 7") {
    auto res = read_all("\x0e\x01");
    CHECK(res.status == Status::InvalidModel);
    CHECK(ember::test::contains(res.message, "wire type 6"));
    CHECK(read_all("\x0f\x01").status == Status::InvalidModel);
  }
  SUBCASE("groups") {
    auto res = read_all("\x0b\x0c");
    CHECK(res.status == Status::InvalidModel);
    CHECK(ember::test::contains(res.message, "group"));
    CHECK(read_all("\x0c").status == Status::InvalidModel);
  }
  SUBCASE("length past the end") {
    Msg m;
    m.bytes(1, "abcdef");
    std::string s = m.str();
    s.pop_back();
    auto res = read_all(s);
    CHECK(res.status == Status::InvalidModel);
    CHECK(ember::test::contains(res.message, "past the end"));
  }
  SUBCASE("huge length") {
    std::string s = "\x0a";
    Msg::put_varint(s, std::numeric_limits<uint64_t>::max());
    CHECK(read_all(s).status == Status::InvalidModel);
  }
  SUBCASE("truncated fixed32 / fixed64") {
    CHECK(read_all("\x0d\x01\x02\x03").status == Status::InvalidModel);
    CHECK(read_all("\x09\x01\x02\x03\x04\x05\x06\x07").status == Status::InvalidModel);
  }
}

TEST_CASE("onnx wire: packed fixed-width data whose length is not a multiple is refused") {
  Msg m;
  m.bytes(2, "\x01\x02\x03\x04\x05");
  WireReader r = reader(m.str());
  REQUIRE(r.next());
  std::vector<float> f;
  CHECK(try_run([&] { r.append_floats("float_data", f); }).status == Status::InvalidModel);
  Msg v;
  v.bytes(1, "\x80");  // packed varints ending mid-value
  WireReader rv = reader(v.str());
  REQUIRE(rv.next());
  std::vector<int64_t> i;
  CHECK(try_run([&] { rv.append_int64s("dims", i); }).status == Status::InvalidModel);
}

// Loading from files: the mapped model, external data next to it (in place when aligned),
// and the refusals: missing files, escaping paths, data past the end of the file.
#include <doctest/doctest.h>

#include <cstring>

#include "onnx_test_helpers.h"
#include "proto_builder.h"

using namespace ember;
using namespace ember::test::pb;
using ember::test::TempDir;
using ember::test::try_run;

namespace {

Msg external_tensor(const std::string& name, const std::vector<int64_t>& dims, const std::string& location,
                    const std::string& offset = "", const std::string& length = "") {
  auto entry = [](const std::string& k, const std::string& v) {
    Msg e;
    e.bytes(1, k).bytes(2, v);
    return e;
  };
  Msg t = tensor_head(name, 1, dims);
  t.msg(13, entry("location", location));
  if (!offset.empty()) t.msg(13, entry("offset", offset));
  if (!length.empty()) t.msg(13, entry("length", length));
  t.varint(14, 1);
  return t;
}

std::string model_with(const std::vector<Msg>& inits) {
  GraphB g;
  g.initializers = inits;
  g.outputs = {value_info("t")};
  return model(g.build()).str();
}

std::string floats_bytes(const std::vector<float>& v) { return raw_of(v); }

}  // namespace

TEST_CASE("onnx file: a model file loads, and its initializers point into the mapping") {
  TempDir dir;
  const std::vector<float> vals = {1.f, 2.f, 3.f, 4.f};
  const std::string path = dir.write("m.onnx", model_with({tensor_raw("t", 1, {4}, floats_bytes(vals))}));
  auto m = onnx::load_model_file(path);
  const Tensor& t = *m->graph->find("t")->constant;
  CHECK(std::memcmp(t.raw(), vals.data(), 16) == 0);
  CHECK(m->backing);
}

TEST_CASE("onnx file: external data with offset and length, shared file, zero copy when aligned") {
  TempDir dir;
  // data.bin: 4 junk bytes, then a = [1, 2, 3], then 1 junk byte, then b = [5, 6] (misaligned).
  const std::vector<float> a = {1.f, 2.f, 3.f}, b = {5.f, 6.f};
  std::string data = "JUNK" + floats_bytes(a) + "J" + floats_bytes(b);
  dir.write("weights/data.bin", data);
  GraphB g;
  g.initializers = {external_tensor("a", {3}, "weights/data.bin", "4", "12"),
                    external_tensor("b", {2}, "weights/data.bin", "17")};
  g.outputs = {value_info("a"), value_info("b")};
  const std::string path = dir.write("m.onnx", model(g.build()).str());
  auto m = onnx::load_model_file(path);
  const Tensor& ta = *m->graph->find("a")->constant;
  const Tensor& tb = *m->graph->find("b")->constant;
  CHECK(ta.shape() == Dims{3});
  CHECK(std::memcmp(ta.raw(), a.data(), 12) == 0);
  CHECK(std::memcmp(tb.raw(), b.data(), 8) == 0);
  // mmap returns page-aligned memory, so offset 4 is aligned for float and offset 17 is not.
  CHECK(reinterpret_cast<uintptr_t>(ta.raw()) % 4096 == 4);
  CHECK(reinterpret_cast<uintptr_t>(tb.raw()) % 4 == 0);  // the copy is aligned
  CHECK(reinterpret_cast<uintptr_t>(tb.raw()) % 4096 != 17);
}

TEST_CASE("onnx file: external data refusals") {
  TempDir dir;
  dir.write("sub/data.bin", floats_bytes({1.f, 2.f}));
  dir.write("outside.bin", floats_bytes({1.f, 2.f}));
  auto load = [&](const Msg& t) {
    return try_run([&] { onnx::load_model_file(dir.write("sub/m.onnx", model_with({t}))); });
  };
  SUBCASE("escaping with ..") {
    for (const char* loc : {"../outside.bin", "a/../../outside.bin", "..", "x\\..\\..\\outside.bin"}) {
      CAPTURE(loc);
      auto res = load(external_tensor("t", {2}, loc));
      CHECK(res.status == Status::InvalidModel);
      CHECK(test::contains(res.message, "escapes"));
      CHECK(test::contains(res.message, "initializer 't'"));
    }
  }
  SUBCASE("absolute path") {
    auto res = load(external_tensor("t", {2}, (dir.path() / "outside.bin").string()));
    CHECK(res.status == Status::InvalidModel);
    CHECK(test::contains(res.message, "absolute"));
  }
  SUBCASE("missing file is an Io error") {
    auto res = load(external_tensor("t", {2}, "nope.bin"));
    CHECK(res.status == Status::Io);
    CHECK(test::contains(res.message, "nope.bin"));
  }
  SUBCASE("data past the end of the file") {
    CHECK(load(external_tensor("t", {3}, "data.bin")).status == Status::InvalidModel);
    CHECK(load(external_tensor("t", {2}, "data.bin", "4")).status == Status::InvalidModel);
    CHECK(load(external_tensor("t", {1}, "data.bin", "99")).status == Status::InvalidModel);
    CHECK(load(external_tensor("t", {1}, "data.bin", "18446744073709551615")).status ==
          Status::InvalidModel);
  }
  SUBCASE("length that does not match the dims") {
    auto res = load(external_tensor("t", {1}, "data.bin", "0", "8"));
    CHECK(res.status == Status::InvalidModel);
    CHECK(test::contains(res.message, "length 8"));
  }
  SUBCASE("bad numbers and empty location") {
    CHECK(load(external_tensor("t", {1}, "data.bin", "-4")).status == Status::InvalidModel);
    CHECK(load(external_tensor("t", {1}, "data.bin", "4x")).status == Status::InvalidModel);
    CHECK(load(external_tensor("t", {1}, "")).status == Status::InvalidModel);
  }
  SUBCASE("the same refusals do not stop a valid neighbour from loading") {
    CHECK(load(external_tensor("t", {2}, "data.bin")).status == Status::Ok);
    CHECK(load(external_tensor("t", {1}, "./data.bin", "4")).status == Status::Ok);
  }
}

TEST_CASE("onnx file: in-memory models cannot use external data") {
  auto res = test::try_load(model_with({external_tensor("t", {2}, "data.bin")}));
  CHECK(res.status == Status::Unsupported);
  CHECK(test::contains(res.message, "external data"));
}

TEST_CASE("onnx file: missing, unreadable and non-regular files give Io") {
  TempDir dir;
  auto res = try_run([&] { onnx::load_model_file((dir.path() / "absent.onnx").string()); });
  CHECK(res.status == Status::Io);
  CHECK(test::contains(res.message, "absent.onnx"));
  res = try_run([&] { onnx::load_model_file(dir.path().string()); });
  CHECK(res.status == Status::Io);
  // An empty file exists but holds no graph: malformed, not an I/O problem.
  const std::string empty = dir.write("empty.onnx", "");
  res = try_run([&] { onnx::load_model_file(empty); });
  CHECK(res.status == Status::InvalidModel);
  CHECK(test::contains(res.message, "empty.onnx"));
}

// Atomic saves: a failure at any point (unwritable destination, an error injected after both
// temporaries are complete) leaves no partial output and no temporaries, and keeps an
// existing model at the destination intact; saving over the model being read works.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "ir/graph.h"
#include "onnx/onnx_writer.h"
#include "onnx_test_helpers.h"
#include "test_util.h"
#include "writer_test_util.h"

using namespace ember;
using ember::test::TempDir;

namespace {

// y = x + W with a 4 KiB W (external) and a small embedded constant.
std::shared_ptr<ir::Model> small_model(float fill) {
  auto m = std::make_shared<ir::Model>();
  m->opset_imports = {{"", 17}};
  m->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *m->graph;
  ir::Value* x = g.add_value("x");
  x->is_input = true;
  x->type = ir::TypeInfo::tensor(DType::Float32, {1024});
  g.inputs = {x};
  ir::Value* w = g.add_value("W");
  Tensor t(DType::Float32, {1024});
  for (int64_t k = 0; k < 1024; ++k) t.data<float>()[k] = fill;
  w->type = ir::TypeInfo::tensor(DType::Float32, {1024});
  w->constant = t;
  g.initializers = {w};
  ir::Value* y = g.add_value("y");
  y->is_output = true;
  g.outputs = {y};
  auto n = std::make_unique<ir::Node>();
  n->name = "add";
  n->op_type = "Add";
  n->opset = 17;
  n->inputs = {x, w};
  n->outputs = {y};
  g.add_node(std::move(n));
  return m;
}

std::set<std::string> listing(const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream os;
  os << f.rdbuf();
  return os.str();
}

}  // namespace

TEST_CASE("onnx writer atomic: a missing destination directory is an Io error naming the path") {
  TempDir dir;
  const std::string path = (dir.path() / "no_such_dir" / "m.onnx").string();
  const auto res = test::try_run([&] { onnx::save_model_file(*small_model(1), path); });
  CHECK(res.status == Status::Io);
  CHECK(test::contains(res.message, "no_such_dir"));
  CHECK(listing(dir.path()).empty());
}

TEST_CASE("onnx writer atomic: a failure before commit leaves the destination untouched") {
  TempDir dir;
  const auto path = dir.path() / "m.onnx";
  onnx::SaveOptions opts;
  opts.before_commit = [] { fail(Status::Runtime, "injected failure"); };
  SUBCASE("nothing there before") {
    const auto res = test::try_run([&] { onnx::save_model_file(*small_model(1), path.string(), opts); });
    CHECK(res.status == Status::Runtime);
    CHECK(listing(dir.path()).empty());
  }
  SUBCASE("an older model stays as it was") {
    onnx::save_model_file(*small_model(1), path.string());
    const std::string model_before = read_file(path), data_before = read_file(path.string() + ".data");
    const auto res = test::try_run([&] { onnx::save_model_file(*small_model(2), path.string(), opts); });
    CHECK(res.status == Status::Runtime);
    CHECK(listing(dir.path()) == std::set<std::string>{"m.onnx", "m.onnx.data"});
    CHECK(read_file(path) == model_before);
    CHECK(read_file(path.string() + ".data") == data_before);
  }
}

TEST_CASE("onnx writer atomic: a destination that is a directory fails at the rename and leaves nothing") {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "m.onnx");
  const auto res = test::try_run([&] { onnx::save_model_file(*small_model(1), (dir.path() / "m.onnx").string()); });
  CHECK(res.status == Status::Io);
  // The data file had been renamed into place already; it is removed again.
  CHECK(listing(dir.path()) == std::set<std::string>{"m.onnx"});
}

TEST_CASE("onnx writer atomic: saving over the model being read (its weights mapped) works") {
  TempDir dir;
  const std::string path = (dir.path() / "m.onnx").string();
  onnx::save_model_file(*small_model(3), path);
  auto loaded = onnx::load_model_file(path);
  loaded->metadata_props["k"] = "v";
  onnx::save_model_file(*loaded, path);  // reads W from the mapping of the file it replaces
  auto again = onnx::load_model_file(path);
  CHECK(again->metadata_props.at("k") == "v");
  CHECK(again->graph->find("W")->constant->data<float>()[1023] == 3.0f);
  CHECK(test::model_dump(*again) == test::model_dump(*loaded));
  CHECK(listing(dir.path()) == std::set<std::string>{"m.onnx", "m.onnx.data"});
}

TEST_CASE("onnx writer atomic: a truncated data file is refused at load, naming the tensor") {
  TempDir dir;
  const std::string path = (dir.path() / "m.onnx").string();
  onnx::save_model_file(*small_model(1), path);
  std::filesystem::resize_file(path + ".data", 100);
  const auto res = test::try_run([&] { onnx::load_model_file(path); });
  CHECK(res.status == Status::InvalidModel);
  CHECK(test::contains(res.message, "initializer 'W'"));
  CHECK(test::contains(res.message, "past the end"));
}

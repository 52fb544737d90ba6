// The profiler (session option `profile`): the Chrome trace is valid JSON with one complete
// event per step per run carrying the documented args, it only ever appears complete, and
// the totals agree with what ran.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>

#include "runtime/flops.h"
#include "runtime/profiler.h"
#include "runtime/session.h"
#include "test_util.h"

using namespace ember;
namespace fs = std::filesystem;

namespace {

// A minimal JSON reader: enough to check the trace's structure, strict enough to reject a
// truncated or malformed file.
struct Json {
  enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
  bool b = false;
  double num = 0;
  std::string str;
  std::vector<Json> arr;
  std::map<std::string, Json> obj;

  bool has(const std::string& k) const { return kind == Object && obj.count(k) > 0; }
  const Json& operator[](const std::string& k) const {
    auto it = obj.find(k);
    if (kind != Object || it == obj.end()) throw std::runtime_error("missing key " + k);
    return it->second;
  }
};

class JsonParser {
 public:
  explicit JsonParser(const std::string& s) : s_(s) {}
  Json parse() {
    Json v = value();
    ws();
    if (i_ != s_.size()) throw std::runtime_error("trailing text at " + std::to_string(i_));
    return v;
  }

 private:
  void ws() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  char peek() {
    ws();
    if (i_ >= s_.size()) throw std::runtime_error("unexpected end of JSON");
    return s_[i_];
  }
  void expect(char c) {
    if (peek() != c) throw std::runtime_error(std::string("expected '") + c + "' at " + std::to_string(i_));
    ++i_;
  }
  bool literal(const char* word) {
    const std::string w(word);
    if (s_.compare(i_, w.size(), w) != 0) return false;
    i_ += w.size();
    return true;
  }
  std::string string() {
    expect('"');
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      if (s_[i_] == '\\') {
        ++i_;
        if (i_ >= s_.size()) break;
        if (s_[i_] == 'u') {
          out += char(std::stoi(s_.substr(i_ + 1, 4), nullptr, 16));
          i_ += 4;
        } else {
          out += s_[i_] == 'n' ? '\n' : s_[i_];
        }
      } else {
        out += s_[i_];
      }
      ++i_;
    }
    if (i_ >= s_.size()) throw std::runtime_error("unterminated string");
    ++i_;
    return out;
  }
  Json value() {
    Json v;
    const char c = peek();
    if (c == '{') {
      v.kind = Json::Object;
      ++i_;
      if (peek() == '}') return ++i_, v;
      for (;;) {
        std::string k = string();
        expect(':');
        v.obj[k] = value();
        if (peek() == ',') { ++i_; continue; }
        expect('}');
        return v;
      }
    }
    if (c == '[') {
      v.kind = Json::Array;
      ++i_;
      if (peek() == ']') return ++i_, v;
      for (;;) {
        v.arr.push_back(value());
        if (peek() == ',') { ++i_; continue; }
        expect(']');
        return v;
      }
    }
    if (c == '"') {
      v.kind = Json::String;
      v.str = string();
      return v;
    }
    if (literal("null")) return v;
    if (literal("true") || literal("false")) {
      v.kind = Json::Bool;
      v.b = s_[i_ - 1] == 'e' && s_[i_ - 2] == 'u';
      return v;
    }
    size_t used = 0;
    v.kind = Json::Number;
    v.num = std::stod(s_.substr(i_, 40), &used);
    if (used == 0) throw std::runtime_error("bad value at " + std::to_string(i_));
    i_ += used;
    return v;
  }

  const std::string& s_;
  size_t i_ = 0;
};

Json read_json(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  REQUIRE_MESSAGE(f.good(), "cannot read ", p.string());
  std::stringstream ss;
  ss << f.rdbuf();
  return JsonParser(ss.str()).parse();
}

// A fresh empty directory, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("ember_profiler_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  static std::atomic<int>& counter() {
    static std::atomic<int> c{0};
    return c;
  }
  size_t entries() const { return size_t(std::distance(fs::directory_iterator(path), fs::directory_iterator())); }
};

// y = Relu(x @ W) + x2 where x is [N, 8], W [8, 4]; the Relu claims to be fused from two
// nodes so fused_from shows up. N is symbolic, so each run's shapes may differ.
std::shared_ptr<ir::Model> matmul_relu_model() {
  auto m = std::make_shared<ir::Model>();
  m->opset_imports[""] = 17;
  m->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *m->graph;
  g.name = "mm";
  ir::Value* x = g.add_value("x");
  x->is_input = true;
  x->type = ir::TypeInfo::tensor(DType::Float32, {-1, 8});
  x->type.dims[0] = ir::Dim{-1, "N"};
  g.inputs.push_back(x);
  ir::Value* w = g.add_value("W");
  w->constant = test::random_tensor(DType::Float32, {8, 4});
  g.initializers.push_back(w);
  auto node = [&](const std::string& name, const std::string& op, std::vector<ir::Value*> in) {
    ir::Value* v = g.add_value(name + "_out");
    auto nd = std::make_unique<ir::Node>();
    nd->name = name;
    nd->op_type = op;
    nd->opset = 17;
    nd->inputs = std::move(in);
    nd->outputs = {v};
    ir::Node* raw = nd.get();
    g.add_node(std::move(nd));
    return std::make_pair(raw, v);
  };
  auto [mm, mm_out] = node("mm", "MatMul", {x, w});
  auto [relu, relu_out] = node("act", "Relu", {mm_out});
  relu->fused_from = {"relu_a", "relu_b"};
  auto [sum, y] = node("sum", "Add", {relu_out, relu_out});
  (void)mm, (void)sum;
  y->is_output = true;
  g.outputs.push_back(y);
  return m;
}

runtime::SessionOptions profiled(const fs::path& trace, int threads = 2) {
  runtime::SessionOptions o;
  o.threads = threads;
  o.optimization = 0;  // keep the three nodes as built (no fusion)
  o.profile_path = trace.string();
  return o;
}

std::vector<const Json*> step_events(const Json& trace) {
  std::vector<const Json*> steps;
  for (const Json& e : trace["traceEvents"].arr)
    if (e.has("args") && e["args"].has("op")) steps.push_back(&e);
  return steps;
}

}  // namespace

TEST_CASE("profiler: the trace has one complete event per step per run with its args") {
  TempDir dir;
  const fs::path trace = dir.path / "trace.json";
  const std::vector<int64_t> batch = {3, 5, 1};
  {
    auto s = runtime::Session::from_model(matmul_relu_model(), profiled(trace));
    REQUIRE(s->profiler() != nullptr);
    CHECK(s->profiler()->totals_by_node().empty());  // nothing ran yet
    for (int64_t n : batch) s->run({{"x", test::random_tensor(DType::Float32, {n, 8})}});
    CHECK_FALSE(fs::exists(trace));  // written when the session ends (or on flush)
  }
  REQUIRE(fs::exists(trace));
  CHECK(dir.entries() == 1);  // no temporary file left behind
  const Json t = read_json(trace);
  const auto events = step_events(t);
  REQUIRE(events.size() == batch.size() * 3);
  std::map<std::string, int> per_node;
  for (size_t k = 0; k < events.size(); ++k) {
    const Json& e = *events[k];
    const Json& a = e["args"];
    const int64_t n = batch[k / 3];  // runs are recorded in order, steps in plan order
    CHECK(e["ph"].str == "X");
    CHECK(e["ts"].kind == Json::Number);
    CHECK(e["dur"].num >= 0);
    CHECK(e["cat"].str == a["op"].str);
    CHECK(a["kernel"].kind == Json::String);
    CHECK_FALSE(a["kernel"].str.empty());
    CHECK(a["flops"].kind == Json::Number);
    CHECK(a["gflops_per_s"].kind == Json::Number);
    ++per_node[e["name"].str];
    const Json& in0 = a["input_shapes"].arr.at(0);
    const Json& out0 = a["output_shapes"].arr.at(0);
    REQUIRE(in0.kind == Json::Array);
    CHECK(in0.arr.at(0).num == double(n));
    if (e["name"].str == "mm") {
      CHECK(a["op"].str == "MatMul");
      CHECK(in0.arr.size() == 2);
      CHECK(in0.arr[1].num == 8);
      CHECK(a["input_shapes"].arr.at(1).arr.at(0).num == 8);
      CHECK(out0.arr.at(1).num == 4);
      CHECK(a["flops"].num == 2.0 * double(n) * 8 * 4);
      CHECK_FALSE(a.has("fused_from"));
    } else if (e["name"].str == "act") {
      CHECK(a["op"].str == "Relu");
      CHECK(a["flops"].num == 0);
      REQUIRE(a.has("fused_from"));
      REQUIRE(a["fused_from"].arr.size() == 2);
      CHECK(a["fused_from"].arr[0].str == "relu_a");
      CHECK(a["fused_from"].arr[1].str == "relu_b");
    } else {
      CHECK(e["name"].str == "sum");
      CHECK(a["op"].str == "Add");
    }
  }
  CHECK(per_node == std::map<std::string, int>{{"mm", 3}, {"act", 3}, {"sum", 3}});
  // One "run" event per run and the session-creation phases.
  int runs = 0, phases = 0;
  for (const Json& e : t["traceEvents"].arr) {
    if (e.has("cat") && e["cat"].str == "run") ++runs;
    if (e.has("cat") && e["cat"].str == "session") ++phases;
  }
  CHECK(runs == 3);
  CHECK(phases == 2);
  CHECK(t["otherData"]["runs"].num == 3);
}

TEST_CASE("profiler: flush writes a complete file; concurrent runs are all recorded") {
  TempDir dir;
  const fs::path trace = dir.path / "t.json";
  auto s = runtime::Session::from_model(matmul_relu_model(), profiled(trace, 3));
  runtime::Profiler& prof = *s->profiler();
  constexpr int kThreads = 4, kRuns = 15;
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0}, torn{0};
  // A reader that keeps parsing the file while runs and flushes go on: it must never see a
  // half-written trace.
  std::thread reader([&] {
    while (!stop.load()) {
      std::this_thread::yield();
      if (!fs::exists(trace)) continue;
      std::ifstream f(trace, std::ios::binary);
      std::stringstream ss;
      ss << f.rdbuf();
      try {
        JsonParser(ss.str()).parse();
        ++reads;
      } catch (const std::exception&) {
        ++torn;  // a half-written trace
      }
    }
  });
  std::vector<std::thread> runners;
  for (int t = 0; t < kThreads; ++t)
    runners.emplace_back([&] {
      for (int r = 0; r < kRuns; ++r) {
        s->run({{"x", test::random_tensor(DType::Float32, {7, 8})}});
        prof.flush();
      }
    });
  for (auto& r : runners) r.join();
  prof.flush();
  stop = true;
  reader.join();
  CHECK(reads.load() > 0);
  CHECK(torn.load() == 0);
  CHECK(dir.entries() == 1);
  CHECK(prof.runs() == kThreads * kRuns);
  CHECK(step_events(read_json(trace)).size() == size_t(kThreads * kRuns * 3));
  for (const runtime::ProfileTotal& n : prof.totals_by_node()) {
    CHECK(n.calls == kThreads * kRuns);
    CHECK(n.total_ns > 0);
  }
  const auto by_op = prof.totals_by_op();
  REQUIRE(by_op.size() == 3);
  for (size_t i = 1; i < by_op.size(); ++i) CHECK(by_op[i - 1].total_ns >= by_op[i].total_ns);
  for (const auto& r : by_op)
    if (r.op == "MatMul") CHECK(r.flops == doctest::Approx(double(kThreads * kRuns) * 2 * 7 * 8 * 4));
  CHECK(prof.run_ns() > 0);
}

TEST_CASE("profiler: in-memory profiling and an unwritable path") {
  // Without a path nothing is written, but the totals are kept.
  runtime::SessionOptions o;
  o.threads = 1;
  o.optimization = 0;
  auto s = runtime::Session::from_model(matmul_relu_model(), o);
  CHECK(s->profiler() == nullptr);
  runtime::Profiler& prof = s->enable_profiling();
  CHECK(&prof == s->profiler());
  s->run({{"x", test::random_tensor(DType::Float32, {2, 8})}});
  CHECK(prof.runs() == 1);
  CHECK(prof.totals_by_node().size() == 3);
  CHECK_NOTHROW(prof.flush());

  TempDir dir;
  const fs::path missing = dir.path / "no_such_dir" / "t.json";
  try {
    runtime::Session::from_model(matmul_relu_model(), profiled(missing));
    FAIL("a profile path in a missing directory was accepted");
  } catch (const Error& e) {
    CHECK(e.status() == Status::Io);
    CHECK(std::string(e.what()).find(missing.string()) != std::string::npos);
  }
  CHECK(dir.entries() == 0);

  // A failing rename (the target is a directory) reports Io and leaves no temporary file.
  const fs::path blocked = dir.path / "blocked.json";
  runtime::Profiler writer_to_dir(blocked.string());
  fs::create_directories(blocked);
  writer_to_dir.add_phase("p", runtime::Profiler::Clock::now());
  CHECK(test::status_of([&] { writer_to_dir.flush(); }) == Status::Io);
  CHECK(dir.entries() == 1);  // just the directory in the way
}

TEST_CASE("profiler: FLOPs from the shapes of a run, fused ops included") {
  using runtime::node_flops_for_shapes;
  ir::Node n;
  n.op_type = "MatMul";
  CHECK(node_flops_for_shapes(n, {Dims{3, 5}, Dims{5, 7}}, {Dims{3, 7}}) == 2.0 * 3 * 7 * 5);
  CHECK(node_flops_for_shapes(n, {Dims{2, 3, 5}, Dims{5, 7}}, {Dims{2, 3, 7}}) == 2.0 * 2 * 3 * 7 * 5);
  CHECK(node_flops_for_shapes(n, {std::nullopt, Dims{5, 7}}, {Dims{3, 7}}) == 0);  // unknown A

  n.domain = "ai.ember";
  n.op_type = "FusedMatMul";
  n.attrs["transA"] = test::attr_int("transA", 1);  // A is [K, M] = [5, 3]
  CHECK(node_flops_for_shapes(n, {Dims{5, 3}, Dims{5, 7}}, {Dims{3, 7}}) == 2.0 * 3 * 7 * 5);

  ir::Node conv;
  conv.domain = "ai.ember";
  conv.op_type = "FusedConv";  // X [1,4,8,8], W [6,2,3,3] (2 groups), Y [1,6,6,6]
  CHECK(node_flops_for_shapes(conv, {Dims{1, 4, 8, 8}, Dims{6, 2, 3, 3}}, {Dims{1, 6, 6, 6}}) ==
        2.0 * (6 * 6 * 6) * (2 * 3 * 3));
  conv.domain = "";
  conv.op_type = "Conv";
  CHECK(node_flops_for_shapes(conv, {Dims{1, 4, 8, 8}, Dims{6, 2, 3, 3}}, {Dims{1, 6, 6, 6}}) ==
        2.0 * (6 * 6 * 6) * (2 * 3 * 3));

  ir::Node att;
  att.domain = "ai.ember";
  att.op_type = "Attention";  // Q [2,5,8], K [2,9,8], V [2,9,12]
  CHECK(node_flops_for_shapes(att, {Dims{2, 5, 8}, Dims{2, 9, 8}, Dims{2, 9, 12}}, {Dims{2, 5, 12}}) ==
        2.0 * 2 * 5 * 9 * (8 + 12));

  ir::Node relu;
  relu.op_type = "Relu";
  CHECK(node_flops_for_shapes(relu, {Dims{4, 4}}, {Dims{4, 4}}) == 0);
  ir::Node other;
  other.domain = "com.example";
  other.op_type = "MatMul";  // not ONNX's MatMul
  CHECK(node_flops_for_shapes(other, {Dims{3, 5}, Dims{5, 7}}, {Dims{3, 7}}) == 0);
}

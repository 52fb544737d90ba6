// cpu_backend=auto / native / onednn: which kernel each picks, that auto's choice is visible in
// the kernel name and repeatable (cached per shape), and that every choice computes the same.
#include <doctest/doctest.h>

#include "backend_test_util.h"
#include "backends/cpu/kernel_choice.h"
#include "backends/cpu/native_registry.h"
#include "backends/onednn/onednn_kernels.h"
#include "ops/graph_inference.h"

using namespace ember;
using namespace ember::test;

namespace {

OpRun small_conv(const Tensor& x, const Tensor& w) {
  OpRun r{"Conv", {x, w}};
  r.constant_inputs = {1};
  r.attrs = {attr_ints("pads", {1, 1, 1, 1})};
  return r;
}

// Whether Ember's native kernels take the first node of `r`.
bool native_takes(const OpRun& r) {
  auto m = std::make_shared<ir::Model>();
  ir::Graph g;
  std::vector<ir::Value*> in;
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    ir::Value* v = g.add_value("in" + std::to_string(i));
    v->type = ir::TypeInfo::tensor(r.inputs[i].dtype(), r.inputs[i].shape());
    for (size_t c : r.constant_inputs)
      if (c == i) v->constant = r.inputs[i];
    in.push_back(v);
  }
  ir::Node node;
  node.name = "n";
  node.op_type = r.op_type;
  node.domain = r.domain;
  node.opset = r.opset;
  node.inputs = in;
  node.outputs = {g.add_value("out")};
  for (const ir::Attribute& a : r.attrs) node.attrs[a.name] = a;
  return backends::make_native_kernel(node, runtime::BackendOptions{"native", 2}) != nullptr;
}

}  // namespace

TEST_CASE("kernel choice: native never picks oneDNN; onednn does where it can") {
  const Tensor x = random_tensor(DType::Float32, {1, 8, 12, 12}), w = random_tensor(DType::Float32, {16, 8, 3, 3});
  const OpRun r = small_conv(x, w);
  CHECK(kernel_names(r, "native").at(0).find("onednn") == std::string::npos);
  if (backends::onednn_available()) CHECK(kernel_names(r, "onednn").at(0) == "onednn:conv");
}

TEST_CASE("kernel choice: auto names its pick, decides once per shape, and matches the reference") {
  backends::clear_cpu_kernel_choices();
  backends::start_cpu_kernel_choice("auto");
  const Tensor x = random_tensor(DType::Float32, {1, 8, 12, 12}), w = random_tensor(DType::Float32, {16, 8, 3, 3});
  const OpRun r = small_conv(x, w);
  const std::vector<std::string> names = kernel_names(r, "auto", 2, 5);
  REQUIRE(names.size() == 5);
  for (const std::string& n : names) CHECK(n == names[0]);  // one decision for five identical nodes
  const bool both = backends::onednn_available() && native_takes(r);
  CAPTURE(names[0]);
  if (both) {
    CHECK((names[0] == "auto->onednn:conv" || names[0].rfind("auto->", 0) == 0));
    CHECK(names[0].find("reference") == std::string::npos);
  } else if (backends::onednn_available()) {
    CHECK(names[0] == "onednn:conv");  // no choice to make: oneDNN's kernel, under its own name
  }
  // The cached decision holds for a later plan too.
  CHECK(kernel_names(r, "auto").at(0) == names[0]);
  for (const char* backend : {"auto", "native", "onednn"}) {
    if (std::string(backend) == "onednn" && !backends::onednn_available()) continue;
    CAPTURE(backend);
    check_close(run_with_backend(r, backend).at(0), ref_conv(x, w, Tensor(), {1, {}, {}, {1, 1, 1, 1}}), Tier::Close,
                72, dot_atol(72));
  }
}

TEST_CASE("kernel choice: auto where only one fast kernel exists takes it, unrenamed") {
  const Tensor x = random_tensor(DType::Float32, {3, 4}), w = random_tensor(DType::Float32, {4, 5});
  OpRun r{"MatMul", {x, w}};
  r.constant_inputs = {1};
  auto names = kernel_names(r, "auto");
  if (backends::onednn_available() && !native_takes(r)) CHECK(names.at(0) == "onednn:matmul");
  check_close(run_with_backend(r, "auto").at(0), ref_matmul(x, w), Tier::Close, 4, dot_atol(4));
}

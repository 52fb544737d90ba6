// ai.onnx.ml ops on hand-written cases, and their validation of hostile attributes.
#include <cmath>

#include <doctest/doctest.h>

#include "support/error.h"
#include "test_util.h"

namespace ember::test {
namespace {

Tensor strs(const Dims& shape, const std::vector<std::string>& v) {
  Tensor t(DType::String, shape);
  for (size_t i = 0; i < v.size(); ++i) t.data<std::string>()[i] = v[i];
  return t;
}

OpRun ml(const std::string& op, std::vector<Tensor> in, std::vector<ir::Attribute> attrs, int opset) {
  OpRun r{op, std::move(in), std::move(attrs), 1, opset, "ai.onnx.ml", {}};
  return r;
}

// One stump: feature 0 <= 1.5 -> leaf 0 (target 0, weight 10), else leaf 1 (target 1, weight 20).
std::vector<ir::Attribute> stump(int64_t true_id = 0) {
  return {attr_tensor("nodes_splits", make_tensor(DType::Float32, {1}, {1.5})),
          attr_ints("nodes_featureids", {0}),
          attr_tensor("nodes_modes", make_tensor(DType::UInt8, {1}, {0})),
          attr_ints("nodes_truenodeids", {true_id}), attr_ints("nodes_falsenodeids", {1}),
          attr_ints("nodes_trueleafs", {1}), attr_ints("nodes_falseleafs", {1}),
          attr_ints("leaf_targetids", {0, 1}),
          attr_tensor("leaf_weights", make_tensor(DType::Float32, {2}, {10, 20})),
          attr_ints("tree_roots", {0}), attr_int("n_targets", 2), attr_int("aggregate_function", 1)};
}

}  // namespace

TEST_CASE("ml: Binarizer and ArrayFeatureExtractor") {
  auto out = run_op(ml("Binarizer", {make_tensor(DType::Float32, {3}, {0.5, 1, 2})}, {attr_float("threshold", 1)}, 1));
  check_close(out[0], make_tensor(DType::Float32, {3}, {0, 0, 1}), Tier::Exact);
  const Tensor x = make_tensor(DType::Float32, {2, 3}, {1, 2, 3, 4, 5, 6});
  out = run_op(ml("ArrayFeatureExtractor", {x, make_tensor(DType::Int64, {2}, {2, 0})}, {}, 1));
  check_close(out[0], make_tensor(DType::Float32, {2, 2}, {3, 1, 6, 4}), Tier::Exact);
  CHECK(status_of(ml("ArrayFeatureExtractor", {x, make_tensor(DType::Int64, {1}, {3})}, {}, 1)) != Status::Ok);
}

TEST_CASE("ml: LabelEncoder maps strings to ints with a default") {
  auto out = run_op(ml("LabelEncoder", {strs({3}, {"b", "zz", "a"})},
                       {attr_strings("keys_strings", {"a", "b"}), attr_ints("values_int64s", {7, 8})}, 2));
  CHECK(to_doubles(out[0]) == std::vector<double>{8, -1, 7});
  out = run_op(ml("LabelEncoder", {make_tensor(DType::Float32, {2}, {NAN, 2})},
                  {attr_floats("keys_floats", {NAN, 2}), attr_strings("values_strings", {"nan", "two"})}, 2));
  CHECK(out[0].data<std::string>()[0] == "nan");
  CHECK(out[0].data<std::string>()[1] == "two");
  CHECK(status_of(ml("LabelEncoder", {strs({1}, {"a"})},
                     {attr_strings("keys_strings", {"a", "b"}), attr_ints("values_int64s", {7})}, 2)) ==
        Status::InvalidModel);
  CHECK(status_of(ml("LabelEncoder", {make_tensor(DType::Int64, {1}, {1})},
                     {attr_strings("keys_strings", {"a"}), attr_ints("values_int64s", {7})}, 2)) == Status::TypeMismatch);
}

TEST_CASE("ml: TreeEnsemble sums leaves and rejects broken trees") {
  const Tensor x = make_tensor(DType::Float32, {2, 1}, {1, 2});
  auto out = run_op(ml("TreeEnsemble", {x}, stump(), 5));
  check_close(out[0], make_tensor(DType::Float32, {2, 2}, {10, 0, 0, 20}), Tier::Exact);
  CHECK(status_of(ml("TreeEnsemble", {x}, stump(5), 5)) == Status::InvalidModel);  // leaf 5 does not exist
  auto bad = stump();
  bad.push_back(attr_int("post_transform", 1));
  CHECK(status_of(ml("TreeEnsemble", {x}, bad, 5)) == Status::Unsupported);
  CHECK(status_of(ml("TreeEnsemble", {make_tensor(DType::Float32, {2}, {1, 2})}, stump(), 5)) ==
        Status::ShapeMismatch);
}

}  // namespace ember::test

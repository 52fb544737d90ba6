// Transpose, DepthToSpace, SpaceToDepth against index-arithmetic references.
#include "tensor_test_util.h"

using namespace ember;
using namespace ember::test;
using namespace ember::test::tensor_ops;

namespace {

Tensor naive_transpose(const Tensor& x, const std::vector<int64_t>& perm) {
  Dims shape;
  for (int64_t p : perm) shape.push_back(x.dim(size_t(p)));
  return remap(x, shape, [&](const Dims& o) {
    Dims s(o.size());
    for (size_t i = 0; i < perm.size(); ++i) s[size_t(perm[i])] = o[i];
    return s;
  });
}

}  // namespace

TEST_CASE("tensor.transpose: random perms, odd sizes, all storage sizes") {
  const std::vector<std::pair<Dims, std::vector<int64_t>>> cases = {
      {{7, 17}, {1, 0}},           {{2, 3, 5}, {2, 0, 1}}, {{1, 7, 1, 3}, {3, 1, 0, 2}},
      {{2, 3, 4, 5}, {0, 2, 3, 1}}, {{63, 2, 3}, {1, 2, 0}}, {{4}, {0}}};
  for (DType dt : {DType::Float32, DType::Float16, DType::Int8, DType::Int64, DType::Bool, DType::String}) {
    for (const auto& [shape, perm] : cases) {
      const Tensor x = random_tensor(dt, shape, -50, 50);
      check_equal(run_op(op("Transpose", {x}, {attr_ints("perm", perm)}))[0], naive_transpose(x, perm));
    }
  }
}

// Permutations that move the source's contiguous axis away from the end run as batches of 2-D
// tile transposes for 4-byte elements (movement.cc, copy_as_transposes); other sizes keep the
// strided loop. Both must give the index-arithmetic answer, ragged tile edges included.
TEST_CASE("tensor.transpose: planes of 4-byte elements (NCHW <-> NHWC, swaps, reversals)") {
  const std::vector<std::pair<Dims, std::vector<int64_t>>> cases = {
      {{2, 19, 5, 33}, {0, 2, 3, 1}}, {{1, 14, 14, 40}, {0, 3, 1, 2}}, {{3, 40, 9}, {0, 2, 1}},
      {{9, 8, 4, 10}, {3, 2, 0, 1}},  {{70, 8}, {1, 0}},              {{5, 2, 200}, {2, 1, 0}}};
  for (DType dt : {DType::Float32, DType::Int32, DType::UInt32, DType::Int16, DType::Int64}) {
    for (const auto& [shape, perm] : cases) {
      const Tensor x = random_tensor(dt, shape, -50, 50);
      check_equal(run_op(op("Transpose", {x}, {attr_ints("perm", perm)}))[0], naive_transpose(x, perm));
    }
  }
}

TEST_CASE("tensor.transpose: default perm reverses, large input uses the pool") {
  const Tensor x = random_tensor(DType::Float32, {17, 64, 129});
  check_equal(run_op(op("Transpose", {x}))[0], naive_transpose(x, {2, 1, 0}));
  check_error([&] { run_op(op("Transpose", {x}, {attr_ints("perm", {0, 0, 1})})); }, Status::InvalidModel, "repeats");
}

TEST_CASE("tensor.depth_to_space: DCR and CRD against the ONNX reshape/transpose definition") {
  const int64_t b = 2, N = 2, C = 8, H = 3, W = 5;
  const Tensor x = random_tensor(DType::Float32, {N, C, H, W});
  const int64_t c = C / (b * b);
  // DCR: out[n, c, h*b+i, w*b+j] = x[n, (i*b + j)*c + c', h, w]
  const Tensor dcr = remap(x, {N, c, H * b, W * b}, [&](const Dims& o) {
    return Dims{o[0], ((o[2] % b) * b + o[3] % b) * c + o[1], o[2] / b, o[3] / b};
  });
  check_equal(run_op(op("DepthToSpace", {x}, {attr_int("blocksize", b)}))[0], dcr);
  // CRD: out[n, c, h*b+i, w*b+j] = x[n, c*b*b + i*b + j, h, w]
  const Tensor crd = remap(x, {N, c, H * b, W * b}, [&](const Dims& o) {
    return Dims{o[0], o[1] * b * b + (o[2] % b) * b + o[3] % b, o[2] / b, o[3] / b};
  });
  check_equal(run_op(op("DepthToSpace", {x}, {attr_int("blocksize", b), attr_string("mode", "CRD")}))[0], crd);
  check_error([&] { run_op(op("DepthToSpace", {x}, {attr_int("blocksize", 3)})); }, Status::ShapeMismatch, "divisible");
}

TEST_CASE("tensor.space_to_depth: inverse of DepthToSpace DCR") {
  const Tensor x = random_tensor(DType::Int32, {1, 3, 6, 4}, -100, 100);
  const Tensor y = run_op(op("SpaceToDepth", {x}, {attr_int("blocksize", 2)}))[0];
  CHECK(y.shape() == Dims{1, 12, 3, 2});
  // out[n, (i*b + j)*C + c, h, w] = x[n, c, h*b+i, w*b+j]
  const Tensor want = remap(x, {1, 12, 3, 2}, [&](const Dims& o) {
    const int64_t c = o[1] % 3, ij = o[1] / 3;
    return Dims{o[0], c, o[2] * 2 + ij / 2, o[3] * 2 + ij % 2};
  });
  check_equal(y, want);
  check_equal(run_op(op("DepthToSpace", {y}, {attr_int("blocksize", 2)}))[0], x);
}

TEST_CASE("tensor.space_to_depth: CRD mode (opset 28) is the inverse of DepthToSpace CRD") {
  const Tensor x = random_tensor(DType::Float32, {2, 3, 4, 6});
  const ir::Attribute crd = attr_string("mode", "CRD");
  const Tensor y = run_op(op("SpaceToDepth", {x}, {attr_int("blocksize", 2), crd}, 1, 28))[0];
  // out[n, c*b*b + i*b + j, h, w] = x[n, c, h*b+i, w*b+j]
  const Tensor want = remap(x, {2, 12, 2, 3}, [&](const Dims& o) {
    const int64_t c = o[1] / 4, ij = o[1] % 4;
    return Dims{o[0], c, o[2] * 2 + ij / 2, o[3] * 2 + ij % 2};
  });
  check_equal(y, want);
  check_equal(run_op(op("DepthToSpace", {y}, {attr_int("blocksize", 2), crd}))[0], x);
  check_error([&] { run_op(op("SpaceToDepth", {x}, {attr_int("blocksize", 2), attr_string("mode", "XYZ")}, 1, 28)); },
              Status::Unsupported, "XYZ");
}

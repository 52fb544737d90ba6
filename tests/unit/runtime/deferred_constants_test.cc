// Deferred constants (ir/tensor.h) in a session: the plan materialises every one a run reads at
// creation, except a Gather table read on axis 0, which the kernel reads row by row in place.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "test_util.h"

namespace ember::test {
namespace {

// A [rows, cols] float32 table lying one byte off alignment (as the ONNX reader leaves large
// misaligned initializers), and its values.
struct Table {
  std::shared_ptr<std::vector<unsigned char>> file;
  Tensor view;
  Tensor values;
  Table(int64_t rows, int64_t cols) : values(random_tensor(DType::Float32, {rows, cols})) {
    file = std::make_shared<std::vector<unsigned char>>(values.nbytes() + 8);
    unsigned char* at = file->data() + (4 - reinterpret_cast<uintptr_t>(file->data()) % 4) % 4 + 1;
    std::memcpy(at, values.raw(), values.nbytes());
    view = Tensor::unaligned_view(DType::Float32, {rows, cols}, at, file);
  }
};

}  // namespace

TEST_CASE("deferred constants: Gather reads a deferred table in place on axis 0, materialised otherwise") {
  INFO("seed ", seed());
  const int64_t rows = 37, cols = 19;
  Tensor idx(DType::Int64, {2, 3});
  const int64_t picks[6] = {0, 36, 5, 5, -1, 17};
  std::memcpy(idx.raw(), picks, sizeof picks);
  for (const int64_t axis : {int64_t(0), int64_t(-2), int64_t(1)}) {
    CAPTURE(axis);
    Table t(rows, cols);
    Tensor small_idx = idx;
    if (axis == 1) {  // indices within the 19 columns
      const int64_t cpicks[6] = {0, 18, 5, 5, -1, 17};
      small_idx = Tensor(DType::Int64, {2, 3});
      std::memcpy(small_idx.raw(), cpicks, sizeof cpicks);
    }
    const std::vector<Tensor> got = run_op({"Gather", {t.view, small_idx}, {attr_int("axis", axis)}, 1, 13, "", {0}});
    REQUIRE(got.size() == 1);
    CHECK(t.view.deferred() == (axis != 1));  // the table stayed in its file on axis 0
    const std::vector<Tensor> want = run_op({"Gather", {t.values, small_idx}, {attr_int("axis", axis)}, 1, 13, "", {0}});
    check_close(got[0], want[0], Tier::Exact);
  }
}

TEST_CASE("deferred constants: a pending-scale constant a run reads gives its scaled values") {
  Table t(4, 6);
  const std::vector<double> s = {1.0, -2.0, 0.5, 3.0};
  const Tensor scaled = t.view.with_row_scale(s);
  const Tensor zero = Tensor::zeros(DType::Float32, {4, 6});
  const std::vector<Tensor> got = run_op({"Add", {scaled, zero}, {}, 1, 14, "", {0}});
  REQUIRE(got.size() == 1);
  CHECK(!scaled.deferred());  // materialised (by the plan, before the run)
  Tensor want(DType::Float32, {4, 6});
  for (int64_t i = 0; i < 24; ++i) want.data<float>()[i] = float(double(t.values.data<float>()[i]) * s[size_t(i / 6)]);
  check_close(got[0], want, Tier::Exact);
}

}  // namespace ember::test

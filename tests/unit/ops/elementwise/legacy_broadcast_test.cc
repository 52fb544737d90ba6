// Pre-opset-7 binary broadcasting (the `broadcast` / `axis` attributes: B laid onto A) and
// PRelu-6's per-channel slope, against hand-worked values.
#include <doctest/doctest.h>

#include "ew_test_util.h"

namespace ember::test {
namespace {

const DType F = DType::Float32;

Tensor run6(const std::string& op, std::vector<Tensor> ins, std::vector<ir::Attribute> attrs) {
  return ewt::run1(op, std::move(ins), std::move(attrs), 6);
}

TEST_CASE("legacy broadcast: B aligned with A's trailing dims or at axis") {
  const Tensor a = make_tensor(F, {2, 3}, {1, 2, 3, 4, 5, 6});
  // Trailing dims (no axis): B [3] is added to each row.
  check_close(run6("Add", {a, make_tensor(F, {3}, {10, 20, 30})}, {attr_int("broadcast", 1)}),
              make_tensor(F, {2, 3}, {11, 22, 33, 14, 25, 36}), Tier::Exact);
  // axis=0: B [2] runs along A's first dim (numpy broadcasting could not do this).
  check_close(run6("Add", {a, make_tensor(F, {2}, {100, 200})}, {attr_int("broadcast", 1), attr_int("axis", 0)}),
              make_tensor(F, {2, 3}, {101, 102, 103, 204, 205, 206}), Tier::Exact);
  // axis=1 inside a rank-3 A: out[i,j,k] = a[i,j,k] - b[j].
  const Tensor a3 = make_tensor(F, {2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  check_close(run6("Sub", {a3, make_tensor(F, {3}, {1, 2, 3})}, {attr_int("broadcast", 1), attr_int("axis", 1)}),
              make_tensor(F, {2, 3, 2}, {-1, 0, 0, 1, 1, 2, 5, 6, 6, 7, 7, 8}), Tier::Exact);
  // A size-1 dim of B expands over the A dim it lines up with.
  check_close(run6("Mul", {a, make_tensor(F, {2, 1}, {10, 20})}, {attr_int("broadcast", 1), attr_int("axis", 0)}),
              make_tensor(F, {2, 3}, {10, 20, 30, 80, 100, 120}), Tier::Exact);
  // One-element B of any rank up to A's, with or without axis.
  const Tensor a4 = make_tensor(F, {2, 2}, {1, 2, 3, 4});
  for (const Dims& bs : {Dims{}, Dims{1}, Dims{1, 1}}) {
    CAPTURE(dims_str(bs));
    check_close(run6("Div", {a4, make_tensor(F, bs, {2})}, {attr_int("broadcast", 1)}),
                make_tensor(F, {2, 2}, {0.5, 1, 1.5, 2}), Tier::Exact);
    check_close(run6("Div", {a4, make_tensor(F, bs, {2})}, {attr_int("broadcast", 1), attr_int("axis", 0)}),
                make_tensor(F, {2, 2}, {0.5, 1, 1.5, 2}), Tier::Exact);
  }
  // Integers: truncating division by a per-row divisor.
  check_close(run6("Div", {make_tensor(DType::Int32, {2, 2}, {7, 8, 9, 10}), make_tensor(DType::Int32, {2}, {2, 3})},
                   {attr_int("broadcast", 1), attr_int("axis", 0)}),
              make_tensor(DType::Int32, {2, 2}, {3, 4, 3, 3}), Tier::Exact);
  // Without 'broadcast', equal shapes work as always.
  check_close(run6("Add", {a4, a4}, {}), make_tensor(F, {2, 2}, {2, 4, 6, 8}), Tier::Exact);
}

TEST_CASE("legacy broadcast: comparisons and logic") {
  check_close(run6("Greater", {make_tensor(F, {2, 2}, {1, 5, 3, 2}), make_tensor(F, {2}, {2, 4})},
                   {attr_int("broadcast", 1)}),
              make_tensor(DType::Bool, {2, 2}, {0, 1, 1, 0}), Tier::Exact);
  check_close(run6("Equal", {make_tensor(DType::Int32, {2, 2}, {1, 2, 3, 4}), make_tensor(DType::Int32, {2}, {1, 4})},
                   {attr_int("broadcast", 1), attr_int("axis", 0)}),
              make_tensor(DType::Bool, {2, 2}, {1, 0, 0, 1}), Tier::Exact);
  check_close(run6("And", {make_tensor(DType::Bool, {2, 2}, {1, 1, 0, 1}), make_tensor(DType::Bool, {2}, {1, 0})},
                   {attr_int("broadcast", 1)}),
              make_tensor(DType::Bool, {2, 2}, {1, 0, 0, 0}), Tier::Exact);
}

TEST_CASE("legacy broadcast: shapes that do not fit are errors") {
  const Tensor a = random_tensor(F, {2, 3});
  auto st = [&](const Tensor& b, std::vector<ir::Attribute> attrs) {
    return ewt::status_of([&] { run6("Add", {a, b}, attrs); });
  };
  const ir::Attribute bc = attr_int("broadcast", 1);
  CHECK(st(random_tensor(F, {3}), {}) == Status::ShapeMismatch);             // no 'broadcast': must be equal
  CHECK(st(random_tensor(F, {2}), {bc}) == Status::ShapeMismatch);           // trailing dim is 3
  CHECK(st(random_tensor(F, {3}), {bc, attr_int("axis", 0)}) == Status::ShapeMismatch);
  CHECK(st(random_tensor(F, {3}), {bc, attr_int("axis", 2)}) == Status::ShapeMismatch);  // past A's rank
  CHECK(st(random_tensor(F, {1, 2, 3}), {bc}) == Status::ShapeMismatch);     // B of higher rank
  CHECK(st(random_tensor(F, {3}), {bc, attr_int("axis", -1)}) == Status::Unsupported);
  // B never grows A: A [2, 1] with B [3].
  CHECK(ewt::status_of([&] { run6("Mul", {random_tensor(F, {2, 1}), random_tensor(F, {3})}, {bc}); }) ==
        Status::ShapeMismatch);
  // From opset 7 numpy rules apply: B [2] does not broadcast with A [2, 3].
  CHECK(ewt::status_of([&] { ewt::run1("Add", {a, random_tensor(F, {2})}, {}, 7); }) == Status::ShapeMismatch);
}

TEST_CASE("legacy PRelu: shared, elementwise and per-channel slopes") {
  const Tensor x = make_tensor(F, {1, 3, 2}, {-2, 4, -4, -8, 1, -1});
  check_close(run6("PRelu", {x, make_tensor(F, {3}, {0.5, 0.25, 2})}, {}),
              make_tensor(F, {1, 3, 2}, {-1, 4, -1, -2, 1, -2}), Tier::Exact);
  // C equals the last dim: still per channel (dim 1), not along the last dim.
  const Tensor x2 = make_tensor(F, {2, 2, 2}, {-2, -2, -2, -2, -4, -4, -4, -4});
  check_close(run6("PRelu", {x2, make_tensor(F, {2}, {0.5, 0.25})}, {}),
              make_tensor(F, {2, 2, 2}, {-1, -1, -0.5, -0.5, -2, -2, -1, -1}), Tier::Exact);
  check_close(run6("PRelu", {make_tensor(F, {2}, {-10, 5}), make_tensor(F, {1}, {0.5})}, {attr_ints("consumed_inputs", {0, 0})}),
              make_tensor(F, {2}, {-5, 5}), Tier::Exact);
  check_close(run6("PRelu", {make_tensor(F, {2}, {-10, -4}), make_tensor(F, {2}, {0.5, 0.25})}, {}),
              make_tensor(F, {2}, {-5, -1}), Tier::Exact);
  // A slope along the last dim is opset-7 broadcasting, not defined before.
  CHECK(ewt::status_of([&] { run6("PRelu", {x, random_tensor(F, {2})}, {}); }) == Status::Unsupported);
  CHECK(ewt::status_of([&] { run6("PRelu", {x, random_tensor(F, {3, 1})}, {}); }) == Status::Unsupported);
}

}  // namespace
}  // namespace ember::test

// Random inputs for inputs not given (ember run --random-inputs, bench, verify): shapes with
// dynamic dims as 1, values in the documented ranges, a named error when no value can be made.
#include <doctest/doctest.h>

#include <random>

#include "opt/random_feed.h"

using namespace ember;

namespace {

runtime::IoInfo io(const char* name, DType dtype, std::vector<ir::Dim> dims, bool has_shape = true) {
  runtime::IoInfo i;
  i.name = name;
  i.type.dtype = dtype;
  i.type.has_shape = has_shape;
  i.type.dims = std::move(dims);
  return i;
}

}  // namespace

TEST_CASE("random_feed: integer inputs stay in [0, 1], so a 2-row token-type table is indexable") {
  std::mt19937_64 rng(7);
  const Tensor t = opt::random_feed(io("token_type_ids", DType::Int64, {ir::Dim::of(1), ir::Dim::of(256)}), rng);
  REQUIRE(t.numel() == 256);
  int seen[2] = {0, 0};
  for (int64_t i = 0; i < t.numel(); ++i) {
    const int64_t v = t.data<int64_t>()[i];
    REQUIRE((v == 0 || v == 1));
    ++seen[v];
  }
  CHECK(seen[0] > 0);  // both values occur: random, not constant
  CHECK(seen[1] > 0);
}

TEST_CASE("random_feed: floats in [-1, 1), dynamic dims become 1") {
  std::mt19937_64 rng(3);
  ir::Dim batch;  // dynamic
  const Tensor t = opt::random_feed(io("x", DType::Float32, {batch, ir::Dim::of(5)}), rng);
  REQUIRE(t.shape() == Dims{1, 5});
  for (int64_t i = 0; i < t.numel(); ++i) {
    CHECK(t.data<float>()[i] >= -1.0f);
    CHECK(t.data<float>()[i] < 1.0f);
  }
}

TEST_CASE("random_feed: an input of unknown rank is an error naming it") {
  std::mt19937_64 rng(1);
  CHECK_THROWS_WITH(opt::random_feed(io("mystery", DType::Float32, {}, false), rng),
                    doctest::Contains("'mystery' has an unknown rank"));
}

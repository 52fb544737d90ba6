// f32_conv_direct_pack_weights (kernels/dispatch/f32_conv_direct.cc) against the layout written
// out element by element: strips of mr rows of W [m][k], each [k][mr], the last strip's missing
// rows zero. The pack moves floats without arithmetic, so the comparison is exact. Sizes cover
// every strip width an entry uses (6, 8, 24, 64) and others, row counts around the 4-row
// register transpose and the strip width, and column counts around the 4-column transpose and
// the column blocks (256 columns at mr = 64, 680 at 24, 2048 at 8). Random weights from
// test::rng() (seed printed by main); the destination starts as NaN so that a float the pack
// fails to write shows up.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "kernels/dispatch/f32_conv_direct.h"
#include "conv2d_reference.h"
#include "test_util.h"

namespace ember::test {
namespace {

TEST_CASE("f32_conv_direct_pack_weights: strip layout, exact, every shape class") {
  for (int mr : {1, 3, 4, 6, 8, 24, 64})
    for (int64_t m : {1, 3, 4, 5, 7, 8, 17, 63, 64, 65, 130})
      for (int64_t k : {1, 3, 4, 5, 9, 63, 64, 65, 129, 257, 683, 2049}) {
        const std::vector<float> w = uniform_floats(size_t(m * k));
        std::vector<float> got(kernels::f32_conv_direct_packed_size(m, k, mr),
                               std::numeric_limits<float>::quiet_NaN());
        const int64_t strips = (m + mr - 1) / mr;
        REQUIRE(got.size() == size_t(strips * mr * k));
        kernels::f32_conv_direct_pack_weights(m, k, w.data(), mr, got.data());
        size_t bad = 0;
        for (int64_t s = 0; s < strips; ++s)
          for (int64_t i = 0; i < k; ++i)
            for (int r = 0; r < mr; ++r) {
              const int64_t row = s * mr + r;
              const float want = row < m ? w[size_t(row * k + i)] : 0.0f;
              const float g = got[size_t((s * k + i) * mr + r)];
              if (!(g == want)) ++bad;  // NaN (unwritten) counts as wrong
            }
        INFO("mr ", mr, " m ", m, " k ", k);
        CHECK(bad == 0);
      }
}

}  // namespace
}  // namespace ember::test

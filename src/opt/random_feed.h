#pragma once
// Random values for model inputs the user did not give: `ember run --random-inputs`, `ember bench`,
// `ember verify` and `ember.verify` all make them here, so they feed models the same way.

#include <random>

#include "ir/tensor.h"
#include "runtime/session.h"

namespace ember::opt {

// A tensor matching `io`: floats uniform in [-1, 1), integers in [0, 1], bools 0/1; dynamic dims
// become 1. Integers stay in [0, 1] because integer inputs are usually indices: a BERT export's
// token_type_ids index a table of 2 rows, attention masks are 0/1, and any vocabulary has
// ids 0 and 1. Unsupported (naming the input) for a non-tensor input or an unknown rank.
Tensor random_feed(const runtime::IoInfo& io, std::mt19937_64& rng);

}  // namespace ember::opt

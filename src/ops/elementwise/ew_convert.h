// Element conversion with defined results for every input, used by Cast, CastLike and Pow.
// C++ leaves float -> integer conversion undefined for NaN and out-of-range values (and UBSan
// rejects it); ONNX leaves the result unspecified. We pick the saturating answer: NaN -> 0,
// too large -> the type's max, too small -> its min. Integer -> integer wraps (modular), like
// numpy's astype. half / bfloat16 go through float.
#pragma once

#include <cmath>
#include <limits>
#include <type_traits>

#include "ops/elementwise/ew_types.h"

namespace ember::ops::ew {

template <class To, class From>
To convert(From v) {
  if constexpr (std::is_same_v<From, half> || std::is_same_v<From, bfloat16>) {
    return convert<To>(float(v));
  } else if constexpr (std::is_same_v<To, half> || std::is_same_v<To, bfloat16>) {
    if constexpr (std::is_same_v<From, bool>) return To(v ? 1.0f : 0.0f);
    else return To(float(v));
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    if (std::isnan(v)) return To(0);
    if (v >= From(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    if (v <= From(std::numeric_limits<To>::min())) return std::numeric_limits<To>::min();
    return static_cast<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace ember::ops::ew

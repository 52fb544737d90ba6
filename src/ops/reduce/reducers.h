// The ten Reduce* folds as small accumulator objects: default-constructed = empty set,
// add(x) folds one element, finish(n) yields the output element after n elements.
//
// Accumulation is wide on purpose: floating types sum in double (float32 sums over long axes
// lose digits otherwise), integers in 64 bits (so int32 sums wrap exactly like int32 arithmetic
// would, without signed-overflow UB in the narrow type). Max/Min propagate NaN like numpy.
// Empty sets follow the ONNX spec: Max -> lowest (-inf), Min -> highest (+inf), Prod -> 1,
// LogSum / LogSumExp -> -inf, the sums -> 0; Mean of nothing is 0/0 (NaN for floats; the
// kernel rejects it for integers before computing). LogSum / LogSumExp only take floating
// inputs (the kernel checks), as in the ONNX reference.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "ir/dtype.h"

namespace ember::ops::reduce {

enum class ReduceKind { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

template <class T>
constexpr bool is_floating_v = std::is_floating_point_v<T> || std::is_same_v<T, half> ||
                               std::is_same_v<T, bfloat16>;

// The accumulator type for element type T.
template <class T>
using wide_t = std::conditional_t<is_floating_v<T>, double,
                                  std::conditional_t<std::is_unsigned_v<T> && !std::is_same_v<T, bool>,
                                                     uint64_t, int64_t>>;

// Converts an accumulator back to T; integers wrap modulo 2^bits like the narrow arithmetic.
template <class T, class W>
T narrow(W v) {
  if constexpr (std::is_same_v<T, bool>) return v != W(0);
  else return static_cast<T>(v);
}

template <ReduceKind K, class T>
struct Reducer {
  using W = wide_t<T>;
  W acc = init();

  static constexpr W init() {
    if constexpr (K == ReduceKind::Max) {
      if constexpr (is_floating_v<T>) return -std::numeric_limits<double>::infinity();
      else return W(std::numeric_limits<T>::lowest());
    } else if constexpr (K == ReduceKind::Min) {
      if constexpr (is_floating_v<T>) return std::numeric_limits<double>::infinity();
      else return W(std::numeric_limits<T>::max());
    } else if constexpr (K == ReduceKind::Prod) {
      return W(1);
    } else {
      return W(0);
    }
  }

  void add(T raw) {
    const W x = W(raw);
    if constexpr (K == ReduceKind::Max) {
      if (x > acc || x != x) acc = (acc != acc) ? acc : x;
    } else if constexpr (K == ReduceKind::Min) {
      if (x < acc || x != x) acc = (acc != acc) ? acc : x;
    } else if constexpr (K == ReduceKind::Prod) {
      acc *= x;
    } else if constexpr (K == ReduceKind::L1) {
      if constexpr (std::is_unsigned_v<W>) acc += x;
      else acc += x < W(0) ? W(0) - x : x;
    } else if constexpr (K == ReduceKind::L2 || K == ReduceKind::SumSquare) {
      acc += x * x;
    } else {  // Sum, Mean, LogSum
      acc += x;
    }
  }

  T finish(int64_t n) const {
    if constexpr (K == ReduceKind::Mean) {
      if constexpr (is_floating_v<T>) return T(acc / double(n));
      else return n == 0 ? T(0) : narrow<T>(W(acc / W(n)));
    } else if constexpr (K == ReduceKind::L2) {
      return T(std::sqrt(double(acc)));
    } else if constexpr (K == ReduceKind::LogSum) {
      return T(std::log(double(acc)));
    } else {
      return narrow<T>(acc);
    }
  }
};

// log(sum(exp(x))) computed online with a running maximum, so large inputs do not overflow.
template <class T>
struct Reducer<ReduceKind::LogSumExp, T> {
  double max = -std::numeric_limits<double>::infinity();
  double sum = 0;  // sum of exp(x - max)

  void add(T raw) {
    const double x = double(raw);
    if (x == -std::numeric_limits<double>::infinity()) return;  // exp(-inf) adds nothing
    if (std::isinf(max) && max > 0 && !std::isnan(x)) return;   // already +inf
    if (x > max) {
      sum = sum * std::exp(max - x) + 1.0;
      max = x;
    } else {
      sum += std::exp(x - max);  // NaN x or NaN max makes sum NaN, as it should
    }
  }
  T finish(int64_t) const {
    if (sum == 0) return T(-std::numeric_limits<double>::infinity());
    return T(max + std::log(sum));
  }
};

}  // namespace ember::ops::reduce

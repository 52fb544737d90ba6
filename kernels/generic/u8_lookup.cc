// The portable byte lookup (kernels/dispatch/u8_lookup.h): one load per byte.
#include "kernels/dispatch/u8_lookup.h"

namespace ember::kernels {
namespace {

void lookup(const uint8_t* x, int64_t n, const uint8_t* table, uint8_t* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = table[x[i]];
}

}  // namespace

const U8LookupKernels& u8_lookup_generic_kernels() {
  static constexpr U8LookupKernels k{"u8_lookup__generic", lookup};
  return k;
}

}  // namespace ember::kernels

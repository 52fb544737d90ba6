// Every byte lookup entry (generic; native AVX-512 VBMI when this CPU has it; the same source
// via SIMDe always) against table[x[i]] computed here: lengths around the 64-byte step (tails
// through the buffer), every index value, random tables, and nothing written past n.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/dispatch/u8_lookup.h"
#include "test_util.h"

namespace ember::test {
namespace {

std::vector<const kernels::U8LookupKernels*> entries() {
  std::vector<const kernels::U8LookupKernels*> ks{&kernels::u8_lookup_generic_kernels()};
#if EMBER_HAVE_X86_KERNELS
  const uint32_t vbmi = kernels::kCpuAvx512f | kernels::kCpuAvx512bw | kernels::kCpuAvx512vbmi;
  if ((kernels::cpu_features() & vbmi) == vbmi) ks.push_back(&kernels::avx512::u8_lookup_vbmi_kernels());
#endif
#ifdef EMBER_TEST_AVX512_SIMDE
  ks.push_back(&kernels::avx512_simde::u8_lookup_vbmi_kernels());
#endif
  return ks;
}

}  // namespace

TEST_CASE("u8 lookup entries vs table[x]: lengths, every index, no write past n") {
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<uint8_t> table(256);
  for (uint8_t& t : table) t = uint8_t(byte(rng()));
  for (const kernels::U8LookupKernels* k : entries())
    for (int64_t n : {0, 1, 7, 49, 63, 64, 65, 127, 196, 256, 784, 1000}) {
      CAPTURE(k->name);
      CAPTURE(n);
      std::vector<uint8_t> x(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) x[size_t(i)] = uint8_t(n >= 256 && i < 256 ? i : byte(rng()));  // all 256 values
      std::vector<uint8_t> y(size_t(n) + 64, 0xA5);
      k->lookup(x.data(), n, table.data(), y.data());
      int bad = 0;
      for (int64_t i = 0; i < n; ++i) bad += y[size_t(i)] != table[x[size_t(i)]];
      for (size_t i = size_t(n); i < y.size(); ++i) bad += y[i] != 0xA5;
      CHECK(bad == 0);
    }
}

}  // namespace ember::test

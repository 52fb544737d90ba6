// CPU feature detection and the kernel table: complete at every cap, capped by EMBER_ISA,
// unknown EMBER_ISA values refused by name.
#include <doctest/doctest.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "kernels/cpu_features.h"
#include "kernels/dispatch/kernel_table.h"

namespace ember::test {
namespace {

using kernels::Isa;

TEST_CASE("cpu features: cached value matches a fresh probe; implied features hold") {
  const uint32_t f = kernels::cpu_features();
  CHECK(f == kernels::detect_cpu_features());
  const std::string features = "cpu features: " + kernels::cpu_features_string(f);
  MESSAGE(features);
  if (f & kernels::kCpuAvx2) CHECK((f & kernels::kCpuAvx));
  if (f & kernels::kCpuFma) CHECK((f & kernels::kCpuAvx));
  if (f & kernels::kCpuAvx512f) CHECK((f & kernels::kCpuAvx2));  // OS YMM state is implied too
  CHECK(kernels::cpu_features_string(0) == "none");
}

TEST_CASE("kernel table: complete at every cap, never above what the CPU has") {
  const uint32_t f = kernels::cpu_features();
  for (Isa cap : {Isa::Generic, Isa::Avx2, Isa::Avx512}) {
    const kernels::KernelTable t = kernels::make_kernel_table(f, cap);
    REQUIRE(t.f32_gemm != nullptr);
    CHECK(bool(t.f32_gemm->packed_b_size));
    CHECK(bool(t.f32_gemm->pack_b));
    CHECK(bool(t.f32_gemm->gemm_packed));
    CHECK(bool(t.f32_gemm->packed_b_offset));
    CHECK(bool(t.f32_gemm->packed_a_size));
    CHECK(bool(t.f32_gemm->packed_a_offset));
    CHECK(bool(t.f32_gemm->pack_a));
    CHECK(bool(t.f32_gemm->gemm_packed_a));
    CHECK(t.f32_gemm->mr >= 1);
    CHECK(t.f32_gemm->nr >= 1);
    CHECK(t.isa <= cap);
  }
  CHECK(std::string(kernels::make_kernel_table(f, Isa::Generic).f32_gemm->name) == "f32_gemm__generic");
  // No features at all: generic, whatever the cap.
  CHECK(kernels::make_kernel_table(0, Isa::Avx512).isa == Isa::Generic);
#if EMBER_HAVE_X86_KERNELS
  const uint32_t avx2 = kernels::kCpuAvx | kernels::kCpuAvx2 | kernels::kCpuFma;
  CHECK(std::string(kernels::make_kernel_table(avx2, Isa::Avx512).f32_gemm->name) == "f32_gemm_6x16__avx2_fma");
  CHECK(kernels::make_kernel_table(avx2 | kernels::kCpuAvx512f, Isa::Avx512).isa == Isa::Avx512);
  CHECK(kernels::make_kernel_table(avx2 | kernels::kCpuAvx512f, Isa::Avx2).isa == Isa::Avx2);
  CHECK(kernels::make_kernel_table(kernels::kCpuAvx | kernels::kCpuAvx2, Isa::Avx512).isa == Isa::Generic);  // no FMA
#endif
  const std::string chosen = std::string("kernel table: ") + kernels::isa_name(kernels::kernel_table().isa) +
                             ", f32 gemm " + kernels::kernel_table().f32_gemm->name;
  MESSAGE(chosen);
}

TEST_CASE("EMBER_ISA: parsed, capped, unknown values refused by name") {
  CHECK(kernels::parse_isa("generic") == Isa::Generic);
  CHECK(kernels::parse_isa("avx2") == Isa::Avx2);
  CHECK(kernels::parse_isa("avx512") == Isa::Avx512);
  CHECK_FALSE(kernels::parse_isa("AVX2").has_value());
  CHECK_FALSE(kernels::parse_isa("").has_value());

  const char* old = std::getenv("EMBER_ISA");
  const std::string saved = old ? old : "";
  setenv("EMBER_ISA", "avx2", 1);
  CHECK(kernels::isa_cap_from_env() == Isa::Avx2);
  setenv("EMBER_ISA", "sse9", 1);
  try {
    kernels::isa_cap_from_env();
    FAIL("EMBER_ISA=sse9 accepted");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("sse9") != std::string::npos);
  }
  unsetenv("EMBER_ISA");
  CHECK(kernels::isa_cap_from_env() == Isa::Avx512);
  if (old) setenv("EMBER_ISA", saved.c_str(), 1);
}

}  // namespace
}  // namespace ember::test

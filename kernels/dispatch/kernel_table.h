// The kernel function table: filled with the generic kernels first, then each entry is
// overwritten by the best implementation the CPU (and the EMBER_ISA cap) allows, so every
// entry is always callable. Built once, on first use of kernel_table().
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "kernels/dispatch/f32_gemm.h"

namespace ember::kernels {

// Ordered: a cap at one level allows every level below it.
enum class Isa : int { Generic = 0, Avx2 = 1, Avx512 = 2 };

const char* isa_name(Isa isa);
// "generic" | "avx2" | "avx512"; nullopt for anything else.
std::optional<Isa> parse_isa(std::string_view s);
// The cap from the EMBER_ISA environment variable (Avx512 = no cap when unset). An unknown
// value throws std::invalid_argument naming it, rather than silently running something else.
Isa isa_cap_from_env();

struct KernelTable {
  Isa isa = Isa::Generic;  // the highest level any entry uses
  const F32GemmKernels* f32_gemm = nullptr;
};

// The table for a given feature bitmask and cap (tests build tables for lower levels with it).
KernelTable make_kernel_table(uint32_t cpu_features, Isa cap);
// make_kernel_table(cpu_features(), isa_cap_from_env()), built once.
const KernelTable& kernel_table();

}  // namespace ember::kernels

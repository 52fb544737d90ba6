// int8 depthwise convolution for AVX2: 8 output columns per ymm, two kernel rows per vpmaddwd
// (kernels/x86/u8s8_dwconv_rows.h).
#include <immintrin.h>
#define EMBER_U8S8_NS avx2

#include "kernels/x86/u8s8_dwconv_rows.h"

namespace ember::kernels::avx2 {

const U8S8DwConvKernels& u8s8_dwconv_kernels() {
  static constexpr U8S8DwConvKernels k = DwDriver<DwYmm>::kernels("u8s8_dwconv__avx2");
  return k;
}

}  // namespace ember::kernels::avx2

#include "backends/cpu/gemm_conv/weight_rows.h"

#include <memory>
#include <vector>

namespace ember::backends::gemm_conv {

float* weight_stage(size_t floats) {
  // Over-allocated by 15 floats and aligned by hand: std::vector only promises 16 bytes.
  thread_local std::vector<float> buffer;
  if (buffer.size() < floats + 15) buffer.resize(floats + 15);
  void* p = buffer.data();
  size_t room = buffer.size() * sizeof(float);
  return static_cast<float*>(std::align(64, floats * sizeof(float), p, room));
}

}  // namespace ember::backends::gemm_conv

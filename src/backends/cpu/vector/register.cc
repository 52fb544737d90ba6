// Registers the native elementwise, normalisation, pooling, reduction and attention kernels.
#include "backends/cpu/native_registry.h"
#include "backends/cpu/vector/vector_ops.h"

namespace ember::backends {

void register_vector_kernels(NativeRegistry& r) {
  vector::register_unary_ops(r);
  vector::register_binary_ops(r);
  vector::register_softmax_ops(r);
  vector::register_norm_ops(r);
  vector::register_pool_ops(r);
  vector::register_reduce_ops(r);
  vector::register_attention_ops(r);
}

}  // namespace ember::backends

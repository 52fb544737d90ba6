// The list of fusion passes (levels 2 and 3), in the order they run.
#include "opt/optimizer.h"

namespace ember::opt {

std::vector<std::unique_ptr<Pass>> fusion_passes() { return {}; }

}  // namespace ember::opt

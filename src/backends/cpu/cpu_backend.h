#pragma once

#include "runtime/backend.h"

namespace ember::backends {

const runtime::Backend& cpu_backend();

}  // namespace ember::backends

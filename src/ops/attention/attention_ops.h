// Registration entry points of the attention op folder, one per file.
#pragma once

#include "ops/op_registry.h"

namespace ember::ops {

void add_attention_op(OpRegistry& r);  // attention.cc

}  // namespace ember::ops

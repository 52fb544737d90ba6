// The portable depthwise convolution entry (see kernels/dispatch/f32_conv.h): the same
// phase-split padded plane as the vector entries, scalar loops over it.
#pragma once

#include "kernels/dispatch/f32_conv.h"

namespace ember::kernels {

// One channel, any kernel size (the generic table's 3x3, 5x5 and "any" entries).
void f32_dwconv2d_generic(const DwConv2dGeom& g, const float* x, const float* w, const DwEpilogue& ep, float* y,
                          float* scratch);

}  // namespace ember::kernels

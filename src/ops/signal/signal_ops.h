// The op families of src/ops/signal/, one per file, each registering its schemas.
#pragma once

namespace ember::ops {

class OpRegistry;

void add_window_ops(OpRegistry& r);  // HannWindow, HammingWindow, BlackmanWindow, MelWeightMatrix
void add_dft_ops(OpRegistry& r);     // DFT, STFT

}  // namespace ember::ops

// One registration function per op folder; each folder is owned by one family of ops.
#pragma once

namespace ember::ops {

class OpRegistry;

void register_elementwise_ops(OpRegistry& r);  // src/ops/elementwise/
void register_nn_ops(OpRegistry& r);           // src/ops/nn/
void register_tensor_ops(OpRegistry& r);       // src/ops/tensor/
void register_reduce_ops(OpRegistry& r);       // src/ops/reduce/
void register_control_ops(OpRegistry& r);      // src/ops/control/
void register_attention_ops(OpRegistry& r);    // src/ops/attention/ (Attention, RMSNorm, RoPE...)
void register_quant_ops(OpRegistry& r);        // src/ops/quant/ (Quantize/Dequantize, QLinear*, *Integer)
void register_rnn_ops(OpRegistry& r);          // src/ops/rnn/ (RNN, GRU, LSTM)
void register_text_ops(OpRegistry& r);         // src/ops/text/ (string ops)
void register_ml_ops(OpRegistry& r);           // src/ops/ml/ (domain ai.onnx.ml)
void register_signal_ops(OpRegistry& r);       // src/ops/signal/ (DFT, STFT, windows)
void register_ember_ops(OpRegistry& r);        // src/ops/ember/ (domain ai.ember: fused ops)

void register_all_ops(OpRegistry& r);

}  // namespace ember::ops

#include "ops/attention/attention_bias.h"

#include <limits>

#include "ops/attention/attention_util.h"
#include "ops/op_util.h"

namespace ember::ops::attn {

namespace {
constexpr double kNegInf = -std::numeric_limits<double>::infinity();
}

void AttnBias::set_mask(const std::string& node, const Tensor& m) {
  EMBER_CHECK(m.rank() >= 1 && m.rank() <= 4, ShapeMismatch, node, ": attn_mask must have rank 1 to 4, given ",
              dims_str(m.shape()));
  EMBER_CHECK(m.dtype() == DType::Bool || is_float_type(m.dtype()), TypeMismatch, node,
              ": attn_mask must be bool or a float type, given ", dtype_name(m.dtype()));
  mask_shape = Dims(4 - m.rank(), 1);
  mask_shape.insert(mask_shape.end(), m.shape().begin(), m.shape().end());
  const Dims want = {batch, q_heads, q_len};
  for (size_t k = 0; k < 3; ++k)
    EMBER_CHECK(mask_shape[k] == 1 || mask_shape[k] == want[k], ShapeMismatch, node, ": attn_mask of shape ",
                dims_str(m.shape()), " cannot be broadcast to [batch, q_num_heads, q_sequence_length] = ",
                dims_str(want));
  // A shorter key axis is padded with "masked" (the reference pads with False / -inf).
  EMBER_CHECK(mask_shape[3] <= kv_len, ShapeMismatch, node, ": attn_mask of shape ", dims_str(m.shape()),
              " has more keys than the total key sequence length ", kv_len);
  has_mask = true;
  mask_bool = m.dtype() == DType::Bool;
  mask = read_doubles(m);
  if (!mask_bool)
    for (double& v : mask) v = round_to(dtype, v);
}

void AttnBias::set_nonpad(const std::string& node, const Tensor& n) {
  EMBER_CHECK(n.dtype() == DType::Int64, TypeMismatch, node, ": nonpad_kv_seqlen must be int64, given ",
              dtype_name(n.dtype()));
  EMBER_CHECK(n.rank() == 1 && n.dim(0) == batch, ShapeMismatch, node,
              ": nonpad_kv_seqlen must have shape [batch_size] = [", batch, "], given ", dims_str(n.shape()));
  nonpad = n.to_int64_vector();
}

void AttnBias::row(int64_t b, int64_t h, int64_t i, double* out) const {
  const bool ext_cache = !nonpad.empty();
  // Keys that precede this query block: the external cache's valid length minus the block, the
  // internal cache's length, or 0. Negative offsets fully mask the leading rows, as specified.
  const int64_t offset = ext_cache ? nonpad[size_t(b)] - q_len : past_len;
  const double* mrow = nullptr;
  if (has_mask) {
    const int64_t mb = mask_shape[0] == 1 ? 0 : b, mh = mask_shape[1] == 1 ? 0 : h;
    const int64_t mi = mask_shape[2] == 1 ? 0 : i;
    mrow = mask.data() + ((mb * mask_shape[1] + mh) * mask_shape[2] + mi) * mask_shape[3];
  }
  for (int64_t j = 0; j < kv_len; ++j) {
    double m = 0.0;
    if (mrow) {
      if (j >= mask_shape[3]) m = kNegInf;
      else if (mask_bool) m = mrow[j] != 0.0 ? 0.0 : kNegInf;
      else m = mrow[j];
    }
    double v = m;
    if (causal) v = v + (j <= i + offset ? 0.0 : kNegInf);
    if (left >= 0 || right >= 0) {
      const int64_t diff = i + offset - j;
      const bool ok = (left < 0 || diff <= left) && (right < 0 || -diff <= right);
      v = v + (ok ? 0.0 : kNegInf);
    }
    if (ext_cache) v = v + (j < nonpad[size_t(b)] ? 0.0 : kNegInf);
    out[j] = v;
  }
}

}  // namespace ember::ops::attn

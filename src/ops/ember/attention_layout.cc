#include "ops/ember/attention_layout.h"

#include "ops/ember/ember_util.h"
#include "support/error.h"

namespace ember::ops::ember_op {

AttentionLayout attention_layout(const std::string& node, int64_t heads, const Tensor& q, const Tensor* k,
                                 const Tensor* v) {
  EMBER_CHECK((k == nullptr) == (v == nullptr), InvalidModel, node,
              ": K and V must both be given, or both omitted (packed QKV)");
  AttentionLayout l;
  l.H = heads;
  if (!k) {
    require_f32(node, q, "QKV");
    EMBER_CHECK(q.rank() == 3 && q.dim(2) % (3 * heads) == 0, ShapeMismatch, node,
                ": packed QKV must be [B, S, 3*H*D] with H=", heads, ", given ", dims_str(q.shape()));
    l.B = q.dim(0);
    l.S = l.T = q.dim(1);
    l.Dh = l.Dv = q.dim(2) / (3 * heads);
    l.ldq = l.ldk = l.ldv = q.dim(2);
    l.q = q.data<float>();
    l.k = l.q + heads * l.Dh;
    l.v = l.k + heads * l.Dh;
    return l;
  }
  for (const auto& [t, what] : {std::pair{&q, "Q"}, std::pair{k, "K"}, std::pair{v, "V"}}) {
    require_f32(node, *t, what);
    EMBER_CHECK(t->rank() == 3 && t->dim(2) % heads == 0, ShapeMismatch, node, ": ", what,
                " must be [B, S, H*D] with H=", heads, ", given ", dims_str(t->shape()));
  }
  l.B = q.dim(0);
  l.S = q.dim(1);
  l.T = k->dim(1);
  l.Dh = q.dim(2) / heads;
  l.Dv = v->dim(2) / heads;
  EMBER_CHECK(k->dim(0) == l.B && v->dim(0) == l.B && v->dim(1) == l.T && k->dim(2) == q.dim(2), ShapeMismatch, node,
              ": Q ", dims_str(q.shape()), ", K ", dims_str(k->shape()), " and V ", dims_str(v->shape()),
              " do not agree on batch, key length or head size");
  l.ldq = q.dim(2);
  l.ldk = k->dim(2);
  l.ldv = v->dim(2);
  l.q = q.data<float>();
  l.k = k->data<float>();
  l.v = v->data<float>();
  return l;
}

}  // namespace ember::ops::ember_op

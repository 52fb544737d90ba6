#include "ops/op_registry.h"
#include "ops/register_all.h"
#include "ops/text/text_ops.h"

namespace ember::ops {

void register_text_ops(OpRegistry& r) {
  text::add_string_ops(r);
  text::add_regex_ops(r);
  text::add_tfidf_ops(r);
}

}  // namespace ember::ops

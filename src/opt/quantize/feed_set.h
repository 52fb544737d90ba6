// A list of feed dicts read on demand: calibration passes over it twice, and a directory of
// .npz files (the CLI) or a Python list should not have to sit in memory as tensors at once.
#pragma once

#include <functional>
#include <string>

#include "runtime/session.h"

namespace ember::opt::quantize {

struct FeedSet {
  size_t count = 0;
  std::function<runtime::Feeds(size_t i)> get;        // the i-th feed dict
  std::function<std::string(size_t i)> describe;      // "calibration/007.npz", for errors
  bool empty() const { return count == 0; }
  std::string name_of(size_t i) const { return describe ? describe(i) : "feed " + std::to_string(i); }
};

// Runs `s` on feed i of `feeds`, prefixing any error with the feed's name (a wrong input name,
// dtype or shape in one file of a directory should say which file).
std::vector<Tensor> run_feed(const runtime::Session& s, const FeedSet& feeds, size_t i,
                             const std::vector<std::string>& outputs = {});

// A progress bar on stderr ("calibrating [#####     ] 12/24"), redrawn in place; silent when
// `enabled` is false.
class Progress {
 public:
  Progress(std::string what, size_t total, bool enabled);
  void step();  // one more item done
  ~Progress();  // ends the line

 private:
  void draw() const;
  std::string what_;
  size_t total_, done_ = 0;
  bool enabled_;
};

}  // namespace ember::opt::quantize

#include "opt/quantize/feed_set.h"

#include <iostream>

#include "support/error.h"

namespace ember::opt::quantize {

std::vector<Tensor> run_feed(const runtime::Session& s, const FeedSet& feeds, size_t i,
                             const std::vector<std::string>& outputs) {
  runtime::Feeds f = feeds.get(i);
  try {
    return s.run(f, outputs);
  } catch (const Error& e) {
    fail(e.status(), feeds.name_of(i), ": ", e.what());
  }
}

Progress::Progress(std::string what, size_t total, bool enabled)
    : what_(std::move(what)), total_(total), enabled_(enabled && total > 0) {
  draw();
}

void Progress::step() {
  ++done_;
  draw();
}

void Progress::draw() const {
  if (!enabled_) return;
  constexpr size_t kWidth = 30;
  const size_t filled = total_ ? done_ * kWidth / total_ : kWidth;
  std::cerr << "\r" << what_ << " [" << std::string(filled, '#') << std::string(kWidth - filled, ' ') << "] "
            << done_ << "/" << total_ << std::flush;
}

Progress::~Progress() {
  if (enabled_) std::cerr << "\n" << std::flush;
}

}  // namespace ember::opt::quantize

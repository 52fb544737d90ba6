// A C++17 host program written only against the installed <ember/ember.hpp>: loads the digits
// model, classifies two known images and checks the predicted labels.
//
//   consumer_cpp MODEL        exit 0 when both images are classified correctly
#include <ember/ember.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <vector>

#include "../common/digits.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consumer_cpp MODEL\n";
    return 2;
  }
  std::cout << "consumer_cpp: ember " << ember_version() << "\n";
  try {
    ember::Session session(argv[1], ember::Options().set("threads", "1"));
    std::vector<float> pixels(DIGITS_COUNT * 64);
    for (int i = 0; i < DIGITS_COUNT; ++i)
      for (int k = 0; k < 64; ++k) pixels[i * 64 + k] = float(kDigitsPixels[i][k]) / 16.0f;
    ember::Tensor x = ember::Tensor::borrow(EMBER_FLOAT32, {DIGITS_COUNT, 1, 8, 8}, pixels.data());
    std::vector<ember::Tensor> y = session.run({{session.input(0).name, &x}});
    if (y.size() != 1 || y[0].shape() != std::vector<int64_t>{DIGITS_COUNT, 10}) {
      std::cerr << "consumer_cpp: unexpected output\n";
      return 1;
    }
    const float* logits = y[0].data<float>();
    int rc = 0;
    for (int i = 0; i < DIGITS_COUNT; ++i) {
      int best = int(std::max_element(logits + i * 10, logits + i * 10 + 10) - (logits + i * 10));
      std::cout << "consumer_cpp: image " << i << ": predicted " << best << ", label "
                << kDigitsLabels[i] << "\n";
      if (best != kDigitsLabels[i]) rc = 1;
    }
    // Errors surface as ember::Exception with the C status.
    try {
      ember::Session missing("does-not-exist.onnx");
      std::cerr << "consumer_cpp: opening a missing model did not throw\n";
      rc = 1;
    } catch (const ember::Exception& e) {
      if (e.status() == EMBER_OK) rc = 1;
    }
    std::cout << (rc == 0 ? "consumer_cpp: ok\n" : "consumer_cpp: WRONG RESULT\n");
    return rc;
  } catch (const ember::Exception& e) {
    std::cerr << "consumer_cpp: " << e.what() << "\n";
    return 1;
  }
}

/* Two held-out images of models/digits_samples.npz (indices 0 and 3; labels 7 and 3, both
 * classified correctly by onnxruntime), as the 0..16 integers of scikit-learn's digits set.
 * The model's input is these values divided by 16, shape [N, 1, 8, 8]. */
#ifndef EMBER_CONSUMER_DIGITS_H_
#define EMBER_CONSUMER_DIGITS_H_

#define DIGITS_COUNT 2
static const int kDigitsLabels[DIGITS_COUNT] = {7, 3};
static const unsigned char kDigitsPixels[DIGITS_COUNT][64] = {
  {0, 0, 7, 16, 16, 15, 5, 0,   0, 0, 9, 12, 15, 16, 7, 0,   0, 0, 0, 0, 9, 15, 1, 0,
   0, 0, 7, 12, 15, 15, 8, 0,   0, 1, 16, 16, 16, 13, 5, 0,  0, 0, 0, 14, 10, 0, 0, 0,
   0, 0, 5, 16, 2, 0, 0, 0,     0, 0, 8, 14, 1, 0, 0, 0},
  {0, 0, 12, 16, 15, 1, 0, 0,  0, 5, 16, 10, 15, 8, 0, 0,  0, 1, 7, 3, 14, 6, 0, 0,
   0, 0, 0, 12, 16, 7, 0, 0,   0, 0, 0, 3, 13, 16, 6, 0,   0, 0, 4, 0, 0, 15, 11, 0,
   0, 2, 16, 10, 11, 16, 7, 0, 0, 0, 10, 16, 16, 10, 1, 0}};

#endif

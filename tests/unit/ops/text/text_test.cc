// String ops on small hand-written cases (expected values written out here), and their
// refusals: what the reference cannot do exactly must be Unsupported, not a guess.
#include <doctest/doctest.h>

#include "support/error.h"
#include "test_util.h"

namespace ember::test {
namespace {

Tensor strs(const Dims& shape, const std::vector<std::string>& v) {
  Tensor t(DType::String, shape);
  for (size_t i = 0; i < v.size(); ++i) t.data<std::string>()[i] = v[i];
  return t;
}

std::vector<std::string> values(const Tensor& t) {
  REQUIRE(t.dtype() == DType::String);
  return std::vector<std::string>(t.data<std::string>(), t.data<std::string>() + t.numel());
}

}  // namespace

TEST_CASE("text: StringSplit follows Python's str.split") {
  auto out = run_op({"StringSplit", {strs({3}, {"  a b\tc ", "", "x"})}, {}, 2, 20});
  CHECK(out[0].shape() == Dims{3, 3});
  CHECK(values(out[0]) == std::vector<std::string>{"a", "b", "c", "", "", "", "x", "", ""});
  CHECK(to_doubles(out[1]) == std::vector<double>{3, 0, 1});
  out = run_op({"StringSplit", {strs({2}, {"a--b", "-"})}, {attr_string("delimiter", "-"), attr_int("maxsplit", 1)}, 2, 20});
  CHECK(values(out[0]) == std::vector<std::string>{"a", "-b", "", ""});
  out = run_op({"StringSplit", {strs({1}, {" a b c "})}, {attr_int("maxsplit", 1)}, 2, 20});
  CHECK(values(out[0]) == std::vector<std::string>{"a", "b c "});
}

TEST_CASE("text: StringConcat broadcasts; StringNormalizer removes stopwords and changes case") {
  auto out = run_op({"StringConcat", {strs({2}, {"a", "b"}), strs({}, {"!"})}, {}, 1, 20});
  CHECK(values(out[0]) == std::vector<std::string>{"a!", "b!"});
  out = run_op({"StringNormalizer", {strs({1, 3}, {"Monday", "tuesday", "MONDAY"})},
                {attr_strings("stopwords", {"monday"}), attr_string("case_change_action", "UPPER")}, 1, 10});
  CHECK(out[0].shape() == Dims{1, 1});
  CHECK(values(out[0]) == std::vector<std::string>{"TUESDAY"});
  out = run_op({"StringNormalizer", {strs({1}, {"monday"})}, {attr_strings("stopwords", {"monday"})}, 1, 10});
  CHECK(values(out[0]) == std::vector<std::string>{""});
  CHECK(status_of({"StringNormalizer", {strs({1}, {"\xc3\x89t\xc3\xa9"})}, {attr_string("case_change_action", "LOWER")},
                   1, 10}) == Status::Unsupported);
  CHECK(status_of({"StringNormalizer", {strs({2, 2}, {"a", "b", "c", "d"})}, {}, 1, 10}) == Status::ShapeMismatch);
  CHECK(status_of({"StringNormalizer", {strs({1}, {"a"})}, {attr_string("case_change_action", "TITLE")}, 1, 10}) ==
        Status::InvalidModel);
}

TEST_CASE("text: RegexFullMatch matches whole strings and refuses what RE2 would read differently") {
  auto out = run_op({"RegexFullMatch", {strs({3}, {"www.a.com", "xwww.a.com", "www.com"})},
                     {attr_string("pattern", R"(www\.[\w.-]+\.com)")}, 1, 20});
  CHECK(to_doubles(out[0]) == std::vector<double>{1, 0, 0});
  CHECK(status_of({"RegexFullMatch", {strs({1}, {"a"})}, {attr_string("pattern", "(?i)a")}, 1, 20}) ==
        Status::Unsupported);
  CHECK(status_of({"RegexFullMatch", {strs({1}, {"aa"})}, {attr_string("pattern", R"((a)\1)")}, 1, 20}) ==
        Status::Unsupported);
  CHECK(status_of({"RegexFullMatch", {strs({1}, {"\xc3\xa9"})}, {attr_string("pattern", ".")}, 1, 20}) ==
        Status::Unsupported);
  CHECK(status_of({"RegexFullMatch", {strs({1}, {"a"})}, {attr_string("pattern", "(a")}, 1, 20}) ==
        Status::InvalidModel);
}

TEST_CASE("text: TfIdfVectorizer counts uni- and bigrams with skips") {
  // Pool: unigrams {1, 2}, bigram (1, 2); input 1 2 3 1 2.
  const Tensor x = make_tensor(DType::Int64, {5}, {1, 2, 3, 1, 2});
  auto run = [&](int64_t min_n, int64_t skip, const char* mode) {
    return run_op({"TfIdfVectorizer", {x},
                   {attr_int("min_gram_length", min_n), attr_int("max_gram_length", 2), attr_int("max_skip_count", skip),
                    attr_string("mode", mode), attr_ints("ngram_counts", {0, 2}), attr_ints("ngram_indexes", {0, 1, 2}),
                    attr_ints("pool_int64s", {1, 2, 1, 2}), attr_floats("weights", {0.5, 1, 2})},
                   1, 9})[0];
  };
  CHECK(to_doubles(run(1, 0, "TF")) == std::vector<double>{2, 2, 2});
  // Skips up to 2 find no more (1, 2) pairs; skip 3 adds positions 0 and 4.
  CHECK(to_doubles(run(2, 2, "TF")) == std::vector<double>{0, 0, 2});
  CHECK(to_doubles(run(2, 3, "TF")) == std::vector<double>{0, 0, 3});
  CHECK(to_doubles(run(1, 0, "IDF")) == std::vector<double>{0.5, 1, 2});
  CHECK(to_doubles(run(1, 0, "TFIDF")) == std::vector<double>{1, 2, 4});
  CHECK(status_of({"TfIdfVectorizer", {x}, {attr_int("min_gram_length", 1), attr_int("max_gram_length", 1),
                                            attr_string("mode", "TF"), attr_ints("ngram_counts", {0}),
                                            attr_ints("ngram_indexes", {0}), attr_ints("pool_int64s", {1, 2})},
                   1, 9}) == Status::InvalidModel);  // two unigrams, one index
}

}  // namespace ember::test

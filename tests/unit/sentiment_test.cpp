// Lexicon sentiment (AFINN-165 + VADER rules, src/intel/sentiment.hpp):
// concrete sentences with expected labels and valences (negation, phrases,
// "but", clause boundaries, tokenisation) and real read speech from the
// shared fixtures.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <string>

#include "intel/sentiment.hpp"
#include "support/test_support.hpp"

namespace voqo::intel {
namespace {

struct Case {
  const char* text;
  const char* label;
  double valence;  // expected weighted sum x
  int hits;
};

const Case kCases[] = {
    // plain words
    {"This is great", "positive", 3, 1},
    {"This is terrible", "negative", -3, 1},
    {"The meeting is at 3 pm on Tuesday", "neutral", 0, 0},
    {"", "neutral", 0, 0},
    {"Yes", "neutral", 1, 1},  // a single ±1 term (score 0.25) is below the 0.3 threshold
    {"Thanks, that is really helpful", "positive", 4, 2},
    // negation: flips and damps by 0.74
    {"I am not happy with it", "negative", -2.22, 1},
    {"That's not bad at all", "positive", 2.22, 1},
    {"It isn't good", "negative", -2.22, 1},
    {"I’m NOT happy!!!", "negative", -2.22, 1},  // curly apostrophe, upper case
    {"We never had any problem", "positive", 1.48, 1},
    {"No problem", "positive", 1.48, 1},          // "no" negates, is not scored itself
    {"No.", "neutral", -1, 1},                    // "no" alone is AFINN −1
    {"No, this is great", "positive", 2, 2},      // the comma ends the negation scope
    {"not at all a good idea", "positive", 3, 1}, // "not" is 4 tokens back: outside the window
    // multi-word phrases, matched first
    {"It does not work", "negative", -3, 1},
    {"I can't stand this", "negative", -3, 1},
    {"i cant stand this", "negative", -3, 1},      // speech-recognition spelling
    {"I don't like it", "negative", -2, 1},        // lexicon has "dont like"
    {"I can't stand bad service", "negative", -6, 2},  // can't inside a phrase is not a negator for "bad"
    {"It is kind of slow", "neutral", 0, 1},       // "kind of" (0) masks "kind" (+2)
    // contrast: before "but" ×0.5, after ×1.5
    {"The product is good but the price is terrible", "negative", -3, 2},
    {"The price is terrible but the product is great", "positive", 3, 2},
    {"good and bad", "neutral", 0, 2},
    // tokenisation
    {"It's game-changing", "positive", 3, 1},      // hyphenated lexicon term kept whole
    {"He was ill-disposed", "negative", -2, 1},    // unknown hyphenated word splits
    {"I'll call you tomorrow", "neutral", 0, 0},   // "i'll" is not "ill"
    {"I am worried and frustrated about this", "negative", -5, 2},
};

TEST(Sentiment, ConcreteSentences) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    const Sentiment s = analyse_sentiment(c.text);
    EXPECT_EQ(s.label, c.label);
    EXPECT_NEAR(s.valence, c.valence, 1e-9);
    EXPECT_EQ(s.hits, c.hits);
    const double expected_score = c.valence / std::sqrt(c.valence * c.valence + kSentimentAlpha);
    EXPECT_NEAR(s.score, expected_score, 1e-9);
  }
}

TEST(Sentiment, ScoreIsBoundedAndMonotonic) {
  const Sentiment one = analyse_sentiment("good");
  const Sentiment many = analyse_sentiment("good great excellent amazing wonderful fantastic awesome");
  EXPECT_GT(many.score, one.score);
  EXPECT_LT(many.score, 1.0);
  EXPECT_GT(many.score, 0.95);
  const Sentiment worst = analyse_sentiment("terrible awful horrible hate angry worried disgusting");
  EXPECT_GT(worst.score, -1.0);
  EXPECT_LT(worst.score, -0.95);
  EXPECT_EQ(sentiment_label(0.3), "positive");
  EXPECT_EQ(sentiment_label(0.29), "neutral");
  EXPECT_EQ(sentiment_label(-0.3), "negative");
}

TEST(Sentiment, LexiconIsTheFullAfinn165) {
  EXPECT_EQ(afinn_term_count(), 3382u);
  EXPECT_EQ(afinn_valence("good"), 3);
  EXPECT_EQ(afinn_valence("does not work"), -3);
  EXPECT_EQ(afinn_valence("can't stand"), -3);
  EXPECT_EQ(afinn_valence("outstanding"), 5);
  EXPECT_FALSE(afinn_valence("tuesday").has_value());
}

TEST(Sentiment, Tokens) {
  const auto toks = sentiment_tokens("Well, I’m ‘not’ sure — it's fine...  OK?");
  std::vector<std::string> words;
  std::vector<bool> starts;
  for (const auto& t : toks) {
    words.push_back(t.text);
    starts.push_back(t.clause_start);
  }
  EXPECT_EQ(words, (std::vector<std::string>{"well", "i'm", "not", "sure", "it's", "fine", "ok"}));
  EXPECT_EQ(starts, (std::vector<bool>{true, true, false, false, true, false, true}));
}

// Real read speech (LibriVox "Sense and Sensibility", CMU Sphinx test set):
// narrative lines, mostly factual.
TEST(Sentiment, RealReadSpeech) {
  std::ifstream in(test::fixtures() / "speech" / "transcription");
  ASSERT_TRUE(in) << "missing fixture speech/transcription";
  std::map<std::string, Sentiment> by_id;
  std::string line;
  const std::regex re(R"(<s>\s*(.*?)\s*</s>\s*\(([^)]+)\))");
  int counts[3] = {0, 0, 0};
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, re)) continue;
    const Sentiment s = analyse_sentiment(m[1].str());
    by_id[m[2].str()] = s;
    EXPECT_GE(s.score, -1.0);
    EXPECT_LE(s.score, 1.0);
    ++counts[s.label == "positive" ? 0 : s.label == "neutral" ? 1 : 2];
  }
  ASSERT_EQ(by_id.size(), 5u);
  EXPECT_EQ(counts[0] + counts[1] + counts[2], 5);
  // "and mister john dashwood had then leisure to consider how much there might be ..."
  EXPECT_EQ(by_id["sense_and_sensibility_01_austen_64kb-0870"].label, "neutral");
  EXPECT_EQ(by_id["sense_and_sensibility_01_austen_64kb-0870"].hits, 0);
  // "he might even have been made amiable himself" — factual, no lexicon term.
  EXPECT_EQ(by_id["sense_and_sensibility_01_austen_64kb-0930"].label, "neutral");
  // "he was not an ill disposed young man": negated "ill" reads as well-meaning.
  EXPECT_EQ(by_id["sense_and_sensibility_01_austen_64kb-0880"].label, "positive");
  // "unless to be rather cold hearted and rather selfish is to be ill disposed"
  EXPECT_EQ(by_id["sense_and_sensibility_01_austen_64kb-0890"].label, "negative");
  EXPECT_NEAR(by_id["sense_and_sensibility_01_austen_64kb-0890"].valence, -5, 1e-9);
}

// Speed: a figure, not an assertion on time.
TEST(Sentiment, ThroughputFigure) {
  const std::string text = "well I am not really sure it does not work for us but the demo looked great";
  analyse_sentiment(text);  // lexicon built
  const auto t0 = std::chrono::steady_clock::now();
  double sink = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) sink += analyse_sentiment(text).score;
  const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / n;
  std::printf("analyse_sentiment: %.2f us per %zu-byte line (checksum %.3f)\n", us, text.size(), sink / n);
  EXPECT_NE(sink, 0.0);
}

}  // namespace
}  // namespace voqo::intel

#pragma once
/// Lexicon sentiment of one text (issue 5 §3): AFINN-165 valences, VADER's
/// negation, contrast and normalisation rules. Rules, constants and their
/// sources are in docs/INTELLIGENCE.md §1; in short:
///
/// Lexicon: AFINN-165 — Finn Årup Nielsen, "A new ANEW: Evaluation of a word
/// list for sentiment analysis in microblogs", Proceedings of the ESWC2011
/// Workshop on Making Sense of Microposts, CEUR-WS vol. 718, pp. 93–98
/// (2011); version 165 (2015), 3,382 English words and phrases rated −5..+5,
/// embedded from data/lexicons/afinn-165.tsv as kAfinn165Tsv.
///
/// Tokens (sentiment_tokens()): ASCII lower-cased; letters, digits, bytes of
/// non-ASCII UTF-8 characters and inner apostrophes (’ ‘ become ') form words;
/// an inner hyphen is kept when the hyphenated word is a lexicon term
/// ("game-changing"), otherwise it splits ("ill-disposed" → "ill",
/// "disposed"). , . ; : ! ? ( ) … – — start a new clause.
///
/// Matching: at each token the longest lexicon phrase wins (up to the
/// lexicon's longest, 3 tokens: "does not work", "can't stand"), never
/// crossing a clause boundary; a multi-word phrase with an apostrophe also
/// matches without it ("cant stand", "don't like" ↔ "dont like"), a single
/// word never does ("i'll" is not "ill").
///
/// Negation (Hutto & Gilbert 2014, VADER): a term with a negator among the 3
/// preceding tokens of its clause — not, no, never, none, nobody, nothing,
/// neither, nor, nowhere, cannot, without, hardly, rarely, seldom, or any
/// word ending in n't / its apostrophe-less form (dont, isnt, cant, wont, …) —
/// is multiplied by −0.74 (once, however many negators). Tokens inside a
/// matched phrase are not negators. "no" (AFINN −1) counts as a term only
/// when it negates nothing ("no problem" = +1.48, "no." = −1).
///
/// Contrast (VADER): with "but" in the text, terms before the first "but"
/// count ×0.5, terms after it ×1.5.
///
/// Score: the weighted sum x (Sentiment::valence) normalised as
/// x / sqrt(x² + 15) (VADER's compound normalisation, α = 15) into (−1, 1).
/// Label: score ≥ 0.3 "positive", ≤ −0.3 "negative", else "neutral" — a single
/// ±1 term (0.25: "yes", "want", "no", "sorry") is not enough, one ±2 term
/// (0.46) or two ±1 terms are.
///
/// Performance: the lexicon is parsed once into a hash map (function-local
/// static, thread-safe initialisation); analyse_sentiment() is a pure
/// function, thread-safe, a few µs per line.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace voqo::intel {

/// AFINN-165 as the .tsv file's text ("#" comment lines, then
/// term<TAB>valence); generated into the build from data/lexicons/afinn-165.tsv.
extern const std::string_view kAfinn165Tsv;

/// VADER's normalisation constant α in x / sqrt(x² + α).
inline constexpr double kSentimentAlpha = 15.0;
/// VADER's negation scalar (N_SCALAR): a negated term's valence is multiplied by it.
inline constexpr double kNegationScalar = -0.74;
/// How many preceding tokens are searched for a negator (VADER: 3).
inline constexpr int kNegationWindow = 3;
/// Weights of terms before / after the first "but" (VADER).
inline constexpr double kBeforeButWeight = 0.5;
inline constexpr double kAfterButWeight = 1.5;
/// score ≥ this is "positive", ≤ −this is "negative".
inline constexpr double kPolarityThreshold = 0.3;

/// Lexicon sentiment of one text (AFINN-165). score in [-1, 1]; label
/// "positive" | "neutral" | "negative".
struct Sentiment {
  double score = 0;                ///< x / sqrt(x² + 15), in (−1, 1); 0 without hits
  std::string label = "neutral";   ///< "positive" | "neutral" | "negative" (see sentiment_label())
  int hits = 0;                    ///< lexicon terms matched (zero-valence phrases such as "kind of" included)
  double valence = 0;              ///< x: the sum of matched valences after negation and "but" weighting
};

/// Analyses one text (any length; empty → neutral, 0 hits). Never fails.
Sentiment analyse_sentiment(std::string_view text);

/// The label of a score: "positive" (≥ kPolarityThreshold), "negative"
/// (≤ −kPolarityThreshold) or "neutral".
std::string_view sentiment_label(double score);

/// One token of a text as analyse_sentiment() sees it.
struct SentimentToken {
  std::string text;           ///< lower-cased, apostrophes normalised to '
  bool clause_start = false;  ///< first token after punctuation (or of the text)
};

/// The tokens of `text` (see the header comment).
std::vector<SentimentToken> sentiment_tokens(std::string_view text);

/// The AFINN-165 valence of a term (a word or a phrase as written in the
/// lexicon, lower case; the apostrophe-less form of a multi-word term too:
/// "cant stand"), or nullopt when it is not in the lexicon.
std::optional<int> afinn_valence(std::string_view term);

/// Number of distinct terms parsed from kAfinn165Tsv (3,382 for AFINN-165).
std::size_t afinn_term_count();

}  // namespace voqo::intel

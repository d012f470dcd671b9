#pragma once
/// Word error rate (WER), the standard accuracy figure for speech recognition:
/// (substitutions + deletions + insertions) / words in the reference, from a
/// word-level Levenshtein alignment with unit costs.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace voqo::speech {

/// Splits text into normalised words: ASCII letters lower-cased, every
/// character that is not a letter, digit or apostrophe (or any non-ASCII byte
/// outside a word) separates words, and apostrophes at a word's edges are
/// dropped ("Don't," → "don't"; "'tis" → "tis"). Non-ASCII UTF-8 bytes are
/// kept as word characters, so accented words survive unchanged.
std::vector<std::string> normalized_words(std::string_view text);

/// Edit counts of the minimum-cost word alignment of a hypothesis to a reference.
struct WordErrors {
  std::size_t substitutions = 0;
  std::size_t deletions = 0;   ///< reference words missing from the hypothesis
  std::size_t insertions = 0;  ///< hypothesis words not in the reference
  std::size_t reference_words = 0;
  [[nodiscard]] std::size_t edits() const { return substitutions + deletions + insertions; }
};

/// Aligns normalized_words(hypothesis) to normalized_words(reference)
/// (O(n·m) time, O(m) memory). Sum the counts over utterances for a corpus WER.
WordErrors word_errors(std::string_view reference, std::string_view hypothesis);

/// word_errors(...).edits() / reference words. Can exceed 1 (many insertions).
/// An empty reference gives 0 for an empty hypothesis and 1 otherwise.
double word_error_rate(std::string_view reference, std::string_view hypothesis);

}  // namespace voqo::speech

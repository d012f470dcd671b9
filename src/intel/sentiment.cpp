#include "intel/sentiment.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <unordered_map>

namespace voqo::intel {
namespace {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

/// AFINN-165 parsed once: term → valence, plus apostrophe-less aliases of
/// multi-word terms ("can't stand" → "cant stand").
struct Lexicon {
  std::unordered_map<std::string, int, StringHash, std::equal_to<>> valence;
  std::size_t terms = 0;       ///< distinct terms of the file (aliases not counted)
  std::size_t max_tokens = 1;  ///< words in the longest phrase
};

std::string without_apostrophes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s)
    if (c != '\'') out += c;
  return out;
}

Lexicon parse_lexicon(std::string_view tsv) {
  Lexicon lex;
  lex.valence.reserve(4096);
  std::vector<std::pair<std::string, int>> aliases;
  std::size_t pos = 0;
  while (pos < tsv.size()) {
    std::size_t eol = tsv.find('\n', pos);
    if (eol == std::string_view::npos) eol = tsv.size();
    std::string_view line = tsv.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos || tab == 0) continue;
    std::string term(line.substr(0, tab));
    int v = std::atoi(std::string(line.substr(tab + 1)).c_str());
    std::size_t words = 1 + static_cast<std::size_t>(std::count(term.begin(), term.end(), ' '));
    lex.max_tokens = std::max(lex.max_tokens, words);
    if (words > 1 && term.find('\'') != std::string::npos) aliases.emplace_back(without_apostrophes(term), v);
    if (lex.valence.emplace(std::move(term), v).second) ++lex.terms;
  }
  for (auto& [alias, v] : aliases) lex.valence.emplace(std::move(alias), v);  // never overrides a real term
  return lex;
}

const Lexicon& lexicon() {
  static const Lexicon lex = parse_lexicon(kAfinn165Tsv);  // C++11 magic static: thread-safe init
  return lex;
}

const int* find_term(const Lexicon& lex, std::string_view key) {
  auto it = lex.valence.find(key);
  return it == lex.valence.end() ? nullptr : &it->second;
}

constexpr std::array<std::string_view, 36> kNegators = {
    "not",    "no",      "never",  "none",   "nobody", "nothing", "neither", "nor",    "nowhere",
    "cannot", "without", "hardly", "rarely", "seldom", "dont",    "doesnt",  "didnt",  "isnt",
    "arent",  "wasnt",   "werent", "wont",   "wouldnt", "cant",   "couldnt", "shouldnt", "hasnt",
    "havent", "hadnt",   "aint",   "mustnt", "neednt", "mightnt", "shant",  "darent",  "oughtnt"};

bool is_negator(std::string_view tok) {
  if (tok.size() > 3 && tok.ends_with("n't")) return true;
  return std::find(kNegators.begin(), kNegators.end(), tok) != kNegators.end();
}

bool is_word_byte(unsigned char c) { return (c < 0x80 && std::isalnum(c)) || c >= 0x80; }

}  // namespace

std::vector<SentimentToken> sentiment_tokens(std::string_view text) {
  const Lexicon& lex = lexicon();
  std::vector<SentimentToken> out;
  std::string cur;
  bool clause = true;
  auto flush = [&] {
    while (!cur.empty() && (cur.back() == '\'' || cur.back() == '-')) cur.pop_back();
    if (cur.empty()) return;
    if (cur.find('-') != std::string::npos && !find_term(lex, cur)) {
      std::size_t p = 0;
      while (p <= cur.size()) {
        std::size_t q = cur.find('-', p);
        if (q == std::string::npos) q = cur.size();
        if (q > p) {
          out.push_back({cur.substr(p, q - p), clause});
          clause = false;
        }
        p = q + 1;
      }
    } else {
      out.push_back({std::move(cur), clause});
      clause = false;
    }
    cur.clear();
  };
  auto boundary = [&] {
    flush();
    clause = true;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80) {
      auto k = static_cast<unsigned char>(text[i + 2]);
      if (k == 0x98 || k == 0x99) {  // ‘ ’ → apostrophe
        if (!cur.empty()) cur += '\'';
        i += 2;
        continue;
      }
      if (k == 0x93 || k == 0x94 || k == 0xA6) {  // – — …
        boundary();
        i += 2;
        continue;
      }
      if (k == 0x9C || k == 0x9D) {  // “ ”
        flush();
        i += 2;
        continue;
      }
    }
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xA0) {  // no-break space
      flush();
      ++i;
      continue;
    }
    if (is_word_byte(c)) {
      cur += static_cast<char>(c < 0x80 ? std::tolower(c) : c);
    } else if (c == '\'') {
      if (!cur.empty()) cur += '\'';
    } else if (c == '-') {
      if (!cur.empty() && i + 1 < text.size() && is_word_byte(static_cast<unsigned char>(text[i + 1]))) cur += '-';
      else flush();
    } else if (c == ',' || c == '.' || c == ';' || c == ':' || c == '!' || c == '?' || c == '(' || c == ')') {
      boundary();
    } else {
      flush();
    }
  }
  flush();
  return out;
}

std::string_view sentiment_label(double score) {
  if (score >= kPolarityThreshold) return "positive";
  if (score <= -kPolarityThreshold) return "negative";
  return "neutral";
}

Sentiment analyse_sentiment(std::string_view text) {
  const Lexicon& lex = lexicon();
  const std::vector<SentimentToken> toks = sentiment_tokens(text);
  const std::size_t n = toks.size();
  Sentiment s;
  if (n == 0) return s;

  struct Match {
    std::size_t begin, len;
    int valence;
  };
  std::vector<Match> matches;
  std::vector<char> in_phrase(n, 0);
  std::string key;
  for (std::size_t i = 0; i < n;) {
    bool found = false;
    for (std::size_t len = std::min(lex.max_tokens, n - i); len >= 1 && !found; --len) {
      bool crosses = false;
      for (std::size_t k = i + 1; k < i + len; ++k) crosses = crosses || toks[k].clause_start;
      if (crosses) continue;
      key.clear();
      for (std::size_t k = i; k < i + len; ++k) {
        if (k > i) key += ' ';
        key += toks[k].text;
      }
      const int* v = find_term(lex, key);
      if (!v && len > 1 && key.find('\'') != std::string::npos) v = find_term(lex, without_apostrophes(key));
      if (v) {
        matches.push_back({i, len, *v});
        if (len > 1) std::fill(in_phrase.begin() + static_cast<std::ptrdiff_t>(i),
                               in_phrase.begin() + static_cast<std::ptrdiff_t>(i + len), 1);
        i += len;
        found = true;
      }
    }
    if (!found) ++i;
  }
  if (matches.empty()) return s;

  std::size_t but = n;
  for (std::size_t i = 0; i < n; ++i)
    if (toks[i].text == "but") {
      but = i;
      break;
    }

  // Negation: the nearest negator among the 3 preceding tokens of the clause.
  std::vector<char> negated(matches.size(), 0);
  std::vector<char> used_as_negator(n, 0);
  for (std::size_t m = 0; m < matches.size(); ++m) {
    std::size_t j = matches[m].begin;
    for (int step = 0; step < kNegationWindow; ++step) {
      if (j == 0 || toks[j].clause_start) break;
      --j;
      const std::string& t = toks[j].text;
      if (t == "but") break;
      if (!in_phrase[j] && is_negator(without_apostrophes(t))) {
        negated[m] = 1;
        used_as_negator[j] = 1;
        break;
      }
    }
  }

  double x = 0;
  for (std::size_t m = 0; m < matches.size(); ++m) {
    const Match& mt = matches[m];
    if (mt.len == 1 && used_as_negator[mt.begin]) continue;  // "no" in "no problem" negates, is not a term
    double v = mt.valence;
    if (negated[m]) v *= kNegationScalar;
    if (but < n) v *= mt.begin < but ? kBeforeButWeight : kAfterButWeight;
    x += v;
    ++s.hits;
  }
  s.valence = x;
  s.score = x == 0 ? 0.0 : std::clamp(x / std::sqrt(x * x + kSentimentAlpha), -1.0, 1.0);
  s.label = std::string(sentiment_label(s.score));
  return s;
}

std::optional<int> afinn_valence(std::string_view term) {
  const Lexicon& lex = lexicon();
  const int* v = find_term(lex, term);
  if (!v) return std::nullopt;
  return *v;
}

std::size_t afinn_term_count() { return lexicon().terms; }

}  // namespace voqo::intel

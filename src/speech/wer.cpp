#include "speech/wer.hpp"

#include <algorithm>

namespace voqo::speech {

std::vector<std::string> normalized_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    while (!word.empty() && word.back() == '\'') word.pop_back();
    std::size_t lead = 0;
    while (lead < word.size() && word[lead] == '\'') ++lead;
    if (lead < word.size()) words.push_back(word.substr(lead));
    word.clear();
  };
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 'A' && u <= 'Z') {
      word.push_back(static_cast<char>(u - 'A' + 'a'));
    } else if ((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '\'' || u >= 0x80) {
      word.push_back(c);
    } else {
      flush();
    }
  }
  flush();
  return words;
}

WordErrors word_errors(std::string_view reference, std::string_view hypothesis) {
  const auto ref = normalized_words(reference);
  const auto hyp = normalized_words(hypothesis);
  struct Cell {
    std::size_t cost, sub, del, ins;
  };
  // row[j]: best alignment of ref[0..i) with hyp[0..j).
  std::vector<Cell> row(hyp.size() + 1), next(hyp.size() + 1);
  for (std::size_t j = 0; j <= hyp.size(); ++j) row[j] = {j, 0, 0, j};
  for (std::size_t i = 1; i <= ref.size(); ++i) {
    next[0] = {i, 0, i, 0};
    for (std::size_t j = 1; j <= hyp.size(); ++j) {
      const bool same = ref[i - 1] == hyp[j - 1];
      Cell diag = row[j - 1];
      diag.cost += same ? 0 : 1;
      diag.sub += same ? 0 : 1;
      Cell del = row[j];  // ref word i-1 deleted
      ++del.cost;
      ++del.del;
      Cell ins = next[j - 1];  // hyp word j-1 inserted
      ++ins.cost;
      ++ins.ins;
      Cell best = diag;
      if (del.cost < best.cost) best = del;
      if (ins.cost < best.cost) best = ins;
      next[j] = best;
    }
    std::swap(row, next);
  }
  const Cell& end = row[hyp.size()];
  return WordErrors{end.sub, end.del, end.ins, ref.size()};
}

double word_error_rate(std::string_view reference, std::string_view hypothesis) {
  const WordErrors e = word_errors(reference, hypothesis);
  if (e.reference_words == 0) return e.edits() == 0 ? 0.0 : 1.0;
  return static_cast<double>(e.edits()) / static_cast<double>(e.reference_words);
}

}  // namespace voqo::speech

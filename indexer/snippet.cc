#include <algorithm>

#include "indexer/terms.h"
#include "text/vietnamese.h"

namespace kho::indexer {

namespace {

std::string collapse_spaces(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    bool ws = c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\v';
    if (ws) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string make_snippet(const std::string& page, const std::set<std::string>& words,
                         std::size_t max_words) {
  auto tokens = text::words(page);
  if (tokens.empty()) return "";
  std::vector<int> hit(tokens.size(), 0);
  for (std::size_t i = 0; i < tokens.size(); ++i)
    hit[i] = words.count(text::lower(text::fold(page.substr(tokens[i].offset, tokens[i].length)))) ? 1 : 0;

  // Slide a window of max_words tokens; keep the one with most hits, earliest on ties.
  std::size_t n = std::min(max_words, tokens.size());
  int count = 0;
  for (std::size_t i = 0; i < n; ++i) count += hit[i];
  int best = count;
  std::size_t best_start = 0;
  for (std::size_t start = 1; start + n <= tokens.size(); ++start) {
    count += hit[start + n - 1] - hit[start - 1];
    if (count > best) best = count, best_start = start;
  }
  // Open the window a few words before the first hit so the match has context.
  if (best > 0) {
    std::size_t first = best_start;
    while (!hit[first]) ++first;
    best_start = first > 4 ? std::max(best_start, first - 4) : best_start;
    best_start = std::min(best_start, tokens.size() - n);
  }
  std::size_t from = tokens[best_start].offset;
  const auto& last = tokens[best_start + n - 1];
  std::size_t to = last.offset + last.length;
  std::string out = collapse_spaces(page.substr(from, to - from));
  if (best_start > 0) out = "… " + out;
  if (best_start + n < tokens.size()) out += " …";
  return out;
}

}  // namespace kho::indexer

#include <algorithm>
#include <utility>

#include "indexer/terms.h"
#include "text/vietnamese.h"

namespace kho::indexer {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\v';
}

// The tokens [first, first + n) with the text between them, runs of white
// space collapsed to one space, and the hits marked.
Snippet render(const std::string& page, const std::vector<text::Word>& tokens,
               const std::vector<int>& hit, std::size_t first, std::size_t n) {
  Snippet out;
  if (first > 0) out.text = "… ";
  for (std::size_t i = first; i < first + n; ++i) {
    if (i > first) {
      bool space = false;
      for (std::size_t c = tokens[i - 1].offset + tokens[i - 1].length; c < tokens[i].offset; ++c) {
        if (is_space(page[c])) {
          space = true;
          continue;
        }
        if (std::exchange(space, false)) out.text += ' ';
        out.text += page[c];
      }
      if (space) out.text += ' ';
    }
    if (hit[i]) out.highlights.emplace_back(out.text.size(), tokens[i].length);
    out.text.append(page, tokens[i].offset, tokens[i].length);
  }
  if (first + n < tokens.size()) out.text += " …";
  return out;
}

}  // namespace

Snippet make_snippet(const std::string& page, const std::set<std::string>& words,
                     std::size_t max_words) {
  auto tokens = text::words(page);
  if (tokens.empty()) return {};
  std::vector<int> hit(tokens.size(), 0);
  for (std::size_t i = 0; i < tokens.size(); ++i)
    hit[i] = words.count(text::lower(text::fold(page.substr(tokens[i].offset, tokens[i].length))))
                 ? 1
                 : 0;

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
  return render(page, tokens, hit, best_start, n);
}

}  // namespace kho::indexer

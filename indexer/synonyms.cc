#include "indexer/synonyms.h"

#include <sstream>

#include "indexer/synonyms_text.h"  // generated from indexer/synonyms.txt
#include "text/vietnamese.h"

namespace kho::indexer {

namespace {

std::vector<std::string> folded_words(const std::string& s) {
  std::string folded = text::lower(text::fold(s));
  std::vector<std::string> out;
  for (const auto& w : text::words(folded)) out.push_back(folded.substr(w.offset, w.length));
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A word stands alone when only spaces or brackets separate it from the rest.
bool stands_alone(const std::string& q, std::size_t from, std::size_t to) {
  bool before = from == 0 || is_space(q[from - 1]) || q[from - 1] == '(';
  bool after = to == q.size() || is_space(q[to]) || q[to] == ')';
  return before && after;
}

// The form the user typed keeps its loose meaning (all words, anywhere);
// the other forms must appear as phrases.
std::string render(const std::vector<std::vector<std::string>>& forms, std::size_t typed) {
  std::string out = "(";
  for (std::size_t i = 0; i < forms.size(); ++i) {
    if (i) out += " OR ";
    std::string joined;
    for (const auto& w : forms[i]) joined += (joined.empty() ? "" : " ") + w;
    if (forms[i].size() == 1)
      out += joined;
    else
      out += i == typed ? "(" + joined + ")" : "\"" + joined + "\"";
  }
  return out + ")";
}

}  // namespace

const Synonyms& Synonyms::builtin() {
  static const Synonyms list = [] {
    Synonyms s;
    (void)parse(kSynonymsText, &s);  // the shipped list is tested
    return s;
  }();
  return list;
}

Status Synonyms::parse(const std::string& text, Synonyms* out) {
  out->groups_.clear();
  out->written_.clear();
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos ||
        line[line.find_first_not_of(" \t")] == '#')
      continue;
    auto eq = line.find('=');
    if (eq == std::string::npos)
      return Status::Invalid("synonyms line " + std::to_string(number) +
                             ": expected 'ABBREVIATION = expansion'");
    std::vector<Form> group{folded_words(line.substr(0, eq))};
    if (group[0].size() == 1) {
      std::string written = line.substr(0, eq);
      written.erase(0, written.find_first_not_of(" \t"));
      written.erase(written.find_last_not_of(" \t") + 1);
      out->written_[group[0][0]] = text::nfc(written);
    }
    std::istringstream rest(line.substr(eq + 1));
    for (std::string part; std::getline(rest, part, '|');) group.push_back(folded_words(part));
    for (const auto& form : group)
      if (form.empty())
        return Status::Invalid("synonyms line " + std::to_string(number) + ": empty side");
    out->groups_.push_back(std::move(group));
  }
  return Status::Ok();
}

std::string Synonyms::abbreviation(const std::string& folded_word) const {
  auto it = written_.find(folded_word);
  return it == written_.end() ? "" : it->second;
}

// The group whose form starts at token i, and the token after that form.
const std::vector<Synonyms::Form>* Synonyms::match_at(const std::string& q,
                                                      const std::vector<text::Word>& tokens,
                                                      std::size_t i, std::size_t* next,
                                                      std::size_t* typed) const {
  for (const auto& group : groups_) {
    for (std::size_t f = 0; f < group.size(); ++f) {
      const Form& form = group[f];
      if (i + form.size() > tokens.size()) continue;
      bool match = true;
      for (std::size_t k = 0; k < form.size() && match; ++k)
        match = text::lower(q.substr(tokens[i + k].offset, tokens[i + k].length)) == form[k];
      const auto& last = tokens[i + form.size() - 1];
      if (match && stands_alone(q, tokens[i].offset, last.offset + last.length)) {
        *next = i + form.size();
        *typed = f;
        return &group;
      }
    }
  }
  return nullptr;
}

std::string Synonyms::expand(const std::string& q) const {
  auto tokens = text::words(q);
  std::string out;
  std::size_t copied = 0;  // q[0, copied) is in out
  bool in_quote = false;
  std::size_t scanned = 0;  // quotes counted up to here
  for (std::size_t i = 0; i < tokens.size();) {
    for (; scanned < tokens[i].offset; ++scanned) in_quote ^= q[scanned] == '"';
    std::size_t next = i + 1, typed = 0;
    const auto* group = (in_quote || (tokens[i].offset > 0 && q[tokens[i].offset - 1] == ':'))
                            ? nullptr
                            : match_at(q, tokens, i, &next, &typed);
    if (group != nullptr) {
      const auto& last = tokens[next - 1];
      out += q.substr(copied, tokens[i].offset - copied) + render(*group, typed);
      copied = scanned = last.offset + last.length;
    }
    i = next;
  }
  return out + q.substr(copied);
}

std::vector<std::vector<std::string>> Synonyms::readings(const std::string& q,
                                                         std::size_t most) const {
  auto tokens = text::words(q);
  std::vector<std::vector<std::string>> out{{}};
  for (std::size_t i = 0; i < tokens.size();) {
    std::size_t next = i + 1, typed = 0;
    const auto* group = match_at(q, tokens, i, &next, &typed);
    std::vector<Form> forms{{text::lower(q.substr(tokens[i].offset, tokens[i].length))}};
    if (group != nullptr) {
      forms = {(*group)[typed]};
      for (std::size_t f = 0; f < group->size(); ++f)
        if (f != typed) forms.push_back((*group)[f]);
    }
    std::vector<std::vector<std::string>> longer;
    for (const Form& form : forms)
      for (const auto& reading : out) {
        if (longer.size() == most) break;
        longer.push_back(reading);
        longer.back().insert(longer.back().end(), form.begin(), form.end());
      }
    out = std::move(longer);
    i = next;
  }
  return out;
}

}  // namespace kho::indexer

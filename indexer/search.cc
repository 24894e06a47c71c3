// Searching the index: the records ranked (split among the cores when facets
// are counted), the hits' best pages, snippets and suggestions.
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <queue>
#include <set>
#include <thread>

#include "indexer/blocks.h"
#include "indexer/indexer.h"
#include "indexer/pages.h"
#include "indexer/terms.h"

namespace fs = std::filesystem;

namespace kho::indexer {

bool parse_sort(const std::string& name, Sort* out) {
  static const std::pair<const char*, Sort> names[] = {{"relevance", Sort::kRelevance},
                                                       {"newest", Sort::kNewest},
                                                       {"oldest", Sort::kOldest},
                                                       {"title", Sort::kTitle},
                                                       {"added", Sort::kAdded}};
  for (const auto& [n, sort] : names)
    if (name == n) return *out = sort, true;
  return false;
}

const std::vector<std::string>& facet_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const Facet& f : kFacets) out.emplace_back(f.name);
    return out;
  }();
  return names;
}

namespace {

// Facet counts over matching records: per facet, value -> records.
struct FacetTally {
  std::uint64_t records = 0;
  std::array<std::map<std::string, std::uint64_t>, std::size(kFacets)> counts;

  void add(const FacetTally& other) {
    records += other.records;
    for (std::size_t i = 0; i < counts.size(); ++i)
      for (const auto& [value, count] : other.counts[i]) counts[i][value] += count;
  }

  std::map<std::string, std::vector<FacetCount>> facets() const {
    std::map<std::string, std::vector<FacetCount>> out;
    for (std::size_t i = 0; i < counts.size(); ++i) {
      std::vector<FacetCount> list;
      for (const auto& [value, count] : counts[i]) list.push_back({value, count});
      std::stable_sort(list.begin(), list.end(),
                       [](const auto& a, const auto& b) { return a.count > b.count; });
      if (!list.empty()) out[kFacets[i].name] = std::move(list);
    }
    return out;
  }
};

// Counts facet values over the matching record documents (one per record).
// Xapian hands matches over in docid order, so on a local index each facet's
// values are read by walking its value stream alongside, rather than looked
// up document by document (a B-tree search per facet per match). With remote
// libraries the counting runs on their servers, which know only Xapian's own
// ValueCountMatchSpy.
class FacetCounter : public Xapian::MatchSpy {
 public:
  // `local`: the index searched is this library's alone (no remotes).
  FacetCounter(const Xapian::Database& db, bool local) : db_(db), local_(local) {}

  void attach(Xapian::Enquire& enquire) {
    if (local_) return enquire.add_matchspy(this);
    for (const Facet& f : kFacets) {
      remote_.push_back(std::make_unique<Xapian::ValueCountMatchSpy>(f.slot));
      enquire.add_matchspy(remote_.back().get());
    }
  }

  void operator()(const Xapian::Document& doc, double) override {
    ++tally_.records;
    for (std::size_t i = 0; i < std::size(kFacets); ++i) {
      std::string v = value(i, doc);
      if (v.empty()) continue;
      // Records in a row mostly share a value (one kind, one school): the
      // last one's count is kept at hand rather than looked up again.
      auto& [last, count] = last_[i];
      if (count == nullptr || v != last) count = &tally_.counts[i][v], last = std::move(v);
      ++*count;
    }
  }

  FacetTally tally() const {
    if (local_) return tally_;
    FacetTally out;
    out.records = remote_.front()->get_total();
    for (std::size_t i = 0; i < remote_.size(); ++i)
      for (auto v = remote_[i]->values_begin(); v != remote_[i]->values_end(); ++v)
        out.counts[i][*v] = v.get_termfreq();
    return out;
  }

 private:
  std::string value(std::size_t facet, const Xapian::Document& doc) {
    Xapian::docid id = doc.get_docid();
    auto& [stream, at] = streams_[facet];
    if (id <= at) return doc.get_value(kFacets[facet].slot);
    if (at == 0) stream = db_.valuestream_begin(kFacets[facet].slot);
    at = id;
    if (stream == db_.valuestream_end(kFacets[facet].slot)) return "";
    if (stream.get_docid() < id) stream.skip_to(id);
    if (stream == db_.valuestream_end(kFacets[facet].slot) || stream.get_docid() != id) return "";
    return *stream;
  }

  Xapian::Database db_;
  bool local_;
  FacetTally tally_;
  std::array<std::pair<std::string, std::uint64_t*>, std::size(kFacets)> last_{};
  std::array<std::pair<Xapian::ValueIterator, Xapian::docid>, std::size(kFacets)> streams_{};
  std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> remote_;
};

// Filters of one facet are alternatives; different facets must all hold.
Status apply_filters(const std::vector<std::pair<std::string, std::string>>& filters,
                     Xapian::Query* query) {
  std::map<std::string, std::vector<Xapian::Query>> by_facet;
  for (const auto& [name, value] : filters) {
    const Facet* facet = find_facet(name);
    if (facet == nullptr)
      return Status::Invalid("cannot filter on '" + name + "'").with_reason("bad_parameter");
    by_facet[name].emplace_back(facet_term(*facet, value));
  }
  for (auto& [name, terms] : by_facet)
    *query = Xapian::Query(Xapian::Query::OP_FILTER, *query,
                           Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end()));
  return Status::Ok();
}

Xapian::Query any_of(const char* facet, const std::vector<std::string>& values) {
  std::vector<Xapian::Query> terms;
  for (const std::string& v : values) terms.emplace_back(facet_term(*find_facet(facet), v));
  return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

Xapian::Query grants_query(const std::vector<Grant>& grants) {
  std::vector<Xapian::Query> allowed;
  for (const Grant& g : grants) {
    std::vector<Xapian::Query> all;
    if (!g.visibility.empty()) all.push_back(any_of("visibility", {g.visibility}));
    if (!g.schools.empty()) all.push_back(any_of("school", g.schools));
    if (!g.kinds.empty()) all.push_back(any_of("kind", g.kinds));
    if (!g.collection.empty()) all.push_back(any_of("collection", {g.collection}));
    if (g.record != 0) all.emplace_back(kPrefixRecord + std::to_string(g.record));
    allowed.emplace_back(Xapian::Query::OP_AND, all.begin(), all.end());
  }
  // An empty OR matches nothing: no grants, no records.
  return Xapian::Query(Xapian::Query::OP_OR, allowed.begin(), allowed.end());
}

void apply_sort(Sort sort, Xapian::Enquire& enquire) {
  switch (sort) {
    case Sort::kRelevance:
      break;
    case Sort::kNewest:
      enquire.set_sort_by_value_then_relevance(kSlotDate, true);
      break;
    case Sort::kOldest:
      enquire.set_sort_by_value_then_relevance(kSlotDate, false);
      break;
    case Sort::kTitle:
      enquire.set_sort_by_value_then_relevance(kSlotSortTitle, false);
      break;
    case Sort::kAdded:
      enquire.set_weighting_scheme(Xapian::BoolWeight());
      enquire.set_docid_order(Xapian::Enquire::DESCENDING);
      break;
  }
}

// A hit as its record document's data names it. `library`: the remote the
// hit came from, or "" for this library.
Hit describe(const Xapian::Document& doc, double weight, const std::string& library = "") {
  Hit hit;
  auto data = nlohmann::json::parse(doc.get_data(), nullptr, false);
  if (!data.is_discarded()) {
    hit.id = data.value("id", store::RecordId{0});
    hit.title = data.value("title", "");
    hit.kind = data.value("kind", "");
    hit.filename = data.value("filename", "");
  }
  hit.score = weight;
  hit.library = library;
  return hit;
}

// The snippet of the hit's page, from this library's store (a remote's page
// text stays with its library).
void add_snippet(const store::Store& store, const std::set<std::string>& words, Hit* hit) {
  std::string text;
  if (!hit->library.empty() || hit->page == 0 || !store.page_text(hit->id, hit->page, &text).ok())
    return;
  Snippet snippet = make_snippet(text, words);
  hit->snippet = std::move(snippet.text);
  hit->highlights = std::move(snippet.highlights);
}

// The pages of record `id` in `db` that `query` matches, best first (by
// score, then page number); when none does and `words` is not empty, those
// with any of the words. The one rule for search's best page and
// matching_pages and for the search inside a record, so they agree.
std::vector<std::pair<std::uint32_t, double>> matching_pages(TermReader& reader, store::RecordId id,
                                                             const Xapian::Query& query,
                                                             const std::set<std::string>& words) {
  RecordPages pages(reader, static_cast<Xapian::docid>(id));
  std::vector<std::pair<std::uint32_t, double>> out;
  for (const Xapian::Query& q :
       {query, Xapian::Query(Xapian::Query::OP_OR, words.begin(), words.end())}) {
    if (q.empty()) continue;
    std::vector<double> scores = pages.scores(q);
    for (std::size_t i = 0; i < scores.size(); ++i)
      if (scores[i] >= 0) out.emplace_back(static_cast<std::uint32_t>(i + 1), scores[i]);
    if (!out.empty()) break;
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

// The best page of each hit from `shard` (the library that holds them: record
// ids repeat across libraries) and how many of its pages match. Only for the
// hits shown: ranking over record documents is what makes search fast.
void find_best_pages(TermReader& shard, const Xapian::Query& query,
                     const std::set<std::string>& words, const std::vector<Hit*>& hits) {
  for (Hit* hit : hits) {
    auto pages = matching_pages(shard, hit->id, query, words);
    hit->matching_pages = static_cast<std::uint32_t>(pages.size());
    if (!pages.empty()) hit->page = pages.front().first;
  }
}

// Opened for each search: a handle kept per server thread would save about
// 2% of a search (bench/run) but hold the index's files open in every thread.
// Nothing indexed yet: an empty in-memory database still checks the query
// and answers "no hits".
Xapian::Database open_for_search(const std::string& path) {
  if (fs::exists(path)) return Xapian::Database(path);
  return Xapian::WritableDatabase(std::string(), Xapian::DB_BACKEND_INMEMORY);
}

// One library searched: its records (ranked together with the others') and
// where its pages are.
struct Shard {
  Xapian::Database records;
  std::string library;  // "" for this library
  const Remote* remote = nullptr;
};

std::vector<Shard> open_shards(const std::string& index, const std::vector<Remote>& remotes,
                               std::vector<std::string>* unavailable) {
  std::vector<Shard> shards{{open_for_search(records_path(index)), "", nullptr}};
  for (const Remote& r : remotes) {
    try {
      shards.push_back({Xapian::Remote::open(r.host, r.port, 10000, 2000), r.name, &r});
    } catch (const Xapian::Error& e) {
      unavailable->push_back(r.name);
      std::fprintf(stderr, "kho: remote index %s (%s:%u) unavailable: %s\n", r.name.c_str(),
                   r.host.c_str(), r.port, e.get_description().c_str());
    }
  }
  return shards;
}

// The query a search runs over the records: the request's words, filters
// and grants; over this library's own index, short phrases decided by run
// terms. `words`: the words alone, which find the hits' pages (filters and
// grants hold for a record's pages when they hold for the record).
Status records_query(const Xapian::Database& db, const SearchRequest& request,
                     const Synonyms& synonyms, bool local, ParsedQuery* parsed,
                     Xapian::Query* words) {
  if (is_blank(request.query)) {
    if (Status s = match_all(db, request.include_withdrawn, parsed); !s.ok()) return s;
    *words = parsed->query;
  } else {
    if (Status s =
            parse_query(db, request.query, request.include_withdrawn, synonyms, local, parsed);
        !s.ok())
      return s;
    *words = parsed->query;
    if (local) parsed->query = phrases_by_runs(db, parsed->query);
  }
  if (Status s = apply_filters(request.filters, &parsed->query); !s.ok()) return s;
  if (request.restricted)
    parsed->query =
        Xapian::Query(Xapian::Query::OP_FILTER, parsed->query, grants_query(request.grants));
  return Status::Ok();
}

// A matching record, with what orders it among the others.
struct Candidate {
  Xapian::docid docid = 0;
  double weight = 0;
  std::string sort_key;  // the sorting value; empty when sorted by relevance
};

// What one thread of a search found among its records.
struct Part {
  Status status;
  std::exception_ptr error;    // a Xapian::Error, rethrown by the search
  std::vector<Candidate> top;  // its first offset + limit, in order
  std::uint64_t matches = 0;   // exact with facets, else Xapian's estimate
  bool exact = true;           // whether `matches` is a count
  FacetTally facets;
};

// The best `wanted` records by blocks (blocks.h) when they can tell, and
// Xapian's estimate of how many match, which needs no match.
bool ranked_by_blocks(const Xapian::Database& db, const ParsedQuery& query, Xapian::doccount wanted,
                      Part* out) {
  std::vector<std::pair<Xapian::docid, double>> top;
  if (!top_by_blocks(db, query.query, query.runs, wanted, &top)) return false;
  for (const auto& [docid, weight] : top) out->top.push_back({docid, weight, ""});
  Xapian::Enquire enquire(db);
  enquire.set_query(query.query);
  Xapian::MSet estimate = enquire.get_mset(0, 0);
  // Fewer than wanted: every block was scored, and they are all.
  bool all = top.size() < wanted;
  out->matches =
      all ? top.size() : std::max<std::uint64_t>(top.size(), estimate.get_matches_estimated());
  out->exact = all || estimate.get_matches_lower_bound() == estimate.get_matches_upper_bound();
  return true;
}

// Matches `query` (within `share`, this thread's blocks, when the search is
// split) and keeps what the request needs of it.
void match(const Xapian::Database& db, const ParsedQuery& parsed, const SearchRequest& request,
           bool local, const Xapian::Query& share, Part* out) {
  auto wanted = static_cast<Xapian::doccount>(request.offset + request.limit);
  if (local && share.empty() && !request.facets && request.sort == Sort::kRelevance &&
      !is_blank(request.query) && ranked_by_blocks(db, parsed, wanted, out))
    return;
  Xapian::Query query = parsed.query;
  if (!share.empty()) query = Xapian::Query(Xapian::Query::OP_FILTER, query, share);
  Xapian::Enquire enquire(db);
  enquire.set_query(query);
  apply_sort(request.sort, enquire);
  FacetCounter facets(db, local);
  if (request.facets) facets.attach(enquire);
  // Facet counts must see every match, not an estimate.
  Xapian::doccount at_least = request.facets ? db.get_doccount() : wanted + 1;
  Xapian::MSet mset = enquire.get_mset(0, wanted, at_least);
  if (request.facets) out->facets = facets.tally();
  out->matches =
      request.facets ? out->facets.records : std::max(mset.size(), mset.get_matches_estimated());
  out->exact = request.facets || mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
  bool by_value = request.sort != Sort::kRelevance;
  for (auto m = mset.begin(); m != mset.end(); ++m)
    out->top.push_back({*m, m.get_weight(), by_value ? m.get_sort_key() : std::string()});
}

// Whether `a` comes before `b`: Xapian's order (the sorting value, then
// weight, then docid), so that a search split among threads gives the hits
// one thread would.
bool before(const Candidate& a, const Candidate& b, Sort sort) {
  if (a.sort_key != b.sort_key)
    return sort == Sort::kNewest ? a.sort_key > b.sort_key : a.sort_key < b.sort_key;
  if (a.weight != b.weight) return a.weight > b.weight;
  return sort == Sort::kAdded ? a.docid > b.docid : a.docid < b.docid;
}

// How many threads search this library's records: one per core, up to four.
unsigned search_threads() {
  cpu_set_t cores;
  if (sched_getaffinity(0, sizeof cores, &cores) != 0) return 1;
  return static_cast<unsigned>(std::clamp(CPU_COUNT(&cores), 1, 4));
}

// Linux tends to start a thread on its creator's core, where it waits for the
// creator to finish its own part: at 1M pages, half the searches then gained
// nothing from a second thread. A helper is kept to the other cores.
void keep_off_this_core(std::thread& helper) {
  cpu_set_t cores;
  int here = sched_getcpu();
  if (here < 0 || sched_getaffinity(0, sizeof cores, &cores) != 0 || CPU_COUNT(&cores) < 2) return;
  CPU_CLR(here, &cores);
  pthread_setaffinity_np(helper.native_handle(), sizeof cores, &cores);
}

// Matches on `threads` threads: this one matches `query` over `db` (its
// share of the blocks when split), each helper `t` runs `helper(part, t)`.
template <typename Helper>
std::vector<Part> match_parts(const Xapian::Database& db, const ParsedQuery& query,
                              const SearchRequest& request, bool local, unsigned threads,
                              const Helper& helper) {
  std::vector<Part> parts(threads);
  std::vector<std::thread> helpers;
  for (unsigned t = 1; t < threads; ++t) {
    helpers.emplace_back([&parts, &helper, t] {
      try {
        helper(&parts[t], t);
      } catch (...) {
        parts[t].error = std::current_exception();
      }
    });
    keep_off_this_core(helpers.back());
  }
  try {
    Xapian::Query share =
        threads > 1 ? in_blocks(share_of_blocks(db.get_lastdocid(), 0, threads)) : Xapian::Query();
    match(db, query, request, local, share, &parts[0]);
  } catch (...) {
    parts[0].error = std::current_exception();
  }
  for (std::thread& h : helpers) h.join();
  return parts;
}

// The hits asked for, in order, from the parts' best; the total and facet
// counts into `out`. A part's Xapian error is thrown again here.
Status merge(std::vector<Part>& parts, const SearchRequest& request, std::vector<Candidate>* hits,
             Results* out) {
  std::uint64_t matches = 0;
  FacetTally facets;
  for (Part& part : parts) {
    if (part.error) std::rethrow_exception(part.error);
    if (!part.status.ok()) return part.status;
    hits->insert(hits->end(), part.top.begin(), part.top.end());
    matches += part.matches;
    out->total_exact = out->total_exact && part.exact;
    facets.add(part.facets);
  }
  std::sort(hits->begin(), hits->end(),
            [&](const Candidate& a, const Candidate& b) { return before(a, b, request.sort); });
  const std::size_t first = std::min(request.offset, hits->size());
  hits->erase(hits->begin(), hits->begin() + static_cast<std::ptrdiff_t>(first));
  if (hits->size() > request.limit) hits->resize(request.limit);
  out->total = request.facets ? matches : std::max<std::uint64_t>(first + hits->size(), matches);
  if (request.facets) out->facets = facets.facets();
  return Status::Ok();
}

// The best matches with each run of three of the query's syllables added
// to the records holding it, for the runs the index has no term for (their
// positions are read). The runs are checked from the best match down, only
// until none further down could reach the hits asked for: such a record
// weighs at most the next one's weight plus every triple's weight. When the
// matches read do not show that, twice as many are read. Xapian finds the
// best 60 for about what the best 30 cost it (1.8 against 1.7 ms for three
// common syllables at 1,000,000 pages, before they had a term), the best
// 100 for twice that.
template <typename Find>
Status rank_by_triples(const Xapian::Database& db, TermReader& reader,
                       const std::vector<RunBonus>& triples, const SearchRequest& request,
                       const Find& find, std::vector<Candidate>* out) {
  const std::size_t wanted = request.offset + request.limit;
  if (wanted == 0) return find(request, out);
  double all = 0;
  std::vector<std::pair<RunPositions, double>> runs;
  for (const RunBonus& t : triples) {
    runs.emplace_back(RunPositions(db, t.term), t.weight);
    all += t.weight;
  }
  std::map<Xapian::docid, double> bonus;  // each record's, read once
  for (std::size_t read = std::max<std::size_t>(3 * wanted, 60);; read *= 2) {
    SearchRequest wide = request;
    wide.offset = 0;
    wide.limit = read;
    std::vector<Candidate> found;  // best first
    if (Status s = find(wide, &found); !s.ok()) return s;
    const bool every = found.size() < read;
    const double last = found.empty() ? 0 : found.back().weight;
    // The weights with runs of the best `wanted` checked so far, least on top.
    std::priority_queue<double, std::vector<double>, std::greater<>> best;
    auto settled = [&](double bound) { return best.size() == wanted && best.top() > bound; };
    std::size_t checked = 0;
    for (; checked < found.size() && !settled(found[checked].weight + all); ++checked) {
      Candidate& c = found[checked];
      auto [known, added] = bonus.try_emplace(c.docid, 0.0);
      if (added)
        for (const auto& [run, weight] : runs)
          if (run.held_by(reader, c.docid)) known->second += weight;
      c.weight += known->second;
      best.push(c.weight);
      if (best.size() > wanted) best.pop();
    }
    if (checked == found.size() && !every && !settled(last + all)) continue;
    found.resize(checked);
    std::sort(found.begin(), found.end(), [](const Candidate& a, const Candidate& b) {
      return before(a, b, Sort::kRelevance);
    });
    const std::size_t first = std::min(request.offset, found.size());
    found.erase(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(first));
    if (found.size() > request.limit) found.resize(request.limit);
    *out = std::move(found);
    return Status::Ok();
  }
}

}  // namespace

Status Index::search(const SearchRequest& request, Results* out) const {
  // A commit landed while the search read the index (its threads opened
  // different commits, or Xapian's blocks were overwritten): the search runs
  // again on the new one.
  Status s;
  for (int attempt = 0; attempt < 3; ++attempt)
    if (s = search_once(request, out); s.code() != Status::Code::kBusy) break;
  return s;
}

// Counting facets means visiting every match, however many: that work is
// split among the cores, each thread with its own database handle and query
// (Xapian's objects are not shared between threads), and the parts merged in
// Xapian's own order. A search without facets stays on one thread, where
// Xapian stops early once nothing left can reach the hits asked for; so does
// one over remote libraries, whose servers know nothing of the blocks.
Status Index::search_once(const SearchRequest& request, Results* out) const {
  *out = Results{};
  try {
    // Shard i of db holds docids i+1, i+1+n, ...: remote k is shard k+1.
    std::vector<Shard> shards = open_shards(path(), remotes_, &out->unavailable);
    Xapian::Database db;
    for (const auto& shard : shards) db.add_database(shard.records);
    ParsedQuery parsed;
    Xapian::Query words;
    const bool local = shards.size() == 1;
    if (Status s = records_query(db, request, synonyms_, local, &parsed, &words); !s.ok()) return s;
    const unsigned threads =
        local && request.facets && db.get_lastdocid() > 0 ? search_threads() : 1;
    // Read here: a helper must not touch this thread's handle.
    const Xapian::rev revision = threads > 1 ? db.get_revision() : 0;
    const Xapian::docid last = db.get_lastdocid();
    // The best matches for `wanted` (the request's or a wider one).
    auto find = [&](const SearchRequest& wanted, std::vector<Candidate>* found) {
      std::vector<Part> parts =
          match_parts(db, parsed, wanted, local, threads, [&](Part* part, unsigned t) {
            // The revision this thread searches, or the parts would not add up.
            Xapian::Database own = open_for_search(records_path(path()));
            if (own.get_revision() != revision) throw Xapian::DatabaseModifiedError("");
            ParsedQuery mine;
            Xapian::Query unused;
            part->status = records_query(own, wanted, synonyms_, true, &mine, &unused);
            if (part->status.ok())
              match(own, mine, wanted, true, in_blocks(share_of_blocks(last, t, threads)), part);
          });
      return merge(parts, wanted, found, out);
    };
    // Triples are ranked only in a search of this library alone (run_bonus),
    // where db's docids are its own: what they read, its hits' pages reuse.
    std::vector<TermReader> readers;
    for (const Shard& shard : shards) readers.emplace_back(shard.records);
    std::vector<Candidate> found;
    Status found_status =
        parsed.triples.empty() || request.sort != Sort::kRelevance
            ? find(request, &found)
            : rank_by_triples(db, readers.front(), parsed.triples, request, find, &found);
    if (!found_status.ok()) return found_status;
    std::vector<std::vector<Hit*>> by_shard(shards.size());
    for (const Candidate& c : found)
      out->hits.push_back(describe(db.get_document(c.docid), c.weight,
                                   shards[(c.docid - 1) % shards.size()].library));
    for (std::size_t i = 0; i < found.size(); ++i)
      by_shard[(found[i].docid - 1) % shards.size()].push_back(&out->hits[i]);
    if (is_blank(request.query)) return Status::Ok();  // a browse: no pages, no suggestion
    for (std::size_t i = 0; i < shards.size(); ++i)
      find_best_pages(readers[i], words, parsed.words, by_shard[i]);
    for (Hit& hit : out->hits) add_snippet(store_, parsed.words, &hit);
    const Xapian::Query allowed = grants_query(request.grants);
    const LocalText own{shards.front().records, store_};
    out->suggestion =
        suggest(db, request.query, synonyms_, request.restricted ? &allowed : nullptr, &own);
  } catch (const Xapian::DatabaseModifiedError&) {
    return Status::Busy("the index changed during the search; try again");
  } catch (const Xapian::Error& e) {
    return Status::IoError("index " + path() + ": " + e.get_description());
  }
  return Status::Ok();
}

Status Index::search_record(store::RecordId id, const std::string& query,
                            std::vector<Hit>* pages) const {
  pages->clear();
  try {
    Xapian::Database db = open_for_search(records_path(path()));
    ParsedQuery parsed;
    if (Status s = parse_query(db, query, true, synonyms_, true, &parsed); !s.ok()) return s;
    if (id == 0 || id > db.get_lastdocid()) return Status::Ok();
    // As search finds a hit's pages (find_best_pages); the pages with any of
    // the words only for a record the query finds as a whole (a hit): its
    // words spread over its pages.
    Xapian::Enquire finds(db);
    finds.set_query(Xapian::Query(Xapian::Query::OP_FILTER, phrases_by_runs(db, parsed.query),
                                  Xapian::Query(kPrefixRecord + std::to_string(id))));
    const bool whole = finds.get_mset(0, 1).size() > 0;
    const Xapian::Document doc = db.get_document(static_cast<Xapian::docid>(id));
    TermReader reader(db);
    for (const auto& [page, score] :
         matching_pages(reader, id, parsed.query, whole ? parsed.words : std::set<std::string>())) {
      Hit hit = describe(doc, score);
      hit.page = page;
      add_snippet(store_, parsed.words, &hit);
      pages->push_back(std::move(hit));
    }
  } catch (const Xapian::DocNotFoundError&) {
    return Status::Ok();
  } catch (const Xapian::Error& e) {
    return Status::IoError("index " + path() + ": " + e.get_description());
  }
  return Status::Ok();
}

// Statistics count every match: Xapian's boolean weighting (nothing to rank)
// and docid order, read straight off the match set. Retried like search when
// a commit lands meanwhile.
Status Index::matching_records(const SearchRequest& request,
                               std::vector<store::RecordId>* out) const {
  for (int attempt = 0;; ++attempt) {
    out->clear();
    try {
      Xapian::Database db = open_for_search(records_path(path()));
      ParsedQuery parsed;
      Xapian::Query words;
      if (Status s = records_query(db, request, synonyms_, true, &parsed, &words); !s.ok())
        return s;
      Xapian::Enquire enquire(db);
      enquire.set_query(parsed.query);
      enquire.set_weighting_scheme(Xapian::BoolWeight());
      enquire.set_docid_order(Xapian::Enquire::ASCENDING);
      Xapian::MSet mset = enquire.get_mset(0, db.get_doccount(), db.get_doccount());
      out->reserve(mset.size());
      for (auto m = mset.begin(); m != mset.end(); ++m) out->push_back(*m);
      return Status::Ok();
    } catch (const Xapian::DatabaseModifiedError&) {
      if (attempt == 2) return Status::Busy("the index changed while counting; try again");
    } catch (const Xapian::Error& e) {
      return Status::IoError("index " + path() + ": " + e.get_description());
    }
  }
}

}  // namespace kho::indexer

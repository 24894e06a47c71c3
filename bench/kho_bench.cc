// Query latency of kho's search over an existing library, for bench/run.
// Opens the library once, runs every query of the mix once to warm the
// caches, then ROUNDS times, timing each Index::search call (which includes
// parsing, folding, facets, the hits' best pages and snippets from the store).
// Prints one line per query class: class, count, p50, p95, p99 in ms.
// Usage: kho-bench DATA QUERIES.tsv [ROUNDS]
//   QUERIES.tsv: class <TAB> kho query <TAB> … (other columns are the peers')
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/library.h"

namespace {

struct Query {
  std::string cls, text;
};

std::vector<Query> read_queries(const char* path) {
  std::vector<Query> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Query q;
    std::getline(fields, q.cls, '\t');
    std::getline(fields, q.text, '\t');
    out.push_back(q);
  }
  return out;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0
                   : v[std::min(v.size() - 1,
                                static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: kho-bench DATA QUERIES.tsv [ROUNDS]\n");
    return 2;
  }
  int rounds = argc > 3 ? std::atoi(argv[3]) : 20;
  std::unique_ptr<kho::Library> library;
  if (kho::Status s = kho::Library::open(argv[1], false, &library); !s.ok()) {
    std::fprintf(stderr, "kho-bench: %s\n", s.message().c_str());
    return 1;
  }
  std::map<std::string, std::vector<double>> ms;
  for (int round = -1; round < rounds; ++round) {
    for (const Query& q : read_queries(argv[2])) {
      kho::indexer::SearchRequest request;
      request.query = q.text;
      request.facets = q.cls == "faceted";
      kho::indexer::Results results;
      auto start = std::chrono::steady_clock::now();
      kho::Status s = library->index().search(request, &results);
      double elapsed =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      if (!s.ok()) std::fprintf(stderr, "kho-bench: %s: %s\n", q.text.c_str(), s.message().c_str());
      if (round == -1)
        std::fprintf(stderr, "%-10s %8llu hits  %s\n", q.cls.c_str(),
                     static_cast<unsigned long long>(results.total), q.text.c_str());
      else
        ms[q.cls].push_back(elapsed);
    }
  }
  for (const auto& [cls, v] : ms)
    std::printf("%s\t%zu\t%.3f\t%.3f\t%.3f\n", cls.c_str(), v.size(), percentile(v, 0.5),
                percentile(v, 0.95), percentile(v, 0.99));
  return 0;
}

// Block-max pruning, private to the indexer. Xapian 1.4 bounds a term's
// weight over the whole collection only, so when every record matches a
// query ("giao vien" folded matches all of them) it scores every record to
// find ten. Records are taken in blocks of kBlock docids, and for each term
// in many records the index keeps, per block, the (wdf, length) pairs that no
// other record of the block beats on both: the block's highest BM25 weight
// for the term is at one of them, whatever the collection's statistics. A
// search then scores blocks in order of their bound and stops when no block
// left can reach the hits it has: the same hits as scoring every record.
#pragma once

#include <xapian.h>

#include <set>
#include <utility>
#include <vector>

#include "indexer/terms.h"
#include "store/store.h"

namespace kho::indexer {

inline constexpr Xapian::docid kBlock = 128;

// Writes the bounds of every term in many records (when the index is
// compacted or rebuilt); a commit afterwards marks the blocks it changed.
void write_block_bounds(Xapian::WritableDatabase& records);
void mark_changed_blocks(Xapian::WritableDatabase& records,
                         const std::set<store::RecordId>& changed);

// A filter that matches the records of the given blocks (docids
// b * kBlock + 1 to (b + 1) * kBlock for each b).
Xapian::Query in_blocks(std::vector<Xapian::docid> blocks);

// The blocks dealt to thread `thread` of `threads` in turn, over the docids up
// to `last`: the share of a search split among threads, so that matches
// clustered by docid (a batch import of one kind) are shared among them.
std::vector<Xapian::docid> share_of_blocks(Xapian::docid last, unsigned thread, unsigned threads);

// The first `wanted` records `query` matches, best first as Xapian orders
// them (weight, then docid). `runs`: the run bonuses the query holds
// (terms.h). False when blocks cannot answer it (no bounds, a weighted part
// they cannot bound, a query that is cheap anyway): then the caller matches
// every record as usual.
bool top_by_blocks(const Xapian::Database& db, const Xapian::Query& query,
                   const std::vector<RunBonus>& runs, Xapian::doccount wanted,
                   std::vector<std::pair<Xapian::docid, double>>* out);

}  // namespace kho::indexer

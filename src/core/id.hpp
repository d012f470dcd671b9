#pragma once
/// Collision-resistant random identifiers (data model: "ids are text, random,
/// cuid2-style").
#include <cstdint>
#include <string>
#include <string_view>

namespace voqo {

/// A new id: 24 characters, a lowercase letter then 23 of [0-9a-z]
/// (cuid2's shape). Built from a BLAKE2b hash, keyed with a per-thread
/// 32-byte secret from the OS, of the time in ns and thread and process
/// counters, so ids from concurrent threads and processes do not collide and
/// cannot be predicted (≈119 bits). Thread-safe; no system call per id.
std::string new_id();

/// Ids for rows written in bulk (batch contacts, job calls): the same shape
/// and the same unpredictable tail as new_id(), but they sort in creation
/// order: 9 base-36 characters of milliseconds since 1970 (from a letter, so
/// they start with [a-z] until the year 5188), 4 of a per-sequence counter,
/// then 11 keyed-hash characters (≈57 bits). Inserting such keys appends to
/// the primary-key B-tree instead of splitting pages at random, which makes
/// a million-row import several times faster and its index half the size.
/// Not thread-safe: one sequence per writer.
class IdSequence {
 public:
  IdSequence();
  std::string next();

 private:
  std::string prefix_;  ///< time part, refreshed when the counter wraps
  uint32_t counter_ = 0;
};

/// True when `s` has the shape new_id() produces (used to reject garbage
/// path parameters early with a 404 rather than a query).
bool looks_like_id(std::string_view s);

}  // namespace voqo

#pragma once
/// Collision-resistant random identifiers (data model: "ids are text, random,
/// cuid2-style").
#include <string>

namespace voqo {

/// A new id: 24 characters, a lowercase letter then 23 of [0-9a-z]
/// (cuid2's shape). Built from a BLAKE2b hash of 32 bytes of OS randomness,
/// the time in ns and a process counter, so ids from concurrent threads and
/// processes do not collide (≈119 bits of entropy). Thread-safe.
std::string new_id();

/// True when `s` has the shape new_id() produces (used to reject garbage
/// path parameters early with a 404 rather than a query).
bool looks_like_id(std::string_view s);

}  // namespace voqo

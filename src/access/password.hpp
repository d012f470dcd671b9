#pragma once
/// Passwords of dashboard users (issue 16 item 2: "password hashed with
/// Argon2id from libsodium").
///
/// Hash: libsodium crypto_pwhash_str_alg with crypto_pwhash_ALG_ARGON2ID13
/// (Argon2id v1.3, RFC 9106), a random 16-byte salt per hash, stored as the
/// PHC string "$argon2id$v=19$m=65536,t=2,p=1$<salt>$<hash>" (≤ 128 bytes),
/// which carries its own parameters, so a later cost change still verifies
/// old hashes and password_needs_rehash() tells the caller to upgrade them.
///
/// Cost: opslimit crypto_pwhash_OPSLIMIT_INTERACTIVE (t = 2 passes) and
/// memlimit crypto_pwhash_MEMLIMIT_INTERACTIVE (64 MiB), one lane. Measured
/// on the 2-core Debian 12 VM (libsodium 1.0.18, bench/access_bench.cpp):
/// 52 ms per hash or verify (t = 3: 70 ms; 97 ms at t = 2 while another build
/// held both cores), well under the 150 ms budget for a sign-in, so the
/// INTERACTIVE preset stands. It exceeds OWASP's Argon2id minimum (19 MiB,
/// t = 2). Each hash or verify holds 64 MiB while it runs: the caller runs
/// sign-ins on a bounded lane (a few at once), so a burst of sign-ins from
/// many addresses cannot take 64 MiB × HTTP threads.
///
/// Rules (check_password_rules): 10 to 256 bytes of valid UTF-8 (RFC 3629).
/// No composition rules (NIST SP 800-63B §5.1.1.2: length, not character
/// classes); 256 bounds the work an attacker can make us hash.
///
/// Threads: every function is safe from any thread. Never throws (except
/// std::bad_alloc).
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace voqo::access {

inline constexpr size_t kPasswordMinBytes = 10;
inline constexpr size_t kPasswordMaxBytes = 256;

/// The password rules above. Error: invalid_argument naming field "password"
/// ("must be at least 10 bytes", "must be at most 256 bytes", "must be valid UTF-8").
Result<void> check_password_rules(std::string_view pw);

/// Argon2id hash of `pw` at the chosen cost, as a PHC string (see above).
/// Does not apply check_password_rules (the caller does, so it can name the
/// field). Error: internal when libsodium cannot allocate the 64 MiB.
Result<std::string> hash_password(std::string_view pw);

/// True when `pw` matches `stored_hash` (a string from hash_password, of any
/// cost). False for a wrong password and for a malformed or empty hash.
/// Takes as long as one hash at the stored cost (≈ 50 ms at the chosen one).
bool verify_password(std::string_view stored_hash, std::string_view pw);

/// True when `stored_hash` was made with other parameters than the chosen
/// cost (or another algorithm, or is malformed): after a successful sign-in
/// the caller re-hashes the password and stores the new hash.
bool password_needs_rehash(std::string_view stored_hash);

/// Burns the time of one verify_password at the chosen cost and returns false.
/// Sign-in calls it when no user has the given email (or the user is
/// disabled), so that an unknown email answers as slowly as a wrong password:
/// otherwise response time tells an attacker which emails have accounts
/// (a timing oracle). It verifies `pw` against a hash of a random password
/// made once per process (the first call also pays that hash).
bool dummy_verify(std::string_view pw);

}  // namespace voqo::access

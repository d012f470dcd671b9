#pragma once
/// Access from the command line (issue 16 §9): `voqo user create` and `voqo
/// key create` (each with --db, each creating the workspace by name when it
/// does not exist), the workspace CLI commands act in, and what `voqo serve`
/// and `voqo demo` do before they listen: refuse a non-loopback address while
/// no user exists, and on loopback print a one-time sign-in link.
#include <optional>
#include <ostream>
#include <string>

#include "api/authenticator.hpp"
#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/workspace_id.hpp"

namespace voqo::store {
class Store;
}

namespace voqo::cli {

/// `voqo user create --email E --workspace W --role R [--name N] [--url U]`
/// and `voqo key create --workspace W --scopes a,b [--name N] [--rate-limit R]
/// [--expires ISO]`. `db` is main's --db (shared option).
Subcommand add_user_command(CLI::App& app, std::string& db);
Subcommand add_key_command(CLI::App& app, std::string& db);

/// The workspace named `name` (created, tier `tier`, when missing; "Default"
/// always exists). Errors: invalid name; database.
Result<WorkspaceId> workspace_by_name(store::Store& store, const std::string& name, const std::string& tier = "free");

/// A one-time sign-in link (valid 15 minutes, issue 16 §9) for `user_id`:
/// `<base_url>/login?token=...`. Errors: database.
Result<std::string> sign_in_link(store::Store& store, const std::string& user_id, const std::string& base_url);

/// Before `voqo serve` / `voqo demo` listen on `host`: on a non-loopback
/// address with no user in the database, an error that says how to create
/// one; on loopback, a sign-in link for an owner of the Default workspace
/// (created as owner@voqo.localhost when there is none), returned to print on its
/// own line. Also warns, on `warn`, that --api-key is deprecated when set.
Result<std::optional<std::string>> prepare_operator_access(store::Store& store, const std::string& host,
                                                           const std::string& base_url, bool legacy_key,
                                                           std::ostream& warn);

/// The authenticator settings of serve and demo: the deprecated --api-key,
/// and allowed origins from env VOQO_ALLOWED_ORIGINS (comma-separated).
api::AuthConfig auth_config(const std::string& legacy_api_key);

/// Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost).
bool is_loopback_host(const std::string& host);

}  // namespace voqo::cli

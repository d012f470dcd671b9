#include "cli/access_commands.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <sstream>

#include "access/api_key.hpp"
#include "access/roles.hpp"
#include "access/token.hpp"
#include "core/time.hpp"
#include "store/store.hpp"

namespace voqo::cli {
namespace {

constexpr auto kSignInLinkTtl = std::chrono::minutes(15);

std::unique_ptr<store::Store> open_or_exit(const std::string& db) {
  auto st = store::Store::open(db);
  if (!st) {
    std::cerr << "voqo: cannot open database " << db << ": " << st.error().message << "\n";
    std::exit(1);
  }
  return std::move(*st);
}

int fail(const Error& e) {
  std::cerr << "voqo: " << e.message;
  if (!e.field().empty()) std::cerr << " (" << e.field() << ")";
  std::cerr << "\n";
  return 2;
}

/// An audit entry for what the CLI did (actor "cli").
void audit_cli(store::Store& st, const WorkspaceId& ws, std::string action, std::string type, std::string id) {
  store::AuditEntry e{ws, "cli", "", "voqo " + action, std::move(action), std::move(type), std::move(id),
                      nlohmann::json::object(), ""};
  (void)st.access().audit(e);
}

}  // namespace

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

Result<WorkspaceId> workspace_by_name(store::Store& st, const std::string& name, const std::string& tier) {
  if (name == store::kDefaultWorkspaceName) return st.access().default_workspace();
  auto found = st.access().workspace_by_name(name);
  if (!found) return std::unexpected(found.error());
  if (*found) return (*found)->id;
  auto made = st.access().create_workspace(name, tier);
  if (!made) return std::unexpected(made.error());
  return made->id;
}

Result<std::string> sign_in_link(store::Store& st, const std::string& user_id, const std::string& base_url) {
  const std::string token = access::random_token();
  if (auto ok = st.access().create_login_token(user_id, access::token_hash(token), "sign_in",
                                               to_iso8601(std::chrono::system_clock::now() + kSignInLinkTtl));
      !ok)
    return std::unexpected(ok.error());
  return base_url + "/login?token=" + token;
}

Result<std::optional<std::string>> prepare_operator_access(store::Store& st, const std::string& host,
                                                           const std::string& base_url, bool legacy_key,
                                                           std::ostream& warn) {
  if (legacy_key)
    warn << "voqo: --api-key (VOQO_API_KEY) is deprecated: it acts as an admin key of the Default workspace. "
            "Create keys with `voqo key create` or on the dashboard's API Keys page.\n";
  auto any = st.access().any_user();
  if (!any) return std::unexpected(any.error());
  if (!is_loopback_host(host)) {
    if (!*any)
      return std::unexpected(Error::invalid(
          "host", "voqo will not listen on " + host +
                      " while the database has no user: create the first one with\n  voqo user create --db <db> "
                      "--email you@example.com --workspace Default --role owner\n(it prints a link to set the "
                      "password), or listen on 127.0.0.1"));
    return std::optional<std::string>{};
  }
  // Loopback: whoever runs the server on this machine gets a one-time link
  // for an owner of the Default workspace, so the demo needs no manual step.
  auto ws = st.access().default_workspace();
  if (!ws) return std::unexpected(ws.error());
  auto members = st.access().members(*ws);
  if (!members) return std::unexpected(members.error());
  std::string owner;
  for (const auto& m : *members)
    if (m.value("role", "") == "owner" && !m.value("disabled", false)) {
      owner = m.value("userId", "");
      break;
    }
  if (owner.empty()) {
    auto existing = st.access().user_by_email("owner@voqo.localhost");
    if (!existing) return std::unexpected(existing.error());
    if (*existing) {
      owner = (*existing)->id;
    } else {
      auto made = st.access().create_user("owner@voqo.localhost", "Local owner");
      if (!made) return std::unexpected(made.error());
      owner = made->id;
    }
    if (auto added = st.access().add_member(*ws, owner, "owner"); !added && added.error().code != ErrorCode::conflict)
      return std::unexpected(added.error());
  }
  auto link = sign_in_link(st, owner, base_url);
  if (!link) return std::unexpected(link.error());
  return std::optional<std::string>{*link};
}

api::AuthConfig auth_config(const std::string& legacy_api_key) {
  api::AuthConfig c;
  c.legacy_api_key = legacy_api_key;
  if (const char* origins = std::getenv("VOQO_ALLOWED_ORIGINS")) {
    std::stringstream in(origins);
    for (std::string o; std::getline(in, o, ',');)
      if (!o.empty()) c.allowed_origins.push_back(o);
  }
  if (const char* secure = std::getenv("VOQO_SECURE_COOKIES")) c.secure_cookies = std::string(secure) == "1";
  return c;
}

Subcommand add_user_command(CLI::App& app, std::string& db) {
  struct Args {
    std::string email, workspace = "Default", role = "owner", name, url = "http://127.0.0.1:8080";
  };
  auto args = std::make_shared<Args>();
  auto* user = app.add_subcommand("user", "Manage users");
  user->require_subcommand(1);
  auto* create = user->add_subcommand("create", "Create a user (or add an existing one) as a member of a workspace; "
                                                "prints a one-time link to set the password");
  create->add_option("--email", args->email, "The user's email (their sign-in name)")->required();
  create->add_option("--workspace", args->workspace, "Workspace name (created when missing)")->capture_default_str();
  create->add_option("--role", args->role, "owner, admin, supervisor or viewer")
      ->check(CLI::IsMember({"owner", "admin", "supervisor", "viewer"}))
      ->capture_default_str();
  create->add_option("--name", args->name, "Display name");
  create->add_option("--url", args->url, "The server's address, for the link")->capture_default_str();
  create->add_option("--db", db, "SQLite database file");
  return {create, [args, &db]() -> int {
            auto st = open_or_exit(db);
            auto ws = workspace_by_name(*st, args->workspace);
            if (!ws) return fail(ws.error());
            auto existing = st->access().user_by_email(args->email);
            if (!existing) return fail(existing.error());
            store::User user;
            if (*existing) {
              user = **existing;
            } else {
              auto made = st->access().create_user(args->email, args->name);
              if (!made) return fail(made.error());
              user = *made;
            }
            if (auto added = st->access().add_member(*ws, user.id, args->role); !added) {
              if (added.error().code != ErrorCode::conflict) return fail(added.error());
              if (auto changed = st->access().update_member_role(*ws, user.id, args->role); !changed)
                return fail(changed.error());
            }
            audit_cli(*st, *ws, "user create", "members", user.id);
            const std::string token = access::random_token();
            const char* purpose = user.password_hash ? "sign_in" : "set_password";
            const auto ttl = user.password_hash ? std::chrono::minutes(15) : std::chrono::minutes(7 * 24 * 60);
            if (auto ok = st->access().create_login_token(user.id, access::token_hash(token), purpose,
                                                          to_iso8601(std::chrono::system_clock::now() + ttl));
                !ok)
              return fail(ok.error());
            std::cout << "User " << user.email << " is " << args->role << " of workspace '" << args->workspace << "' ("
                      << ws->value << ")\n";
            std::cout << (user.password_hash ? "Sign-in link (one use, 15 minutes):\n" : "Set-password link (one use, 7 days):\n");
            std::cout << args->url << "/login?token=" << token
                      << (user.password_hash ? std::string() : std::string("&purpose=set_password")) << "\n";
            st->close();
            return 0;
          }};
}

Subcommand add_key_command(CLI::App& app, std::string& db) {
  struct Args {
    std::string workspace = "Default", scopes, name = "cli", expires;
    double rate = 0;
  };
  auto args = std::make_shared<Args>();
  auto* key = app.add_subcommand("key", "Manage API keys");
  key->require_subcommand(1);
  auto* create = key->add_subcommand("create", "Create an API key in a workspace and print it once");
  create->add_option("--workspace", args->workspace, "Workspace name (created when missing)")->capture_default_str();
  create->add_option("--scopes", args->scopes, "Comma-separated: agents:read, agents:write, calls:read, calls:write, "
                                              "campaigns:read, campaigns:write, live:read, live:control, "
                                              "settings:read, settings:write, admin")
      ->required();
  create->add_option("--name", args->name, "A name to recognise it by")->capture_default_str();
  create->add_option("--rate-limit", args->rate, "Requests per second this key may make (0 = the workspace's limit)");
  create->add_option("--expires", args->expires, "ISO-8601 expiry (default: never)");
  create->add_option("--db", db, "SQLite database file");
  return {create, [args, &db]() -> int {
            auto scopes = access::parse_scope_list(args->scopes, "--scopes");
            if (!scopes) return fail(scopes.error());
            std::optional<std::string> expires;
            if (!args->expires.empty()) {
              auto t = parse_iso8601(args->expires);
              if (!t) return fail(Error::invalid("--expires", "must be an ISO-8601 time"));
              expires = to_iso8601(*t);
            }
            if (args->rate < 0) return fail(Error::invalid("--rate-limit", "must be 0 or more"));
            auto st = open_or_exit(db);
            auto ws = workspace_by_name(*st, args->workspace);
            if (!ws) return fail(ws.error());
            const auto k = access::generate_api_key();
            auto rec = st->access().create_api_key(*ws, args->name, k.prefix, k.hash, access::to_strings(*scopes),
                                                   expires, args->rate > 0 ? std::optional(args->rate) : std::nullopt,
                                                   std::string("cli"));
            if (!rec) return fail(rec.error());
            audit_cli(*st, *ws, "key create", "keys", rec->id);
            std::cerr << "API key '" << args->name << "' (" << rec->id << ") for workspace '" << args->workspace
                      << "', scopes " << args->scopes << ". It is shown once; voqo keeps only its hash:\n";
            std::cout << k.secret << std::endl;
            st->close();
            return 0;
          }};
}

}  // namespace voqo::cli

#include "brain/instruction_template.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>

#include "core/time_zone.hpp"

namespace voqo::brain {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxName = 64;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool custom_name_ok(std::string_view n) {
  if (n.empty() || n.size() > kMaxName) return false;
  if (!(std::isalpha(static_cast<unsigned char>(n[0])) || n[0] == '_')) return false;
  return std::ranges::all_of(n, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool column_ok(std::string_view n) {
  if (n.empty() || n.size() > kMaxName) return false;
  return std::ranges::all_of(n, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ' ' || c == '-';
  });
}

std::string key_of(std::string_view s) {
  std::string k;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c))) k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return k;
}

const TemplateVariable* declared_named(std::span<const TemplateVariable> declared, std::string_view name) {
  const std::string k = key_of(name);
  for (const auto& v : declared)
    if (key_of(v.name) == k) return &v;
  return nullptr;
}

bool iso_date(std::string_view s, std::chrono::year_month_day* out = nullptr) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  const std::chrono::year_month_day ymd{std::chrono::year(std::stoi(std::string(s.substr(0, 4)))),
                                        std::chrono::month(static_cast<unsigned>(std::stoi(std::string(s.substr(5, 2))))),
                                        std::chrono::day(static_cast<unsigned>(std::stoi(std::string(s.substr(8, 2)))))};
  if (!ymd.ok()) return false;
  if (out) *out = ymd;
  return true;
}

constexpr std::array<const char*, 12> kMonths = {"January", "February", "March",     "April",   "May",      "June",
                                                 "July",    "August",   "September", "October", "November", "December"};

std::string spoken_date(const std::chrono::year_month_day& ymd) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %u, %d", kMonths[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<unsigned>(ymd.day()), static_cast<int>(ymd.year()));
  return buf;
}

/// The call's local time: CallContext::now in the callee's zone (UTC when unknown).
std::chrono::sys_seconds local_now(const CallContext& ctx) {
  using namespace std::chrono;
  auto zone = TimeZone::locate(ctx.time_zone.empty() ? "UTC" : ctx.time_zone);
  const TimeZone tz = zone ? *zone : TimeZone::utc();
  const sys_seconds now = floor<seconds>(ctx.now);
  return now + tz.offset(now);
}

/// A JSON value as spoken for `type`.
std::string spoken(const json& v, VariableType type) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    std::chrono::year_month_day ymd;
    if (type == VariableType::date && iso_date(s, &ymd)) return spoken_date(ymd);
    return s;
  }
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) return v.dump();
  return {};
}

/// The value of a column of CallContext::variables (matched ignoring case, spaces, '_' and '-').
std::string column_value(const CallContext& ctx, std::string_view column, VariableType type = VariableType::string) {
  if (!ctx.variables.is_object()) return {};
  const std::string want = key_of(column);
  for (auto it = ctx.variables.begin(); it != ctx.variables.end(); ++it)
    if (key_of(it.key()) == want) return spoken(it.value(), type);
  return {};
}

std::string with_default(std::string value, const TemplateVariable* decl) {
  if (trim(value).empty() && decl && decl->default_value) return spoken(*decl->default_value, decl->type);
  return value;
}

enum class Kind { known, custom, malformed, unknown };

/// Classifies a trimmed reference name.
Kind classify(std::string_view n, std::string* custom) {
  if (n.empty()) return Kind::malformed;
  if (n == "contact.name" || n == "contact.first_name" || n == "contact.phone" || n == "campaign.name" ||
      n == "agent.name" || n == "now:date" || n == "now:time" || n == "contact_name" || n == "first_name" ||
      n == "agent_name")
    return Kind::known;
  if (n.starts_with("lead.")) return column_ok(n.substr(5)) ? Kind::known : Kind::malformed;
  if (n.starts_with("vars.")) {
    if (!custom_name_ok(n.substr(5))) return Kind::malformed;
    if (custom) *custom = std::string(n.substr(5));
    return Kind::custom;
  }
  if (n.find_first_of(".:") != std::string_view::npos) return Kind::unknown;
  if (!custom_name_ok(n)) return Kind::malformed;
  if (custom) *custom = std::string(n);
  return Kind::custom;
}

std::string tidy(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' && (out.empty() || out.back() == ' ' || out.back() == '\n')) continue;
    if ((c == ',' || c == '.' || c == '!' || c == '?') && !out.empty() && out.back() == ' ') out.pop_back();
    if (c == ',' && !out.empty() && (out.back() == ',' || out.back() == '.' || out.back() == '!' || out.back() == '?'))
      continue;
    if (c == '\n') while (!out.empty() && out.back() == ' ') out.pop_back();
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

const char* type_name(VariableType t) {
  switch (t) {
    case VariableType::string: return "string";
    case VariableType::number: return "number";
    case VariableType::date: return "date";
    case VariableType::boolean: return "boolean";
  }
  return "string";
}

}  // namespace

Result<std::vector<TemplateVariable>> parse_template_variables(const json& variables, std::string_view field) {
  const std::string base(field);
  if (variables.is_null()) return std::vector<TemplateVariable>{};
  if (!variables.is_array()) return std::unexpected(Error::invalid(base, "must be an array of {name, type, default?, description?}"));
  if (variables.size() > 100) return std::unexpected(Error::invalid(base, "at most 100 variables"));
  std::vector<TemplateVariable> out;
  for (std::size_t i = 0; i < variables.size(); ++i) {
    const json& v = variables[i];
    const std::string at = base + "[" + std::to_string(i) + "]";
    if (!v.is_object()) return std::unexpected(Error::invalid(at, "must be an object {name, type, default?, description?}"));
    for (auto k = v.begin(); k != v.end(); ++k)
      if (k.key() != "name" && k.key() != "type" && k.key() != "default" && k.key() != "description")
        return std::unexpected(Error::invalid(at + "." + k.key(), "unknown field"));
    TemplateVariable t;
    const json name = v.value("name", json());
    if (!name.is_string() || !custom_name_ok(name.get<std::string>()))
      return std::unexpected(Error::invalid(at + ".name", "must be a name of at most 64 letters, digits or '_', not starting with a digit"));
    t.name = name.get<std::string>();
    if (declared_named(out, t.name))
      return std::unexpected(Error::invalid(at + ".name", "variable " + t.name + " is declared twice"));
    const json type = v.value("type", json("string"));
    if (!type.is_string()) return std::unexpected(Error::invalid(at + ".type", "must be string, number, date or boolean"));
    const std::string ty = type.get<std::string>();
    if (ty == "string") t.type = VariableType::string;
    else if (ty == "number") t.type = VariableType::number;
    else if (ty == "date") t.type = VariableType::date;
    else if (ty == "boolean") t.type = VariableType::boolean;
    else return std::unexpected(Error::invalid(at + ".type", "must be string, number, date or boolean"));
    if (auto d = v.find("default"); d != v.end() && !d->is_null()) {
      const bool ok = t.type == VariableType::string    ? d->is_string() && d->get<std::string>().size() <= 2000
                      : t.type == VariableType::number  ? d->is_number()
                      : t.type == VariableType::boolean ? d->is_boolean()
                                                        : d->is_string() && iso_date(d->get<std::string>());
      if (!ok)
        return std::unexpected(Error::invalid(at + ".default", "the default of " + t.name + " must be a " +
                                                                   type_name(t.type) +
                                                                   (t.type == VariableType::date ? " (YYYY-MM-DD)" : "")));
      t.default_value = *d;
    }
    if (auto d = v.find("description"); d != v.end() && !d->is_null()) {
      if (!d->is_string() || d->get<std::string>().size() > 500)
        return std::unexpected(Error::invalid(at + ".description", "must be a string of at most 500 characters"));
      t.description = d->get<std::string>();
    }
    out.push_back(std::move(t));
  }
  return out;
}

Result<void> validate_template_text(std::string_view text, std::span<const TemplateVariable> declared,
                                    std::string_view field) {
  const std::string f(field);
  for (std::size_t i = text.find("{{"); i != std::string_view::npos; i = text.find("{{", i)) {
    const std::size_t close = text.find("}}", i + 2);
    if (close == std::string_view::npos)
      return std::unexpected(Error::invalid(f, "malformed variable: \"{{\" without \"}}\" at character " + std::to_string(i)));
    const std::string_view inner = text.substr(i + 2, close - i - 2);
    if (inner.find('{') != std::string_view::npos || inner.find('}') != std::string_view::npos)
      return std::unexpected(Error::invalid(f, "malformed variable {{" + std::string(inner) + "}}"));
    const std::string_view name = trim(inner);
    std::string custom;
    switch (classify(name, &custom)) {
      case Kind::malformed:
        return std::unexpected(Error::invalid(f, "malformed variable {{" + std::string(inner) + "}}"));
      case Kind::unknown:
        return std::unexpected(Error::invalid(
            f, "unknown variable {{" + std::string(name) +
                   "}} (known: contact.name, contact.first_name, contact.phone, lead.<column>, campaign.name, "
                   "agent.name, now:date, now:time, and declared custom variables)"));
      case Kind::custom:
        if (!declared_named(declared, custom))
          return std::unexpected(
              Error::invalid(f, "unknown variable {{" + std::string(name) + "}}: custom variable " + custom +
                                    " is not declared in the template's variables"));
        break;
      case Kind::known: break;
    }
    i = close + 2;
  }
  return {};
}

std::vector<std::string> template_references(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t i = text.find("{{"); i != std::string_view::npos; i = text.find("{{", i)) {
    const std::size_t close = text.find("}}", i + 2);
    if (close == std::string_view::npos) break;
    const std::string name(trim(text.substr(i + 2, close - i - 2)));
    if (classify(name, nullptr) != Kind::malformed && std::ranges::find(out, name) == out.end()) out.push_back(name);
    i = close + 2;
  }
  return out;
}

std::string resolve_reference(std::string_view raw, const CallContext& ctx, std::span<const TemplateVariable> declared) {
  const std::string_view n = trim(raw);
  if (n == "contact.name" || n == "contact_name")
    return with_default(!ctx.contact_name.empty() ? ctx.contact_name : column_value(ctx, "name"), declared_named(declared, "name"));
  if (n == "contact.first_name" || n == "first_name") {
    std::string v = column_value(ctx, "first_name");
    if (v.empty()) v = ctx.contact_name.substr(0, ctx.contact_name.find(' '));
    return with_default(std::move(v), declared_named(declared, "first_name"));
  }
  if (n == "contact.phone") return ctx.contact_phone;
  if (n == "agent.name" || n == "agent_name") return ctx.agent_name;
  if (n == "campaign.name") return with_default(ctx.campaign_name, declared_named(declared, "campaign_name"));
  if (n == "now:date" || n == "now:time") {
    using namespace std::chrono;
    const sys_seconds local = local_now(ctx);
    const sys_days day = floor<days>(local);
    if (n == "now:date") return spoken_date(year_month_day{day});
    const hh_mm_ss hms{local - day};
    const unsigned hour = static_cast<unsigned>(hms.hours().count());
    char buf[32];
    std::snprintf(buf, sizeof buf, "%u:%02u %s", hour % 12 == 0 ? 12 : hour % 12,
                  static_cast<unsigned>(hms.minutes().count()), hour < 12 ? "AM" : "PM");
    return buf;
  }
  if (n.starts_with("lead.")) {
    const std::string_view column = n.substr(5);
    const TemplateVariable* decl = declared_named(declared, column);
    return with_default(column_value(ctx, column, decl ? decl->type : VariableType::string), decl);
  }
  std::string custom;
  if (classify(n, &custom) == Kind::custom) {
    const TemplateVariable* decl = declared_named(declared, custom);
    return with_default(column_value(ctx, custom, decl ? decl->type : VariableType::string), decl);
  }
  return {};
}

std::string render_template(std::string_view text, const CallContext& ctx, std::span<const TemplateVariable> declared) {
  if (text.find("{{") == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size() + 32);
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t open = text.find("{{", i);
    if (open == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, open - i));
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) break;  // a malformed tail is dropped, never spoken
    out += resolve_reference(text.substr(open + 2, close - open - 2), ctx, declared);
    i = close + 2;
  }
  return tidy(std::move(out));
}

std::string render_template(std::string_view text, const CallContext& ctx) {
  if (text.find("{{") == std::string_view::npos) return std::string(text);
  auto declared = parse_template_variables(ctx.template_variables);
  return render_template(text, ctx, declared ? std::span<const TemplateVariable>(*declared) : std::span<const TemplateVariable>{});
}

}  // namespace voqo::brain

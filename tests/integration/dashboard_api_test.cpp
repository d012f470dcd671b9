// What the dashboard needs from the server (issue 6): its static files at /
// with client-side routes, voice previews (POST /api/tts/preview) from the
// real embedded engines, and write-only secrets in the settings.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "api/static_files.hpp"
#include "calls/engines.hpp"
#include "speech/audio.hpp"
#include "support/api_server.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

using nlohmann::json;
using namespace voqo;
using test::body_json;

namespace {

void put_file(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

std::string problem_field(const test::HttpResult& r) { return body_json(r).value("field", ""); }

TEST(DashboardApi, StaticSiteServesFilesAndClientRoutes) {
  test::TempDir web;
  put_file(web.path() / "index.html", "<!doctype html><title>voqo</title>");
  put_file(web.path() / "assets" / "index-abc123.js", "console.log(1)");
  put_file(web.path() / "pcm-worklet.js", "registerProcessor");
  test::TempDir outside;
  put_file(outside.path() / "secret.txt", "not for you");
  std::filesystem::create_symlink(outside.path() / "secret.txt", web.path() / "leak.txt");

  test::ApiServer srv;
  ASSERT_EQ(api::find_web_root(web.path()), std::optional{web.path()});
  EXPECT_EQ(api::find_web_root(outside.path()), std::nullopt) << "no index.html: not a dashboard";
  srv.router().set_fallback(api::static_site(api::find_web_root(web.path())));

  auto index = srv.get("/");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<!doctype html><title>voqo</title>");
  EXPECT_EQ(index.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.header("cache-control"), "no-cache");
  EXPECT_NE(index.header("content-security-policy").find("default-src 'self'"), std::string::npos);

  auto route = srv.get("/live/c123?tab=transcript");  // a client-side route: the app, which routes itself
  EXPECT_EQ(route.status, 200);
  EXPECT_EQ(route.body, index.body);

  auto js = srv.get("/assets/index-abc123.js");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(js.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(js.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(srv.get("/pcm-worklet.js").header("cache-control"), "no-cache") << "unhashed files are revalidated";

  EXPECT_EQ(srv.get("/assets/missing.js").status, 404) << "a missing file is not the app";
  EXPECT_EQ(srv.get("/leak.txt").status, 404) << "a symlink out of the root is not served";
  EXPECT_EQ(srv.get("/../etc/passwd").status, 400);
  auto unknown_api = srv.get("/api/nothing-here");
  EXPECT_EQ(unknown_api.status, 404);
  EXPECT_EQ(unknown_api.header("content-type"), "application/problem+json") << "/api never falls back to the app";
  EXPECT_EQ(srv.raw("POST", "/agents", "{}", {{"Content-Type", "application/json"}}).status, 404);
  EXPECT_EQ(srv.get("/api/health").status, 200) << "API routes still win";
}

TEST(DashboardApi, WithoutABuildTheRootSaysHowToBuildIt) {
  test::ApiServer srv;
  srv.router().set_fallback(api::static_site(std::nullopt));
  auto r = srv.get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("scripts/build-web"), std::string::npos) << r.body;
}

TEST(DashboardApi, VoicePreviewIsRealSpeechFromTheEngines) {
  auto engines = std::make_shared<calls::Engines>();
  store::Store* st = nullptr;
  api::ApiConfig cfg;
  cfg.tts_preview = [&st, engines](const WorkspaceId& ws, const std::string& provider, const speech::Voice& voice,
                                   std::string_view text) { return engines->preview_wav(*st, ws, provider, voice, text); };
  test::ApiServer srv(cfg);
  st = &srv.store();

  auto r = srv.post("/api/tts/preview", {{"voiceProvider", "flite"}, {"voiceId", "kal16"}, {"speechRate", 1.2},
                                         {"text", "Hello from the preview."}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "audio/wav");
  auto wav = speech::decode_wav(std::as_bytes(std::span(r.body.data(), r.body.size())));
  ASSERT_TRUE(wav) << wav.error().message;
  EXPECT_EQ(wav->format.channels, 1);
  EXPECT_GT(wav->duration_ms(), 500) << "a sentence of speech";
  EXPECT_LT(wav->duration_ms(), 5000);

  auto slower = srv.post("/api/tts/preview", {{"voiceProvider", "flite"}, {"voiceId", "kal16"}, {"speechRate", 0.6},
                                              {"text", "Hello from the preview."}});
  ASSERT_EQ(slower.status, 200);
  EXPECT_GT(slower.body.size(), r.body.size()) << "speechRate is honoured";

  auto bad_voice = srv.post("/api/tts/preview", {{"voiceProvider", "flite"}, {"voiceId", "nobody"}});
  EXPECT_EQ(bad_voice.status, 422) << bad_voice.body;
  EXPECT_EQ(problem_field(bad_voice), "voiceId");
  auto bad_rate = srv.post("/api/tts/preview", {{"voiceProvider", "flite"}, {"voiceId", "slt"}, {"speechRate", 3}});
  EXPECT_EQ(problem_field(bad_rate), "speechRate");
  auto no_provider = srv.post("/api/tts/preview", {{"voiceId", "slt"}});
  EXPECT_EQ(no_provider.status, 422);
  EXPECT_EQ(problem_field(no_provider), "voiceProvider");
  EXPECT_EQ(problem_field(srv.post("/api/tts/preview", {{"voiceProvider", "flite"}, {"voiceId", "slt"}, {"volume", 11}})), "volume");

  test::ApiServer without_engines;
  EXPECT_EQ(without_engines.post("/api/tts/preview", {{"voiceProvider", "flite"}, {"voiceId", "slt"}}).status, 503);
}

TEST(DashboardApi, SecretsInSettingsAreWriteOnly) {
  test::ApiServer srv;
  auto set = srv.patch("/api/settings", {{"llm", {{"baseUrl", "http://127.0.0.1:9/v1"}, {"apiKey", "sk-live-1"}, {"model", "m1"}}},
                                         {"sip_trunk", {{"uri", "sip:trunk.example:5060"}, {"transport", "udp"}, {"username", "u"},
                                                        {"password", "pw-1"}, {"callerId", ""}}},
                                         {"webhook_secret", "whsec-1"}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(body_json(set)["llm"]["apiKey"], "********");
  EXPECT_EQ(body_json(set)["llm"]["model"], "m1");
  const auto all = body_json(srv.get("/api/settings"));
  EXPECT_EQ(all["llm"]["apiKey"], "********");
  EXPECT_EQ(all["sip_trunk"]["password"], "********");
  EXPECT_EQ(all["sip_trunk"]["callerId"], "") << "an empty secret reads as empty (not set)";
  EXPECT_EQ(all["webhook_secret"], "********");
  EXPECT_EQ(body_json(srv.get("/api/settings/llm"))["value"]["apiKey"], "********");
  EXPECT_EQ(all.dump().find("sk-live-1"), std::string::npos);
  EXPECT_EQ(all.dump().find("pw-1"), std::string::npos);

  // Sending back what was read changes the model and keeps the key.
  json llm = all["llm"];
  llm["model"] = "m2";
  ASSERT_EQ(srv.put("/api/settings/llm", {{"value", llm}}).status, 200);
  auto stored = srv.store().settings().get(test::default_workspace(srv.store()), "llm").value();
  EXPECT_EQ(stored["apiKey"], "sk-live-1");
  EXPECT_EQ(stored["model"], "m2");
  ASSERT_EQ(srv.patch("/api/settings", {{"webhook_secret", "********"}, {"sip_trunk", all["sip_trunk"]}}).status, 200);
  EXPECT_EQ(srv.store().settings().get(test::default_workspace(srv.store()), "webhook_secret").value(), "whsec-1");
  EXPECT_EQ(srv.store().settings().get(test::default_workspace(srv.store()), "sip_trunk").value()["password"], "pw-1");

  // A new value replaces it; "" clears it.
  llm["apiKey"] = "sk-live-2";
  ASSERT_EQ(srv.put("/api/settings/llm", {{"value", llm}}).status, 200);
  EXPECT_EQ(srv.store().settings().get(test::default_workspace(srv.store()), "llm").value()["apiKey"], "sk-live-2");
  llm["apiKey"] = "";
  ASSERT_EQ(srv.put("/api/settings/llm", {{"value", llm}}).status, 200);
  EXPECT_EQ(srv.store().settings().get(test::default_workspace(srv.store()), "llm").value()["apiKey"], "");
  EXPECT_EQ(body_json(srv.get("/api/settings"))["llm"]["apiKey"], "");
}

}  // namespace

namespace {

TEST(DashboardApi, ObjectSettingsHaveTheirMembersChecked) {
  test::ApiServer srv;
  auto r = srv.patch("/api/settings", {{"callee_local_hours", {{"start", "xx"}, {"end", "20:00"}}},
                                       {"sip_trunk", {{"uri", "http://x"}, {"transport", "sctp"}}},
                                       {"speech_providers", {{"stt", "foo"}, {"openai", {{"baseUrl", "ftp://x"}}}}},
                                       {"llm", {{"apiKey", 5}, {"colour", "red"}}},
                                       {"call_prices", {{"currency", "usd"}, {"sip", -1}}},
                                       {"inbound_numbers", {{"+14155550100", ""}}}});
  ASSERT_EQ(r.status, 422) << r.body;
  std::set<std::string> fields;
  const auto problem = body_json(r);
  for (const auto& e : problem["errors"]) fields.insert(e["field"].get<std::string>());
  EXPECT_EQ(fields, (std::set<std::string>{"callee_local_hours.start", "sip_trunk.uri", "sip_trunk.transport", "speech_providers.stt",
                                           "speech_providers.openai.baseUrl", "llm.apiKey", "llm.colour", "call_prices.currency",
                                           "call_prices.sip", "inbound_numbers.+14155550100"}))
      << r.body;
  EXPECT_EQ(srv.store().settings().get(test::default_workspace(srv.store()), "sip_trunk").value()["transport"], "udp") << "nothing was written";

  EXPECT_EQ(problem_field(srv.put("/api/settings/callee_local_hours", {{"value", {{"start", "09:00"}, {"end", "09:00"}}}})),
            "callee_local_hours.end");
  EXPECT_EQ(problem_field(srv.put("/api/settings/callee_local_hours", {{"value", {{"start", "09:00"}}}})), "callee_local_hours.end");
  EXPECT_EQ(problem_field(srv.put("/api/settings/sms_provider", {{"value", {{"provider", "twilio"}, {"twilio", {{"from", "+15557122661"}}}}}})),
            "sms_provider.twilio.accountSid");
  for (const nlohmann::json& codecs : {nlohmann::json::array(), nlohmann::json{"PCMU", "OPUS"}, nlohmann::json{"PCMU", "PCMU"},
                                       nlohmann::json("PCMU")})
    EXPECT_EQ(problem_field(srv.put("/api/settings/sip_trunk", {{"value", {{"codecs", codecs}}}})), "sip_trunk.codecs") << codecs;

  // What the code reads is accepted.
  auto good = srv.patch("/api/settings",
                        {{"callee_local_hours", {{"start", "00:00"}, {"end", "24:00"}}},
                         {"sip_trunk", {{"uri", "sips:trunk.example.com"}, {"transport", "tcp"}, {"username", "u"}, {"password", "p"},
                                        {"callerId", "+14155550100"}, {"codecs", {"PCMA", "PCMU"}}}},
                         {"speech_providers", {{"stt", "deepgram"}, {"deepgram", {{"apiKey", "k"}, {"model", "nova-2"}}}}},
                         {"llm", {{"baseUrl", "https://api.openai.com/v1"}, {"apiKey", "sk"}, {"model", "gpt-4o-mini"}}},
                         {"sms_provider", {{"provider", "twilio"},
                                           {"twilio", {{"accountSid", "AC1"}, {"authToken", "t"}, {"from", "+15557122661"}}}}},
                         {"call_prices", {{"currency", "EUR"}, {"sip", 0.01}, {"stt", 0}, {"llm", 0.002}, {"tts", 0.003}}},
                         {"inbound_numbers", {{"+14155550100", "Sales Bot"}, {"*", "Reception"}}}});
  EXPECT_EQ(good.status, 200) << good.body;
}

}  // namespace

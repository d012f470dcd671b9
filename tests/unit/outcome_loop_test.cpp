// The outcome loop on a real (temporary) SQLite store: what post_call()
// writes for a stored call record (given as its typed calls::CallOutcome) (contact, memories, do-not-call, SMS row,
// webhook row, postcall_at), that running it again adds nothing twice, what
// recover() picks up, and the helpers it is built from (template, signature,
// backoff, derived ids, form encoding, sender selection).
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <random>
#include <set>
#include <thread>

#include "core/id.hpp"
#include "core/time.hpp"
#include "core/utf8.hpp"
#include "postcall/outcome_loop.hpp"
#include "postcall/sms.hpp"
#include "postcall/webhooks.hpp"
#include "store/calls.hpp"
#include "store/store.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

using nlohmann::json;
using namespace voqo;
using namespace std::chrono_literals;

namespace {

constexpr const char* kCaller = "+14155550123";
constexpr const char* kOurs = "+14155550100";

using Rows = std::vector<std::vector<std::string>>;

class outcome_loop : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = store::Store::open(dir_ / "voqo.db");
    ASSERT_TRUE(st) << st.error().message;
    st_ = std::move(*st);
    ws_ = test::default_workspace(*st_);
    auto agent = st_->agents().create(ws_, {{"name", "Ava"},
                                       {"systemPrompt", "You are a helpful sales agent."},
                                       {"webhookUrl", "http://127.0.0.1:9/hooks"}});
    ASSERT_TRUE(agent) << agent.error().message;
    agent_id_ = (*agent)["id"];
    auto quiet = st_->agents().create(ws_, {{"name", "Quiet"}, {"systemPrompt", "You are a helpful sales agent."}});
    ASSERT_TRUE(quiet) << quiet.error().message;
    quiet_agent_id_ = (*quiet)["id"];
    ASSERT_TRUE(st_->settings().put(ws_, "sms_template", "Hi {caller_name}! {call_summary}. - {agent_name}"));
  }
  void TearDown() override {
    loop_.reset();
    st_.reset();
  }

  postcall::OutcomeLoop& loop() {
    if (!loop_) {
      postcall::OutcomeLoopConfig config;
      config.webhook_backoff_base = 10min;  // one failed attempt against port 9, then quiet
      auto made = postcall::OutcomeLoop::create(*st_, config);
      EXPECT_TRUE(made) << made.error().message;
      loop_ = std::move(*made);
    }
    return *loop_;
  }

  /// Inserts a call record the way CallService::finalize() does.
  std::string insert_call(std::function<void(store::CallRecord&)> edit = {}) {
    store::CallRecord r;
    r.id = new_id();
    r.workspace_id = ws_;
    r.agent_id = agent_id_;
    r.direction = "inbound";
    r.status = "completed";
    r.from_phone = kCaller;
    r.to_phone = kOurs;
    r.summary = "You asked for a demo on Tuesday.";
    r.duration_s = 42;
    r.started_at = to_iso8601(std::chrono::system_clock::now() - 60s);
    r.ended_at = to_iso8601(std::chrono::system_clock::now() - 10s);
    r.outcome = "Demo Scheduled";
    r.system_info = {{"callerSpoke", true},
                     {"remoteHangup", true},
                     {"memories", {"Wants a demo on Tuesday at 2 PM", "Budget is about 500 dollars"}}};
    if (edit) edit(r);
    store::CallStore calls(st_->db());
    auto ok = calls.insert(r);
    EXPECT_TRUE(ok) << ok.error().message;
    return r.id;
  }

  json call(const std::string& id) {
    auto got = st_->calls().get(ws_, id);
    EXPECT_TRUE(got) << got.error().message;
    return got ? *got : json::object();
  }

  /// What the call left, typed, as the call service reports it at the end
  /// (here read back from the stored record).
  calls::CallOutcome outcome(const std::string& id) {
    auto typed = calls::call_outcome_from_record(call(id));
    EXPECT_TRUE(typed) << typed.error().message;
    return typed ? *typed : calls::CallOutcome{};
  }

  /// The call as the call service reports it at its answer.
  calls::CallInfo info(const std::string& id, const std::string& agent_id) {
    calls::CallInfo c;
    c.call_id = id;
    c.workspace_id = ws_.value;
    c.agent_id = agent_id;
    c.direction = "inbound";
    c.from_phone = kCaller;
    c.to_phone = kOurs;
    return c;
  }

  Rows rows(const std::string& sql, const std::vector<std::string>& args = {}) {
    return st_->db().read([&](store::Connection& c) {
      Rows out;
      auto st = c.prepare(sql);
      EXPECT_TRUE(st) << st.error().message;
      if (!st) return out;
      for (std::size_t i = 0; i < args.size(); ++i) (*st)->bind_text(static_cast<int>(i + 1), args[i]);
      for (;;) {
        auto row = (*st)->step();
        EXPECT_TRUE(row);
        if (!row || !*row) break;
        std::vector<std::string> r;
        for (int col = 0; col < (*st)->column_count(); ++col)
          r.emplace_back((*st)->is_null(col) ? "<null>" : std::string((*st)->column_text(col)));
        out.push_back(std::move(r));
      }
      return out;
    });
  }

  /// Polls until `pred` holds (the SMS thread is asynchronous); false after 10 s.
  bool eventually(const std::function<bool()>& pred) {
    for (auto end = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < end;) {
      if (pred()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return pred();
  }

  test::TempDir dir_;
  std::unique_ptr<store::Store> st_;
  std::unique_ptr<postcall::OutcomeLoop> loop_;
  std::string agent_id_, quiet_agent_id_;
  WorkspaceId ws_;
};

TEST_F(outcome_loop, AnsweredCallCreatesContactSavesMemoriesSendsSmsAndQueuesCallEnded) {
  const auto id = insert_call();
  ASSERT_TRUE(call(id)["contactId"].is_null());
  ASSERT_TRUE(loop().post_call(outcome(id)));

  auto contact = rows("SELECT id, name FROM contacts WHERE phone = ?", {kCaller});
  ASSERT_EQ(contact.size(), 1u) << "the caller's number became a contact";
  const auto c = call(id);
  EXPECT_EQ(c["contactId"], contact[0][0]) << "the call is linked to it";
  EXPECT_FALSE(c["postcallAt"].is_null());

  auto memories = rows("SELECT content, source, call_id, contact_id FROM memories ORDER BY content");
  ASSERT_EQ(memories.size(), 2u);
  EXPECT_EQ(memories[0], (std::vector<std::string>{"Budget is about 500 dollars", "auto", id, contact[0][0]}));
  EXPECT_EQ(memories[1], (std::vector<std::string>{"Wants a demo on Tuesday at 2 PM", "auto", id, contact[0][0]}));

  auto sms = rows("SELECT to_phone, from_phone, body, provider, status FROM sms_messages WHERE call_id = ?", {id});
  ASSERT_EQ(sms.size(), 1u);
  EXPECT_EQ(sms[0][0], kCaller);
  EXPECT_EQ(sms[0][1], kOurs);
  // The contact is named after its number, so the greeting falls back to "there";
  // the summary's own full stop is not doubled by the template's.
  EXPECT_EQ(sms[0][2], "Hi there! You asked for a demo on Tuesday. - Ava");
  EXPECT_EQ(sms[0][3], "outbox");
  ASSERT_TRUE(eventually([&] { return call(id)["smsSent"] == true; })) << "the outbox sender marks it sent";
  auto sent = rows("SELECT status, provider, sent_at, attempts FROM sms_messages WHERE call_id = ?", {id});
  EXPECT_EQ(sent[0][0], "sent");
  EXPECT_EQ(sent[0][1], "outbox");
  EXPECT_NE(sent[0][2], "<null>");
  EXPECT_EQ(sent[0][3], "1");
  EXPECT_FALSE(call(id)["smsSentAt"].is_null());

  auto hooks = rows("SELECT id, event, url, call_id, agent_id, payload FROM webhook_events");
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_EQ(hooks[0][1], "call.ended");
  EXPECT_EQ(hooks[0][2], "http://127.0.0.1:9/hooks");
  EXPECT_EQ(hooks[0][3], id);
  EXPECT_EQ(hooks[0][4], agent_id_);
  const auto payload = json::parse(hooks[0][5]);
  EXPECT_EQ(payload["event"], "call.ended");
  EXPECT_EQ(payload["id"], hooks[0][0]);
  EXPECT_EQ(payload["call"]["id"], id);
  EXPECT_EQ(payload["call"]["contactId"], contact[0][0]) << "the payload has the call as the loop left it";
  EXPECT_EQ(payload["contact"]["phone"], kCaller);
  EXPECT_TRUE(looks_like_id(hooks[0][0]));
}

TEST_F(outcome_loop, ReadsWhatTheCallLeftFromTheTypedOutcomeNotTheRecordsSystemInfo) {
  // The record's systemInfo says nothing of memories or do-not-call; the
  // outcome the call service hands over does (as calls/call_service.cpp
  // builds it at the end of a call, no JSON involved).
  const auto id = insert_call([](store::CallRecord& r) { r.system_info = {{"codec", "G722"}}; });
  calls::CallOutcome o;
  o.call_id = id;
  o.workspace = ws_;
  o.agent_id = agent_id_;
  o.direction = "inbound";
  o.from_phone = kCaller;
  o.to_phone = kOurs;
  o.status = calls::CallStatus::completed;
  o.outcome = brain::Outcome::not_interested;
  o.summary = "Not interested";
  o.memories = {"Prefers email", "  Prefers email  ", ""};  // trimmed, deduplicated, blanks dropped
  o.do_not_call = true;
  o.caller_spoke = true;
  o.ended_at = std::chrono::system_clock::now();
  ASSERT_TRUE(loop().post_call(o));
  auto memories = rows("SELECT content FROM memories WHERE call_id = ?", {id});
  EXPECT_EQ(memories, (Rows{{"Prefers email"}}));
  EXPECT_EQ(rows("SELECT source, call_id FROM do_not_call WHERE phone = ?", {kCaller}), (Rows{{"call", id}}));
  auto sms = rows("SELECT status, error_message FROM sms_messages WHERE call_id = ?", {id});
  ASSERT_EQ(sms.size(), 1u);
  EXPECT_EQ(sms[0][0], "skipped");
  EXPECT_NE(sms[0][1].find("do-not-call"), std::string::npos) << sms[0][1];
  // The typed status decides the SMS too: an outcome that never connected is not texted.
  const auto missed = insert_call([](store::CallRecord& r) { r.from_phone = "+14155550166"; });
  calls::CallOutcome busy = o;
  busy.call_id = missed;
  busy.from_phone = "+14155550166";
  busy.status = calls::CallStatus::busy;
  busy.do_not_call = false;
  busy.memories.clear();
  ASSERT_TRUE(loop().post_call(busy));
  auto busy_sms = rows("SELECT status, error_message FROM sms_messages WHERE call_id = ?", {missed});
  ASSERT_EQ(busy_sms.size(), 1u);
  EXPECT_EQ(busy_sms[0][1], "the call was not answered (status busy)");
  // An outcome for a call that was never stored is an error, not a guess.
  calls::CallOutcome ghost = o;
  ghost.call_id = new_id();
  auto ran = loop().post_call(ghost);
  ASSERT_FALSE(ran);
  EXPECT_EQ(ran.error().code, ErrorCode::not_found);
}

TEST_F(outcome_loop, ExistingContactIsMatchedByPhoneAndNamedInTheSms) {
  auto dana = st_->contacts().create(ws_, {{"name", "Dana Reyes"}, {"phone", "(415) 555-0123"}});
  ASSERT_TRUE(dana) << dana.error().message;
  const auto id = insert_call([](store::CallRecord& r) { r.from_phone = "4155550123"; });  // not yet E.164
  ASSERT_TRUE(loop().post_call(outcome(id)));
  EXPECT_EQ(rows("SELECT count(*) FROM contacts")[0][0], "1") << "no duplicate contact";
  EXPECT_EQ(call(id)["contactId"], (*dana)["id"]);
  auto sms = rows("SELECT body, to_phone FROM sms_messages WHERE call_id = ?", {id});
  ASSERT_EQ(sms.size(), 1u);
  EXPECT_EQ(sms[0][0], "Hi Dana Reyes! You asked for a demo on Tuesday. - Ava");
  EXPECT_EQ(sms[0][1], kCaller) << "texted at the normalised number";
}

TEST_F(outcome_loop, RunningTwiceReplacesAutoMemoriesAndAddsNothingTwice) {
  const auto id = insert_call();
  ASSERT_TRUE(loop().post_call(outcome(id)));
  const auto contact_id = call(id)["contactId"].get<std::string>();
  auto manual = st_->memories().create(ws_, {{"content", "Prefers email"}, {"source", "manual"}}, contact_id);
  ASSERT_TRUE(manual) << manual.error().message;
  ASSERT_TRUE(loop().post_call(outcome(id)));
  EXPECT_EQ(rows("SELECT count(*) FROM memories WHERE source = 'auto' AND call_id = ?", {id})[0][0], "2");
  EXPECT_EQ(rows("SELECT count(*) FROM memories WHERE source = 'manual'")[0][0], "1") << "manual memories are kept";
  EXPECT_EQ(rows("SELECT count(*) FROM sms_messages")[0][0], "1");
  EXPECT_EQ(rows("SELECT count(*) FROM webhook_events")[0][0], "1");
  EXPECT_EQ(rows("SELECT count(*) FROM contacts")[0][0], "1");
}

TEST_F(outcome_loop, DoNotCallRequestListsTheNumberAndSkipsTheSms) {
  const auto id = insert_call([](store::CallRecord& r) { r.system_info["doNotCall"] = true; });
  ASSERT_TRUE(loop().post_call(outcome(id)));
  auto dnc = rows("SELECT phone, source, call_id FROM do_not_call");
  ASSERT_EQ(dnc.size(), 1u);
  EXPECT_EQ(dnc[0], (std::vector<std::string>{kCaller, "call", id}));
  auto sms = rows("SELECT status, error_message FROM sms_messages WHERE call_id = ?", {id});
  ASSERT_EQ(sms.size(), 1u);
  EXPECT_EQ(sms[0][0], "skipped");
  EXPECT_NE(sms[0][1].find("do-not-call"), std::string::npos) << sms[0][1];
  EXPECT_EQ(call(id)["smsSent"], false);
}

TEST_F(outcome_loop, SilentCallSmsIsSkippedWithTheReasonUnlessSkipSilentIsOff) {
  const auto silent = insert_call([](store::CallRecord& r) { r.system_info["callerSpoke"] = false; });
  ASSERT_TRUE(loop().post_call(outcome(silent)));
  auto sms = rows("SELECT status, error_message FROM sms_messages WHERE call_id = ?", {silent});
  ASSERT_EQ(sms.size(), 1u);
  EXPECT_EQ(sms[0][0], "skipped");
  EXPECT_NE(sms[0][1].find("never spoke"), std::string::npos) << sms[0][1];

  ASSERT_TRUE(st_->settings().put(ws_, "sms_skip_silent", false));
  const auto second = insert_call([](store::CallRecord& r) {
    r.system_info["callerSpoke"] = false;
    r.from_phone = "+14155550199";
  });
  ASSERT_TRUE(loop().post_call(outcome(second)));
  EXPECT_TRUE(eventually([&] { return call(second)["smsSent"] == true; }));
}

TEST_F(outcome_loop, UnansweredCallsAndDisabledSmsAreSkippedWithTheirReasons) {
  const auto missed = insert_call([](store::CallRecord& r) {
    r.direction = "outbound";
    r.status = "no_answer";
    r.from_phone = kOurs;
    r.to_phone = "+14155550177";
    r.summary.reset();
    r.outcome = "No Answer";
    r.system_info = {{"callerSpoke", false}};
  });
  ASSERT_TRUE(loop().post_call(outcome(missed)));
  auto sms = rows("SELECT status, error_message, to_phone FROM sms_messages WHERE call_id = ?", {missed});
  ASSERT_EQ(sms.size(), 1u);
  EXPECT_EQ(sms[0][0], "skipped");
  EXPECT_NE(sms[0][1].find("not answered"), std::string::npos) << sms[0][1];
  EXPECT_EQ(sms[0][2], "+14155550177") << "outbound: the callee is the other party";

  ASSERT_TRUE(st_->settings().put(ws_, "sms_enabled", false));
  const auto off = insert_call([](store::CallRecord& r) { r.from_phone = "+14155550188"; });
  ASSERT_TRUE(loop().post_call(outcome(off)));
  sms = rows("SELECT status, error_message FROM sms_messages WHERE call_id = ?", {off});
  ASSERT_EQ(sms.size(), 1u);
  EXPECT_EQ(sms[0][0], "skipped");
  EXPECT_EQ(sms[0][1], "sms_enabled is off");
}

TEST_F(outcome_loop, NoContactWithoutAutoCreateAndNoMemoriesWhenSavingIsOff) {
  ASSERT_TRUE(st_->settings().put(ws_, "auto_create_contacts", false));
  const auto id = insert_call();
  ASSERT_TRUE(loop().post_call(outcome(id)));
  EXPECT_EQ(rows("SELECT count(*) FROM contacts")[0][0], "0");
  EXPECT_EQ(rows("SELECT count(*) FROM memories")[0][0], "0") << "memories need a contact";

  ASSERT_TRUE(st_->settings().put(ws_, "auto_create_contacts", true));
  ASSERT_TRUE(st_->settings().put(ws_, "save_memories", false));
  const auto second = insert_call([](store::CallRecord& r) { r.from_phone = "+14155550111"; });
  ASSERT_TRUE(loop().post_call(outcome(second)));
  EXPECT_EQ(rows("SELECT count(*) FROM contacts")[0][0], "1");
  EXPECT_EQ(rows("SELECT count(*) FROM memories")[0][0], "0");
}

TEST_F(outcome_loop, NoWebhookEventWithoutAWebhookUrl) {
  const auto id = insert_call([&](store::CallRecord& r) { r.agent_id = quiet_agent_id_; });
  ASSERT_TRUE(loop().post_call(outcome(id)));
  EXPECT_FALSE(call(id)["postcallAt"].is_null());
  EXPECT_EQ(rows("SELECT count(*) FROM webhook_events")[0][0], "0");
  ASSERT_TRUE(loop().queue_call_started(info(new_id(), quiet_agent_id_), std::chrono::system_clock::now()));
  EXPECT_EQ(rows("SELECT count(*) FROM webhook_events")[0][0], "0");
}

TEST_F(outcome_loop, RecoverRunsPendingCallsExactlyOnceAndSendsNoStaleFollowUps) {
  const auto a = insert_call();
  const auto b = insert_call([](store::CallRecord& r) { r.from_phone = "+14155550122"; });
  const auto old = insert_call([](store::CallRecord& r) {
    r.from_phone = "+14155550133";
    r.started_at = to_iso8601(std::chrono::system_clock::now() - 72h);
    r.ended_at = to_iso8601(std::chrono::system_clock::now() - 72h + 1min);
  });
  const auto done = insert_call([](store::CallRecord& r) { r.from_phone = "+14155550144"; });
  ASSERT_TRUE(loop().post_call(outcome(done)));

  auto recovered = loop().recover();
  ASSERT_TRUE(recovered) << recovered.error().message;
  EXPECT_EQ(*recovered, 3);
  for (const auto& id : {a, b, old}) EXPECT_FALSE(call(id)["postcallAt"].is_null());
  EXPECT_EQ(rows("SELECT count(*) FROM sms_messages")[0][0], "4");
  EXPECT_EQ(rows("SELECT count(*) FROM webhook_events WHERE call_id = ?", {old})[0][0], "0");
  auto stale = rows("SELECT status, error_message FROM sms_messages WHERE call_id = ?", {old});
  EXPECT_EQ(stale[0][0], "skipped");
  EXPECT_NE(stale[0][1].find("too long"), std::string::npos) << stale[0][1];
  EXPECT_EQ(rows("SELECT count(*) FROM memories WHERE call_id = ?", {old})[0][0], "2") << "data is still kept";

  auto again = loop().recover();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(rows("SELECT count(*) FROM sms_messages")[0][0], "4");
  EXPECT_EQ(rows("SELECT count(*) FROM webhook_events")[0][0], "3");
}

TEST_F(outcome_loop, CallStartedAndJobCompletedAreQueuedOnceInOrder) {
  const auto id = insert_call();
  const calls::CallInfo started = info(id, agent_id_);
  const auto answered_at = std::chrono::system_clock::now();
  ASSERT_TRUE(loop().queue_call_started(started, answered_at));
  ASSERT_TRUE(loop().queue_call_started(started, answered_at));
  ASSERT_TRUE(loop().post_call(outcome(id)));
  ASSERT_TRUE(loop().job_completed({{"id", "job1"}, {"agentId", agent_id_}, {"status", "completed"}, {"workspaceId", ws_.value}}));
  ASSERT_TRUE(loop().job_completed({{"id", "job1"}, {"agentId", agent_id_}, {"status", "completed"}, {"workspaceId", ws_.value}}));

  auto hooks = rows("SELECT event, call_id, job_id, payload FROM webhook_events ORDER BY seq");
  ASSERT_EQ(hooks.size(), 3u);
  EXPECT_EQ(hooks[0][0], "call.started");
  EXPECT_EQ(hooks[1][0], "call.ended");
  EXPECT_EQ(hooks[2][0], "job.completed");
  EXPECT_EQ(hooks[2][1], "<null>");
  EXPECT_EQ(hooks[2][2], "job1");
  const auto p = json::parse(hooks[0][3]);
  std::set<std::string> keys;
  for (const auto& [k, v] : p["call"].items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"id", "agentId", "direction", "fromPhone", "toPhone", "startedAt", "jobId"}));
  EXPECT_TRUE(p["call"]["jobId"].is_null());
  EXPECT_EQ(p["call"]["startedAt"], to_iso8601(answered_at));
  EXPECT_EQ(p["call"]["fromPhone"], kCaller);
  EXPECT_EQ(json::parse(hooks[2][3])["job"]["status"], "completed");
}

TEST_F(outcome_loop, EachCallIsFollowedUpInItsOwnWorkspace) {
  auto other = st_->access().create_workspace("Tenant B", "enterprise");
  ASSERT_TRUE(other) << other.error().message;
  const WorkspaceId b = other->id;
  auto b_agent = st_->agents().create(b, {{"name", "Ava"},  // the same name: names are unique per workspace
                                          {"systemPrompt", "You are B's helpful sales agent."},
                                          {"webhookUrl", "http://127.0.0.1:9/b-hooks"}});
  ASSERT_TRUE(b_agent) << b_agent.error().message;
  ASSERT_TRUE(st_->settings().put(b, "sms_template", "B says hi {caller_name}"));
  auto b_dana = st_->contacts().create(b, {{"name", "Dana of B"}, {"phone", kCaller}});
  ASSERT_TRUE(b_dana);
  // A's call from the same number does not match B's contact: A gets its own.
  const auto a_call = insert_call();
  ASSERT_TRUE(loop().post_call(outcome(a_call)));
  EXPECT_NE(call(a_call)["contactId"], (*b_dana)["id"]);
  EXPECT_EQ(rows("SELECT count(*) FROM contacts WHERE workspace_id = ?", {ws_.value})[0][0], "1");
  // B's call: B's contact, B's template, B's do-not-call list, B's webhook row.
  const auto b_call = insert_call([&](store::CallRecord& r) {
    r.workspace_id = b;
    r.agent_id = (*b_agent)["id"];
    r.system_info["doNotCall"] = true;
  });
  // Through A, B's call is not run.
  calls::CallOutcome through_a;
  through_a.call_id = b_call;
  through_a.workspace = ws_;
  EXPECT_FALSE(loop().post_call(through_a));
  EXPECT_EQ(rows("SELECT count(*) FROM sms_messages WHERE call_id = ?", {b_call})[0][0], "0");
  EXPECT_EQ(rows("SELECT postcall_at IS NULL FROM calls WHERE id = ?", {b_call})[0][0], "1");
  auto b_json = st_->calls().get(b, b_call);
  ASSERT_TRUE(b_json) << b_json.error().message;
  auto b_outcome = calls::call_outcome_from_record(*b_json);
  ASSERT_TRUE(b_outcome) << b_outcome.error().message;
  EXPECT_TRUE(b_outcome->do_not_call);
  ASSERT_TRUE(loop().post_call(*b_outcome));
  EXPECT_EQ((*st_->calls().get(b, b_call))["contactId"], (*b_dana)["id"]);
  auto sms = rows("SELECT workspace_id, status FROM sms_messages WHERE call_id = ?", {b_call});
  ASSERT_EQ(sms.size(), 1u);
  EXPECT_EQ(sms[0][0], b.value);
  EXPECT_EQ(sms[0][1], "skipped") << "B's callee asked not to be called";
  auto dnc = rows("SELECT workspace_id, phone FROM do_not_call");
  ASSERT_EQ(dnc.size(), 1u);
  EXPECT_EQ(dnc[0], (std::vector<std::string>{b.value, kCaller})) << "listed in B only";
  auto a_sms = rows("SELECT workspace_id, status FROM sms_messages WHERE call_id = ?", {a_call});
  ASSERT_EQ(a_sms.size(), 1u);
  EXPECT_EQ(a_sms[0][0], ws_.value);
  EXPECT_NE(a_sms[0][1], "skipped") << "A's caller is not on A's list";
  auto hooks = rows("SELECT call_id, workspace_id, url FROM webhook_events ORDER BY seq");
  ASSERT_EQ(hooks.size(), 2u);
  EXPECT_EQ(hooks[0], (std::vector<std::string>{a_call, ws_.value, "http://127.0.0.1:9/hooks"}));
  EXPECT_EQ(hooks[1], (std::vector<std::string>{b_call, b.value, "http://127.0.0.1:9/b-hooks"}));
  // A call or job without its workspace is refused rather than guessed.
  calls::CallInfo anonymous_call = info(new_id(), agent_id_);
  anonymous_call.workspace_id.clear();
  auto anonymous = loop().queue_call_started(anonymous_call, std::chrono::system_clock::now());
  ASSERT_FALSE(anonymous);
  EXPECT_EQ(anonymous.error().field(), "workspaceId");
  // Webhook secrets are per workspace.
  auto a_secret = postcall::ensure_webhook_secret(*st_, ws_);
  auto b_secret = postcall::ensure_webhook_secret(*st_, b);
  ASSERT_TRUE(a_secret && b_secret);
  EXPECT_NE(*a_secret, *b_secret);
  EXPECT_EQ(*postcall::ensure_webhook_secret(*st_, b), *b_secret) << "generated once";
}

// FAILS: lead to fix in src — outcome_loop.hpp:60 documents that create()
// "generates the webhook_secret setting when it is empty", but
// OutcomeLoop::create (outcome_loop.cpp:403) no longer calls
// ensure_webhook_secret for any workspace: the secret now appears only at the
// first delivery, so a receiver cannot be configured before its first event.
// Fix: create() calls ensure_webhook_secret for every workspace (and
// create_workspace, or the first read, for new ones) — or change the contract.
TEST_F(outcome_loop, CreateGeneratesAWebhookSecretOnce) {
  ASSERT_EQ(st_->settings().get(ws_, "webhook_secret").value(), "");
  loop();
  const auto secret = st_->settings().get(ws_, "webhook_secret").value().get<std::string>();
  EXPECT_EQ(secret.size(), 6u + 64u);
  EXPECT_EQ(secret.rfind("whsec_", 0), 0u);
  loop_.reset();
  loop();
  EXPECT_EQ(st_->settings().get(ws_, "webhook_secret").value(), secret) << "an existing secret is kept";
}

// ---- helpers -----------------------------------------------------------------

TEST(outcome_loop_helpers, HmacMatchesRfc4231TestCase2AndTheSignatureSignsTimestampDotBody) {
  // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?".
  EXPECT_EQ(postcall::hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(postcall::webhook_signature("whsec_x", 1700000000, "{\"a\":1}"),
            "t=1700000000,v1=" + postcall::hmac_sha256_hex("whsec_x", "1700000000.{\"a\":1}"));
}

TEST(outcome_loop_helpers, DerivedIdsAreStableIdShapedAndDistinct) {
  const auto a = postcall::derived_event_id("call1", "call.ended");
  EXPECT_EQ(a, postcall::derived_event_id("call1", "call.ended"));
  EXPECT_NE(a, postcall::derived_event_id("call1", "call.started"));
  EXPECT_NE(a, postcall::derived_event_id("call2", "call.ended"));
  EXPECT_TRUE(looks_like_id(a)) << a;
}

TEST(outcome_loop_helpers, FullJitterBackoffStaysWithinTheCappedExponentialAndVaries) {
  std::mt19937_64 rng(7);
  EXPECT_EQ(postcall::webhook_backoff(1, 100ms, 1s, rng), 0ms);
  for (int attempt = 2; attempt <= 12; ++attempt) {
    const auto cap = std::min<int64_t>(100LL << (attempt - 2), 1000);
    std::set<int64_t> seen;
    for (int i = 0; i < 200; ++i) {
      const auto d = postcall::webhook_backoff(attempt, 100ms, 1s, rng).count();
      EXPECT_GE(d, 0);
      EXPECT_LE(d, cap) << "attempt " << attempt;
      seen.insert(d);
    }
    EXPECT_GT(seen.size(), 20u) << "jittered, not a fixed delay";
  }
}

TEST(outcome_loop_helpers, TemplateFillsEveryVariableKeepsUnknownOnesAndCutsAt1600CodePoints) {
  EXPECT_EQ(postcall::render_sms_template("{caller_name}/{caller_name} {call_summary} {agent_name} {other}", "Ana",
                                          "demo", "Ava"),
            "Ana/Ana demo Ava {other}");
  std::string long_summary;
  for (int i = 0; i < 1000; ++i) long_summary += "é";  // 2 bytes each
  const auto body = postcall::render_sms_template("{call_summary}{call_summary}", "", long_summary, "");
  EXPECT_EQ(utf8_length(body), 1600u);
  EXPECT_EQ(body.substr(body.size() - 3), "\u2026");
}

TEST(outcome_loop_helpers, FormEncodingAndSenderSelection) {
  EXPECT_EQ(postcall::form_urlencode({{"To", "+14155550123"}, {"Body", "Hi there! a&b=c ü"}}),
            "To=%2B14155550123&Body=Hi+there%21+a%26b%3Dc+%C3%BC");
  auto provider = [](const json& setting) {
    return model::settings_snapshot_from_json(json{{"sms_provider", setting}}).value().sms_provider;
  };
  auto outbox = postcall::make_sms_sender(provider(json{{"provider", "outbox"}}));
  ASSERT_TRUE(outbox);
  EXPECT_EQ((*outbox)->provider(), "outbox");
  auto missing = postcall::make_sms_sender(provider(json{{"provider", "twilio"}, {"twilio", {{"accountSid", "AC1"}}}}));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().field(), "sms_provider.twilio.authToken");
  EXPECT_FALSE(postcall::make_sms_sender(provider(json{{"provider", "carrier-pigeon"}})));
}

}  // namespace

// Hostile input at the SIP and RTP ports of an in-process agent:
//  (a) the RFC 4475 torture messages over UDP and TCP: the agent stays up,
//      never accepts a broken message, never answers a stray response, and
//      still answers a well-formed OPTIONS after each one;
//  (b) INVITEs with unusable SDP (garbage, no m= line, no common codec,
//      rejected stream, huge bodies) are refused with 4xx and leak nothing,
//      while a well-formed INVITE is answered 200;
//  (c) during a call to sipp, random bytes and malformed RTP/RTCP at every
//      RTP/RTCP port of the engine: the call completes, the agent keeps
//      sending, counts the junk as malformed, does not redirect its audio to
//      a stray sender, and the next call works.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "calls/call_service.hpp"
#include "store/store.hpp"
#include "support/http_client.hpp"
#include "support/sip_test_support.hpp"
#include "support/subprocess.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"
#include "telephony/rtp.hpp"
#include "telephony/sip_agent.hpp"

namespace voqo {
namespace {

using namespace std::chrono_literals;
using test::free_loopback_port;
using test::sip_header;
using test::sip_status;
using test::TcpConnection;
using test::UdpSocket;

std::string torture_dir() { return std::string(VOQO_SOURCE_DIR) + "/tests/data/sip_torture/"; }

/// What voqo must do with one RFC 4475 message.
enum class Expect {
  survive,      ///< valid or tolerable: any response (or none); never a crash
  not_success,  ///< invalid (§3.1.2 and broken semantics): never a 2xx
  silence,      ///< a response to nothing: dropped without a reply (RFC 3261 §18.1.2)
};

struct Torture {
  const char* name;
  const char* section;
  Expect expect;
};

// RFC 4475 §3: every message of the RFC's archive.
constexpr Torture kTorture[] = {
    {"wsinv", "3.1.1.1", Expect::survive},       {"intmeth", "3.1.1.2", Expect::survive},
    {"esc01", "3.1.1.3", Expect::survive},       {"escnull", "3.1.1.4", Expect::survive},
    {"esc02", "3.1.1.5", Expect::survive},       {"lwsdisp", "3.1.1.6", Expect::survive},
    {"longreq", "3.1.1.7", Expect::survive},     {"dblreq", "3.1.1.8", Expect::survive},
    {"semiuri", "3.1.1.9", Expect::survive},     {"transports", "3.1.1.10", Expect::survive},
    {"mpart01", "3.1.1.11", Expect::survive},    {"unreason", "3.1.1.12", Expect::silence},
    {"noreason", "3.1.1.13", Expect::silence},   {"badinv01", "3.1.2.1", Expect::not_success},
    {"clerr", "3.1.2.2", Expect::not_success},   {"ncl", "3.1.2.3", Expect::not_success},
    {"scalar02", "3.1.2.4", Expect::not_success}, {"scalarlg", "3.1.2.5", Expect::silence},
    {"quotbal", "3.1.2.6", Expect::not_success}, {"ltgtruri", "3.1.2.7", Expect::not_success},
    {"lwsruri", "3.1.2.8", Expect::not_success}, {"lwsstart", "3.1.2.9", Expect::not_success},
    {"trws", "3.1.2.10", Expect::not_success},   {"escruri", "3.1.2.11", Expect::not_success},
    {"baddate", "3.1.2.12", Expect::survive}  /* voqo never reads Date */, {"regbadct", "3.1.2.13", Expect::not_success},
    {"badaspec", "3.1.2.14", Expect::not_success}, {"baddn", "3.1.2.15", Expect::not_success},
    {"badvers", "3.1.2.16", Expect::not_success}, {"mismatch01", "3.1.2.17", Expect::not_success},
    {"mismatch02", "3.1.2.18", Expect::not_success}, {"bigcode", "3.1.2.19", Expect::silence},
    {"badbranch", "3.2.1", Expect::survive},     {"insuf", "3.3.1", Expect::not_success},
    {"unkscm", "3.3.2", Expect::not_success},    {"novelsc", "3.3.3", Expect::survive},
    {"unksm2", "3.3.4", Expect::survive},        {"bext01", "3.3.5", Expect::not_success},
    {"invut", "3.3.6", Expect::not_success},     {"regaut01", "3.3.7", Expect::survive},
    {"multi01", "3.3.8", Expect::not_success},   {"mcl01", "3.3.9", Expect::not_success},
    {"bcast", "3.3.10", Expect::silence},        {"zeromf", "3.3.11", Expect::survive},
    {"cparam01", "3.3.12", Expect::survive},     {"cparam02", "3.3.13", Expect::survive},
    {"regescrt", "3.3.14", Expect::survive},     {"sdp01", "3.3.15", Expect::not_success},
    {"inv2543", "3.4.1", Expect::survive},
};

bool is_success(int status) { return status >= 200 && status < 300; }

/// A well-formed OPTIONS from `from_port`; the reply proves the SIP stack is alive.
std::string options(uint16_t agent_port, uint16_t from_port, const std::string& id, const char* transport = "UDP") {
  return "OPTIONS sip:probe@127.0.0.1:" + std::to_string(agent_port) + " SIP/2.0\r\n" + "Via: SIP/2.0/" + transport +
         " 127.0.0.1:" + std::to_string(from_port) + ";branch=z9hG4bK-opt-" + id + ";rport\r\n" +
         "Max-Forwards: 70\r\nTo: <sip:probe@127.0.0.1>\r\nFrom: <sip:tester@127.0.0.1>;tag=" + id +
         "\r\nCall-ID: opt-" + id + "@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
}

/// The final response to a request sent from `sock` (skipping 1xx), or 0 when none came within `timeout`.
int final_status(const UdpSocket& sock, std::chrono::milliseconds timeout, std::string* message = nullptr) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto got = sock.receive(left);
    if (!got) return 0;
    const int status = sip_status(*got);
    if (status >= 200) {
      if (message) *message = *got;
      return status;
    }
  }
  return 0;
}

bool alive_udp(uint16_t agent_port, const std::string& id) {
  UdpSocket s;
  s.send_to(agent_port, options(agent_port, s.port(), id));
  return final_status(s, 2s) >= 200;
}

bool alive_tcp(uint16_t agent_port, const std::string& id) {
  TcpConnection c(agent_port);
  if (!c.connected() || !c.send(options(agent_port, c.local_port(), id, "TCP"))) return false;
  return sip_status(c.receive(2s)) >= 100;
}

// ---- SDP offers --------------------------------------------------------------

std::string sdp(const std::string& media_lines, const std::string& connection = "c=IN IP4 127.0.0.1\r\n") {
  return "v=0\r\no=tester 1 1 IN IP4 127.0.0.1\r\ns=-\r\n" + connection + "t=0 0\r\n" + media_lines;
}

std::string invite(uint16_t agent_port, uint16_t from_port, const std::string& id, const std::string& body,
                   const char* transport = "UDP", std::optional<std::size_t> content_length = std::nullopt) {
  return "INVITE sip:agent@127.0.0.1:" + std::to_string(agent_port) + " SIP/2.0\r\n" + "Via: SIP/2.0/" + transport +
         " 127.0.0.1:" + std::to_string(from_port) + ";branch=z9hG4bK-inv-" + id + ";rport\r\n" +
         "Max-Forwards: 70\r\nFrom: <sip:+14155550123@127.0.0.1>;tag=f-" + id +
         "\r\nTo: <sip:agent@127.0.0.1>\r\nCall-ID: inv-" + id + "@127.0.0.1\r\nCSeq: 1 INVITE\r\n" +
         "Contact: <sip:tester@127.0.0.1:" + std::to_string(from_port) + ">\r\nContent-Type: application/sdp\r\n" +
         "Content-Length: " + std::to_string(content_length.value_or(body.size())) + "\r\n\r\n" + body;
}

/// A request in the dialog that invite(…, id, …) opened, whose final response was `reply` (its To tag).
std::string in_dialog_request(uint16_t agent_port, uint16_t from_port, const std::string& id, const std::string& reply,
                              const std::string& method, int cseq) {
  return method + " sip:agent@127.0.0.1:" + std::to_string(agent_port) + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" +
         std::to_string(from_port) + ";branch=z9hG4bK-" + method + "-" + id + ";rport\r\nMax-Forwards: 70\r\n" +
         "From: <sip:+14155550123@127.0.0.1>;tag=f-" + id + "\r\nTo: " + sip_header(reply, "To") + "\r\nCall-ID: inv-" + id +
         "@127.0.0.1\r\nCSeq: " + std::to_string(cseq) + " " + method + "\r\nContent-Length: 0\r\n\r\n";
}

/// INVITE bodies that offer nothing usable; each must be refused with 4xx.
std::vector<std::pair<std::string, std::string>> unusable_offers() {
  std::mt19937 rng(3264);
  std::string garbage;
  for (int i = 0; i < 400; ++i) garbage.push_back(static_cast<char>(32 + rng() % 95));
  std::string binary;
  for (int i = 0; i < 400; ++i) binary.push_back(static_cast<char>(rng()));
  std::string huge = sdp("");
  while (huge.size() < 6000) huge += "a=x-filler:" + std::string(80, 'z') + "\r\n";  // fits libre's UDP buffer
  return {
      {"garbage text", garbage},
      {"binary garbage", binary},
      {"no m= line", sdp("")},
      {"no common codec", sdp("m=audio 40000 RTP/AVP 18 96\r\na=rtpmap:18 G729/8000\r\na=rtpmap:96 opus/48000/2\r\n")},
      {"only telephone-event", sdp("m=audio 40000 RTP/AVP 101\r\na=rtpmap:101 telephone-event/8000\r\n")},
      {"video only", sdp("m=video 40000 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n")},
      {"audio stream rejected (port 0)", sdp("m=audio 0 RTP/AVP 0\r\n")},
      {"no connection address", sdp("m=audio 40000 RTP/AVP 0\r\n", "")},
      {"unknown transport", sdp("m=audio 40000 UDP/TLS/RTP/SAVPF 0\r\n")},
      {"m= line cut short", sdp("m=audio\r\n")},
      {"huge body (6 kB, no m=)", huge},
  };
}

// ---- raw SIP agent with an accepting incoming handler ------------------------

class SilentHandler final : public telephony::MediaHandler {
 public:
  void on_frame(std::span<const int16_t>, std::span<int16_t>, uint64_t) override {}
  void on_dtmf(char, int) override {}
};

class CountingObserver final : public telephony::SipCallObserver {
 public:
  std::shared_ptr<telephony::MediaHandler> media_handler() override { return std::make_shared<SilentHandler>(); }
  void on_answered(const std::string&, int) override { ++answered; }
  void on_ended(const telephony::CallEnd& e) override {
    std::lock_guard lock(mutex);
    ends.push_back(e);
  }
  std::atomic<int> answered{0};
  std::mutex mutex;
  std::vector<telephony::CallEnd> ends;
};

/// A SipUserAgent that accepts every INVITE (so SDP negotiation is what decides).
struct AcceptingAgent {
  AcceptingAgent() {
    auto m = telephony::MediaEngine::create({1, "127.0.0.1", 42000, 42999});
    EXPECT_TRUE(m) << m.error().message;
    media = std::move(*m);
    auto a = telephony::SipUserAgent::create({"127.0.0.1", 0, true, true, "", "voqo-test"}, *media);
    EXPECT_TRUE(a) << a.error().message;
    agent = std::move(*a);
    agent->set_incoming_handler([this](const telephony::IncomingCall&) {
      ++offered;
      return telephony::IncomingDecision{observer, 0, ""};
    });
  }
  std::unique_ptr<telephony::MediaEngine> media;
  std::unique_ptr<telephony::SipUserAgent> agent;
  std::shared_ptr<CountingObserver> observer = std::make_shared<CountingObserver>();
  std::atomic<int> offered{0};
};

// ---- the suite -----------------------------------------------------------------

class SipRobustnessTest : public test::SipSuite {
 protected:
  static calls::CallServiceConfig config() { return loopback_config(); }
};

TEST_F(SipRobustnessTest, Rfc4475TortureMessagesOverUdpAndTcp) {
  auto service = calls::CallService::create(*store_, config());
  ASSERT_TRUE(service) << service.error().message;
  const uint16_t port = (*service)->sip_port();
  ASSERT_TRUE(alive_udp(port, "first"));
  std::string table;
  for (const auto& t : kTorture) {
    const std::string msg = test::read_file(torture_dir() + t.name + ".dat");
    ASSERT_FALSE(msg.empty()) << t.name;
    UdpSocket s;
    ASSERT_TRUE(s.send_to(port, msg)) << t.name;
    // Everything the agent sends back within 500 ms (a 100 then a final, or nothing).
    std::vector<int> replies;
    while (auto got = s.receive(250ms)) {
      const int status = sip_status(*got);
      replies.push_back(status);
      EXPECT_TRUE(status >= 100 && status < 700) << t.name << " drew a reply that is not a SIP response:\n" << *got;
    }
    std::string seen;
    for (int r : replies) seen += std::to_string(r) + " ";
    table += std::string("  ") + t.section + " " + t.name + ": " + (seen.empty() ? "no reply" : seen) + "\n";
    switch (t.expect) {
      case Expect::silence: EXPECT_TRUE(replies.empty()) << t.name << " is a response; it got " << seen; break;
      case Expect::not_success:
        for (int r : replies) EXPECT_FALSE(is_success(r)) << t.name << " (RFC 4475 §" << t.section << ") was accepted";
        break;
      case Expect::survive: break;
    }
    ASSERT_TRUE(alive_udp(port, std::string("after-") + t.name)) << "the agent stopped answering after " << t.name;
  }
  std::printf("RFC 4475 over UDP (replies seen by the sender):\n%s", table.c_str());

  // TCP: one connection per message (a stream parser must not be left wedged by
  // a bad length), then a fresh connection must still be served.
  table.clear();
  for (const char* name : {"wsinv", "intmeth", "longreq", "badinv01", "clerr", "ncl", "mcl01", "scalar02", "quotbal"}) {
    const std::string msg = test::read_file(torture_dir() + name + ".dat");
    TcpConnection c(port);
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.send(msg)) << name;
    bool closed = false;
    const std::string reply = c.receive(700ms, &closed);
    const int status = sip_status(reply);
    table += std::string("  ") + name + ": " + (reply.empty() ? "no reply" : std::to_string(status)) +
             (closed ? " (closed)" : "") + "\n";
    const std::string_view n(name);
    if (n != "wsinv" && n != "intmeth" && n != "longreq") {
      EXPECT_FALSE(is_success(status)) << name << " over TCP was accepted";
    }
    ASSERT_TRUE(alive_tcp(port, std::string("tcp-after-") + name)) << "TCP stopped answering after " << name;
  }
  // Junk on a stream: binary garbage, then a never-ending header line.
  {
    TcpConnection c(port);
    std::mt19937 rng(4475);
    std::string junk(20000, '\0');
    for (auto& ch : junk) ch = static_cast<char>(rng());
    (void)c.send(junk);
    (void)c.receive(300ms);
  }
  {
    TcpConnection c(port);
    (void)c.send("INVITE sip:a@b SIP/2.0\r\nX-Long: " + std::string(300000, 'x'));
    (void)c.receive(300ms);
  }
  std::printf("RFC 4475 over TCP:\n%s", table.c_str());
  EXPECT_TRUE(alive_tcp(port, "tcp-end"));
  EXPECT_TRUE(alive_udp(port, "udp-end"));
  EXPECT_EQ((*service)->active_calls(), 0u);
}

TEST_F(SipRobustnessTest, BrokenTortureMessagesNeverReachTheCallHandler) {
  // Replies to the torture messages go where their Via says (192.0.2.x,
  // example.com), not back to the sender, so what counts is whether the SIP
  // stack handed a broken request to the application as a call: with a
  // handler that accepts every INVITE, none of the invalid ones may get there.
  AcceptingAgent a;
  ASSERT_TRUE(a.agent);
  const uint16_t port = a.agent->udp_port();
  std::string table;
  for (const auto& t : kTorture) {
    const std::string msg = test::read_file(torture_dir() + t.name + ".dat");
    const int before = a.offered.load();
    UdpSocket s;
    ASSERT_TRUE(s.send_to(port, msg)) << t.name;
    ASSERT_TRUE(alive_udp(port, std::string("acc-") + t.name)) << "the agent stopped answering after " << t.name;
    const bool offered = a.offered.load() != before;
    table += std::string("  ") + t.section + " " + t.name + ": " + (offered ? "offered to the handler" : "-") + "\n";
    if (t.expect == Expect::not_success) {
      EXPECT_FALSE(offered) << t.name << " (RFC 4475 §" << t.section << ") reached the call handler";
    }
  }
  std::printf("RFC 4475 INVITEs handed to an accepting call handler:\n%s", table.c_str());
}

TEST_F(SipRobustnessTest, UnusableSdpOffersAreRefusedWith4xxAndLeakNothing) {
  AcceptingAgent a;
  ASSERT_TRUE(a.agent);
  const uint16_t port = a.agent->udp_port();
  const std::size_t fds_before = test::count_dir("/proc/self/fd");
  const std::string fds_desc = test::describe_fds();
  int n = 0;
  for (const auto& [what, body] : unusable_offers()) {
    UdpSocket s;
    ASSERT_TRUE(s.send_to(port, invite(port, s.port(), "bad" + std::to_string(++n), body))) << what;
    std::string reply;
    const int status = final_status(s, 3s, &reply);
    EXPECT_TRUE(status == 488 || status == 400 || status == 415) << what << ": " << status << "\n" << reply;
  }
  // A body shorter than its Content-Length (UDP, RFC 3261 §18.3): 400 or discarded, never a call.
  {
    UdpSocket s;
    s.send_to(port, invite(port, s.port(), "short", sdp("m=audio 40000 RTP/AVP 0\r\n"), "UDP", 900));
    const int status = final_status(s, 1500ms);
    EXPECT_TRUE(status == 0 || status == 400) << status;
  }
  // Too big for one UDP datagram of libre's (8 kB buffer): refused or dropped, never accepted.
  {
    UdpSocket s;
    std::string big = sdp("m=audio 40000 RTP/AVP 0\r\n");
    while (big.size() < 60000) big += "a=x-filler:" + std::string(100, 'y') + "\r\n";
    ASSERT_TRUE(s.send_to(port, invite(port, s.port(), "big-udp", big)));
    const int status = final_status(s, 1500ms);
    EXPECT_FALSE(is_success(status)) << status;
    std::printf("60 kB INVITE over UDP: %s\n", status ? std::to_string(status).c_str() : "no reply");
  }
  // A 200 kB garbage offer over TCP.
  {
    TcpConnection c(a.agent->tcp_port());
    ASSERT_TRUE(c.connected());
    std::string big = sdp("");
    while (big.size() < 200000) big += "a=x-filler:" + std::string(100, 'w') + "\r\n";
    (void)c.send(invite(port, c.local_port(), "big-tcp", big, "TCP"));
    bool closed = false;
    const std::string reply = c.receive(2s, &closed);
    const int status = sip_status(reply.substr(reply.rfind("SIP/2.0 ") == std::string::npos ? 0 : reply.rfind("SIP/2.0 ")));
    EXPECT_FALSE(is_success(status)) << reply.substr(0, 200);
    std::printf("200 kB INVITE over TCP: %s%s\n", status ? std::to_string(status).c_str() : "no reply",
                closed ? " (connection closed)" : "");
  }
  EXPECT_EQ(a.observer->answered.load(), 0) << "an unusable offer was answered";
  EXPECT_EQ(a.agent->active_calls(), 0u);
  // Every refused INVITE had RTP ports allocated for its answer: they are all closed again.
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(test::count_dir("/proc/self/fd"), fds_before) << "before: " << fds_desc << "\nafter: " << test::describe_fds();

  // Control: a well-formed offer is answered 200 with an SDP answer, and the call ends cleanly on BYE.
  UdpSocket s;
  const std::string offer =
      sdp("m=audio " + std::to_string(free_loopback_port()) +
          " RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n");
  s.send_to(port, invite(port, s.port(), "good", offer));
  std::string ok;
  ASSERT_EQ(final_status(s, 3s, &ok), 200) << ok;
  EXPECT_NE(ok.find("m=audio "), std::string::npos) << ok;
  EXPECT_NE(ok.find("PCMU"), std::string::npos) << ok;
  auto in_dialog = [&](const std::string& method, int cseq) { return in_dialog_request(port, s.port(), "good", ok, method, cseq); };
  s.send_to(port, in_dialog("ACK", 1));
  for (int i = 0; i < 50 && a.observer->answered.load() == 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(a.observer->answered.load(), 1);
  s.drain();
  s.send_to(port, in_dialog("BYE", 2));
  EXPECT_EQ(final_status(s, 3s), 200);
  for (int i = 0; i < 100 && a.agent->active_calls() > 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(a.agent->active_calls(), 0u);
  std::lock_guard lock(a.observer->mutex);
  ASSERT_EQ(a.observer->ends.size(), 1u);
  EXPECT_EQ(a.observer->ends[0].status, "completed");
  EXPECT_TRUE(a.observer->ends[0].remote_hangup);
}

TEST_F(SipRobustnessTest, UnusableOffersToTheCallServiceGet4xx) {
  auto service = calls::CallService::create(*store_, config());
  ASSERT_TRUE(service) << service.error().message;
  const uint16_t port = (*service)->sip_port();
  int n = 0;
  for (const auto& [what, body] : unusable_offers()) {
    UdpSocket s;
    s.send_to(port, invite(port, s.port(), "svc" + std::to_string(++n), body));
    const int status = final_status(s, 3s);
    EXPECT_TRUE(status >= 400 && status < 500) << what << ": " << status;
  }
  EXPECT_EQ((*service)->active_calls(), 0u);
}

// ---- (d) what an INVITE may cost (issue 15 §1, §3, §4, §9) --------------------

uint16_t free_rtp_range();

/// The offers of the hostile test on top of unusable_offers(): each
/// gets 488 (or 400/415 for garbage) before anything is allocated.
std::vector<std::pair<std::string, std::string>> rejected_offers() {
  auto v = unusable_offers();
  v.push_back({"only opus", sdp("m=audio 40000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n")});
  v.push_back({"c=0.0.0.0", sdp("m=audio 40000 RTP/AVP 0\r\n", "c=IN IP4 0.0.0.0\r\n")});
  v.push_back({"port past 65535", sdp("m=audio 70000 RTP/AVP 0\r\n")});
  v.push_back({"no body", ""});
  return v;
}

/// A valid PCMU offer whose media address is 127.0.0.1:`rtp_port`.
std::string good_offer(uint16_t rtp_port) {
  return sdp("m=audio " + std::to_string(rtp_port) +
             " RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n");
}

/// Sets settings for one test and puts the previous values back after it.
class ScopedSettings {
 public:
  ScopedSettings(store::Store& s, const nlohmann::json& values) : store_(s) {
    for (const auto& [k, v] : values.items()) {
      auto old = s.settings().get(test::default_workspace(s), k);
      EXPECT_TRUE(old) << k;
      if (old) saved_[k] = *old;
      EXPECT_TRUE(s.settings().put(test::default_workspace(s), k, v)) << k;
    }
  }
  ~ScopedSettings() {
    for (const auto& [k, v] : saved_.items()) (void)store_.settings().put(test::default_workspace(store_), k, v);
  }

 private:
  store::Store& store_;
  nlohmann::json saved_ = nlohmann::json::object();
};

/// A route for every dialed number to the suite's "Tester" agent, as the hostile test had.
nlohmann::json catch_all() { return {{"inbound_numbers", {{"*", "Tester"}}}}; }

std::size_t live_call_count(store::Store& s) {
  auto live = s.live().live_calls(test::default_workspace(s), std::nullopt);
  EXPECT_TRUE(live) << live.error().message;
  return live ? live->size() : 0;
}

/// The final status and the whole reply, waiting at most `timeout`.
std::pair<int, std::string> invite_and_wait(const UdpSocket& from, uint16_t port, const std::string& id, const std::string& body,
                                            std::chrono::milliseconds timeout = 3s) {
  from.send_to(port, invite(port, from.port(), id, body));
  std::string reply;
  const int status = final_status(from, timeout, &reply);
  if (status == 200) from.send_to(port, in_dialog_request(port, from.port(), id, reply, "ACK", 1));
  return {status, reply};
}

TEST_F(SipRobustnessTest, RejectedInboundOffersAllocateNothingAndLeakNothing) {
  // Before: each of these prepared a call (speech engines, a "ringing" live
  // row) that the 488 never released, about 92 MB apiece.
  ScopedSettings route(*store_, catch_all());
  auto cfg = config();
  cfg.invite_rate_per_source = 0;  // not what this test is about
  auto service = calls::CallService::create(*store_, cfg);
  ASSERT_TRUE(service) << service.error().message;
  const uint16_t port = (*service)->sip_port();
  const auto records_before = store_->calls().list(test::default_workspace(*store_), {});
  ASSERT_TRUE(records_before);
  int n = 0;
  auto send_all = [&] {
    for (const auto& [what, body] : rejected_offers()) {
      UdpSocket s;
      auto [status, reply] = invite_and_wait(s, port, "leak" + std::to_string(++n), body);
      EXPECT_TRUE(status == 488 || status == 400 || status == 415) << what << ": " << status << "\n" << reply;
    }
  };
  send_all();  // warm-up: libre's and the allocator's one-time growth
  const long rss_before = test::rss_kib();
  const std::size_t fds_before = test::count_dir("/proc/self/fd");
  for (int round = 0; round < 5; ++round) send_all();
  std::this_thread::sleep_for(300ms);  // anything wrongly prepared would be finishing now
  EXPECT_EQ((*service)->active_calls(), 0u);
  EXPECT_EQ((*service)->stt_decoders_in_use(), 0u) << "a rejected INVITE holds a speech decoder";
  EXPECT_EQ(live_call_count(*store_), 0u) << "a rejected INVITE left a live call";
  const long grew_kib = test::rss_kib() - rss_before;
  std::printf("[ figure ] RSS after %d rejected INVITEs: %+ld KiB\n", 5 * static_cast<int>(rejected_offers().size()), grew_kib);
  EXPECT_LT(grew_kib, 16 * 1024) << "rejected INVITEs grew the process";
  EXPECT_EQ(test::count_dir("/proc/self/fd"), fds_before) << test::describe_fds();
  auto records_after = store_->calls().list(test::default_workspace(*store_), {});
  ASSERT_TRUE(records_after);
  EXPECT_EQ(records_after->items.size(), records_before->items.size()) << "a rejected INVITE left a call record";
}

TEST_F(SipRobustnessTest, AnInboundCallRefusedAfterPreparationIsReleasedAndRecorded) {
  // No RTP port pair left (the only one is taken): 503 after the handler
  // prepared the call. The call ends at once: no live row, no active call,
  // a failed record that says what was sent.
  ScopedSettings route(*store_, catch_all());
  auto cfg = config();
  const uint16_t rtp = free_rtp_range();
  ASSERT_NE(rtp, 0);
  cfg.rtp_port_min = rtp;
  cfg.rtp_port_max = static_cast<uint16_t>(rtp + 1);
  int blocker = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(rtp);
  ASSERT_EQ(::bind(blocker, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  auto service = calls::CallService::create(*store_, cfg);
  ASSERT_TRUE(service) << service.error().message;
  const uint16_t port = (*service)->sip_port();
  UdpSocket s;
  auto [status, reply] = invite_and_wait(s, port, "noports", good_offer(free_loopback_port()));
  EXPECT_EQ(status, 503) << reply;
  for (int i = 0; i < 100 && (*service)->active_calls() > 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ((*service)->active_calls(), 0u);
  for (int i = 0; i < 100 && (*service)->stt_decoders_in_use() > 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ((*service)->stt_decoders_in_use(), 0u) << "the prepared call's decoder went back to the pool";
  EXPECT_EQ(live_call_count(*store_), 0u);
  auto records = store_->calls().list(test::default_workspace(*store_), {});
  ASSERT_TRUE(records);
  bool recorded = false;
  for (const auto& r : records->items)
    recorded = recorded || (r.value("status", "") == "failed" && r.value("sipCode", 0) == 503 &&
                            r.value("direction", "") == "inbound");
  EXPECT_TRUE(recorded) << records->items.dump(2);
  ::close(blocker);
}

TEST_F(SipRobustnessTest, InvitesFromOutsideTheInboundSourcesGet403AndAllocateNothing) {
  nlohmann::json settings = catch_all();
  settings["sip_inbound_sources"] = {"127.0.0.2/32"};
  ScopedSettings scoped(*store_, settings);
  auto service = calls::CallService::create(*store_, config());
  ASSERT_TRUE(service) << service.error().message;
  const uint16_t port = (*service)->sip_port();
  // The first INVITE opens the SIP thread's own read connection to the store
  // (two descriptors, kept for the service's life): count from after it.
  {
    UdpSocket outsider("127.0.0.1");
    EXPECT_EQ(invite_and_wait(outsider, port, "outside-first", good_offer(free_loopback_port())).first, 403);
  }
  const std::size_t fds_before = test::count_dir("/proc/self/fd");
  for (int i = 0; i < 5; ++i) {
    UdpSocket outsider("127.0.0.1");
    auto [status, reply] = invite_and_wait(outsider, port, "outside" + std::to_string(i), good_offer(free_loopback_port()));
    EXPECT_EQ(status, 403) << reply;
  }
  EXPECT_EQ((*service)->active_calls(), 0u);
  EXPECT_EQ(live_call_count(*store_), 0u);
  EXPECT_EQ(test::count_dir("/proc/self/fd"), fds_before) << test::describe_fds();
  // The configured network is let in.
  UdpSocket insider("127.0.0.2");
  auto [status, reply] = invite_and_wait(insider, port, "inside", good_offer(free_loopback_port()));
  EXPECT_EQ(status, 200) << reply;
  service->reset();  // hangs up
}

TEST_F(SipRobustnessTest, TheTrunksAddressIsAdmittedEvenWithAUserPartAndParameters) {
  nlohmann::json settings = catch_all();
  settings["sip_inbound_sources"] = {"127.0.0.3/32"};
  settings["sip_trunk"] = {{"uri", "sip:acct@127.0.0.2:5060;transport=udp"}};
  ScopedSettings scoped(*store_, settings);
  auto service = calls::CallService::create(*store_, config());
  ASSERT_TRUE(service) << service.error().message;
  const uint16_t port = (*service)->sip_port();
  UdpSocket trunk("127.0.0.2");
  auto [status, reply] = invite_and_wait(trunk, port, "from-trunk", good_offer(free_loopback_port()));
  EXPECT_EQ(status, 200) << reply;
  UdpSocket other("127.0.0.1");
  EXPECT_EQ(invite_and_wait(other, port, "not-trunk", good_offer(free_loopback_port())).first, 403);
  service->reset();
}

TEST_F(SipRobustnessTest, ASourceOverItsInviteRateGets503WithRetryAfterAndOthersDoNot) {
  auto m = telephony::MediaEngine::create({1, "127.0.0.1", 43000, 43999});
  ASSERT_TRUE(m);
  telephony::SipUserAgent::Config c{"127.0.0.1", 0, true, false, "", "voqo-test"};
  c.invite_rate_per_source = 1;
  c.invite_burst = 3;
  auto agent = telephony::SipUserAgent::create(c, **m);
  ASSERT_TRUE(agent) << agent.error().message;
  std::atomic<int> handled{0};
  (*agent)->set_incoming_handler([&](const telephony::IncomingCall&) {
    ++handled;
    return telephony::IncomingDecision{nullptr, 404, "Not Found"};
  });
  const uint16_t port = (*agent)->udp_port();
  UdpSocket flood;
  std::map<int, int> statuses;
  std::string limited;
  for (int i = 0; i < 8; ++i) flood.send_to(port, invite(port, flood.port(), "rate" + std::to_string(i), good_offer(40000)));
  for (int i = 0; i < 8; ++i) {
    std::string reply;
    const int status = final_status(flood, 2s, &reply);
    ++statuses[status];
    if (status == 503) limited = reply;
  }
  EXPECT_EQ(statuses[404], 3) << "the burst passes";
  EXPECT_EQ(statuses[503], 5) << "the rest is limited";
  EXPECT_EQ(handled.load(), 3) << "a limited INVITE never reaches the handler";
  EXPECT_NE(sip_header(limited, "Retry-After"), "") << limited;
  // Another source has its own bucket.
  UdpSocket other("127.0.0.2");
  EXPECT_EQ(invite_and_wait(other, port, "rate-other", good_offer(40000)).first, 404);
}

TEST_F(SipRobustnessTest, InboundCallsBeyondTheConcurrentCapGet503WithRetryAfter) {
  nlohmann::json settings = catch_all();
  settings["max_concurrent_calls"] = 1;
  ScopedSettings scoped(*store_, settings);
  auto service = calls::CallService::create(*store_, config());
  ASSERT_TRUE(service) << service.error().message;
  const uint16_t port = (*service)->sip_port();
  UdpSocket first, second;
  EXPECT_EQ(invite_and_wait(first, port, "cap1", good_offer(free_loopback_port())).first, 200);
  auto [status, reply] = invite_and_wait(second, port, "cap2", good_offer(free_loopback_port()));
  EXPECT_EQ(status, 503) << reply;
  EXPECT_EQ(sip_header(reply, "Retry-After"), "5") << reply;
  EXPECT_EQ((*service)->active_calls(), 1u);
  service->reset();
}

TEST_F(SipRobustnessTest, AnInviteCannotAimAStreamAtAThirdParty) {
  // The offer names a "victim" that never sends RTP: voqo sends it at most
  // the unlatched burst (50 packets, 1 s) instead of the whole call's audio.
  ScopedSettings route(*store_, catch_all());
  auto service = calls::CallService::create(*store_, config());
  ASSERT_TRUE(service) << service.error().message;
  const uint16_t port = (*service)->sip_port();
  auto count_for = [](const UdpSocket& sock, std::chrono::milliseconds span) {
    int n = 0;
    const auto until = std::chrono::steady_clock::now() + span;
    for (auto now = std::chrono::steady_clock::now(); now < until; now = std::chrono::steady_clock::now())
      if (sock.receive(std::chrono::duration_cast<std::chrono::milliseconds>(until - now))) ++n;
    return n;
  };
  UdpSocket victim, attacker;
  EXPECT_EQ(invite_and_wait(attacker, port, "reflect", good_offer(victim.port())).first, 200);
  const int reflected = count_for(victim, 4s);
  std::printf("[ figure ] datagrams sent to an address named by one INVITE in 4 s: %d\n", reflected);
  EXPECT_GT(reflected, 0) << "the burst before latching is still sent (a real caller needs it)";
  EXPECT_LE(reflected, 50 + 1) << "at most the burst (+ one RTCP report)";
  // Control: a caller that sends RTP from its SDP address latches the stream and hears the agent all along.
  UdpSocket caller, signalling;
  auto [status, ok] = invite_and_wait(signalling, port, "latch", good_offer(caller.port()));
  ASSERT_EQ(status, 200) << ok;
  const auto m = ok.find("m=audio ");
  ASSERT_NE(m, std::string::npos) << ok;
  const uint16_t voqo_rtp = static_cast<uint16_t>(std::stoi(ok.substr(m + 8)));
  int heard = 0;
  std::string packet;
  const std::string silence(160, '\xff');
  for (uint16_t seq = 0; seq < 200; ++seq) {  // 4 s of PCMU silence
    telephony::write_rtp({seq == 0, 0, seq, seq * 160u, 0x1234}, {reinterpret_cast<const uint8_t*>(silence.data()), silence.size()},
                         packet);
    caller.send_to(voqo_rtp, packet);
    heard += count_for(caller, 20ms);
  }
  std::printf("[ figure ] datagrams a latched caller got in 4 s: %d\n", heard);
  EXPECT_GT(heard, 150) << "(4 s of audio is 200 packets)";
  service->reset();
}

// ---- (c) junk at the RTP ports during a call --------------------------------

/// An even port P with P..P+7 free on 127.0.0.1 (4 RTP/RTCP pairs).
uint16_t free_rtp_range() {
  std::mt19937 rng(std::random_device{}());
  for (int attempt = 0; attempt < 200; ++attempt) {
    const auto base = static_cast<uint16_t>(20000 + 2 * (rng() % 10000));
    bool ok = true;
    std::vector<int> fds;
    for (uint16_t p = base; p < base + 8 && ok; ++p) {
      int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = htons(p);
      ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
      fds.push_back(fd);
    }
    for (int fd : fds) ::close(fd);
    if (ok) return base;
  }
  return 0;
}

/// Datagrams that are not acceptable RTP/RTCP, of every malformed kind.
std::vector<std::string> malformed_datagrams(std::mt19937& rng) {
  auto header = [](uint8_t b0, uint8_t b1) { return std::string{static_cast<char>(b0), static_cast<char>(b1), 0, 1, 0, 0, 0, 1, 0, 0, 0, 1}; };
  std::vector<std::string> v = {
      "",
      std::string(5, '\x80'),
      std::string(11, '\x80'),
      header(0x00, 0) + "payload",            // version 0
      header(0x40, 0) + "payload",            // version 1
      header(0xc0, 0) + "payload",            // version 3
      header(0x8f, 0),                        // 15 CSRCs, none present
      header(0x90, 0) + std::string("\xbe\xde\xff\xff", 4),  // extension length past the end
      header(0xa0, 0) + std::string("ab\xff", 3),            // padding past the end
      header(0xa0, 0) + std::string("ab\x00", 3),            // padding count 0
      std::string("\x80\xc8\x00\x40", 4) + std::string(8, '\0'),  // RTCP SR, length past the end
      std::string("\x81\xca\x00\x01\x00\x00\x00\x01", 8),         // RTCP starting with SDES
      std::string("\x40\xc9\x00\x01\x00\x00\x00\x01", 8),         // RTCP version 1
      std::string("\x80\xc9\xff\xff", 4),                         // RR, length 0xffff
  };
  for (int i = 0; i < 40; ++i) {  // random bytes, never valid RTP (version forced to 0 or 1)
    std::string r(rng() % 1400, '\0');
    for (auto& c : r) c = static_cast<char>(rng());
    if (!r.empty()) r[0] = static_cast<char>(r[0] & 0x7f);
    v.push_back(std::move(r));
  }
  return v;
}

/// A valid-looking RTP datagram (version 2) with random header fields and payload.
std::string random_rtp(std::mt19937& rng, uint8_t pt, uint16_t seq, uint32_t ssrc) {
  std::string payload(rng() % 400, '\0');
  for (auto& c : payload) c = static_cast<char>(rng());
  std::string out;
  telephony::write_rtp({static_cast<bool>(rng() & 1), pt, seq, static_cast<uint32_t>(rng()), ssrc},
                       {reinterpret_cast<const uint8_t*>(payload.data()), payload.size()}, out);
  return out;
}

TEST_F(SipRobustnessTest, JunkAtTheRtpPortsDuringACallIsCountedAndIgnored) {
  const uint16_t rtp_min = free_rtp_range();
  ASSERT_NE(rtp_min, 0) << "no free RTP port range";
  auto cfg = config();
  cfg.rtp_port_min = rtp_min;
  cfg.rtp_port_max = static_cast<uint16_t>(rtp_min + 7);
  const uint16_t sipp_port = free_loopback_port();  // both calls go to a sipp on this port
  cfg.trunk = telephony::SipTrunk{"sip:127.0.0.1:" + std::to_string(sipp_port), "udp", "", "", "+15550001111"};
  auto service = calls::CallService::create(*store_, cfg);
  ASSERT_TRUE(service) << service.error().message;

  auto call = [&](const std::string& scenario, const std::function<void(const std::atomic<bool>& done)>& during) {
    test::Subprocess sipp({"/usr/bin/sipp", "-sf", std::string(VOQO_SOURCE_DIR) + "/tests/data/sipp/" + scenario, "-i",
                           "127.0.0.1", "-p", std::to_string(sipp_port), "-m", "1", "-nostdin", "-timeout", "40s",
                           "-timeout_error"});
    std::this_thread::sleep_for(300ms);
    std::mutex m;
    std::condition_variable cv;
    std::atomic<bool> done{false};
    nlohmann::json record;
    auto id = (*service)->place_call(test::with_record({test::default_workspace(*store_), "Tester", "+14155550123", nlohmann::json::object(), "Sipp"}, *store_,
                                     [&](const nlohmann::json& r) {
                                       std::lock_guard lock(m);
                                       record = r;
                                       done = true;
                                       cv.notify_all();
                                     }));
    EXPECT_TRUE(id) << id.error().message;
    if (!id) return record;
    if (during) during(done);
    std::unique_lock lock(m);
    EXPECT_TRUE(cv.wait_for(lock, 40s, [&] { return done.load(); })) << "call did not end";
    lock.unlock();
    EXPECT_EQ(sipp.wait(20s), 0) << sipp.output();
    return record;
  };

  uint64_t sent = 0, hijacked = 0, valid_stray = 0, hostile = 0, latched = 0;
  auto blast = [&](const std::atomic<bool>& done) {
    std::mt19937 rng(20240611);
    UdpSocket blaster;
    std::this_thread::sleep_for(1500ms);  // answered, media flowing
    // Phase 1 (~3 s): malformed datagrams and lone valid-looking RTP/DTMF from a stranger, at every port.
    const auto phase1_end = std::chrono::steady_clock::now() + 3s;
    uint16_t seq = 1000;
    while (!done && std::chrono::steady_clock::now() < phase1_end) {
      for (uint16_t p = rtp_min; p <= rtp_min + 7; ++p) {
        for (const auto& d : malformed_datagrams(rng)) sent += blaster.send_to(p, d);
        // Lone valid-looking packets with scattered sequence numbers: a stranger, not a stream.
        seq = static_cast<uint16_t>(seq + 1000 + rng() % 1000);
        valid_stray += blaster.send_to(p, random_rtp(rng, static_cast<uint8_t>(rng() % 128), seq, static_cast<uint32_t>(rng())));
        std::string dtmf;
        telephony::write_telephone_event({static_cast<uint8_t>(rng() % 16), true, 10, 800}, dtmf);
        std::string pkt;
        telephony::write_rtp({false, 101, static_cast<uint16_t>(seq + 500), static_cast<uint32_t>(rng()), 77},
                             {reinterpret_cast<const uint8_t*>(dtmf.data()), dtmf.size()}, pkt);
        valid_stray += blaster.send_to(p, pkt);
      }
      std::this_thread::sleep_for(20ms);
    }
    // The agent must not have redirected its audio to the stranger.
    while (blaster.receive(0ms)) ++hijacked;
    // Phase 2 (~1 s): the stranger now looks like a peer behind NAT (a few
    // packets in sequence, RFC 4961 latching), then sends hostile headers and
    // payloads: random sequence numbers, timestamps and payload types.
    const uint32_t ssrc = 0x5eed;
    for (uint16_t p = rtp_min; p <= rtp_min + 7; p = static_cast<uint16_t>(p + 2))
      for (uint16_t i = 0; i < 5; ++i) blaster.send_to(p, random_rtp(rng, 9, static_cast<uint16_t>(7000 + i), ssrc));
    const auto phase2_end = std::chrono::steady_clock::now() + 1s;
    while (!done && std::chrono::steady_clock::now() < phase2_end) {
      for (uint16_t p = rtp_min; p <= rtp_min + 7; p = static_cast<uint16_t>(p + 2))
        for (int i = 0; i < 20; ++i) {
          const uint8_t pt = (i % 3 == 0) ? 101 : (i % 3 == 1 ? 9 : static_cast<uint8_t>(rng() % 128));
          hostile += blaster.send_to(p, random_rtp(rng, pt, static_cast<uint16_t>(rng()), ssrc));
        }
      std::this_thread::sleep_for(20ms);
    }
    while (blaster.receive(0ms)) ++latched;
  };

  auto r = call("answer_bye_long.xml", blast);
  std::printf("junk datagrams sent: %llu (+%llu lone valid-looking RTP); agent packets that reached the stranger: %llu\n",
              static_cast<unsigned long long>(sent), static_cast<unsigned long long>(valid_stray),
              static_cast<unsigned long long>(hijacked));
  std::printf("hostile RTP after latching: %llu; agent packets then sent to the latched sender: %llu\n",
              static_cast<unsigned long long>(hostile), static_cast<unsigned long long>(latched));
  std::printf("call record rtp: %s\n", r["systemInfo"]["rtp"].dump().c_str());
  EXPECT_GT(sent, 1000u);
  EXPECT_EQ(r.value("status", ""), "completed") << r.dump(2);
  EXPECT_TRUE(r["systemInfo"].value("remoteHangup", false)) << r.dump(2);
  const auto& rtp = r["systemInfo"]["rtp"];
  // 20 ms packets for the whole call (≥ 6.5 s answered): the junk did not stall the media thread.
  EXPECT_GE(rtp.value("packetsSent", 0), 300) << rtp.dump();
  EXPECT_GT(rtp.value("malformed", 0), 100) << rtp.dump();
  EXPECT_EQ(hijacked, 0u) << "one stray datagram redirected the call's audio (RTP latching)";
  EXPECT_GT(latched, 10u) << "a sender that streams in sequence is latched onto (RFC 4961, peers behind NAT)";

  // Afterwards, a normal call on the same service works and sees no junk.
  auto r2 = call("answer_bye.xml", nullptr);
  EXPECT_EQ(r2.value("status", ""), "completed") << r2.dump(2);
  EXPECT_GE(r2["systemInfo"]["rtp"].value("packetsSent", 0), 100) << r2.dump(2);
  EXPECT_EQ(r2["systemInfo"]["rtp"].value("malformed", -1), 0) << r2.dump(2);
  EXPECT_EQ((*service)->active_calls(), 0u);
}

}  // namespace
}  // namespace voqo

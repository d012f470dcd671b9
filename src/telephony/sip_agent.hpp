#pragma once
/// The SIP user agent: places and answers calls over UDP and TCP with libre
/// (RFC 3261), negotiates audio with SDP offer/answer (RFC 3264, RFC 4566),
/// and starts a MediaStream once the far end's media address is known.
///
/// libre's event loop runs in one thread owned by the agent (DESIGN.md
/// "Threads"); every public method may be called from any thread and hops
/// onto it through libre's mqueue. Observer callbacks run on that thread:
/// keep them short and hand work elsewhere.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "telephony/media_engine.hpp"

namespace voqo::telephony {

/// The trunk that outbound calls go through (setting `sip_trunk`, flag --trunk).
struct SipTrunk {
  std::string uri;                  ///< "sip:host[:port]" (a URI with ;transport=tcp selects TCP too)
  std::string transport = "udp";    ///< udp | tcp
  std::string username;             ///< digest credentials (RFC 2617 / RFC 3261 §22); "" = none
  std::string password;
  std::string caller_id;            ///< user part of From, usually our E.164 number
  /// Audio codecs offered on outbound calls, most preferred first (SDP names,
  /// RFC 3551 static payload types 9, 0, 8; setting `sip_trunk.codecs`). Many
  /// PSTN trunks carry only G.711: listing just PCMU/PCMA keeps the offer to
  /// what the carrier transcodes cheaply. Inbound calls use the default order.
  /// The speech recognisers want 16 kHz, so G.722 comes first by default.
  std::vector<std::string> codecs = {"G722", "PCMU", "PCMA"};
};

/// How a call ended, mapped onto `calls.status` (the data model):
/// 486/600 → busy; 408/480, CANCEL after the ring timeout → no_answer;
/// 404/603/5xx/other failures → failed (reason kept); a conversation → completed;
/// hung up by us before answer, or (incoming) CANCELled by the caller → cancelled.
struct CallEnd {
  std::string status;     ///< completed | failed | no_answer | busy | cancelled
  int sip_code = 0;       ///< the final response code, 0 when none
  std::string reason;     ///< e.g. "SIP 603 Decline", "no answer within 30 s", "BYE from peer"
  bool answered = false;  ///< a 2xx was exchanged (a conversation took place)
  bool remote_hangup = false;
};

class SipCall;

/// Receives a call's events on the SIP thread.
class SipCallObserver {
 public:
  virtual ~SipCallObserver() = default;
  /// 180/183 received; `early_media` when a 183 carried SDP and early media started.
  virtual void on_progress(int sip_code, bool early_media) {}
  /// The handler that the call's MediaStream will drive (asked once, when media starts).
  virtual std::shared_ptr<MediaHandler> media_handler() = 0;
  /// The call is answered (2xx/ACK) and media flows with `codec`.
  virtual void on_answered(const std::string& codec, int codec_rate_hz) = 0;
  /// The call is over; called exactly once.
  virtual void on_ended(const CallEnd& end) = 0;
  /// A REFER we sent was accepted (true) or failed (false, with the reason).
  virtual void on_transfer(bool ok, const std::string& reason) {}
  /// The peer put the call on hold (true) or took it off hold (false) with a
  /// re-INVITE: its audio offer is sendonly or inactive, or (RFC 2543 style)
  /// its connection address is 0.0.0.0 — RFC 3264 §8.4. Called on changes only.
  virtual void on_hold(bool held) {}
  /// An incoming call this observer was given (IncomingDecision) is accepted:
  /// its handle, to hang it up or transfer it later (outbound calls get theirs
  /// from dial()). Called once, on the SIP thread, before any other event of
  /// the call. Weak, so that the observer does not keep the call alive.
  virtual void on_incoming_accepted(std::weak_ptr<SipCall> call) {}
};

/// A call in progress. Thread-safe.
class SipCall {
 public:
  virtual ~SipCall() = default;
  /// Hangs up: CANCEL before answer, BYE after (RFC 3261 §9, §15). Idempotent.
  virtual void hangup() = 0;
  /// Blind transfer with REFER (RFC 3515): the peer is asked to call `target`
  /// (a SIP URI or an E.164 number at the trunk). Result via on_transfer().
  virtual void transfer(const std::string& target) = 0;
  /// Sends DTMF digits as RFC 4733 telephone-events. Errors as MediaStream::send_dtmf;
  /// ErrorCode::conflict before media has started.
  virtual Result<void> send_dtmf(const std::string& digits) = 0;
  /// The media stream once started (nullptr before).
  virtual std::shared_ptr<MediaStream> media() const = 0;
  [[nodiscard]] virtual std::string call_id() const = 0;  ///< the SIP Call-ID
};

/// An INVITE that arrived. It is handed to the incoming handler only once it
/// passed the per-source rate limit, the RFC 3261 header checks and the offer
/// check (an SDP offer with an audio stream on a valid port, a connection
/// address that is not 0.0.0.0, and a codec we run): a rejected INVITE costs
/// no allocation.
struct IncomingCall {
  std::string from_user;  ///< user part of From (the caller's number)
  std::string from_uri;
  std::string to_user;    ///< user part of the Request-URI (the number dialed)
  std::string call_id;
  std::string source_ip;  ///< where the INVITE came from (its packet's source address, IPv4 or IPv6 text)
};

/// IncomingDecision::answer_after value that never answers: the call rings
/// (180) until the caller CANCELs it or the observer's side hangs up.
inline constexpr std::chrono::milliseconds kRingForever = std::chrono::milliseconds::max();

/// What to do with an incoming call: accept with an observer, or reject with a code.
struct IncomingDecision {
  std::shared_ptr<SipCallObserver> observer;  ///< nullptr = reject
  int reject_code = 404;
  std::string reject_reason = "Not Found";
  /// Accepted calls only. nullopt: answer (200 with the SDP answer) at once.
  /// A duration: send 180 Ringing now and answer after it (RFC 3261 §13.3.1.1);
  /// kRingForever: ring until the caller CANCELs (RFC 3261 §9.2: 487 to the
  /// INVITE; the call ends "cancelled" with remote_hangup). Media starts at the answer.
  std::optional<std::chrono::milliseconds> answer_after;
  /// Rejections only: a Retry-After header (RFC 3261 §20.33), in seconds; 0 = none.
  int retry_after_s = 0;
};

/// Rejections after an accepting decision (no RTP ports, an SDP answer that
/// cannot be built, libre refusing the session) end the call at once: the
/// observer gets on_ended with status "failed", the SIP code sent and the
/// reason, so whatever it prepared for the call is released.

class SipUserAgent {
 public:
  struct Config {
    std::string listen_ip = "0.0.0.0";  ///< SIP and RTP bind address
    uint16_t port = 5060;               ///< UDP and TCP (0 = any free port)
    bool udp = true;
    bool tcp = true;
    std::string media_ip;               ///< address written in SDP c= ("" = the local address facing the peer)
    std::string user_agent = "voqo";
    /// Ends an answered call (BYE, status completed, reason "media timeout")
    /// when no RTP has arrived from the peer for this long: the peer is gone
    /// without a BYE that reached us (a lost BYE or ACK, a crashed PBX). Not
    /// while the peer holds the call (RFC 3264 §8.4: it sends nothing then).
    /// Checked once a second; 0 = never. Same rule as Asterisk's rtptimeout
    /// and FreeSWITCH's media_timeout.
    std::chrono::seconds rtp_timeout{60};
    /// Per-source INVITE rate limit: a token bucket per source IP address,
    /// refilled at `invite_rate_per_source` INVITEs a second up to
    /// `invite_burst`. An INVITE beyond it gets 503 with Retry-After: 1 and
    /// allocates nothing. At most kMaxRateSources addresses are tracked; idle
    /// ones are forgotten after 60 s. 0 = no limit. A carrier's SBC sends every
    /// call from one address: size the rate for the trunk's inbound calls per second.
    /// Inbound calls: RTP/RTCP packets sent to the offer's address before
    /// the caller's first RTP packet (StreamConfig::unlatched_send_limit);
    /// 50 = 1 s of audio. 0 = no limit.
    int inbound_unlatched_burst = 50;
    double invite_rate_per_source = 50;
    double invite_burst = 100;
  };
  /// Source addresses whose INVITE rate is tracked at once; past it, new
  /// sources are limited as one (a spoofed-source flood cannot grow the table).
  static constexpr std::size_t kMaxRateSources = 10000;
  /// Starts the SIP thread and binds the transports. One agent per process
  /// (libre keeps a process-wide main loop). Errors: ErrorCode::io when a
  /// port cannot be bound; ErrorCode::conflict when an agent already exists.
  static Result<std::unique_ptr<SipUserAgent>> create(Config config, MediaEngine& media);
  virtual ~SipUserAgent() = default;

  /// Places a call to `to` (an E.164 number or user, sent to the trunk; or a
  /// full "sip:user@host:port" URI) with an SDP offer of the trunk's codecs
  /// (default G722, PCMU, PCMA) and telephone-event, ptime 20. The call is CANCELled after `ring_timeout`
  /// without a final response (ending no_answer). Errors: invalid_argument
  /// (field "to" or "trunk") for an unusable address.
  virtual Result<std::shared_ptr<SipCall>> dial(const std::string& to, const SipTrunk& trunk,
                                                std::chrono::seconds ring_timeout,
                                                std::shared_ptr<SipCallObserver> observer) = 0;

  /// Decides incoming calls (called on the SIP thread). Without a handler,
  /// INVITEs are rejected with 480 Temporarily Unavailable.
  virtual void set_incoming_handler(std::function<IncomingDecision(const IncomingCall&)> handler) = 0;

  /// Bound ports (after create).
  [[nodiscard]] virtual uint16_t udp_port() const = 0;
  [[nodiscard]] virtual uint16_t tcp_port() const = 0;
  /// Calls not yet ended.
  [[nodiscard]] virtual std::size_t active_calls() const = 0;
};

/// Parses "--trunk sip:host:port" style values into a trunk (transport from
/// ";transport=" when present). Errors: invalid_argument field "trunk".
Result<SipTrunk> parse_trunk_uri(const std::string& uri);

}  // namespace voqo::telephony

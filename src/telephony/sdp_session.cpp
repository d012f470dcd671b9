#include "telephony/sdp_session.hpp"

#include <cstring>

#include "telephony/sdp_offer.hpp"

// libre last: its headers define macros that other headers dislike.
#include <re.h>

namespace voqo::telephony {
namespace {

sockaddr_storage to_sockaddr(const sa& addr) {
  sockaddr_storage out{};
  std::memcpy(&out, &addr.u, std::min(sizeof out, static_cast<std::size_t>(addr.len)));
  return out;
}

}  // namespace

Result<void> SdpSession::open(const sa& local, uint16_t port, const std::vector<std::string>& codecs) {
  close();
  sa laddr = local;
  sa_set_port(&laddr, port);
  if (sdp_session_alloc(&session_, &laddr)) return std::unexpected(Error{ErrorCode::internal, "sdp_session_alloc", {}});
  if (sdp_media_add(&media_, session_, "audio", port, "RTP/AVP"))
    return std::unexpected(Error{ErrorCode::internal, "sdp_media_add", {}});
  int err = 0;
  for (const auto& name : codecs) {
    const char* pt = static_payload_type(name);
    if (!pt) return std::unexpected(Error::invalid("codecs", "unsupported codec " + name + " (G722, PCMU or PCMA)"));
    err |= sdp_format_add(nullptr, media_, false, pt, name.c_str(), 8000, 1, nullptr, nullptr, nullptr, false, nullptr);
  }
  err |= sdp_format_add(nullptr, media_, false, "101", "telephone-event", 8000, 1, nullptr, nullptr, nullptr, false,
                        "0-15");
  err |= sdp_media_set_lattr(media_, true, "ptime", "%d", kPtimeMs);
  if (err) return std::unexpected(Error{ErrorCode::internal, "SDP formats", {}});
  return {};
}

Result<mbuf*> SdpSession::encode(bool offer) {
  mbuf* mb = nullptr;
  if (!session_ || sdp_encode(&mb, session_, offer)) return std::unexpected(Error{ErrorCode::internal, "sdp_encode", {}});
  return mb;
}

bool SdpSession::decode(mbuf* body, bool offer) { return session_ && sdp_decode(session_, body, offer) == 0; }

bool SdpSession::usable_offer(const std::vector<std::string>& codecs) const {
  if (!media_) return false;
  bool codec = false;
  for (const auto& name : codecs) codec = codec || sdp_media_rformat(media_, name.c_str()) != nullptr;
  const sa* raddr = sdp_media_raddr(media_);
  return codec && raddr && sa_isset(raddr, SA_ALL);
}

bool SdpSession::remote_holds() const {
  if (!media_) return false;
  // libre gives the remote's direction as it applies to us: their sendonly is our recvonly.
  const sdp_dir dir = sdp_media_rdir(media_);
  const sa* raddr = sdp_media_raddr(media_);
  return dir == SDP_RECVONLY || dir == SDP_INACTIVE || (raddr && sa_is_any(raddr));
}

Result<void> SdpSession::negotiate(const std::vector<std::string>& codecs, StreamConfig& stream) const {
  if (!media_) return std::unexpected(Error::bad_request("no SDP"));
  const sdp_format* fmt = nullptr;
  for (const auto& name : codecs)
    if ((fmt = sdp_media_rformat(media_, name.c_str())) != nullptr) break;
  if (!fmt || !fmt->name) {
    std::string ours;
    for (const auto& name : codecs) ours += (ours.empty() ? "" : ", ") + name;
    return std::unexpected(Error{ErrorCode::unsupported, "no common codec (we offer " + ours + ")", {}});
  }
  const sa* raddr = sdp_media_raddr(media_);
  if (!raddr || !sa_isset(raddr, SA_ALL)) return std::unexpected(Error::bad_request("SDP has no usable media address"));
  stream.remote_rtp = to_sockaddr(*raddr);
  sa rtcp{};
  sdp_media_raddr_rtcp(media_, &rtcp);
  if (sa_isset(&rtcp, SA_ALL)) {
    stream.remote_rtcp = to_sockaddr(rtcp);
  } else {
    sa r = *raddr;
    sa_set_port(&r, static_cast<uint16_t>(sa_port(raddr) + 1));
    stream.remote_rtcp = to_sockaddr(r);
  }
  stream.codec = fmt->name;
  stream.payload_type = fmt->pt;
  stream.telephone_event_pt = -1;
  if (const sdp_format* te = sdp_media_rformat(media_, "telephone-event")) stream.telephone_event_pt = te->pt;
  return {};
}

void SdpSession::close() {
  session_ = static_cast<sdp_session*>(mem_deref(session_));
  media_ = nullptr;
}

}  // namespace voqo::telephony

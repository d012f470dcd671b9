#include "telephony/sdp_offer.hpp"

#include <algorithm>

// libre last: its headers define macros that other headers dislike.
#include <re.h>

namespace voqo::telephony {

const char* static_payload_type(std::string_view name) {
  if (name == "G722") return "9";
  if (name == "PCMU") return "0";
  if (name == "PCMA") return "8";
  return nullptr;
}

SdpOfferCheck check_sdp_offer(std::string_view body, const ::sa& local, const std::vector<std::string>& codecs) {
  SdpOfferCheck out{488, "Not Acceptable Here"};
  if (body.empty()) return out;  // no offer in the INVITE: we do not support late offers
  // libre reads an m= port as a 32-bit number and keeps its low 16 bits
  // ("m=audio 70000" would become port 4464): check the text first.
  for (std::size_t at = 0; at < body.size();) {
    const std::size_t eol = std::min(body.find('\n', at), body.size());
    const std::string_view line = body.substr(at, eol - at);
    at = eol + 1;
    if (!line.starts_with("m=")) continue;
    const std::size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return out;
    uint64_t port = 0;
    std::size_t i = sp + 1, digits = 0;
    for (; i < line.size() && line[i] >= '0' && line[i] <= '9' && digits < 6; ++i, ++digits) port = port * 10 + (line[i] - '0');
    if (digits == 0 || port > 65535) {
      out.reason = "Not Acceptable Here (bad media port)";
      return out;
    }
  }
  mbuf* mb = mbuf_alloc(body.size());
  sdp_session* sess = nullptr;
  sdp_media* media = nullptr;
  if (mb && mbuf_write_mem(mb, reinterpret_cast<const uint8_t*>(body.data()), body.size()) == 0 &&
      sdp_session_alloc(&sess, &local) == 0 && sdp_media_add(&media, sess, "audio", 9, "RTP/AVP") == 0) {
    mbuf_set_pos(mb, 0);
    int err = 0;
    for (const auto& name : codecs)
      err |= sdp_format_add(nullptr, media, false, static_payload_type(name), name.c_str(), 8000, 1, nullptr, nullptr,
                            nullptr, false, nullptr);
    if (!err && sdp_decode(sess, mb, true) == 0) {
      bool codec = false;
      for (const auto& name : codecs) codec = codec || sdp_media_rformat(media, name.c_str()) != nullptr;
      const sa* raddr = sdp_media_raddr(media);
      if (!codec) out.reason = "Not Acceptable Here (no common codec: G722, PCMU or PCMA)";
      else if (!raddr || !sa_isset(raddr, SA_ALL) || sa_is_any(raddr) || sdp_media_rport(media) == 0)
        out.reason = "Not Acceptable Here (no usable media address)";
      else out = {0, ""};
    }
  }
  mem_deref(sess);  // frees its media too
  mem_deref(mb);
  return out;
}

}  // namespace voqo::telephony

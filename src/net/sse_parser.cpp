#include "net/http_client.hpp"

namespace voqo::net {

// WHATWG HTML §9.2.6 "Interpreting an event stream": lines end in CRLF, LF or
// CR; a blank line dispatches; "field: value" with one optional space removed;
// lines starting with ':' are comments.
void SseParser::feed(std::string_view chunk) {
  buffer_.append(chunk);
  std::size_t start = 0;
  for (;;) {
    std::size_t eol = buffer_.find_first_of("\r\n", start);
    if (eol == std::string::npos) break;
    // A CR at the very end may be the first half of CRLF: wait for more.
    if (buffer_[eol] == '\r' && eol + 1 == buffer_.size()) break;
    dispatch_line(std::string_view(buffer_).substr(start, eol - start));
    start = eol + 1;
    if (buffer_[eol] == '\r' && buffer_[start] == '\n') ++start;
  }
  buffer_.erase(0, start);
}

void SseParser::dispatch_line(std::string_view line) {
  if (line.empty()) {
    if (has_data_) on_event_(event_.empty() ? std::string_view("message") : std::string_view(event_), data_);
    event_.clear();
    data_.clear();
    has_data_ = false;
    return;
  }
  if (line.front() == ':') return;
  std::string_view field = line, value;
  if (auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "event") {
    event_ = value;
  } else if (field == "data") {
    if (has_data_) data_ += '\n';
    data_ += value;
    has_data_ = true;
  }
}

}  // namespace voqo::net

// The normal form cassettes match request bodies by: JSON with object keys sorted, media bytes
// (data: URLs, base64 image sources, multipart file parts) replaced by the sha256 of the bytes.
// Two requests that differ only in key order or in the secret-free framing match each other.
#include <openssl/evp.h>
#include <simdjson.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "bot/http.h"
#include "bot/twilio.h"
#include "util/json.h"

namespace bot {
namespace {

std::string DecodeBase64(std::string_view text) {
  std::string out(3 * (text.size() / 4) + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::string(text);  // not base64: hash the text itself
  size_t padding = 0;
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) ++padding;
  out.resize(static_cast<size_t>(n) - std::min<size_t>(padding, 2));
  return out;
}

// "data:image/png;base64,AAAA" → "data:image/png;sha256:<hex>"; other strings unchanged.
std::string NormaliseString(std::string_view s) {
  if (s.rfind("data:", 0) == 0) {
    size_t marker = s.find(";base64,");
    if (marker != std::string_view::npos) {
      return std::string(s.substr(0, marker)) + ";sha256:" +
             Sha256Hex(DecodeBase64(s.substr(marker + 8)));
    }
  }
  return std::string(s);
}

void AppendCanonical(std::string* out, simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
      std::vector<std::pair<std::string_view, simdjson::dom::element>> members;
      // Copy the object out first: value() on a temporary result returns a reference into it,
      // which a range-for would keep past its lifetime (a real crash at -O2).
      simdjson::dom::object object = e.get_object().value();
      for (auto [key, value] : object) members.emplace_back(key, value);
      std::sort(members.begin(), members.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      // Anthropic image sources: {"type":"base64","media_type":...,"data":"<base64>"}.
      std::string_view type;
      bool base64_source = !e["type"].get(type) && type == "base64";
      *out += '{';
      for (size_t i = 0; i < members.size(); ++i) {
        if (i > 0) *out += ',';
        json::AppendString(out, members[i].first);
        *out += ':';
        std::string_view data;
        if (base64_source && members[i].first == "data" && !members[i].second.get(data)) {
          json::AppendString(out, "sha256:" + Sha256Hex(DecodeBase64(data)));
        } else {
          AppendCanonical(out, members[i].second);
        }
      }
      *out += '}';
      return;
    }
    case simdjson::dom::element_type::ARRAY: {
      *out += '[';
      bool first = true;
      simdjson::dom::array array = e.get_array().value();
      for (simdjson::dom::element item : array) {
        if (!first) *out += ',';
        first = false;
        AppendCanonical(out, item);
      }
      *out += ']';
      return;
    }
    case simdjson::dom::element_type::STRING:
      json::AppendString(out, NormaliseString(e.get_string().value()));
      return;
    default:
      *out += simdjson::minify(e);
      return;
  }
}

// One line per part: its Content-Disposition (and type), then its value or the hash of a file.
std::string NormaliseMultipart(std::string_view content_type, std::string_view body) {
  size_t at = content_type.find("boundary=");
  if (at == std::string_view::npos) return std::string(body);
  std::string boundary(content_type.substr(at + 9));
  if (!boundary.empty() && boundary.front() == '"') boundary = boundary.substr(1, boundary.find('"', 1) - 1);
  std::string delimiter = "--" + boundary;
  std::string out;
  size_t pos = body.find(delimiter);
  while (pos != std::string_view::npos) {
    size_t start = pos + delimiter.size();
    if (body.substr(start, 2) == "--") break;
    size_t next = body.find("\r\n" + delimiter, start);
    if (next == std::string_view::npos) break;
    std::string_view part = body.substr(start, next - start);
    size_t blank = part.find("\r\n\r\n");
    if (blank == std::string_view::npos) break;
    std::string_view headers = part.substr(0, blank);
    std::string_view value = part.substr(blank + 4);
    while (!headers.empty() && (headers.front() == '\r' || headers.front() == '\n')) headers.remove_prefix(1);
    std::string line(headers);
    std::replace(line.begin(), line.end(), '\r', ' ');
    std::replace(line.begin(), line.end(), '\n', ' ');
    out += line + "\n";
    out += headers.find("filename=") != std::string_view::npos ? "sha256:" + Sha256Hex(value)
                                                               : std::string(value);
    out += "\n";
    pos = next + 2;
  }
  return out;
}

}  // namespace

std::string NormaliseBodyForCassette(std::string_view content_type, std::string_view body) {
  if (body.empty()) return "";
  if (content_type.find("multipart/form-data") != std::string_view::npos) {
    return NormaliseMultipart(content_type, body);
  }
  simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  simdjson::dom::element root;
  if (!parser.parse(padded).get(root)) {
    std::string out;
    AppendCanonical(&out, root);
    return out;
  }
  return std::string(body);
}

}  // namespace bot

#include "store/media_json.h"

#include <string_view>

#include "util/json.h"

namespace bot {

namespace {

bool ReadMedia(simdjson::ondemand::object object, Media* media) {
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    if (key == "size") {
      if (field.value().get_int64().get(media->size)) return false;
      continue;
    }
    std::string* target = key == "url"            ? &media->url
                          : key == "content_type" ? &media->content_type
                          : key == "path"         ? &media->path
                          : key == "sha256"       ? &media->sha256
                                                  : nullptr;
    if (target == nullptr) continue;  // a field from a newer version: skip it
    std::string_view text;
    if (field.value().get_string().get(text)) return false;
    target->assign(text);
  }
  return true;
}

}  // namespace

std::string MediaToJson(const std::vector<Media>& media) {
  std::string out = "[";
  for (const Media& m : media) {
    if (out.size() > 1) out.push_back(',');
    out += "{\"url\":";
    json::AppendString(&out, m.url);
    out += ",\"content_type\":";
    json::AppendString(&out, m.content_type);
    out += ",\"path\":";
    json::AppendString(&out, m.path);
    out += ",\"size\":" + std::to_string(m.size) + ",\"sha256\":";
    json::AppendString(&out, m.sha256);
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

bool MediaFromJson(const std::string& json, std::vector<Media>* out) {
  json::Reader reader;
  if (!reader.Start(json)) return false;
  simdjson::ondemand::array array;
  if (reader.doc().get_array().get(array)) return false;
  std::vector<Media> media;
  for (auto element : array) {
    simdjson::ondemand::object object;
    if (element.get_object().get(object)) return false;
    if (!ReadMedia(object, &media.emplace_back())) return false;
  }
  *out = std::move(media);
  return true;
}

}  // namespace bot

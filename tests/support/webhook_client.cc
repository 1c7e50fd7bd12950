#include "support/webhook_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cstdio>
#include <regex>

namespace bot::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

HttpReply HttpExchange(int port, const std::string& method, const std::string& target,
                       const std::string& body,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpReply reply;
  asio::io_context ioc;
  asio::ip::tcp::socket socket(ioc);
  beast::error_code ec;
  socket.connect({asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)}, ec);
  if (ec) return reply;
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (req.method() == http::verb::post) {
    req.set(http::field::content_type, "application/x-www-form-urlencoded");
  }
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  http::write(socket, req, ec);
  if (ec) return reply;
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res, ec);
  if (ec) return reply;
  reply.status = res.result_int();
  reply.body = res.body();
  reply.content_type = std::string(res[http::field::content_type]);
  reply.request_id = std::string(res["X-Request-Id"]);
  reply.www_authenticate = std::string(res[http::field::www_authenticate]);
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value());
  }
  return reply;
}

std::vector<std::string> TwimlMessages(const std::string& twiml) {
  static const std::regex kMessage("<Message>([\\s\\S]*?)</Message>");
  static const std::pair<const char*, const char*> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(twiml.begin(), twiml.end(), kMessage);
       it != std::sregex_iterator(); ++it) {
    std::string text = (*it)[1];
    for (const auto& [from, to] : kEntities) {
      std::string entity(from);
      for (size_t p = text.find(entity); p != std::string::npos; p = text.find(entity, p + 1)) {
        text.replace(p, entity.size(), to);
      }
    }
    out.push_back(std::move(text));
  }
  return out;
}

WebhookClient::WebhookClient(int port, std::string base_url, std::string auth_token,
                             std::string account_sid)
    : port_(port),
      base_url_(std::move(base_url)),
      auth_token_(std::move(auth_token)),
      account_sid_(std::move(account_sid)) {}

std::string WebhookClient::NextSid() {
  char buf[40];
  std::snprintf(buf, sizeof buf, "SM%032d", ++next_sid_);
  return buf;
}

FormParams WebhookClient::Text(const std::string& to, const std::string& from,
                               const std::string& body, const std::string& profile_name) {
  std::string sid = NextSid();
  return {{"SmsMessageSid", sid},
          {"NumMedia", "0"},
          {"ProfileName", profile_name},
          {"MessageType", "text"},
          {"SmsSid", sid},
          {"WaId", from.substr(from.find('+') + 1)},
          {"SmsStatus", "received"},
          {"Body", body},
          {"To", to},
          {"NumSegments", "1"},
          {"MessageSid", sid},
          {"AccountSid", account_sid_},
          {"From", from},
          {"ApiVersion", "2010-04-01"}};
}

FormParams WebhookClient::WithMedia(const std::string& to, const std::string& from,
                                    const std::string& url, const std::string& content_type,
                                    const std::string& profile_name) {
  FormParams params = Text(to, from, "", profile_name);
  for (auto& [name, value] : params) {
    if (name == "NumMedia") value = "1";
    if (name == "MessageType") value = content_type.rfind("audio/", 0) == 0 ? "audio" : "image";
  }
  params.emplace_back("MediaContentType0", content_type);
  params.emplace_back("MediaUrl0", url);
  return params;
}

HttpReply WebhookClient::Post(const std::string& path, const FormParams& params) const {
  std::string signature = ComputeTwilioSignature(auth_token_, base_url_ + path, params);
  return HttpExchange(port_, "POST", path, FormEncode(params), {{"X-Twilio-Signature", signature}});
}

}  // namespace bot::testing

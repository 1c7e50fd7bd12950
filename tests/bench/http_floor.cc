// A measuring instrument, not part of botrunner: the least a server can do for the shared webhook
// benchmark (../shared/bench/SPEC.md) on this machine. One Beast HTTP thread, the Twilio
// signature checked with HMAC-SHA1, MessageSid de-duplication, the benchmark's bot behaviour in a
// hash map, TwiML replies; nothing stored, nothing durable, no engine, no dialog file. Measured
// like any peer (tests/bench/http_floor.conf), it shows what the HTTP exchange and the signature
// alone cost per request here, the floor under botrunner's figures (docs/performance.md).
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <utility>
// after <utility>: Boost 1.74's awaitable.hpp uses std::exchange without including it
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Params = std::vector<std::pair<std::string, std::string>>;

std::string UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

Params ParseSorted(std::string_view body) {
  Params params;
  while (!body.empty()) {
    const size_t amp = std::min(body.find('&'), body.size());
    const std::string_view pair = body.substr(0, amp);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos) {
      params.emplace_back(UrlDecode(pair.substr(0, eq)), UrlDecode(pair.substr(eq + 1)));
    }
    body.remove_prefix(std::min(amp + 1, body.size()));
  }
  std::sort(params.begin(), params.end());
  return params;
}

std::string Signature(const std::string& token, const std::string& url, const Params& params) {
  std::string data = url;
  for (const auto& [key, value] : params) data += key + value;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha1(), token.data(), static_cast<int>(token.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_size);
  std::string out(4 * ((mac_size + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(mac_size));
  return out;
}

std::string Param(const Params& params, std::string_view key) {
  for (const auto& [k, v] : params) {
    if (k == key) return v;
  }
  return {};
}

// SPEC §2, in memory.
class Bot {
 public:
  // The reply text, or "" for none.
  std::string Turn(const std::string& from, const std::string& profile, std::string body) {
    while (!body.empty() && body.back() == ' ') body.pop_back();
    body.erase(0, body.find_first_not_of(' '));
    for (char& c : body) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    Step& step = steps_[from];
    if (body == "baja" || body == "stop") {
      step = Step::kOptedOut;
      return "Ha sido dado de baja. No recibirá más mensajes.";
    }
    switch (step) {
      case Step::kOptedOut:
        return {};
      case Step::kNew:
        step = Step::kRating;
        return "¡Hola " + profile +
               "! Gracias por visitar Clínica Ejemplo. ¿Cómo calificaría su visita del 1 al 5? "
               "(5 = excelente)";
      case Step::kRating: {
        if (!body.empty() && (body.back() == '.' || body.back() == '!')) body.pop_back();
        static constexpr std::string_view kWords[] = {"uno", "dos", "tres", "cuatro", "cinco"};
        int n = body.size() == 1 && body[0] >= '1' && body[0] <= '5' ? body[0] - '0' : 0;
        for (int i = 0; i < 5; ++i) {
          if (body == kWords[i]) n = i + 1;
        }
        if (n == 0) return "No entendí su respuesta. Por favor responda con un número del 1 al 5.";
        if (n <= 3) {
          step = Step::kFeedback;
          return "Lamentamos que su experiencia no haya sido la mejor. ¿Podría contarnos qué "
                 "salió mal?";
        }
        step = Step::kNew;
        return "¡Muchas gracias por su calificación de " + std::to_string(n) +
               "! Nos ayudaría mucho si deja una reseña en Google: "
               "https://g.page/r/EXAMPLE/review";
      }
      case Step::kFeedback:
        step = Step::kNew;
        return "Gracias por sus comentarios. Los revisaremos para mejorar nuestra atención.";
    }
    return {};
  }

 private:
  enum class Step { kNew, kRating, kFeedback, kOptedOut };
  std::unordered_map<std::string, Step> steps_;
};

struct Server {
  std::string token;
  std::string url;
  Bot bot;
  std::unordered_set<std::string> seen;

  http::status Answer(const http::request<http::string_body>& req, std::string* body) {
    const Params params = ParseSorted(req.body());
    if (Signature(token, url, params) != req["X-Twilio-Signature"]) return http::status::forbidden;
    std::string reply;
    if (seen.insert(Param(params, "MessageSid")).second) {
      reply = bot.Turn(Param(params, "From"), Param(params, "ProfileName"), Param(params, "Body"));
    }
    *body = reply.empty() ? "<Response/>" : "<Response><Message>" + reply + "</Message></Response>";
    return http::status::ok;
  }
};

asio::awaitable<void> Serve(Server& server, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    http::request<http::string_body> req;
    co_await http::async_read(stream, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    http::response<http::string_body> res;
    res.result(server.Answer(req, &res.body()));
    res.set(http::field::content_type, "text/xml");
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !res.keep_alive()) co_return;
  }
}

asio::awaitable<void> Accept(Server& server, tcp::acceptor& acceptor) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    asio::co_spawn(acceptor.get_executor(), Serve(server, std::move(socket)), asio::detached);
  }
}

}  // namespace

// The benchmark's environment: PORT, AUTH_TOKEN, PUBLIC_URL (the URL requests are signed for).
int main() {
  const char* port = std::getenv("PORT");
  const char* token = std::getenv("AUTH_TOKEN");
  const char* url = std::getenv("PUBLIC_URL");
  if (port == nullptr || token == nullptr || url == nullptr) return 2;
  Server server{token, url, {}, {}};
  asio::io_context io(1);
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"),
                              static_cast<unsigned short>(std::atoi(port))});
  asio::co_spawn(io, Accept(server, acceptor), asio::detached);
  io.run();
}

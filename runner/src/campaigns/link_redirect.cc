#include "campaigns/link_redirect.h"

#include "bot/campaigns.h"
#include "server/await_work.h"

namespace runner {
namespace {

constexpr std::string_view kText = "text/plain; charset=utf-8";

Response NotFoundPage() {
  Response res = MakeResponse(404, std::string(kText),
                              "This link is not known here. Check that it was copied whole.\n");
  res.set(http::field::cache_control, "no-store");
  return res;
}

}  // namespace

boost::asio::awaitable<Response> HandleLinkRedirect(const LinkRedirectParts& parts,
                                                    const Request& request, std::string_view path) {
  const std::string token(path.substr(kLinkPrefix.size()));
  if (parts.database.empty() || !bot::IsLinkToken(token)) co_return NotFoundPage();
  std::optional<bot::LinkClick> click;
  if (request.method() == http::verb::get) {  // a HEAD is no visit
    const auto agent = request.find(http::field::user_agent);
    click = bot::LinkClick{parts.clock->Now(),
                           agent == request.end()
                               ? std::string()
                               : std::string(agent->value().data(), agent->value().size())};
  }
  using Target = bot::Result<std::optional<std::string>>;
  Target target = co_await AwaitWork<Target>(
      *parts.ioc, [&parts, &token, &click](std::function<void(Target)> resume) {
        parts.queue->Post([&parts, &token, &click, resume = std::move(resume)] {
          resume(bot::FollowTrackedLink(parts.database, token, click ? &*click : nullptr));
        });
      });
  if (!target.ok()) {
    parts.log->Error("link {}: {}", token, target.status().ToString());
    co_return MakeResponse(500, std::string(kText), "error\n");
  }
  if (!target->has_value()) co_return NotFoundPage();
  Response res = MakeResponse(302, std::string(kText), "Found: " + **target + "\n");
  res.set(http::field::location, **target);
  res.set(http::field::cache_control, "no-store");
  res.set("Referrer-Policy", "no-referrer");
  co_return res;
}

}  // namespace runner

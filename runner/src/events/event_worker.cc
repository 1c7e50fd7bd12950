#include "events/event_worker.h"

#include <charconv>
#include <ctime>
#include <random>

#include "bot/webhooks.h"
#include "util/json_text.h"

namespace runner {

EventRequest BuildEventRequest(const EventSinkConfig& sink, const bot::Delivery& delivery,
                               const EventWorkerOptions& options) {
  EventRequest request;
  request.webhook_id = "evt_" + std::to_string(delivery.event_id);
  const std::string& data = delivery.event.data_json.empty() ? "{}" : delivery.event.data_json;
  std::string& body = request.body;
  if (sink.format == EventSinkConfig::Format::kCloudEvents) {
    // CloudEvents 1.0, structured mode (JSON event format).
    request.content_type = "application/cloudevents+json; charset=UTF-8";
    body = "{\"specversion\":\"1.0\",\"id\":";
    AppendJsonString(&body, request.webhook_id);
    body += ",\"source\":";
    AppendJsonString(&body, options.source);
    body += ",\"type\":";
    AppendJsonString(&body, options.type_prefix + "." + delivery.event.type);
    body += ",\"time\":";
    AppendJsonString(&body, Rfc3339(delivery.event_time));
    body += ",\"subject\":";
    AppendJsonString(&body, "contact/" + std::to_string(delivery.contact_id));
    body += ",\"datacontenttype\":\"application/json\",\"data\":" + data + "}";
  } else {
    // The Standard Webhooks payload shape.
    request.content_type = "application/json";
    body = "{\"type\":";
    AppendJsonString(&body, delivery.event.type);
    body += ",\"timestamp\":";
    AppendJsonString(&body, Rfc3339(delivery.event_time));
    body += ",\"data\":" + data + "}";
  }
  return request;
}

EventWorker::EventWorker(bot::SqliteEventQueue* queue, bot::HttpClient* http,
                         const bot::Clock* clock, const Logger* log,
                         std::vector<EventSinkConfig> sinks, EventWorkerOptions options)
    : queue_(queue),
      http_(http),
      clock_(clock),
      log_(log),
      sinks_(std::move(sinks)),
      options_(std::move(options)) {}

EventWorker::~EventWorker() { Stop(); }

void EventWorker::Start() {
  for (const EventSinkConfig& sink : sinks_) {
    threads_.emplace_back([this, &sink] { Run(sink); });
  }
}

void EventWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

std::chrono::milliseconds EventWorker::Backoff(int attempts) {
  static thread_local std::minstd_rand random(std::random_device{}());
  auto delay = options_.backoff_base;
  for (int i = 1; i < attempts && delay < options_.backoff_cap; ++i) delay *= 2;
  delay = std::min(delay, options_.backoff_cap);
  // Up to a fifth more, so deliveries that failed together do not come back together.
  const auto spread = std::max<int64_t>(1, delay.count() / 5);
  return delay + std::chrono::milliseconds(random() % spread);
}

void EventWorker::Run(const EventSinkConfig& sink) {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
    }
    const bot::TimePoint now = clock_->Now();
    bot::Result<int> added = queue_->Fanout(sink.name, sink.types, now);
    if (!added.ok()) log_->Error("events: sink {}: {}", sink.name, added.status().ToString());
    bot::Result<std::vector<bot::Delivery>> due = queue_->Due(sink.name, now, 16);
    if (!due.ok()) log_->Error("events: sink {}: {}", sink.name, due.status().ToString());
    if (due.ok()) {
      for (const bot::Delivery& delivery : *due) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (stop_) return;
        }
        Attempt(sink, delivery);
      }
      if (due->size() == 16) continue;  // more are due
    }
    auto wait = options_.poll;
    bot::Result<std::optional<bot::TimePoint>> next = queue_->NextDue(sink.name);
    if (next.ok() && next->has_value()) {
      auto until = std::chrono::duration_cast<std::chrono::milliseconds>(**next - clock_->Now());
      wait = std::clamp(until, std::chrono::milliseconds(1), options_.poll);
    }
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, wait, [&] { return stop_; });
  }
}

void EventWorker::Attempt(const EventSinkConfig& sink, const bot::Delivery& delivery) {
  EventRequest built = BuildEventRequest(sink, delivery, options_);
  const int64_t timestamp = bot::ToUnixMillis(clock_->Now()) / 1000;
  bot::HttpRequest request;
  request.method = "POST";
  request.url = sink.url;
  request.timeout = sink.timeout;
  request.headers = {{"Content-Type", built.content_type},
                     {"webhook-id", built.webhook_id},
                     {"webhook-timestamp", std::to_string(timestamp)}};
  if (!sink.secret.empty()) {
    request.headers.emplace_back(
        "webhook-signature",
        bot::StandardWebhookSignature(sink.secret, built.webhook_id, timestamp, built.body));
  }
  request.body = std::move(built.body);
  bot::Result<bot::HttpResponse> response = http_->Fetch(std::move(request));
  const int attempts = delivery.attempts + 1;
  std::string error;
  std::chrono::milliseconds retry_after{0};
  if (response.ok() && response->status >= 200 && response->status < 300) {
    bot::Status s = queue_->MarkDelivered(delivery.id, clock_->Now());
    if (!s.ok()) log_->Error("events: delivery {}: {}", delivery.id, s.ToString());
    return;
  }
  if (!response.ok()) {
    error = response.status().ToString();
  } else {
    error = "HTTP " + std::to_string(response->status);
    const std::string after = response->Header("Retry-After");
    int64_t seconds = 0;
    auto [end, ec] = std::from_chars(after.data(), after.data() + after.size(), seconds);
    if (ec == std::errc() && end == after.data() + after.size() && seconds > 0) {
      retry_after = std::chrono::milliseconds(std::min<int64_t>(seconds, 86400) * 1000);
    }
  }
  const bool gone = response.ok() && response->status == 410;
  if (gone || attempts >= sink.max_attempts) {
    log_->Warn("events: sink {}: {} {} is dead after {} attempt(s): {}", sink.name,
               delivery.event.type, "evt_" + std::to_string(delivery.event_id), attempts, error);
    bot::Status s = queue_->MarkDead(delivery.id, error);
    if (!s.ok()) log_->Error("events: delivery {}: {}", delivery.id, s.ToString());
    return;
  }
  const auto delay = std::max(Backoff(attempts), retry_after);
  bot::Status s = queue_->MarkRetry(delivery.id, clock_->Now() + delay, error);
  if (!s.ok()) log_->Error("events: delivery {}: {}", delivery.id, s.ToString());
}

}  // namespace runner

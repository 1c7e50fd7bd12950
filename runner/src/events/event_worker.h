// The event worker: delivers the events turns stored (bot::SqliteEventQueue) to the configured
// sinks, one thread per sink. Each round fans new events out to the sink's queue, then sends
// the due deliveries, the oldest of each conversation first, and records the outcome:
// delivered (2xx), dead (410 Gone, or the last of `max_attempts`), or tried again later
// (exponential backoff with jitter, or the sink's Retry-After). Every attempt of a delivery
// carries the same webhook-id, so a receiver can drop duplicates. Stop() finishes the attempt
// in progress; what is pending stays in the store for the next start.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bot/clock.h"
#include "bot/event_queue.h"
#include "bot/http.h"
#include "config/config.h"
#include "server/log.h"

namespace runner {

struct EventWorkerOptions {
  std::string source = "urn:libbot:botrunner";  // CloudEvents source
  std::string type_prefix = "com.libbot";       // CloudEvents type = prefix + "." + type
  std::chrono::milliseconds poll{500};
  std::chrono::milliseconds backoff_base{5000};
  std::chrono::milliseconds backoff_cap{3600000};
};

// What one delivery sends: the body and its headers (without the signature's time-dependent
// parts). The webhook-id is "evt_<event id>".
struct EventRequest {
  std::string webhook_id;
  std::string content_type;
  std::string body;
};
EventRequest BuildEventRequest(const EventSinkConfig& sink, const bot::Delivery& delivery,
                               const EventWorkerOptions& options);

class EventWorker {
 public:
  // `queue`, `http`, `clock` and `log` must outlive the worker.
  EventWorker(bot::SqliteEventQueue* queue, bot::HttpClient* http, const bot::Clock* clock,
              const Logger* log, std::vector<EventSinkConfig> sinks, EventWorkerOptions options);
  ~EventWorker();

  void Start();
  void Stop();

 private:
  void Run(const EventSinkConfig& sink);
  void Attempt(const EventSinkConfig& sink, const bot::Delivery& delivery);
  std::chrono::milliseconds Backoff(int attempts);

  bot::SqliteEventQueue* queue_;
  bot::HttpClient* http_;
  const bot::Clock* clock_;
  const Logger* log_;
  const std::vector<EventSinkConfig> sinks_;
  const EventWorkerOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;  // Guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace runner

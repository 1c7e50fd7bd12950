// A measuring program, not a test (issue 14): what a slow LLM costs botrunner. It prints figures
// and asserts nothing about time.
//
// In this process: a fake OpenAI-compatible chat API that answers every request after
// --llm-delay-ms (tests/support/fake_openai_load.h), the fake Twilio REST API
// (tests/support/fake_twilio.h) and a webhook client. The server is the real
// `botrunner serve`, a child process, on a config written here: the review_rating dialog,
// whose rating slot falls back to the LLM when the parser is unsure.
//
// Phase 1: every conversation says "Hola" at once and gets the greeting (in REST mode the run
// waits until every greeting reached the fake Twilio, so the phases do not mix). Phase 2: every
// conversation answers, at once, with a rating only the LLM can map ("... casi lo máximo"); the
// fake LLM says 4. Printed: wall time from the first phase-2 webhook until every reply arrived,
// reply latency, the server's threads and peak RSS, webhook latencies, what the fake LLM saw,
// replies missing or received twice, the server log's warnings and `usage_records` by outcome.
//
//   build-bench/tests/llm_wait --conversations 1000                  # REST replies
//   build-bench/tests/llm_wait --conversations 200 --mode twiml --workers 64
//   tests/bench/llm_wait.sh                                          # the runs
#include <fcntl.h>
#include <fmt/core.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <utility>
// after <utility>: Boost 1.74's awaitable.hpp uses std::exchange without including it
#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bot/twilio.h"
#include "support/fake_openai_load.h"
#include "support/fake_twilio.h"
#include "support/webhook_client.h"

extern char** environ;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Time = std::chrono::steady_clock::time_point;
using bot::testing::FakeOpenAiLoad;
using bot::testing::FakeTwilio;

constexpr const char* kBotNumber = "whatsapp:+14155238886";
constexpr const char* kInbound = "/twilio/inbound";
// `botrunner parse rating` is unsure of it (ok:false, reason not out_of_range): the LLM decides.
constexpr const char* kRatingText =
    "pues la verdad estuvo bastante bien, le pondría casi lo máximo";
constexpr const char* kGreetingStart = "¡Hola!";  // review_rating's intro prompt
// The reply when the LLM's 4 was understood (review_rating's thanks_review prompt).
constexpr const char* kUnderstood = "calificación de 4";
constexpr auto kTwilioTimeout = std::chrono::seconds(15);  // Twilio gives up on a webhook then

Time Now() { return std::chrono::steady_clock::now(); }

double Millis(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

struct Flags {
  int conversations = 1000;
  int llm_delay_ms = 2000;
  int llm_max_concurrent = 0;
  std::string mode = "rest";
  int workers = 0;  // 0: the config's default
  std::vector<std::string> extra_config;
  std::string botrunner = BOT_BINARY_DIR "/runner/botrunner";
  int timeout_s = 600;
  bool keep = false;
};

// One webhook request and its answer.
struct Exchange {
  Time sent;
  Time ended;      // answered, or given up on
  int status = 0;  // 0: no answer (see error)
  std::string body;
  std::string error;

  double ms() const { return Millis(ended - sent); }
};

struct Conversation {
  std::string from;
  Exchange hola, rating;
  int greetings = 0;       // greetings received
  int rating_replies = 0;  // replies to the rating message received (more than 1: a duplicate)
  Time replied;            // the first of them arrived
  std::string reply;       // its text
};

// ---- The webhook client: every request on its own connection, all on one thread ----

struct Post {
  std::string body;
  std::string signature;
};

// A signed webhook Twilio would post for `text` from `from`.
Post SignedPost(bot::testing::WebhookClient& forms, const std::string& base_url,
                const std::string& from, const std::string& text) {
  bot::FormParams params = forms.Text(kBotNumber, from, text);
  return {bot::FormEncode(params),
          bot::ComputeTwilioSignature(FakeTwilio::kAuthToken, base_url + kInbound, params)};
}

asio::awaitable<void> Send(tcp::endpoint server, const Post& post, Time deadline, Exchange* out) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_at(deadline);  // covers connect, write and read
  http::request<http::string_body> req{http::verb::post, kInbound, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "application/x-www-form-urlencoded");
  req.set("X-Twilio-Signature", post.signature);
  req.body() = post.body;
  req.prepare_payload();
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code ec;
  out->sent = Now();
  co_await stream.async_connect(server, asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) {
    co_await http::async_read(stream, buffer, res, asio::redirect_error(asio::use_awaitable, ec));
  }
  out->ended = Now();
  if (ec) {
    out->error = ec.message();
    co_return;
  }
  out->status = res.result_int();
  out->body = std::move(res.body());
}

// Sends every post at once (a connection each) and returns when all are answered or `deadline`.
std::vector<Exchange> PostAll(int port, const std::vector<Post>& posts, Time deadline) {
  asio::io_context ioc(1);
  tcp::endpoint server(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port));
  std::vector<Exchange> out(posts.size());
  for (size_t i = 0; i < posts.size(); ++i) {
    asio::co_spawn(ioc, Send(server, posts[i], deadline, &out[i]), asio::detached);
  }
  ioc.run();
  return out;
}

// ---- Replies at the fake Twilio (REST mode) ----

class TwilioReplies {
 public:
  TwilioReplies(const FakeTwilio& twilio, std::vector<Conversation>* conversations)
      : twilio_(twilio), conversations_(*conversations) {
    for (size_t i = 0; i < conversations_.size(); ++i) by_address_[conversations_[i].from] = i;
  }

  // Reads replies as they arrive until `done()` or `deadline`; false at the deadline. Arrival
  // times are when this sees them: a few milliseconds late.
  bool WaitUntil(const std::function<bool()>& done, Time deadline) {
    while (!done()) {
      if (Now() >= deadline) return false;
      if (twilio_.WaitForMessages(seen_ + 1, std::chrono::milliseconds(50))) {
        // Let a burst gather: messages() copies every message so far.
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        Read();
      }
    }
    return true;
  }

  // Reads what arrived since the last call.
  void Read() {
    std::vector<FakeTwilio::Message> messages = twilio_.messages();
    Time now = Now();
    for (; seen_ < messages.size(); ++seen_) {
      const FakeTwilio::Message& m = messages[seen_];
      auto it = by_address_.find(m.to);
      if (it == by_address_.end()) {
        ++strays_;
        continue;
      }
      Conversation& c = conversations_[it->second];
      if (m.body.rfind(kGreetingStart, 0) == 0) {
        ++c.greetings;
      } else if (c.rating_replies++ == 0) {
        c.replied = now;
        c.reply = m.body;
      }
    }
  }

  size_t strays() const { return strays_; }  // messages to no conversation of this run

 private:
  const FakeTwilio& twilio_;
  std::vector<Conversation>& conversations_;
  std::unordered_map<std::string, size_t> by_address_;
  size_t seen_ = 0;
  size_t strays_ = 0;
};

// ---- The server process ----

// A port free now (the OS's choice), for the server's config.
int FreePort() {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

// The number after `field` ("Threads:", "VmHWM:") in /proc/<pid>/status; -1 when absent.
long ProcStatus(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(field.size()));
  }
  return -1;
}

std::string ServerConfig(const Flags& flags, const std::filesystem::path& dir, int port,
                         const FakeTwilio& twilio, const FakeOpenAiLoad& llm) {
  std::string source = BOT_SOURCE_DIR;
  std::string yaml = fmt::format("listen: {{host: 127.0.0.1, port: {}}}\n", port);
  yaml += fmt::format("public_base_url: http://127.0.0.1:{}\n", port);
  yaml += fmt::format("database: {}\nmedia_dir: {}\n", (dir / "bot.db").string(),
                      (dir / "media").string());
  yaml += fmt::format("dialogs: {}/dialogs\nprompts: {}/prompts\n", source, source);
  yaml += "reply_mode: " + flags.mode + "\n";
  // Every reply comes from one bot number: at Twilio's 80 per second the run would measure the
  // sender's rate limit, not the wait (as in tests/bench/botrunner.conf).
  yaml += "rate_per_sender: 100000\n";
  if (flags.workers > 0) yaml += fmt::format("workers: {}\n", flags.workers);
  yaml += fmt::format("accounts:\n  main: {{sid: {}, auth_token: {}, api_origin: \"{}\"}}\n",
                      FakeTwilio::kAccountSid, FakeTwilio::kAuthToken, twilio.origin());
  yaml += fmt::format("numbers:\n  - {{to: \"{}\", dialog: review_rating, account: main}}\n",
                      kBotNumber);
  // Last, so that --extra-config lines indented by four spaces add keys to providers.llm.
  yaml += "providers:\n  llm:\n    kind: openai\n    base_url: " + llm.base_url() +
          "\n    model: gpt-4o-mini\n";
  for (const std::string& line : flags.extra_config) yaml += line + "\n";
  return yaml;
}

// Starts `botrunner serve`, its stdout and stderr into `log`.
pid_t StartServer(const std::string& botrunner, const std::string& config, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<std::string> args = {botrunner, "serve", "--config", config};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int err = posix_spawn(&pid, botrunner.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return err == 0 ? pid : -1;
}

// Waits until GET /healthz answers 200; false if the server exited or 30 s passed.
bool WaitHealthy(pid_t pid, int port) {
  for (Time until = Now() + std::chrono::seconds(30); Now() < until;) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return false;
    if (bot::testing::HttpExchange(port, "GET", "/healthz").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// SIGTERM, then SIGKILL if the server has not exited within `grace` (it finishes the turns it
// accepted first, which with a slow LLM can take long).
void StopServer(pid_t pid, std::chrono::seconds grace) {
  Time start = Now();
  kill(pid, SIGTERM);
  while (Now() - start < grace) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      fmt::print("server stopped {:.1f} s after SIGTERM\n", Millis(Now() - start) / 1000);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  fmt::print("server still running {} s after SIGTERM: SIGKILL\n", grace.count());
}

// The most threads the server had, sampled every 50 ms while this object lives.
class ThreadSampler {
 public:
  explicit ThreadSampler(pid_t pid)
      : thread_([this, pid](std::stop_token stop) {
          while (!stop.stop_requested()) {
            most_ = std::max(most_.load(), ProcStatus(pid, "Threads:"));
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
          }
        }) {}
  long most() const { return most_; }

 private:
  std::atomic<long> most_{0};
  std::jthread thread_;  // last: stopped and joined before most_ goes
};

// ---- Figures ----

// The q-quantile (nearest rank) of `values`, in ms; NaN when empty.
double Quantile(std::vector<double> values, double q) {
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(std::ceil(q * values.size()));
  return values[std::max<size_t>(rank, 1) - 1];
}

// Latencies are of the answered requests; one not answered by the timeout is counted apart.
void PrintWebhooks(const char* what, const std::vector<const Exchange*>& exchanges) {
  std::vector<double> ms;
  size_t not_ok = 0, over_twilio = 0;
  std::string error;  // of the first request without an answer
  for (const Exchange* e : exchanges) {
    over_twilio += e->ended - e->sent > kTwilioTimeout;
    if (e->status == 0) {
      if (error.empty()) error = e->error;
      continue;
    }
    ms.push_back(e->ms());
    not_ok += e->status != 200;
  }
  fmt::print(
      "webhooks, {}: {} sent, {} answered: p50 {:.1f} ms, p99 {:.1f} ms, max {:.1f} ms; "
      "{} not 200; {} over Twilio's 15 s (answered or not)\n",
      what, exchanges.size(), ms.size(), Quantile(ms, 0.5), Quantile(ms, 0.99),
      ms.empty() ? NAN : *std::max_element(ms.begin(), ms.end()), not_ok, over_twilio);
  if (!error.empty()) {
    fmt::print("  {} without an answer, the first: {}\n", exchanges.size() - ms.size(), error);
  }
}

void PrintUsage(const std::string& database) {
  sqlite3* db = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db,
                         "SELECT outcome, count(*) FROM usage_records GROUP BY outcome "
                         "ORDER BY outcome",
                         -1, &stmt, nullptr) != SQLITE_OK) {
    fmt::print("usage_records: cannot read {}: {}\n", database, sqlite3_errmsg(db));
  } else {
    fmt::print("usage_records by outcome:");
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      fmt::print(" {} {};", reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)),
                 sqlite3_column_int64(stmt, 1));
    }
    fmt::print("\n");
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

// Counts the log's WARN and ERROR lines and shows the first few.
void PrintLog(const std::string& log) {
  std::ifstream in(log);
  size_t warnings = 0, errors = 0;
  std::vector<std::string> shown;
  for (std::string line; std::getline(in, line);) {
    bool warn = line.find(" WARN ") != std::string::npos;
    bool error = line.find(" ERROR ") != std::string::npos;
    warnings += warn;
    errors += error;
    if ((warn || error) && shown.size() < 5) shown.push_back(line.substr(0, 240));
  }
  fmt::print("server log: {} WARN, {} ERROR lines\n", warnings, errors);
  for (const std::string& line : shown) fmt::print("  {}\n", line);
}

// ---- The run ----

struct Drive {
  Time phase2;            // the first rating webhook was sent
  long most_threads = 0;  // the server's, sampled during both phases
  size_t strays = 0;      // fake Twilio messages to no conversation of this run
  // "Hola" webhooks of other conversations, one at a time every 10 ms from 0.5 s into phase 2
  // until the replies are in: what a webhook costs while the LLM calls are pending.
  std::vector<Exchange> probes;
};

// Phase 1 and phase 2 (top of the file) against the server at `port`, until every reply came or
// --timeout-s passed.
Drive Converse(const Flags& flags, int port, pid_t pid, const FakeTwilio& twilio,
               std::vector<Conversation>* conversations) {
  std::vector<Conversation>& convs = *conversations;
  const size_t n = flags.conversations;
  const bool rest = flags.mode == "rest";
  // Every request is built and signed before the clock starts.
  const std::string base_url = fmt::format("http://127.0.0.1:{}", port);
  bot::testing::WebhookClient forms(port, base_url, FakeTwilio::kAuthToken);
  std::vector<Post> holas, ratings;
  convs.resize(n);
  for (size_t i = 0; i < n; ++i) {
    convs[i].from = fmt::format("whatsapp:+5939{:08}", i);
    holas.push_back(SignedPost(forms, base_url, convs[i].from, "Hola"));
    ratings.push_back(SignedPost(forms, base_url, convs[i].from, kRatingText));
  }
  auto all_have = [&convs](int Conversation::*count) {
    return [&convs, count] {
      return std::all_of(convs.begin(), convs.end(),
                         [count](const Conversation& c) { return c.*count > 0; });
    };
  };
  TwilioReplies replies(twilio, conversations);
  ThreadSampler sampler(pid);
  Drive drive;
  const Time start = Now();
  const Time deadline = start + std::chrono::seconds(flags.timeout_s);

  std::vector<Exchange> answers = PostAll(port, holas, deadline);
  for (size_t i = 0; i < n; ++i) {
    convs[i].hola = std::move(answers[i]);
    for (const std::string& text : bot::testing::TwimlMessages(convs[i].hola.body)) {
      convs[i].greetings += text.rfind(kGreetingStart, 0) == 0;
    }
  }
  if (rest) replies.WaitUntil(all_have(&Conversation::greetings), deadline);
  fmt::print("phase 1 ({} x Hola, greetings received): {:.2f} s\n", n,
             Millis(Now() - start) / 1000);

  drive.phase2 = Now();
  std::thread client([&] { answers = PostAll(port, ratings, deadline); });
  std::atomic<bool> waiting{true};
  std::thread probe([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    for (int i = 0; waiting; ++i) {
      std::string from = fmt::format("whatsapp:+5938{:08}", i);
      std::vector<Exchange> one =
          PostAll(port, {SignedPost(forms, base_url, from, "Hola")}, deadline);
      drive.probes.push_back(std::move(one[0]));
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  if (rest && replies.WaitUntil(all_have(&Conversation::rating_replies), deadline)) {
    waiting = false;
    // A second more, in which a reply sent twice would show.
    replies.WaitUntil([] { return false; }, std::min(deadline, Now() + std::chrono::seconds(1)));
  }
  client.join();
  waiting = false;
  probe.join();
  for (size_t i = 0; i < n; ++i) {
    Conversation& c = convs[i];
    c.rating = std::move(answers[i]);
    if (rest) continue;
    std::vector<std::string> texts = bot::testing::TwimlMessages(c.rating.body);
    c.rating_replies = static_cast<int>(texts.size());
    if (!texts.empty()) {
      c.replied = c.rating.ended;
      c.reply = texts[0];
    }
  }
  drive.most_threads = sampler.most();
  drive.strays = replies.strays();
  return drive;
}

void PrintReplies(const std::vector<Conversation>& conversations, const Drive& drive,
                  int timeout_s) {
  std::vector<double> reply_ms;
  size_t understood = 0, duplicates = 0, missing = 0, greeted = 0;
  Time last = drive.phase2;
  std::string other;  // a reply that is not the thanks for a 4
  for (const Conversation& c : conversations) {
    greeted += c.greetings > 0;
    if (c.rating_replies == 0) {
      ++missing;
      continue;
    }
    duplicates += c.rating_replies > 1;
    reply_ms.push_back(Millis(c.replied - c.rating.sent));
    last = std::max(last, c.replied);
    if (c.reply.find(kUnderstood) != std::string::npos) {
      ++understood;
    } else if (other.empty()) {
      other = c.reply;
    }
  }
  const size_t n = conversations.size();
  if (missing == 0) {
    fmt::print("wall time, first rating webhook to the last reply: {:.2f} s\n",
               Millis(last - drive.phase2) / 1000);
  } else {
    fmt::print(
        "wall time: not every reply by the timeout ({} s); the last one came {:.2f} s "
        "after the first rating webhook\n",
        timeout_s, Millis(last - drive.phase2) / 1000);
  }
  fmt::print("reply latency ({} replies): p50 {:.0f} ms, p99 {:.0f} ms\n", reply_ms.size(),
             Quantile(reply_ms, 0.5), Quantile(reply_ms, 0.99));
  fmt::print(
      "replies: {} of {} received, {} missing, {} conversations got theirs twice or more; "
      "{} thanked for a 4 (the LLM's answer)\n",
      n - missing, n, missing, duplicates, understood);
  if (!other.empty()) fmt::print("  another reply: {}\n", other);
  if (greeted != n) fmt::print("greetings: only {} of {} conversations\n", greeted, n);
  if (drive.strays > 0) fmt::print("messages to unknown numbers: {}\n", drive.strays);
  std::vector<const Exchange*> every, during;
  for (const Conversation& c : conversations) {
    every.push_back(&c.hola);
    every.push_back(&c.rating);
    during.push_back(&c.rating);
  }
  PrintWebhooks("all", every);
  PrintWebhooks("rating messages, during the wait", during);
  std::vector<const Exchange*> probes;
  for (const Exchange& e : drive.probes) probes.push_back(&e);
  PrintWebhooks("probes: other conversations' Hola, one at a time, during the wait", probes);
  fmt::print("  (their greetings are the {} messages to other numbers)\n", drive.probes.size());
}

int Run(const Flags& flags) {
  // Each conversation holds a webhook connection and an LLM connection (both ends here).
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);

  FakeOpenAiLoad llm({.delay = std::chrono::milliseconds(flags.llm_delay_ms),
                      .max_concurrent = flags.llm_max_concurrent});
  FakeTwilio twilio;
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("llm_wait_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const int port = FreePort();
  const std::string config = (dir / "botrunner.yaml").string();
  const std::string log = (dir / "botrunner.log").string();
  std::ofstream(config) << ServerConfig(flags, dir, port, twilio, llm);

  fmt::print("{} conversations, {} mode, workers {}, LLM delay {} ms, LLM max concurrent {}\n",
             flags.conversations, flags.mode,
             flags.workers > 0 ? std::to_string(flags.workers) : "default", flags.llm_delay_ms,
             flags.llm_max_concurrent > 0 ? std::to_string(flags.llm_max_concurrent) : "none");
  for (const std::string& line : flags.extra_config) fmt::print("extra config: {}\n", line);
  pid_t pid = StartServer(flags.botrunner, config, log);
  if (pid <= 0 || !WaitHealthy(pid, port)) {
    fmt::print("botrunner did not start ({}); its log:\n", flags.botrunner);
    PrintLog(log);
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let start-up threads settle
  const long idle_threads = ProcStatus(pid, "Threads:");

  std::vector<Conversation> conversations;
  Drive drive = Converse(flags, port, pid, twilio, &conversations);
  PrintReplies(conversations, drive, flags.timeout_s);
  FakeOpenAiLoad::Counts llm_counts = llm.counts();
  fmt::print("LLM: {} requests, {} in flight at most, {} answered 429\n", llm_counts.requests,
             llm_counts.most_in_flight, llm_counts.rate_limited);
  fmt::print("server threads: {} idle, {} at most during the run\n", idle_threads,
             drive.most_threads);
  fmt::print("server peak RSS (VmHWM): {:.1f} MB\n", ProcStatus(pid, "VmHWM:") / 1024.0);

  StopServer(pid, std::chrono::seconds(60));
  PrintUsage((dir / "bot.db").string());
  PrintLog(log);
  if (flags.keep) {
    fmt::print("kept: {}\n", dir.string());
  } else {
    std::filesystem::remove_all(dir);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  CLI::App app{"How botrunner waits on a slow LLM (issue 14): prints figures"};
  // A flag given twice takes its last value: llm_wait.sh passes its own arguments on.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--conversations", flags.conversations, "conversations at once")
      ->check(CLI::Range(1, 100000));
  app.add_option("--llm-delay-ms", flags.llm_delay_ms, "the fake LLM answers after this long");
  app.add_option("--llm-max-concurrent", flags.llm_max_concurrent,
                 "the fake LLM answers 429 (Retry-After: 1) past this many requests at once; "
                 "0: no limit");
  app.add_option("--mode", flags.mode, "reply_mode")->check(CLI::IsMember({"rest", "twiml"}));
  app.add_option("--workers", flags.workers, "the config's workers; 0: its default");
  app.add_option("--extra-config", flags.extra_config,
                 "a YAML line appended to the server's config, after providers.llm (indent by "
                 "4 to add to it); repeatable")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--botrunner", flags.botrunner, "the botrunner binary");
  app.add_option("--timeout-s", flags.timeout_s, "give up on replies after this long");
  app.add_flag("--keep", flags.keep, "keep the server's folder (config, log, database)");
  CLI11_PARSE(app, argc, argv);
  return Run(flags);
}

// libcurl multi interface driven by one thread. Why not a pool: provider calls spend seconds
// waiting on the server, so a thread per call would idle; the multi handle waits on all sockets
// at once, keeps one connection cache (reuse, HTTP/2 multiplexing) and costs one thread total.
#include <curl/curl.h>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "bot/http.h"

namespace bot {
namespace {

// One request in flight: the easy handle and everything whose address libcurl keeps.
struct Transfer {
  HttpRequest request;
  HttpClient::Callback done;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  HttpResponse response;
  size_t max_bytes = 0;
  bool too_large = false;
  char error[CURL_ERROR_SIZE] = {0};

  ~Transfer() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
  }
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  if (t->response.body.size() + n > t->max_bytes) {
    t->too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  // A new status line starts a new response (after a redirect or a 100 Continue): keep only
  // the last response's headers.
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
    return std::string(s);
  };
  t->response.headers.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  return n;
}

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(CurlHttpOptions options) : options_(std::move(options)) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    multi_ = curl_multi_init();
    curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, options_.max_connections_per_host);
    curl_multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    thread_ = std::thread([this] { Loop(); });
  }

  ~CurlHttpClient() override {
    stopping_ = true;
    curl_multi_wakeup(multi_);
    thread_.join();
    curl_multi_cleanup(multi_);
    curl_global_cleanup();
  }

  void Send(HttpRequest request, Callback done) override {
    auto t = std::make_unique<Transfer>();
    t->request = std::move(request);
    t->done = std::move(done);
    t->max_bytes = t->request.max_response_bytes != 0 ? t->request.max_response_bytes
                                                      : options_.max_response_bytes;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!stopping_) {
        incoming_.push_back(std::move(t));
        t = nullptr;
      }
    }
    if (t != nullptr) {
      t->done(Unavailable("http client is shutting down"));
      return;
    }
    curl_multi_wakeup(multi_);
  }

 private:
  // Runs on the transfer thread only.
  Status Prepare(Transfer* t) {
    t->easy = curl_easy_init();
    if (t->easy == nullptr) return Internal("curl_easy_init failed");
    CURL* e = t->easy;
    const HttpRequest& r = t->request;
    curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    // Over TLS, ALPN tells at the handshake whether a connection multiplexes, so a request may
    // wait for it rather than open another. Over plain HTTP that is known only from the first
    // answer: waiting would queue every request behind it.
    if (r.url.rfind("https:", 0) == 0) curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout.count()));
    curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
    // Refuses at once a response that announces a larger Content-Length; OnBody stops one
    // that does not announce it.
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(t->max_bytes));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t);
    if (r.method == "GET") {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else if (r.method == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    }
    if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
    }
    for (const auto& [name, value] : r.headers) {
      std::string line = name + ": " + value;
      t->headers = curl_slist_append(t->headers, line.c_str());
    }
    // Providers answer at once; waiting for "100 Continue" on an upload only adds a round trip.
    t->headers = curl_slist_append(t->headers, "Expect:");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    return Status::Ok();
  }

  void Finish(Transfer* t, CURLcode code) {
    std::unique_ptr<Transfer> owned(t);
    curl_multi_remove_handle(multi_, t->easy);
    if (code == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
      t->response.status = static_cast<int>(status);
      t->done(std::move(t->response));
      return;
    }
    std::string what = t->request.method + " " + t->request.url + ": " +
                       (t->error[0] != '\0' ? t->error : curl_easy_strerror(code));
    if (t->too_large || code == CURLE_FILESIZE_EXCEEDED) {
      t->done(BadResponse("response larger than " + std::to_string(t->max_bytes) +
                          " bytes: " + t->request.url));
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
      t->done(Timeout(what));
    } else if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) {
      t->done(InvalidArgument(what));
    } else {
      t->done(Unavailable(what));
    }
  }

  void Loop() {
    while (true) {
      std::deque<std::unique_ptr<Transfer>> fresh;
      {
        std::lock_guard<std::mutex> lock(mu_);
        fresh.swap(incoming_);
      }
      for (auto& t : fresh) {
        Status prepared = Prepare(t.get());
        if (!prepared.ok()) {
          t->done(prepared);
          continue;
        }
        curl_multi_add_handle(multi_, t->easy);
        in_flight_.insert(t.release());  // owned through in_flight_ until Finish
      }
      if (stopping_) break;
      int running = 0;
      curl_multi_perform(multi_, &running);
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
        if (msg->msg != CURLMSG_DONE) continue;
        Transfer* t = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
        CURLcode code = msg->data.result;
        in_flight_.erase(t);
        Finish(t, code);
      }
      curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
    FailAll();
  }

  // Shutdown: every transfer still known gets an answer, so no caller waits forever.
  void FailAll() {
    for (Transfer* t : in_flight_) {
      curl_multi_remove_handle(multi_, t->easy);
      std::unique_ptr<Transfer> owned(t);
      t->done(Unavailable("http client shut down during " + t->request.url));
    }
    in_flight_.clear();
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& t : incoming_) t->done(Unavailable("http client is shutting down"));
    incoming_.clear();
  }

  CurlHttpOptions options_;
  CURLM* multi_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::set<Transfer*> in_flight_;  // owned; transfer thread only
  std::mutex mu_;
  std::deque<std::unique_ptr<Transfer>> incoming_;  // Guarded by mu_
};

}  // namespace

std::unique_ptr<HttpClient> NewCurlHttpClient(CurlHttpOptions options) {
  return std::make_unique<CurlHttpClient>(std::move(options));
}

}  // namespace bot

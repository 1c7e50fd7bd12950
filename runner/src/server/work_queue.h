// A small pool of worker threads that runs blocking work (store transactions, turns) off the
// HTTP thread. Jobs submitted under the same key (a conversation) run one at a time in
// submission order; jobs under different keys run in parallel. An asynchronous job (a turn
// waiting for a provider) keeps its key busy until it says it is done, without holding a
// worker meanwhile. Thread-safe. On Linux the
// workers are SCHED_BATCH threads: woken on a busy core, they wait for the running thread to
// block instead of preempting it, then take every job queued meanwhile.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace runner {

class WorkQueue {
 public:
  // `when_idle`, if set, runs after a job once the queue is idle: on the worker that finished
  // the last running job when nothing is ready; kIdleDelay after a job when nothing is ready but
  // other jobs still run (they may be waiting for a provider); and at least once every
  // kMaxJobsBetweenIdle jobs under continuous load. Group commit: it flushes the store.
  explicit WorkQueue(int threads, std::function<void()> when_idle = {});
  static constexpr int kMaxJobsBetweenIdle = 64;
  static constexpr std::chrono::microseconds kIdleDelay{1000};
  ~WorkQueue();  // Drain()s
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Runs `job` after every job submitted earlier under `key` has finished.
  void Submit(const std::string& key, std::function<void()> job);
  // The same for a job that finishes later: `job` gets a `done` to call once, from any thread
  // (also before it returns). The worker is free when `job` returns; the key's later jobs wait
  // for `done`.
  using Done = std::function<void()>;
  void SubmitAsync(const std::string& key, std::function<void(Done done)> job);
  // Runs `job` on any worker, in no particular order.
  void Post(std::function<void()> job);
  // The same at a lower priority: a worker takes a keyed job (a message arriving) first, and a
  // later one at least every kLaterEvery jobs. For the continuations of turns whose provider
  // answered: a thousand LLM answers landing at once must not delay a webhook behind them.
  void PostLater(std::function<void()> job);
  static constexpr int kLaterEvery = 4;

  // Runs everything queued (including jobs those jobs submit, and asynchronous jobs to their
  // `done`), then stops the threads. Later submissions are dropped. Idempotent.
  void Drain();

  size_t pending() const;

 private:
  struct Job {
    std::function<void()> run;
    std::function<void(Done)> run_async;  // set instead of `run` for SubmitAsync
  };
  struct Lane {
    std::string key;
    bool posted = false;  // an unkeyed Post() lane, owned by no map
    std::deque<Job> jobs;
    bool scheduled = false;   // in ready_, being run, or waiting for an asynchronous job's done
    bool parked = false;      // its asynchronous job returned and waits for done
    bool done_early = false;  // done was called before its job returned
  };
  void Run();
  void PostTo(std::deque<Lane*>* queue, std::function<void()> job);
  bool NothingReadyLocked() const { return ready_.empty() && later_.empty(); }
  void Enqueue(const std::string& key, Job job);
  // The job at the front of `lane` is over: free the lane or queue its next job. Under mu_.
  void FinishJobLocked(Lane* lane);
  // An asynchronous job of `lane` called done.
  void AsyncDone(Lane* lane);
  void RunIdleTimer();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<std::string, Lane> lanes_;  // Guarded by mu_; a lane lives while it has jobs
  std::deque<Lane*> ready_;                      // Guarded by mu_
  std::deque<Lane*> later_;                      // Guarded by mu_; PostLater() jobs
  int since_later_ = 0;                          // Guarded by mu_; jobs taken from ready_
  size_t pending_ = 0;                           // Guarded by mu_
  bool stopping_ = false;                        // Guarded by mu_
  bool closed_ = false;                          // Guarded by mu_; the threads are gone
  const std::function<void()> when_idle_;
  int jobs_since_idle_ = 0;                      // Guarded by mu_
  int running_ = 0;                              // Guarded by mu_
  bool idle_owed_ = false;                       // Guarded by mu_; for the idle timer
  std::condition_variable idle_cv_;
  std::thread idle_timer_;
  std::vector<std::thread> threads_;
};

}  // namespace runner

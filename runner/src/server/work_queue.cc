// Per-key serial lanes over a shared pool: a lane is "ready" while it has jobs and no worker
// runs one of them, so a conversation never occupies more than one worker.
#include "server/work_queue.h"

#include <pthread.h>
#include <sched.h>

namespace runner {

WorkQueue::WorkQueue(int threads, std::function<void()> when_idle)
    : when_idle_(std::move(when_idle)) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
  if (when_idle_ && threads > 1) idle_timer_ = std::thread([this] { RunIdleTimer(); });
}

WorkQueue::~WorkQueue() { Drain(); }

// A worker is woken after mu_ is released: woken under the lock, on a busy core it would run at
// once, block on mu_ and hand the core straight back.
void WorkQueue::Submit(const std::string& key, std::function<void()> job) {
  Enqueue(key, Job{std::move(job), nullptr});
}

void WorkQueue::SubmitAsync(const std::string& key, std::function<void(Done done)> job) {
  Enqueue(key, Job{nullptr, std::move(job)});
}

void WorkQueue::Enqueue(const std::string& key, Job job) {
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) return;
  auto [it, inserted] = lanes_.try_emplace(key);
  Lane& lane = it->second;
  if (inserted) lane.key = key;
  lane.jobs.push_back(std::move(job));
  ++pending_;
  if (lane.scheduled) return;  // a worker will come back to this lane
  lane.scheduled = true;
  ready_.push_back(&lane);
  lock.unlock();
  cv_.notify_one();
}

void WorkQueue::Post(std::function<void()> job) { PostTo(&ready_, std::move(job)); }

void WorkQueue::PostLater(std::function<void()> job) { PostTo(&later_, std::move(job)); }

void WorkQueue::PostTo(std::deque<Lane*>* queue, std::function<void()> job) {
  // Unkeyed jobs get a lane each so they never wait for one another.
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) return;
  auto* lane = new Lane;
  lane->posted = true;
  lane->scheduled = true;
  lane->jobs.push_back(Job{std::move(job), nullptr});
  ++pending_;
  queue->push_back(lane);
  lock.unlock();
  cv_.notify_one();
}

void WorkQueue::Run() {
#ifdef __linux__
  // A batch thread woken by the HTTP thread does not preempt it on a busy core: the worker runs
  // when that thread waits (or its slice ends) and then takes the jobs queued meanwhile in one go.
  const sched_param param{};
  static_cast<void>(pthread_setschedparam(pthread_self(), SCHED_BATCH, &param));
#endif
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return !NothingReadyLocked() || (stopping_ && pending_ == 0); });
    if (NothingReadyLocked()) return;  // stopping and nothing left
    const bool later = !later_.empty() && (ready_.empty() || since_later_ >= kLaterEvery);
    std::deque<Lane*>& from = later ? later_ : ready_;
    since_later_ = later ? 0 : since_later_ + 1;
    Lane* lane = from.front();
    from.pop_front();
    Job job = std::move(lane->jobs.front());
    lane->jobs.pop_front();
    ++running_;
    lock.unlock();
    if (job.run_async) {
      job.run_async([this, lane] { AsyncDone(lane); });
    } else {
      job.run();
    }
    const bool async = static_cast<bool>(job.run_async);
    job = Job();  // destroy captures outside the lock too
    lock.lock();
    --running_;
    if (async && !lane->done_early) {
      lane->parked = true;  // the lane stays busy until done; this worker goes on
    } else {
      lane->done_early = false;
      FinishJobLocked(lane);
    }
    if (when_idle_) {
      const bool idle = NothingReadyLocked() && running_ == 0;
      if (idle || ++jobs_since_idle_ >= kMaxJobsBetweenIdle) {
        jobs_since_idle_ = 0;
        idle_owed_ = false;
        lock.unlock();
        when_idle_();
        lock.lock();
      } else if (NothingReadyLocked() && !idle_owed_) {
        idle_owed_ = true;  // the others may run long: the timer makes sure
        idle_cv_.notify_one();
      }
    }
    if (stopping_ && pending_ == 0) cv_.notify_all();
  }
}

void WorkQueue::FinishJobLocked(Lane* lane) {
  --pending_;
  if (lane->posted) {
    delete lane;  // a Post() lane
  } else if (lane->jobs.empty()) {
    lanes_.erase(lanes_.find(lane->key));  // not erase(lane->key): that key dies mid-erase
  } else {
    ready_.push_back(lane);  // to the back: other conversations get their turn first
  }
}

void WorkQueue::AsyncDone(Lane* lane) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!lane->parked) {  // its job has not returned yet: the worker finishes it
    lane->done_early = true;
    return;
  }
  lane->parked = false;
  FinishJobLocked(lane);
  const bool wake = !NothingReadyLocked() || (stopping_ && pending_ == 0);
  lock.unlock();
  if (wake) cv_.notify_all();
}

void WorkQueue::RunIdleTimer() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    idle_cv_.wait(lock, [this] { return idle_owed_ || closed_; });
    if (closed_) return;
    idle_cv_.wait_for(lock, kIdleDelay, [this] { return closed_; });
    if (!idle_owed_) continue;  // a worker saw the queue idle meanwhile
    idle_owed_ = false;
    jobs_since_idle_ = 0;
    lock.unlock();
    when_idle_();
    lock.lock();
  }
}

void WorkQueue::Drain() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (std::thread& t : threads) t.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  idle_cv_.notify_all();
  if (idle_timer_.joinable()) idle_timer_.join();
}

size_t WorkQueue::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_;
}

}  // namespace runner

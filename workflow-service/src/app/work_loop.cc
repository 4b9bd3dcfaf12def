#include "workflow-service/src/app/work_loop.h"

#include "common/log/log.h"

namespace sslpanel::workflow::app {

WorkLoop::WorkLoop(std::string name, int workers, absl::Duration idle_wait, Claim claim)
    : name_(std::move(name)), workers_(workers), idle_wait_(idle_wait), claim_(std::move(claim)) {}

WorkLoop::~WorkLoop() { Stop(); }

void WorkLoop::Start() {
  threads_.emplace_back([this] { ClaimerLoop(); });
  for (int i = 0; i < workers_; ++i) {
    threads_.emplace_back([this] { WorkerLoop(); });
  }
}

void WorkLoop::Nudge() {
  std::lock_guard<std::mutex> lock(mu_);
  nudged_ = true;
  changed_.notify_all();
}

void WorkLoop::RequestStop() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = true;
  changed_.notify_all();
}

void WorkLoop::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && threads_.empty()) {
      return;
    }
    stopping_ = true;
    changed_.notify_all();
  }
  for (std::thread& thread : threads_) {
    thread.join();
  }
  threads_.clear();
}

void WorkLoop::ClaimerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const int idle = workers_ - busy_ - static_cast<int>(tasks_.size());
    if (idle <= 0) {
      changed_.wait(lock);
      continue;
    }
    nudged_ = false;
    lock.unlock();
    auto claimed = claim_(idle);
    lock.lock();
    if (!claimed.ok()) {
      log::Warning("claim failed; retrying", {{"loop", name_}, {"error", claimed.status()}});
    } else {
      for (Task& task : *claimed) {
        tasks_.push_back(std::move(task));
      }
      changed_.notify_all();
      if (static_cast<int>(claimed->size()) == idle) {
        continue;  // there may be more: claim again as soon as a worker frees
      }
    }
    changed_.wait_for(lock, absl::ToChronoMilliseconds(idle_wait_),
                      [this] { return stopping_ || nudged_; });
  }
}

void WorkLoop::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    changed_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) {
      return;  // stopping, and everything claimed is done
    }
    Task task = std::move(tasks_.front());
    tasks_.pop_front();
    ++busy_;
    lock.unlock();
    task();
    lock.lock();
    --busy_;
    changed_.notify_all();
  }
}

}  // namespace sslpanel::workflow::app

// A small time-to-live cache of registry answers, so a burst of orders for
// one company costs one KvK call instead of one per order. Concurrent misses
// for the same key share one load ("single flight"). Failed loads are never
// cached: a source that was down is asked again on the next call, and a load
// that throws releases its waiters (INTERNAL) and its key.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/time/clock.h"

namespace sslpanel::prevalidation::app {

template <typename V>
class TtlCache {
 public:
  // A `ttl` of zero or less disables caching (every call loads).
  TtlCache(const Clock& clock, absl::Duration ttl, size_t max_entries = 10000)
      : clock_(clock), ttl_(ttl), max_entries_(max_entries) {}

  // The fresh cached value for `key`, or the result of `load()`. While one
  // caller loads a key, other callers for that key wait for its result.
  absl::StatusOr<V> GetOrLoad(const std::string& key, absl::FunctionRef<absl::StatusOr<V>()> load) {
    if (ttl_ <= absl::ZeroDuration()) {
      return load();
    }
    std::shared_ptr<Flight> flight;
    {
      absl::MutexLock lock(&mu_);
      auto cached = entries_.find(key);
      if (cached != entries_.end() && clock_.Now() < cached->second.expires) {
        return cached->second.value;
      }
      auto running = flights_.find(key);
      if (running != flights_.end()) {
        std::shared_ptr<Flight> shared = running->second;
        mu_.Await(absl::Condition(&shared->done));
        return shared->result;
      }
      flight = std::make_shared<Flight>();
      flights_.emplace(key, flight);
    }
    // However load() ends, even by throwing, the flight must land: callers
    // waiting for it are released (with an error if it did not return) and
    // the key is free for the next caller. Otherwise one bad load would
    // block every later request for that key forever.
    bool landed = false;
    absl::Cleanup land = [&] {
      if (landed) {
        return;
      }
      absl::MutexLock lock(&mu_);
      flight->result =
          absl::InternalError(absl::StrCat("loading \"", key, "\" failed without an answer"));
      flight->done = true;
      flights_.erase(key);
    };
    absl::StatusOr<V> result = load();
    absl::MutexLock lock(&mu_);
    flight->result = result;
    flight->done = true;
    flights_.erase(key);
    landed = true;
    if (result.ok()) {
      if (entries_.size() >= max_entries_) {
        EvictLocked();
      }
      entries_.insert_or_assign(key, Entry{*result, clock_.Now() + ttl_});
    }
    return result;
  }

  size_t size() const {
    absl::MutexLock lock(&mu_);
    return entries_.size();
  }

 private:
  struct Entry {
    V value;
    absl::Time expires;
  };
  struct Flight {
    bool done = false;
    absl::StatusOr<V> result = absl::UnknownError("not loaded yet");
  };

  // Drops expired entries; if none had expired, drops the one expiring first
  // (rare: the cache is sized far above a burst).
  void EvictLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const absl::Time now = clock_.Now();
    absl::erase_if(entries_, [now](const auto& entry) { return entry.second.expires <= now; });
    if (entries_.size() < max_entries_) {
      return;
    }
    auto oldest = entries_.begin();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.expires < oldest->second.expires) {
        oldest = it;
      }
    }
    entries_.erase(oldest);
  }

  const Clock& clock_;
  const absl::Duration ttl_;
  const size_t max_entries_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::shared_ptr<Flight>> flights_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sslpanel::prevalidation::app

// The load: order lifecycles driven through the workflow API as a billing
// system would, each following a script (create only, cancel at a random
// moment, cancel after issuance, reissue, renew, a Dutch OV order through
// prevalidation), all through the sandbox CA. What was acknowledged is kept
// so the checks can tell what must be in the database afterwards.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "chaos/src/client.h"

namespace sslpanel::chaos {

enum class Script { kPlain, kOv, kCancelEarly, kCancelActive, kReissue, kRenew };
const char* ScriptName(Script script);

struct Lifecycle {
  int index = 0;
  Script script = Script::kPlain;
  std::string external_id;
  std::string common_name;
  // Acknowledged calls (the API answered OK) and their request ids.
  std::string order_id;  // set once CreateOrder was acknowledged
  std::string create_request;
  std::string cancel_request;   // empty: no cancel acknowledged
  std::string reissue_request;  // empty: no reissue acknowledged
  std::string renew_request;    // empty: no renewal acknowledged
  // Why the script stopped before its end ("" when it ran through).
  std::string stopped;
};

struct LoadOptions {
  std::string run;  // prefix of request and external ids
  int lifecycles = 100;
  int concurrency = 16;
  // The sandbox's issue delay: early cancels land anywhere in it.
  absl::Duration issue_delay = absl::Milliseconds(300);
  // How long one call is retried, and one state waited for.
  absl::Duration call_budget = absl::Seconds(60);
  absl::Duration state_timeout = absl::Seconds(90);
};

class Load {
 public:
  Load(LoadOptions options, Client* client);
  ~Load();

  void Start();
  // Stops starting lifecycles (running ones go on to their end).
  void StopStarting() { stop_ = true; }
  // Waits for every worker; returns what each lifecycle got acknowledged.
  std::vector<Lifecycle> Join();

  int Finished() const { return finished_.load(); }
  bool Done() const { return workers_done_.load() == static_cast<int>(workers_.size()); }
  // Acknowledged mutating calls so far.
  int64_t Operations() const { return operations_.load(); }

 private:
  void Work();
  void Run(Lifecycle& lc);
  bool Acknowledged(const std::string& method, const Client::Call& call, Lifecycle& lc);
  bool WaitCertificate(Lifecycle& lc, int index);

  LoadOptions options_;
  Client* client_;
  std::vector<Lifecycle> lifecycles_;
  std::vector<std::thread> workers_;
  std::atomic<int> next_{0};
  std::atomic<int> finished_{0};
  std::atomic<int> workers_done_{0};
  std::atomic<int64_t> operations_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace sslpanel::chaos

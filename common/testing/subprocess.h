// Starts a real binary for an integration test and stops it by its PID.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sslpanel::testing {

class Subprocess {
 public:
  // Starts `argv[0]` with `argv`; stdout and stderr go to `log_path`. `env`
  // entries ("NAME=value") are added to the test's environment.
  static absl::StatusOr<std::unique_ptr<Subprocess>> Start(std::vector<std::string> argv,
                                                           const std::string& log_path,
                                                           std::vector<std::string> env = {});
  // Terminates (SIGTERM, then SIGKILL after 10 s) if still running.
  ~Subprocess();

  pid_t pid() const { return pid_; }
  bool Running();
  // SIGTERM, then waits up to `timeout`; returns the exit code, or
  // DEADLINE_EXCEEDED (after which the process is killed).
  absl::StatusOr<int> Terminate(absl::Duration timeout = absl::Seconds(10));
  // Waits up to `timeout` for the process to exit on its own; returns the
  // exit code, or DEADLINE_EXCEEDED (after which the process is killed).
  absl::StatusOr<int> Wait(absl::Duration timeout);
  // SIGKILL and reap: a crash at an arbitrary instruction.
  void Kill();
  // The process's output so far.
  std::string Log() const;
  const std::string& log_path() const { return log_path_; }

 private:
  Subprocess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  pid_t pid_;
  std::string log_path_;
  bool reaped_ = false;
  int exit_code_ = -1;
};

// Waits until `path` holds a port number (written by a server started with
// --port_file) or `process` exits.
absl::StatusOr<int> WaitForPortFile(const std::string& path, Subprocess& process,
                                    absl::Duration timeout = absl::Seconds(30));

// A free TCP port on 127.0.0.1 for programs that cannot report their own.
absl::StatusOr<int> PickFreePort();

// A new empty directory under the test's temporary directory.
std::string MakeTempDir(const std::string& prefix);

}  // namespace sslpanel::testing

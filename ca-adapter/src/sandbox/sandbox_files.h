// The sandbox CA's directory: whole-file reads and crash-safe writes, and the lock
// held while the CA is loaded or created. Internal to sandbox/ (sandbox_ca.cc).
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <sys/types.h>
#include <unistd.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sslpanel::ca::sandbox {

std::string PathIn(const std::string& dir, const char* file);
bool Exists(const std::string& path);
absl::StatusOr<std::string> ReadFile(const std::string& path);
// Writes via a temporary file and rename, so a crash never leaves half a key.
absl::Status WriteFile(const std::string& path, const std::string& contents, mode_t mode);

// An exclusive lock on the directory while the CA is loaded or created.
class DirectoryLock {
 public:
  explicit DirectoryLock(const std::string& dir)
      : fd_(open((dir + "/.lock").c_str(), O_RDWR | O_CREAT, 0600)) {
    if (fd_ >= 0) {
      flock(fd_, LOCK_EX);
    }
  }
  ~DirectoryLock() {
    if (fd_ >= 0) {
      flock(fd_, LOCK_UN);
      close(fd_);
    }
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

}  // namespace sslpanel::ca::sandbox

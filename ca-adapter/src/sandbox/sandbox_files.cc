#include "ca-adapter/src/sandbox/sandbox_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace sslpanel::ca::sandbox {

std::string PathIn(const std::string& dir, const char* file) { return dir + "/" + file; }

bool Exists(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", path));
  }
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Writes via a temporary file and rename, so a crash never leaves half a key.
absl::Status WriteFile(const std::string& path, const std::string& contents, mode_t mode) {
  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write ", tmp, ": ", std::strerror(errno)));
  }
  const ssize_t written = write(fd, contents.data(), contents.size());
  const bool synced = fsync(fd) == 0;
  close(fd);
  if (written != static_cast<ssize_t>(contents.size()) || !synced ||
      rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::FailedPreconditionError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

}  // namespace sslpanel::ca::sandbox

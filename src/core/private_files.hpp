#pragma once
/// Owner-only files and folders (issue 15 §8). The database (with its WAL
/// and SHM), call recordings and upload spool files hold other people's
/// conversations and contact lists, so voqo creates its files 0600 and its
/// folders 0700 whatever the process umask: the mode given to open(2) and
/// mkdir(2) is only an upper bound (the umask clears bits from it), so the
/// mode is set again with fchmod(2)/chmod(2) after creation.
///
/// Header-only (POSIX calls), usable from every module.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace voqo {

inline constexpr mode_t kPrivateFileMode = 0600;  ///< rw for the owner only
inline constexpr mode_t kPrivateDirMode = 0700;   ///< rwx for the owner only

/// ErrorCode::io "<what> <path>: <strerror(err)>", for a failed system call on a file.
inline Error file_error(const std::string& what, const std::filesystem::path& path, int err) {
  return Error{ErrorCode::io, what + " " + path.string() + ": " + std::strerror(err), {}};
}

/// Sets the permission bits of `path` (not following a final symlink's
/// target's owner rules: plain chmod(2)) to `mode` when they differ.
/// Returns whether they were changed; false also when `path` does not exist.
/// Errors: io (stat or chmod failed, e.g. the file belongs to another user).
inline Result<bool> restrict_mode(const std::filesystem::path& path, mode_t mode) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return false;
    return std::unexpected(file_error("cannot stat", path, errno));
  }
  if ((st.st_mode & 07777) == mode) return false;
  if (::chmod(path.c_str(), mode) != 0) return std::unexpected(file_error("cannot chmod", path, errno));
  return true;
}

/// Creates `dir` and any missing parents, each one it creates 0700 (folders
/// that already exist keep their mode: the parent of a data folder may be
/// the user's home or /var/lib). Errors: io naming the folder that could not
/// be created (or a path component that is not a folder).
inline Result<void> create_private_directories(const std::filesystem::path& dir) {
  if (dir.empty()) return {};
  std::vector<std::filesystem::path> missing;
  std::error_code ec;
  for (auto p = dir; !p.empty(); p = p.parent_path()) {
    if (std::filesystem::exists(p, ec)) break;
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), kPrivateDirMode) != 0 && errno != EEXIST)
      return std::unexpected(file_error("cannot create folder", *it, errno));
    if (::chmod(it->c_str(), kPrivateDirMode) != 0)
      return std::unexpected(file_error("cannot chmod", *it, errno));
  }
  if (!std::filesystem::is_directory(dir, ec))
    return std::unexpected(Error{ErrorCode::io, dir.string() + " is not a folder", {}});
  return {};
}

/// open(2) of `path` with `flags` | O_CREAT | O_CLOEXEC and mode 0600, then
/// fchmod(2) to exactly 0600 when the file's mode differs (new under an odd
/// umask, or an existing file created wider by an older version). Returns
/// the descriptor (the caller closes it). Errors: io.
inline Result<int> open_private_file(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CREAT | O_CLOEXEC, kPrivateFileMode);
  if (fd < 0) return std::unexpected(file_error("cannot open", path, errno));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && (st.st_mode & 07777) != kPrivateFileMode && ::fchmod(fd, kPrivateFileMode) != 0) {
    const int err = errno;
    ::close(fd);
    return std::unexpected(file_error("cannot chmod", path, err));
  }
  return fd;
}

}  // namespace voqo

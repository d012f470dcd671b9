#include "store/sqlite/sqlite_connection.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <list>
#include <thread>

#include "core/private_files.hpp"

namespace voqo::store::sqlite {

Error sqlite_error(sqlite3* db, int rc, std::string_view context) {
  const std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const int ext = db ? sqlite3_extended_errcode(db) : rc;
  if ((rc & 0xff) == SQLITE_CONSTRAINT) {
    // e.g. "UNIQUE constraint failed: agents.name" → conflict on column "name".
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
      std::string column;
      if (auto pos = msg.rfind('.'); pos != std::string::npos) column = msg.substr(pos + 1);
      Error e{ErrorCode::conflict, msg, {}};
      if (!column.empty()) e.fields.push_back({column, "already exists"});
      return e;
    }
    if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
      return Error{ErrorCode::conflict, "a referenced record does not exist or is still referenced", {}};
    return Error{ErrorCode::invalid_argument, msg, {}};
  }
  if (rc == SQLITE_FULL) return Error{ErrorCode::io, "database or disk is full", {}};
  return Error::database(std::string(context) + ": " + msg);
}

Result<bool> SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return std::unexpected(sqlite_error(db_, rc, "step"));
}

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::open(const std::filesystem::path& path,
                                                                 bool read_only,
                                                                 const DatabaseOptions& options) {
  sqlite3* db = nullptr;
  const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e = Error::database("cannot open database " + path.string() + ": " +
                              (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close(db);
    return std::unexpected(e);
  }
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db));
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  sqlite3_extended_result_codes(db, 1);
  std::string pragmas = "PRAGMA foreign_keys=ON; PRAGMA cache_size=-" + std::to_string(options.cache_kib) +
                        "; PRAGMA temp_store=MEMORY;";
  // secure_delete=FAST: what a write replaces or deletes is zeroed in its
  // page when that costs no extra I/O, so a secret sealed in place (issue 16
  // §6) leaves no clear copy behind in the file.
  if (!read_only) pragmas += "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=FAST; ";
  if (auto r = conn->exec(pragmas); !r) return std::unexpected(r.error());
  // Refuse a file that is not a database now rather than at the first query.
  if (auto r = conn->exec("SELECT count(*) FROM sqlite_schema"); !r) return std::unexpected(r.error());
  return conn;
}

SqliteConnection::~SqliteConnection() {
  cache_.clear();
  sqlite3_close_v2(db_);
}

Result<void> SqliteConnection::exec(std::string_view sql) {
  char* err = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(db_, rc, text.substr(0, 60));
    sqlite3_free(err);
    return std::unexpected(e);
  }
  return {};
}

Result<StatementRef> SqliteConnection::prepare(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it != cache_.end()) return StatementRef(it->second.get());
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                    &stmt, nullptr);
  if (rc != SQLITE_OK) {
    spdlog::error("SQL prepare failed: {} in: {}", sqlite3_errmsg(db_), sql);
    return std::unexpected(sqlite_error(db_, rc, "prepare"));
  }
  auto owned = std::make_unique<SqliteStatement>(db_, stmt);
  auto* raw = owned.get();
  cache_.emplace(std::string(sql), std::move(owned));
  return StatementRef(raw);
}

namespace {

/// The read connections of one database: all of them (owned) and those no
/// thread holds now.
struct ReaderPool {
  std::mutex mutex;
  bool closed = false;
  std::list<std::unique_ptr<SqliteConnection>> all;
  std::vector<SqliteConnection*> idle;
};

/// A thread's read connections, one per database; returned to their pools
/// when the thread exits.
class ReaderLeases {
 public:
  ~ReaderLeases() {
    for (auto& [id, lease] : leases_) {
      if (auto pool = lease.first.lock()) {
        std::lock_guard lock(pool->mutex);
        if (!pool->closed) pool->idle.push_back(lease.second);
      }
    }
  }
  SqliteConnection* find(uint64_t id) {
    auto it = leases_.find(id);
    if (it == leases_.end()) return nullptr;
    if (it->second.first.expired()) {  // the database is gone; forget it
      leases_.erase(it);
      return nullptr;
    }
    return it->second.second;
  }
  void add(uint64_t id, const std::shared_ptr<ReaderPool>& pool, SqliteConnection* c) { leases_[id] = {pool, c}; }

 private:
  std::unordered_map<uint64_t, std::pair<std::weak_ptr<ReaderPool>, SqliteConnection*>> leases_;
};

/// Per-thread readers, one writer, for one SQLite file.
class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::filesystem::path path, DatabaseOptions options,
                 std::unique_ptr<SqliteConnection> writer, std::unique_ptr<SqliteConnection> checkpointer)
      : path_(std::move(path)),
        options_(options),
        writer_(std::move(writer)),
        id_(next_id_++),
        checkpointer_(std::move(checkpointer)),
        checkpoint_thread_([this] { checkpoint_loop(); }) {
    start_deferred_writes();
  }
  ~SqliteDatabase() override { close(); }

  void close() override {
    stop_deferred_writes();
    {
      std::lock_guard lock(checkpoint_mutex_);
      stopping_ = true;
    }
    checkpoint_wake_.notify_all();
    if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
    std::lock_guard lock(pool_->mutex);
    if (pool_->closed) return;
    pool_->closed = true;
    pool_->idle.clear();
    pool_->all.clear();
    checkpointer_.reset();
    if (writer_) {
      (void)writer_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
      writer_.reset();
    }
  }
  std::string_view dialect() const override { return "sqlite"; }

 protected:
  Connection& reader() override {
    // One read connection per (thread, database), leased from this
    // database's pool: when the thread exits its lease goes back to the pool
    // for the next thread, so short-lived threads do not pile up connections.
    // Keyed by the database's unique id so a destroyed database's connection
    // is never reused.
    thread_local ReaderLeases leases;
    if (auto* c = leases.find(id_)) return *c;
    std::lock_guard lock(pool_->mutex);
    if (pool_->closed) throw std::runtime_error("database is closed");
    SqliteConnection* conn = nullptr;
    if (!pool_->idle.empty()) {
      conn = pool_->idle.back();
      pool_->idle.pop_back();
    } else {
      auto opened = SqliteConnection::open(path_, /*read_only=*/true, options_);
      if (!opened) throw std::runtime_error(opened.error().message);
      pool_->all.push_back(std::move(*opened));
      conn = pool_->all.back().get();
    }
    leases.add(id_, pool_, conn);
    return *conn;
  }
  Result<void> set_foreign_keys(bool on) override {
    return writer_connection().exec(on ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF");
  }
  Connection& writer_connection() override {
    if (!writer_) throw std::runtime_error("database is closed");
    return *writer_;
  }
  Result<void> begin() override { return writer_connection().exec("BEGIN IMMEDIATE"); }

  /// WAL checkpoints run here, off the writer's path (the writer has
  /// wal_autocheckpoint=0): a PASSIVE checkpoint every 500 ms copies
  /// committed pages into the database file without blocking readers or the
  /// writer; when the WAL has grown past 64 MiB a TRUNCATE checkpoint (which
  /// waits, up to the busy timeout, for readers of old snapshots) resets it.
  void checkpoint_loop() {
    std::unique_lock lock(checkpoint_mutex_);
    while (!stopping_) {
      checkpoint_wake_.wait_for(lock, std::chrono::milliseconds(500));
      if (stopping_ || !checkpointer_) break;
      lock.unlock();
      int wal_pages = 0, copied = 0;
      sqlite3_wal_checkpoint_v2(checkpointer_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_pages, &copied);
      std::error_code ec;
      std::filesystem::path wal = path_;
      wal += "-wal";
      if (std::filesystem::file_size(wal, ec) > (64u << 20) && !ec)
        sqlite3_wal_checkpoint_v2(checkpointer_->handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
      lock.lock();
    }
  }
  Result<void> commit() override { return writer_->exec("COMMIT"); }
  bool in_transaction() override { return writer_ && !sqlite3_get_autocommit(writer_->handle()); }
  Result<void> rollback() override {
    if (!writer_ || sqlite3_get_autocommit(writer_->handle())) return {};
    return writer_->exec("ROLLBACK");
  }

 private:
  static inline std::atomic<uint64_t> next_id_{1};
  std::filesystem::path path_;
  DatabaseOptions options_;
  std::unique_ptr<SqliteConnection> writer_;
  uint64_t id_;
  std::shared_ptr<ReaderPool> pool_ = std::make_shared<ReaderPool>();
  std::unique_ptr<SqliteConnection> checkpointer_;
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wake_;
  bool stopping_ = false;
  std::thread checkpoint_thread_;  // last: starts once the members above exist
};

}  // namespace
}  // namespace voqo::store::sqlite

namespace voqo::store {

namespace {

/// Makes the database file and its companions owner-only (issue 15 §8)
/// before SQLite opens them: the file is created here with mode 0600 (an
/// existing one is narrowed to 0600), because SQLite creates a new database
/// 0644 minus the umask but gives its -wal, -shm and -journal the database
/// file's own mode (os_unix.c findCreateFileMode/robust_open) whatever the
/// umask. Companions left by an older version or a crash are narrowed too.
/// ":memory:", "" (a temporary database) and "file:" URIs are left to SQLite.
Result<void> secure_database_files(const std::filesystem::path& path) {
  const std::string& p = path.native();
  if (p.empty() || p == ":memory:" || p.rfind("file:", 0) == 0) return {};
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    auto fd = open_private_file(path, O_RDWR);
    if (!fd) return std::unexpected(Error::database("cannot create database " + path.string() + ": " + fd.error().message));
    ::close(*fd);
  }
  // An existing file that cannot be narrowed (another owner, shared on
  // purpose through its group) still opens; it is said once in the log.
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::path file = path;
    file += suffix;
    if (auto narrowed = restrict_mode(file, kPrivateFileMode); !narrowed)
      spdlog::warn("database: {} (it stays readable by others)", narrowed.error().message);
    else if (*narrowed)
      spdlog::info("database: {} is now readable by its owner only (0600)", file.string());
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Database>> Database::open_sqlite(const std::filesystem::path& path,
                                                       DatabaseOptions options) {
  if (auto secured = secure_database_files(path); !secured) return std::unexpected(secured.error());
  DatabaseOptions writer_options = options;
  writer_options.cache_kib = options.writer_cache_kib;
  auto writer = sqlite::SqliteConnection::open(path, /*read_only=*/false, writer_options);
  if (!writer) return std::unexpected(writer.error());
  // Checkpoints run on their own connection and thread (SqliteDatabase::checkpoint_loop).
  if (auto r = (*writer)->exec("PRAGMA wal_autocheckpoint=0"); !r) return std::unexpected(r.error());
  auto checkpointer = sqlite::SqliteConnection::open(path, /*read_only=*/false, options);
  if (!checkpointer) return std::unexpected(checkpointer.error());
  return std::unique_ptr<Database>(
      new sqlite::SqliteDatabase(path, options, std::move(*writer), std::move(*checkpointer)));
}

}  // namespace voqo::store

#include "store/database.hpp"

namespace voqo::store {
namespace {
thread_local const Database* t_writing = nullptr;
}

Database::WriteScope::WriteScope(Database& d) : db(d) { t_writing = &d; }
Database::WriteScope::~WriteScope() { t_writing = nullptr; }
bool Database::in_write_on_this_thread() const { return t_writing == this; }

}  // namespace voqo::store

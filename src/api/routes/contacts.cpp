// Contacts (+ memories).
#include "api/rest_kit.hpp"

namespace voqo::api::rest {

void Api::contacts() {
  auto& contacts = st_.contacts();
  crud("/api/contacts", contacts, {.get = false});
  // GET one contact embeds its memories (newest first).
  get_with_children("/api/contacts", contacts, {{"memories", st_.memories(), "contact_id"}});
  nested("/api/contacts", contacts, "memories", "memoryId", st_.memories());
}

}  // namespace voqo::api::rest

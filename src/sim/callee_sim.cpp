// placeholder: replaced by the callee simulator

// The realtime hub: see hub.hpp.
#include "realtime/hub.hpp"

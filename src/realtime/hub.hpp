#pragma once
/// The realtime hub (issue 5). Placeholder until the hub lands.

// WorkerPool lanes and SerialQueue ordering: urgent work overtakes queued
// background work, a serial queue never runs two tasks at once or out of
// order, and an urgent task lifts the tasks queued ahead of it in its own
// queue (priority inheritance).
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/worker_pool.hpp"

namespace voqo {
namespace {

using namespace std::chrono_literals;

/// Holds the pool's only worker until release() so that what is posted
/// meanwhile queues up.
struct Gate {
  std::promise<void> open, started;
  std::shared_future<void> opened = open.get_future().share();
  void block(WorkerPool& pool) {
    auto running = started.get_future();
    pool.post([this] {
      started.set_value();
      opened.wait();
    });
    running.wait();
  }
  void release() { open.set_value(); }
};

struct Log {
  std::mutex m;
  std::vector<std::string> order;
  void add(std::string s) {
    std::lock_guard lock(m);
    order.push_back(std::move(s));
  }
};

TEST(WorkerPool, UrgentTasksRunBeforeQueuedNormalOnes) {
  WorkerPool pool(1, "test-lanes");
  Gate gate;
  gate.block(pool);
  Log log;
  for (int i = 0; i < 3; ++i) pool.post([&log, i] { log.add("n" + std::to_string(i)); });
  pool.post([&log] { log.add("u0"); }, Lane::urgent);
  pool.post([&log] { log.add("u1"); }, Lane::urgent);
  EXPECT_EQ(pool.queued(), 5u);
  gate.release();
  std::promise<void> done;
  pool.post([&done] { done.set_value(); });
  ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_EQ(log.order, (std::vector<std::string>{"u0", "u1", "n0", "n1", "n2"}));
}

TEST(WorkerPool, ASplitPoolRunsUrgentTasksOnItsOwnWorkersWhileBackgroundOnesAreBusy) {
  // Two workers: one urgent-only, one background at nice 5. The background
  // worker is held; an urgent task still runs at once, on a nice-0 thread.
  const int base = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  WorkerPool pool(2, "test-split", LaneSplit{.urgent_threads = 1, .background_nice = 5});
  Gate gate;
  gate.block(pool);  // a normal task: taken by the background worker
  int background_nice = -100;
  pool.post([&background_nice] { background_nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())); });
  std::promise<int> urgent_nice;
  pool.post([&urgent_nice] { urgent_nice.set_value(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()))); }, Lane::urgent);
  auto f = urgent_nice.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready) << "the urgent task waited for the background worker";
  EXPECT_EQ(f.get(), base);
  gate.release();
  std::promise<void> done;
  pool.post([&done] { done.set_value(); });
  ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_EQ(background_nice, std::min(base + 5, 19));
}

TEST(WorkerPool, ASplitPoolRunsEverythingQueuedBeforeItsDestructorReturns) {
  // A serial queue's task on a background worker queues an urgent one while
  // the pool is being destroyed (the urgent-only worker may be gone by then).
  std::atomic<int> ran{0};
  {
    WorkerPool pool(2, "test-split", LaneSplit{.urgent_threads = 1, .background_nice = 0});
    auto q = SerialQueue::create(pool);
    q->post([&ran, q] {
      std::this_thread::sleep_for(50ms);
      ++ran;
      q->post([&ran] { ++ran; }, Lane::urgent);
    });
  }
  EXPECT_EQ(ran.load(), 2);
}

TEST(SerialQueue, AnUrgentTaskLiftsWhatIsQueuedAheadOfItInItsQueue) {
  // Call A's recogniser has audio queued (normal) and then its end of turn
  // (urgent); call B has background work queued before both. A's two tasks
  // run first, in A's order; B's after.
  WorkerPool pool(1, "test-serial");
  Gate gate;
  gate.block(pool);
  auto a = SerialQueue::create(pool), b = SerialQueue::create(pool);
  Log log;
  b->post([&log] { log.add("b0"); });
  b->post([&log] { log.add("b1"); });
  a->post([&log] { log.add("a-audio"); });
  a->post([&log] { log.add("a-end-of-turn"); }, Lane::urgent);
  gate.release();
  std::promise<void> done;
  b->post([&done] { done.set_value(); });
  ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
  ASSERT_EQ(log.order.size(), 4u);
  EXPECT_EQ(log.order[0], "a-audio");
  EXPECT_EQ(log.order[1], "a-end-of-turn");
  EXPECT_EQ(log.order[2], "b0");
  EXPECT_EQ(log.order[3], "b1");
}

TEST(SerialQueue, MixedLanesFromManyThreadsNeverOverlapAndKeepOrder) {
  WorkerPool pool(4, "test-serial");
  auto q = SerialQueue::create(pool);
  std::atomic<int> running{0}, overlaps{0};
  std::mutex m;
  std::vector<std::vector<int>> seen(4);
  std::vector<std::thread> posters;
  constexpr int kEach = 2000;
  for (int t = 0; t < 4; ++t)
    posters.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i)
        q->post(
            [&, t, i] {
              if (running.fetch_add(1) != 0) overlaps.fetch_add(1);
              {
                std::lock_guard lock(m);
                seen[static_cast<std::size_t>(t)].push_back(i);
              }
              running.fetch_sub(1);
            },
            i % 7 == 0 ? Lane::urgent : Lane::normal);
    });
  for (auto& p : posters) p.join();
  std::promise<void> done;
  q->post([&done] { done.set_value(); });
  ASSERT_EQ(done.get_future().wait_for(30s), std::future_status::ready);
  EXPECT_EQ(overlaps.load(), 0);
  for (const auto& s : seen) {
    ASSERT_EQ(s.size(), static_cast<std::size_t>(kEach));
    for (int i = 0; i < kEach; ++i) ASSERT_EQ(s[static_cast<std::size_t>(i)], i) << "a poster's tasks ran out of order";
  }
}

}  // namespace
}  // namespace voqo

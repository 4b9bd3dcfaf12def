// The watermark behind EventFeed (event_feed.h), as pure logic over a port
// to the database, so that every case (gaps, proofs, timeouts, a source
// that cannot list transactions) is unit-tested without MySQL.
//
// The watermark W is the highest event id such that every id at or below it
// is committed or provably absent. One step reads the ids visible above W
// and moves W over those that follow it without a hole. A hole (W+1 missing
// while a higher id T is visible) is proven as follows. The id was taken by
// an INSERT before T's (ids are handed out in ascending order), so its
// transaction was open, and had already modified rows (Save writes the
// orders row before its events), when T was read. The source lists the
// read-write transactions open now (OpenWriters, a listing taken after the
// read); once none of those is open any more, every id at or below T is
// committed (visible to any new read) or rolled back (absent for good), and
// W moves to T. Without such a listing (no PROCESS privilege), or while a
// transaction stays open longer than the gap timeout, a hole older than the
// timeout is skipped and reported: an event committing later than that is
// not delivered (logged as an error by the caller, counted).
#pragma once

#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sslpanel::workflow::app {

// An event id a read saw, with the time its row says it was recorded.
struct VisibleId {
  int64_t id = 0;
  absl::Time recorded_at;
};

// What the follower reads; each call is a fresh read (sees every commit
// that happened before it began).
class CommitSource {
 public:
  virtual ~CommitSource() = default;
  // Committed event ids above `after`, ascending, at most `limit`.
  virtual absl::StatusOr<std::vector<VisibleId>> IdsAfter(int64_t after, int limit) = 0;
  // The highest committed event id, 0 when there is none.
  virtual absl::StatusOr<int64_t> MaxId() = 0;
  // The ids of the read-write transactions (those that modified rows) open
  // at some moment after this call began. nullopt: the only listing at hand
  // is older than the call (ask again later). PERMISSION_DENIED: this
  // source can never list them (the follower falls back to the timeout).
  virtual absl::StatusOr<std::optional<std::set<uint64_t>>> OpenWriters() = 0;
};

struct WatermarkOptions {
  // A hole older than this is skipped (reported) even if not proven.
  absl::Duration gap_timeout = absl::Minutes(3);
  // Ids read per step.
  int read_limit = 1000;
  // The start: the highest id at start is proven settled like a hole (the
  // writers open then must end). Without a listing of transactions, or when
  // that takes longer than start_timeout, the follower starts this many ids
  // below the highest instead, and treats the holes there as any other (their
  // age taken from the rows above them).
  int64_t start_window = 1000;
  absl::Duration start_timeout = absl::Seconds(10);
  // A hole is listed against the open transactions (OpenWriters: the server-
  // wide INNODB_TRX, contended across replicas) only once it is this old;
  // most holes close by their commit within milliseconds, before that.
  absl::Duration proof_delay = absl::ZeroDuration();
};

// A start that was not proven (no listing, or writers open past the start
// timeout): every id at or below `through` was taken as settled without
// proof, so an event with such an id whose transaction was still open then
// and commits later is never released.
struct UnprovenStart {
  int64_t through = 0;
  int64_t highest = 0;      // the highest id at the start
  bool could_list = false;  // false: no listing; true: the start timeout
  absl::Duration waited;
};

// Ids skipped without proof: [from, to], missing for `missing_for`.
struct SkippedGap {
  int64_t from = 0;
  int64_t to = 0;
  absl::Duration missing_for;
};

struct StepResult {
  int64_t watermark = 0;
  // A hole is open above the watermark (poll again soon).
  bool gap_open = false;
  // The read was full (read_limit ids) and moved the watermark: more ids
  // may be visible above it (read again soon).
  bool behind = false;
  std::vector<SkippedGap> skipped;
  // Set on the step that fell back at the start (report it).
  std::optional<UnprovenStart> unproven_start;
};

// Not thread-safe: one thread steps it.
class WatermarkFollower {
 public:
  WatermarkFollower(CommitSource& source, WatermarkOptions options)
      : source_(source), options_(options) {}

  // One round at `now`: the first establishes the start (the highest id,
  // proven when the source can list transactions), each then reads, moves
  // the watermark and works on the proof of an open hole. An error of the
  // source leaves the watermark where it was.
  absl::StatusOr<StepResult> Step(absl::Time now);

  int64_t watermark() const { return watermark_; }
  bool started() const { return started_; }
  // False once the source said it cannot list transactions.
  bool can_prove() const { return can_prove_; }

 private:
  struct Hole {
    int64_t to = 0;
    absl::Time since;  // the earliest it can have been missing from
  };
  struct Proof {
    int64_t bound = 0;           // every id at or below is settled once...
    std::set<uint64_t> writers;  // ...none of these is open any more
  };

  // Asks for a fresh listing; nullopt when there is none this round.
  std::optional<std::set<uint64_t>> Writers();
  // Whether none of `proof.writers` is open now (a fresh listing says so).
  bool Ended(const Proof& proof);
  absl::Status Start(absl::Time now, std::optional<UnprovenStart>& unproven);
  // Moves the watermark over the ids that follow it.
  void Advance(const std::vector<VisibleId>& ids);

  CommitSource& source_;
  const WatermarkOptions options_;
  bool started_ = false;
  bool can_prove_ = true;
  int64_t watermark_ = 0;
  // Holes seen above the watermark, by first id.
  std::map<int64_t, Hole> holes_;
  std::optional<Proof> proof_;
  // The start, while it is being proven.
  std::optional<int64_t> start_bound_;
  absl::Time start_since_;
  std::optional<Proof> start_proof_;
};

}  // namespace sslpanel::workflow::app

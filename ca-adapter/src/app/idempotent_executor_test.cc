#include "ca-adapter/src/app/idempotent_executor.h"

#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::ca::app {
namespace {

using ::testing::HasSubstr;

// The store's contract in memory, with the same take-over rules as MySQL.
class FakeStore final : public IdempotencyStore {
 public:
  absl::StatusOr<Claim> ClaimKey(const IdempotencyRecord& proposed, absl::Time now,
                                 absl::Duration lease) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = records_.find(proposed.key);
    if (it == records_.end()) {
      IdempotencyRecord record = proposed;
      record.state = RecordState::kInProgress;
      record.attempt = 1;
      record.lease_until = now + lease;
      records_[record.key] = record;
      return Claim{Claim::Kind::kNew, record};
    }
    IdempotencyRecord& record = it->second;
    if (record.state == RecordState::kInProgress && record.lease_until <= now &&
        record.operation == proposed.operation && record.fingerprint == proposed.fingerprint) {
      ++record.attempt;
      record.lease_until = now + lease;
      return Claim{Claim::Kind::kResumed, record};
    }
    return Claim{Claim::Kind::kExisting, record};
  }

  absl::StatusOr<Claim> ClaimForCancel(absl::string_view key, absl::string_view operation,
                                       absl::Time now, absl::Duration lease) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = records_.find(std::string(key));
    if (it == records_.end()) {
      IdempotencyRecord record;
      record.key = std::string(key);
      record.operation = std::string(operation);
      record.state = RecordState::kCancelled;
      records_[record.key] = record;
      return Claim{Claim::Kind::kTombstoned, record};
    }
    IdempotencyRecord& record = it->second;
    if (record.state == RecordState::kInProgress && record.lease_until <= now) {
      ++record.attempt;
      record.lease_until = now + lease;
      return Claim{Claim::Kind::kResumed, record};
    }
    return Claim{Claim::Kind::kExisting, record};
  }

  absl::Status Finish(const IdempotencyRecord& finished, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    IdempotencyRecord& record = records_.at(finished.key);
    if (record.attempt != finished.attempt || record.state != RecordState::kInProgress) {
      return absl::AbortedError("taken over");
    }
    record = finished;
    return absl::OkStatus();
  }

  absl::Status Release(absl::string_view key, int attempt, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    IdempotencyRecord& record = records_.at(std::string(key));
    if (record.attempt == attempt && record.state == RecordState::kInProgress) {
      record.lease_until = now;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<IdempotencyRecord>> Get(absl::string_view key) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = records_.find(std::string(key));
    if (it == records_.end()) {
      return std::optional<IdempotencyRecord>();
    }
    return std::optional<IdempotencyRecord>(it->second);
  }

 private:
  std::mutex mu_;
  std::map<std::string, IdempotencyRecord> records_;
};

class ExecutorTest : public ::testing::Test {
 protected:
  IdempotentRequest Request(const std::string& key, const std::string& fingerprint = "fp",
                            const std::string& operation = "SubmitOrder") {
    return {key, operation, fingerprint, "request-bytes"};
  }

  // An action that counts its runs and answers `answer`.
  IdempotentExecutor::Action Counting(absl::StatusOr<Answer> answer) {
    return [this, answer](const CallOptions& options) {
      ++runs_;
      last_options_ = options;
      return answer;
    };
  }

  FakeStore store_;
  FakeClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  IdempotentExecutor executor_{store_, clock_, absl::Seconds(90)};
  const absl::Time deadline_ = absl::FromUnixSeconds(1'800'000'060);
  int runs_ = 0;
  CallOptions last_options_;
};

TEST_F(ExecutorTest, RunsOnceAndReplaysTheStoredAnswer) {
  auto first = executor_.Run(Request("k"), deadline_, Counting(Answer{"answer-1", "order-1"}));
  auto second = executor_.Run(Request("k"), deadline_, Counting(Answer{"answer-2", "order-2"}));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, "answer-1");
  EXPECT_EQ(*second, "answer-1");
  EXPECT_EQ(runs_, 1);
  EXPECT_EQ(last_options_.deadline, deadline_);
  EXPECT_FALSE(last_options_.resumed);
}

TEST_F(ExecutorTest, SameKeyDifferentRequestIsAlreadyExists) {
  ASSERT_TRUE(executor_.Run(Request("k", "fp-1"), deadline_, Counting(Answer{"a", ""})).ok());
  auto other = executor_.Run(Request("k", "fp-2"), deadline_, Counting(Answer{"b", ""}));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  auto other_op =
      executor_.Run(Request("k", "fp-1", "CancelOrder"), deadline_, Counting(Answer{"b", ""}));
  EXPECT_EQ(other_op.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(runs_, 1);
}

TEST_F(ExecutorTest, DefinitiveErrorsAreReplayedRetryableOnesAreRetriedResumed) {
  auto refused = executor_.Run(Request("bad"), deadline_,
                               Counting(absl::FailedPreconditionError("order is issued")));
  auto replay = executor_.Run(Request("bad"), deadline_, Counting(Answer{"late", ""}));
  EXPECT_EQ(replay.status(), absl::FailedPreconditionError("order is issued"));
  EXPECT_EQ(runs_, 1);

  auto down =
      executor_.Run(Request("flaky"), deadline_, Counting(absl::UnavailableError("CA down")));
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable);
  auto retried = executor_.Run(Request("flaky"), deadline_, Counting(Answer{"ok", "o"}));
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(*retried, "ok");
  EXPECT_TRUE(last_options_.resumed) << "the backend must look for what the first try created";
  EXPECT_EQ(runs_, 3);
}

// The workflow retries everything but these four with the same key; an
// answer stored for any other code would make its retries replay a failure
// for ever (ca.proto, CaAdapterService).
TEST_F(ExecutorTest, OnlyTheFourFinalCodesAreStoredEveryOtherErrorIsRetriedResumed) {
  const absl::StatusCode kFinal[] = {
      absl::StatusCode::kInvalidArgument,
      absl::StatusCode::kFailedPrecondition,
      absl::StatusCode::kNotFound,
      absl::StatusCode::kOutOfRange,
  };
  const absl::StatusCode kRetried[] = {
      absl::StatusCode::kPermissionDenied,  absl::StatusCode::kUnimplemented,
      absl::StatusCode::kAlreadyExists,     absl::StatusCode::kUnauthenticated,
      absl::StatusCode::kUnavailable,       absl::StatusCode::kDeadlineExceeded,
      absl::StatusCode::kResourceExhausted, absl::StatusCode::kAborted,
      absl::StatusCode::kInternal,          absl::StatusCode::kUnknown,
      absl::StatusCode::kCancelled,         absl::StatusCode::kDataLoss,
  };
  for (absl::StatusCode code : kFinal) {
    const std::string key = absl::StrCat("final-", static_cast<int>(code));
    auto first = executor_.Run(Request(key), deadline_, Counting(absl::Status(code, "no")));
    EXPECT_EQ(first.status().code(), code);
    auto replay = executor_.Run(Request(key), deadline_, Counting(Answer{"late", "o"}));
    EXPECT_EQ(replay.status(), absl::Status(code, "no"))
        << absl::StatusCodeToString(code) << " is the key's answer";
  }
  for (absl::StatusCode code : kRetried) {
    const std::string key = absl::StrCat("retried-", static_cast<int>(code));
    auto first = executor_.Run(Request(key), deadline_, Counting(absl::Status(code, "no")));
    EXPECT_EQ(first.status().code(), code);
    auto retry = executor_.Run(Request(key), deadline_, Counting(Answer{"later", "o"}));
    ASSERT_TRUE(retry.ok()) << absl::StatusCodeToString(code) << " was stored: " << retry.status();
    EXPECT_EQ(*retry, "later");
    EXPECT_TRUE(last_options_.resumed);
  }
}

TEST_F(ExecutorTest, AConcurrentCallIsAbortedAndACrashedOneResumesAfterItsLease) {
  // A call that never finishes (the process died): its record stays leased.
  IdempotencyRecord crashed;
  crashed.key = "k";
  crashed.operation = "SubmitOrder";
  crashed.fingerprint = "fp";
  ASSERT_TRUE(store_.ClaimKey(crashed, clock_.Now(), absl::Seconds(90)).ok());
  auto during = executor_.Run(Request("k"), deadline_, Counting(Answer{"x", ""}));
  EXPECT_EQ(during.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(during.status().message(), HasSubstr("in progress"));
  clock_.Advance(absl::Seconds(91));
  auto after = executor_.Run(Request("k"), deadline_, Counting(Answer{"resumed", ""}));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, "resumed");
  EXPECT_TRUE(last_options_.resumed);
}

TEST_F(ExecutorTest, ASlowCallThatLostItsLeaseReturnsTheAnswerThatWon) {
  auto outer = executor_.Run(Request("k"), deadline_, [&](const CallOptions&) {
    // While this call is stuck, its lease ends and a replay takes over.
    clock_.Advance(absl::Seconds(91));
    auto inner = executor_.Run(Request("k"), deadline_, Counting(Answer{"winner", ""}));
    EXPECT_TRUE(inner.ok());
    return absl::StatusOr<Answer>(Answer{"loser", ""});
  });
  ASSERT_TRUE(outer.ok());
  EXPECT_EQ(*outer, "winner");
}

TEST_F(ExecutorTest, ResolveSubmitKeyTombstonesAnUnknownKey) {
  auto resolution = executor_.ResolveSubmitKey("s", {"SubmitOrder"}, deadline_, nullptr);
  ASSERT_TRUE(resolution.ok());
  EXPECT_TRUE(resolution->never_submitted);
  auto late = executor_.Run(Request("s"), deadline_, Counting(Answer{"order", "o"}));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(runs_, 0);
}

TEST_F(ExecutorTest, ResolveSubmitKeyReturnsTheSubmitAnswer) {
  ASSERT_TRUE(executor_.Run(Request("s"), deadline_, Counting(Answer{"submitted", "o"})).ok());
  auto resolution = executor_.ResolveSubmitKey("s", {"SubmitOrder"}, deadline_, nullptr);
  ASSERT_TRUE(resolution.ok());
  EXPECT_FALSE(resolution->never_submitted);
  EXPECT_EQ(resolution->response, "submitted");
}

TEST_F(ExecutorTest, ResolveSubmitKeyFindsWhatAnInterruptedSubmitCreated) {
  ASSERT_FALSE(
      executor_.Run(Request("s"), deadline_, Counting(absl::UnavailableError("lost"))).ok());
  CallOptions seen;
  auto resolution =
      executor_.ResolveSubmitKey("s", {"SubmitOrder"}, deadline_,
                                 [&](const std::string& operation, const std::string& serialized,
                                     const CallOptions& options) -> absl::StatusOr<Answer> {
                                   seen = options;
                                   EXPECT_EQ(operation, "SubmitOrder");
                                   EXPECT_EQ(serialized, "request-bytes");
                                   return Answer{"found", "o"};
                                 });
  ASSERT_TRUE(resolution.ok());
  EXPECT_EQ(resolution->response, "found");
  EXPECT_TRUE(seen.find_only && seen.resumed);
  auto replay = executor_.Run(Request("s"), deadline_, Counting(Answer{"new", "n"}));
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(*replay, "found");
}

TEST_F(ExecutorTest, ResolveSubmitKeyOfAnInterruptedSubmitThatCreatedNothing) {
  ASSERT_FALSE(
      executor_.Run(Request("s"), deadline_, Counting(absl::UnavailableError("down"))).ok());
  auto resolution = executor_.ResolveSubmitKey(
      "s", {"SubmitOrder"}, deadline_,
      [](const std::string&, const std::string&, const CallOptions&) -> absl::StatusOr<Answer> {
        return absl::NotFoundError("nothing");
      });
  ASSERT_TRUE(resolution.ok());
  EXPECT_TRUE(resolution->never_submitted);
  EXPECT_EQ(executor_.Run(Request("s"), deadline_, Counting(Answer{"x", ""})).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace sslpanel::ca::app

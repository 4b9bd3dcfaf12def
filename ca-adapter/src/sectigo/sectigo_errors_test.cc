#include "ca-adapter/src/sectigo/sectigo_errors.h"

#include <map>

#include "ca-adapter/src/domain/hold_signals.h"
#include "ca-adapter/src/domain/retry_after.h"
#include "gtest/gtest.h"

namespace sslpanel::ca::sectigo {
namespace {

constexpr Endpoint kAll[] = {Endpoint::kAutoApplySsl,           Endpoint::kCollectSsl,
                             Endpoint::kAutoReplaceSsl,         Endpoint::kAutoRevokeSsl,
                             Endpoint::kResendDcvEmail,         Endpoint::kAutoUpdateDcv,
                             Endpoint::kGetDcvEmailAddressList, Endpoint::kWebHostReport};

using H = Handling;

// Every documented code on every endpoint: the whole table, cell by cell.
// Codes absent from an endpoint's row are kRetry there (never final by a
// misreading).
const std::map<int, std::map<Endpoint, H>>& Table() {
  static const auto* table = new std::map<int, std::map<Endpoint, H>>{
      {-5, {{Endpoint::kAutoApplySsl, H::kInvalid}, {Endpoint::kAutoReplaceSsl, H::kInvalid}}},
      {-9, {{Endpoint::kAutoApplySsl, H::kInvalid}, {Endpoint::kAutoReplaceSsl, H::kInvalid}}},
      {-13, {{Endpoint::kAutoApplySsl, H::kInvalid}, {Endpoint::kAutoReplaceSsl, H::kInvalid}}},
      {-18, {{Endpoint::kAutoApplySsl, H::kInvalid}, {Endpoint::kAutoReplaceSsl, H::kInvalid}}},
      {-19, {{Endpoint::kAutoApplySsl, H::kInvalid}, {Endpoint::kAutoReplaceSsl, H::kInvalid}}},
      {-20,
       {{Endpoint::kCollectSsl, H::kRejected},
        {Endpoint::kAutoReplaceSsl, H::kPrecondition},
        {Endpoint::kAutoRevokeSsl, H::kAlreadyDone},
        {Endpoint::kResendDcvEmail, H::kPrecondition},
        {Endpoint::kAutoUpdateDcv, H::kPrecondition}}},
      {-21,
       {{Endpoint::kCollectSsl, H::kRevoked},
        {Endpoint::kAutoReplaceSsl, H::kPrecondition},
        {Endpoint::kAutoRevokeSsl, H::kAlreadyDone},
        {Endpoint::kResendDcvEmail, H::kPrecondition},
        {Endpoint::kAutoUpdateDcv, H::kPrecondition}}},
      {-22, {{Endpoint::kAutoApplySsl, H::kAccount}, {Endpoint::kCollectSsl, H::kAccount}}},
      {-23,
       {{Endpoint::kCollectSsl, H::kBeingIssued},
        {Endpoint::kAutoReplaceSsl, H::kBeingIssued},
        {Endpoint::kAutoRevokeSsl, H::kBeingIssued},
        {Endpoint::kResendDcvEmail, H::kPrecondition},
        {Endpoint::kAutoUpdateDcv, H::kPrecondition}}},
      {-26,
       {{Endpoint::kCollectSsl, H::kBeingIssued},
        {Endpoint::kAutoReplaceSsl, H::kBeingIssued},
        {Endpoint::kAutoRevokeSsl, H::kBeingIssued},
        {Endpoint::kResendDcvEmail, H::kPrecondition},
        {Endpoint::kAutoUpdateDcv, H::kPrecondition}}},
      // The same number, three meanings.
      {-35,
       {{Endpoint::kAutoApplySsl, H::kInvalid},
        {Endpoint::kAutoReplaceSsl, H::kPrecondition},
        {Endpoint::kAutoRevokeSsl, H::kPrecondition},
        {Endpoint::kResendDcvEmail, H::kPrecondition},
        {Endpoint::kAutoUpdateDcv, H::kPrecondition}}},
      {-36,
       {{Endpoint::kAutoReplaceSsl, H::kPrecondition},
        {Endpoint::kResendDcvEmail, H::kPrecondition},
        {Endpoint::kAutoUpdateDcv, H::kPrecondition}}},
      {-40, {{Endpoint::kAutoApplySsl, H::kInvalid}, {Endpoint::kAutoReplaceSsl, H::kInvalid}}},
      {-43, {}},
      {-47, {{Endpoint::kResendDcvEmail, H::kInvalid}, {Endpoint::kAutoUpdateDcv, H::kInvalid}}},
      {-115, {{Endpoint::kAutoApplySsl, H::kInvalid}}},
      {-160,
       {{Endpoint::kAutoApplySsl, H::kInvalid},
        {Endpoint::kAutoReplaceSsl, H::kInvalid},
        {Endpoint::kAutoRevokeSsl, H::kPrecondition},
        {Endpoint::kResendDcvEmail, H::kPrecondition},
        {Endpoint::kAutoUpdateDcv, H::kPrecondition}}},
      {-162, {{Endpoint::kAutoApplySsl, H::kInvalid}, {Endpoint::kAutoReplaceSsl, H::kInvalid}}},
      {-999, {}},
  };
  return *table;
}

TEST(Classify, CodesMeaningTheSameEverywhere) {
  const std::map<int, H> common = {{-1, H::kAdapterBug},  {-17, H::kAdapterBug}, {-2, H::kInvalid},
                                   {-3, H::kInvalid},     {-4, H::kInvalid},     {-14, H::kRetry},
                                   {-15, H::kAccount},    {-16, H::kAccount},    {-91, H::kAccount},
                                   {-42, H::kRateLimited}};
  for (Endpoint endpoint : kAll) {
    for (const auto& [code, handling] : common) {
      EXPECT_EQ(Classify(endpoint, code), handling)
          << EndpointName(endpoint) << " " << code << " gave "
          << HandlingName(Classify(endpoint, code));
    }
  }
}

TEST(Classify, PerEndpointTable) {
  for (const auto& [code, row] : Table()) {
    for (Endpoint endpoint : kAll) {
      auto cell = row.find(endpoint);
      const H expected = cell == row.end() ? H::kRetry : cell->second;
      EXPECT_EQ(Classify(endpoint, code), expected)
          << EndpointName(endpoint) << " " << code << " gave "
          << HandlingName(Classify(endpoint, code)) << ", want " << HandlingName(expected);
    }
  }
}

TEST(ErrorStatus, OneStatusPerHandlingWithTheCasMessage) {
  const absl::Duration backoff = absl::Minutes(5);
  absl::Status invalid = ErrorStatus(Endpoint::kAutoApplySsl, -9, "bad CSR signature", backoff);
  EXPECT_EQ(invalid.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(invalid.message().find("bad CSR signature"), absl::string_view::npos);
  EXPECT_NE(invalid.message().find("AutoApplySSL"), absl::string_view::npos);

  absl::Status account = ErrorStatus(Endpoint::kAutoApplySsl, -15, "not enough credit", backoff);
  EXPECT_EQ(account.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(domain::HoldSignal(account, domain::kAccountProblemKey).has_value());

  absl::Status limited = ErrorStatus(Endpoint::kCollectSsl, -42, "limit", backoff);
  EXPECT_EQ(limited.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(domain::RetryAfter(limited), backoff);

  absl::Status issuing =
      ErrorStatus(Endpoint::kAutoRevokeSsl, -26, "being issued", absl::Seconds(60));
  EXPECT_EQ(issuing.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(domain::RetryAfter(issuing), absl::Seconds(60));

  EXPECT_EQ(ErrorStatus(Endpoint::kAutoReplaceSsl, -36, "expired", backoff).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorStatus(Endpoint::kAutoApplySsl, -14, "unknown", backoff).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrorStatus(Endpoint::kAutoApplySsl, -17, "GET", backoff).code(),
            absl::StatusCode::kInternal);
}

TEST(RefusalCreatedNothing, OnlyClassifiedRefusals) {
  EXPECT_TRUE(RefusalCreatedNothing(Endpoint::kAutoApplySsl, -4));
  EXPECT_TRUE(RefusalCreatedNothing(Endpoint::kAutoApplySsl, -42));
  EXPECT_TRUE(RefusalCreatedNothing(Endpoint::kAutoApplySsl, -15));
  EXPECT_FALSE(RefusalCreatedNothing(Endpoint::kAutoApplySsl, -14));
  EXPECT_FALSE(RefusalCreatedNothing(Endpoint::kAutoApplySsl, -999));
}

TEST(IsForeignOrderNumberTaken, ReadsTheMessage) {
  EXPECT_TRUE(IsForeignOrderNumberTaken(-4, "The value of 'foreignOrderNumber' is not unique!"));
  EXPECT_TRUE(IsForeignOrderNumberTaken(-3, "foreignOrderNumber already used"));
  EXPECT_FALSE(IsForeignOrderNumberTaken(-4, "The value of 'product' is invalid!"));
  EXPECT_FALSE(IsForeignOrderNumberTaken(0, "foreignOrderNumber not unique"));
}

}  // namespace
}  // namespace sslpanel::ca::sectigo

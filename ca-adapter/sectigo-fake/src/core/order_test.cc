// The state machine's decisions, as tables over every state.
#include "ca-adapter/sectigo-fake/src/core/order.h"

#include "gtest/gtest.h"

namespace sslpanel::sectigo_fake {
namespace {

constexpr CertState kAll[] = {CertState::kAwaitingValidation, CertState::kIssued,
                              CertState::kRejected, CertState::kRevoked, CertState::kReplaced};
using S = CertState;
using Next = std::optional<CertState>;

TEST(SectigoFakeOrderTest, RevokeRejectsBeforeIssueAndRevokesAfter) {
  struct Row {
    CertState state;
    RevokeCall call;
    int code;
    Next next;
  };
  const Row rows[] = {
      {S::kAwaitingValidation, RevokeCall::kAutoRevokeSsl, 0, S::kRejected},
      {S::kIssued, RevokeCall::kAutoRevokeSsl, 0, S::kRevoked},
      {S::kReplaced, RevokeCall::kAutoRevokeSsl, 0, S::kRevoked},
      {S::kRejected, RevokeCall::kAutoRevokeSsl, -20, std::nullopt},
      {S::kRevoked, RevokeCall::kAutoRevokeSsl, -21, std::nullopt},
      {S::kAwaitingValidation, RevokeCall::kRevokeCertificateCrl, 0, S::kRejected},
      {S::kIssued, RevokeCall::kRevokeCertificateCrl, 0, S::kRevoked},
      {S::kReplaced, RevokeCall::kRevokeCertificateCrl, 0, S::kRevoked},
      {S::kRejected, RevokeCall::kRevokeCertificateCrl, -20, std::nullopt},
      {S::kRevoked, RevokeCall::kRevokeCertificateCrl, -21, std::nullopt},
      {S::kAwaitingValidation, RevokeCall::kRevokeCertificateNoCrl, 0, S::kRejected},
      {S::kIssued, RevokeCall::kRevokeCertificateNoCrl, 0, S::kReplaced},
      {S::kReplaced, RevokeCall::kRevokeCertificateNoCrl, 0, std::nullopt},
      {S::kRejected, RevokeCall::kRevokeCertificateNoCrl, -20, std::nullopt},
      {S::kRevoked, RevokeCall::kRevokeCertificateNoCrl, -21, std::nullopt},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(CertStateName(row.state)) + " call " +
                 std::to_string(static_cast<int>(row.call)));
    Decision decision = DecideRevoke(row.state, row.call, /*test=*/false);
    EXPECT_EQ(decision.code, row.code);
    EXPECT_EQ(decision.next, row.next);
    EXPECT_EQ(decision.message.empty(), row.code >= 0);
    // test=Y answers the same and never moves.
    Decision test = DecideRevoke(row.state, row.call, /*test=*/true);
    EXPECT_EQ(test.code, row.code);
    EXPECT_EQ(test.next, std::nullopt);
  }
}

TEST(SectigoFakeOrderTest, CollectCodes) {
  struct Row {
    CertState state;
    int code_status_only;  // queryType 0
    int code_with_files;   // queryType 1..3
  };
  const Row rows[] = {
      {S::kAwaitingValidation, 0, 0}, {S::kIssued, 1, 2},      {S::kReplaced, 1, 2},
      {S::kRejected, -20, -20},       {S::kRevoked, -21, -21},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(CertStateName(row.state));
    EXPECT_EQ(DecideCollect(row.state, false, 0).code, row.code_status_only);
    for (int query_type : {1, 2, 3}) {
      EXPECT_EQ(DecideCollect(row.state, false, query_type).code, row.code_with_files);
    }
    EXPECT_EQ(DecideCollect(row.state, /*account_unpaid=*/true, 1).code, -22);
    EXPECT_EQ(DecideCollect(row.state, false, 1).next, std::nullopt);
  }
}

TEST(SectigoFakeOrderTest, ReplaceOnlyAnIssuedUnexpiredCertificate) {
  struct Row {
    CertState state;
    bool expired;
    int code;
  };
  const Row rows[] = {
      {S::kIssued, false, 0},     {S::kIssued, true, -36},   {S::kAwaitingValidation, false, -26},
      {S::kRejected, false, -20}, {S::kRevoked, false, -21}, {S::kReplaced, false, -21},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(CertStateName(row.state));
    EXPECT_EQ(DecideReplace(row.state, row.expired).code, row.code);
  }
}

TEST(SectigoFakeOrderTest, DcvChangesOnlyWhileAwaitingValidation) {
  for (CertState state : kAll) {
    SCOPED_TRACE(CertStateName(state));
    EXPECT_EQ(DecideDcvChange(state).code, state == S::kAwaitingValidation ? 0 : -160);
  }
}

TEST(SectigoFakeOrderTest, EveryStateHasAName) {
  for (CertState state : kAll) {
    EXPECT_STRNE(CertStateName(state), "");
  }
}

TEST(SectigoFakeOrderTest, AllValidatedNeedsEveryName) {
  Certificate certificate;
  certificate.dcv = {{"a.example", DcvMethod::kCname, "", true},
                     {"b.example", DcvMethod::kHttp, "", false}};
  EXPECT_FALSE(AllValidated(certificate));
  certificate.dcv[1].validated = true;
  EXPECT_TRUE(AllValidated(certificate));
}

}  // namespace
}  // namespace sslpanel::sectigo_fake

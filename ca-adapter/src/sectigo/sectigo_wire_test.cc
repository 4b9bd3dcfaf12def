#include "ca-adapter/src/sectigo/sectigo_wire.h"

#include "ca-adapter/src/sectigo/sectigo_replies.h"
#include "gtest/gtest.h"

namespace sslpanel::ca::sectigo {
namespace {

Reply Parse(absl::string_view body) {
  absl::StatusOr<Reply> reply = ParseReply(body);
  EXPECT_TRUE(reply.ok()) << reply.status() << " for " << body;
  return reply.ok() ? *reply : Reply();
}

TEST(ParseReply, ReadsTheNewlineFormat) {
  Reply ok = Parse("0\n7654321\n49.00\n1\nQx7Lm2Pz\n");
  EXPECT_FALSE(ok.url_encoded);
  EXPECT_EQ(ok.error_code, 0);
  EXPECT_EQ(ok.lines.front(), "7654321");
  Reply error = Parse("-3\r\nThe 'csr' argument is missing!\r\n");
  EXPECT_EQ(error.error_code, -3);
  EXPECT_EQ(error.error_message, "The 'csr' argument is missing!");
}

TEST(ParseReply, ReadsTheUrlEncodedFormatWithRepeatedKeysAndAnyCase) {
  Reply error = Parse("errorCode=-3&errorMessage=The+%27x%27+argument+is+missing%21");
  EXPECT_TRUE(error.url_encoded);
  EXPECT_EQ(error.error_code, -3);
  EXPECT_EQ(error.error_message, "The 'x' argument is missing!");
  Reply ok = Parse("ErrorCode=2&caCertificate=AAA&CACERTIFICATE=BBB&certificate=CCC\n");
  EXPECT_EQ(ok.error_code, 2);
  EXPECT_EQ(ok.GetAll("caCertificate"), (std::vector<std::string>{"AAA", "BBB"}));
  EXPECT_EQ(ok.Get("Certificate"), "CCC");
}

TEST(ParseReply, RefusesEmptyAndGarbledBodies) {
  EXPECT_FALSE(ParseReply("").ok());
  EXPECT_FALSE(ParseReply("  \n").ok());
  EXPECT_FALSE(ParseReply("<html>502 Bad Gateway</html>").ok());
  EXPECT_FALSE(ParseReply("errorCode=abc").ok());
  EXPECT_FALSE(ParseReply("orderNumber=5").ok());
}

TEST(EncodeForm, PercentEncodesEverythingButUnreservedCharacters) {
  EXPECT_EQ(EncodeForm({{"a b", "x+y&z=1"}, {"csr", "-----BEGIN\n"}}),
            "a%20b=x%2By%26z%3D1&csr=-----BEGIN%0A");
  EXPECT_EQ(RedactedForm({{"loginName", "me"}, {"loginPassword", "secret"}}, {"loginpassword"}),
            "loginName=me&loginPassword=%2A%2A%2A");
}

TEST(ReadApply, ReadsBothFormats) {
  absl::StatusOr<ApplyResult> newline =
      ReadApply(Parse("0\n7654321\n49.00\n1\n12345678\nqx7lm2pz"));
  ASSERT_TRUE(newline.ok());
  EXPECT_EQ(newline->order_number, "7654321");
  EXPECT_EQ(newline->certificate_id, "12345678");
  EXPECT_EQ(newline->unique_value, "qx7lm2pz");
  absl::StatusOr<ApplyResult> minimal = ReadApply(Parse("1\n7654321\n0.00\n1\nQx7Lm2Pz"));
  ASSERT_TRUE(minimal.ok());
  EXPECT_EQ(minimal->certificate_id, "");
  absl::StatusOr<ApplyResult> encoded = ReadApply(
      Parse("errorCode=0&orderNumber=7654321&totalCost=49.00&certificateID=99&uniqueValue=abc"));
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(encoded->order_number, "7654321");
  EXPECT_EQ(encoded->certificate_id, "99");
  EXPECT_FALSE(ReadApply(Parse("errorCode=0&totalCost=1")).ok());
}

TEST(ReadReplace, ReadsTheCertificateId) {
  EXPECT_EQ(
      ReadReplace(Parse("errorCode=0&certificateID=4242&expectedDeliveryTime=1"))->certificate_id,
      "4242");
  EXPECT_EQ(ReadReplace(Parse("0\n4242"))->certificate_id, "4242");
  EXPECT_FALSE(ReadReplace(Parse("errorCode=0")).ok());
}

constexpr char kPem[] = "-----BEGIN CERTIFICATE-----\nMIIBAA==\n-----END CERTIFICATE-----\n";

TEST(ReadCollect, ReadsStatusTimesAndCertificatesInBothFormats) {
  absl::StatusOr<CollectResult> pending =
      ReadCollect(Parse("errorCode=0&certificateStatus=Awaiting+Validation&dcvStatus=0"));
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->RawStatus(), "Awaiting Validation");
  EXPECT_TRUE(pending->certificate_pem.empty());
  absl::StatusOr<CollectResult> issued = ReadCollect(
      Parse("errorCode=2&notBefore=1700000000&notAfter=1731536000&certificate=MIIBAA%3D%3D"
            "&caCertificate=MIIBAA%3D%3D&caCertificate=" +
            std::string("-----BEGIN+CERTIFICATE-----%0AMIIBAA%3D%3D%0A-----END+CERTIFICATE-----")));
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(issued->certificate_pem, kPem);
  EXPECT_EQ(issued->chain_pems.size(), 2u);
  EXPECT_EQ(*issued->not_before, 1700000000);
  EXPECT_EQ(issued->RawStatus(), "issued");
  absl::StatusOr<CollectResult> newline =
      ReadCollect(Parse(std::string("2\n1700000000\n1731536000\n") + kPem + kPem));
  ASSERT_TRUE(newline.ok());
  EXPECT_EQ(newline->certificate_pem, kPem);
  EXPECT_EQ(newline->chain_pems.size(), 1u);
  EXPECT_EQ(*newline->not_after, 1731536000);
  EXPECT_FALSE(ReadCollect(Parse("errorCode=2")).ok());
}

TEST(ReadApproverEmails, ReadsTextAndUrlEncodedLists) {
  EXPECT_EQ(ReadApproverEmails(Parse("0\ndomain_name\texample.nl\nwhois_email\tOwner@Example.nl\n"
                                     "level2_email\tadmin@example.nl\nlevel2_email\t"
                                     "admin@example.nl\n")),
            (std::vector<std::string>{"owner@example.nl", "admin@example.nl"}));
  EXPECT_EQ(ReadApproverEmails(Parse("errorCode=0&level2_email=webmaster%40example.nl")),
            (std::vector<std::string>{"webmaster@example.nl"}));
}

TEST(ReadWebHostReport, ReadsIndexedRowsAndSaysWhenTheyCannotBeMatched) {
  absl::StatusOr<ReportResult> report = ReadWebHostReport(
      Parse("errorCode=0&noOfResults=2&1_orderNumber=11&1_uniqueValue=aaa&1_certificateID=5"
            "&2_orderNumber=12&2_foreignOrderNumber=sslpanel-x&2_commonName=a.nl"));
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->rows.size(), 2u);
  EXPECT_TRUE(report->matchable);
  EXPECT_EQ(report->total, 2);
  EXPECT_EQ(report->rows[0].unique_value, "aaa");
  EXPECT_EQ(report->rows[0].certificate_id, "5");
  EXPECT_EQ(report->rows[1].foreign_order_number, "sslpanel-x");
  absl::StatusOr<ReportResult> suffixed =
      ReadWebHostReport(Parse("errorCode=0&orderNumber_1=11&uniqueValue_1=aaa"));
  ASSERT_TRUE(suffixed.ok());
  EXPECT_EQ(suffixed->rows.at(0).order_number, "11");
  EXPECT_FALSE(ReadWebHostReport(Parse("errorCode=0&1_orderNumber=11&1_fqdn=a.nl"))->matchable);
  EXPECT_TRUE(ReadWebHostReport(Parse("errorCode=0&noOfResults=0"))->rows.empty());
  EXPECT_FALSE(ReadWebHostReport(Parse("0\n11\ta.nl"))->matchable);
}

}  // namespace
}  // namespace sslpanel::ca::sectigo

#include "grpc/service_test_stack.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace sslpanel::prevalidation::grpc {

std::string Testdata(const std::string& relative) {
  return std::string(SSLPANEL_PREVALIDATION_TESTDATA) + "/" + relative;
}

std::string Read(const std::string& relative) {
  std::ifstream in(Testdata(relative));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Stack::Stack(const StackOptions& options, const Clock& clock)
    : kvk_({options.kvk_base_url, "test-key", options.source_timeout}, http::NewCurlClient({})),
      rdap_({options.rdap_base_url, options.source_timeout}, http::NewCurlClient({})),
      cached_kvk_(kvk_, clock, absl::Minutes(5)),
      cached_rdap_(rdap_, clock, absl::Minutes(5)),
      phones_(*clients::FilePhoneDirectory::Load(Testdata("phone_directory.json"))),
      prevalidator_(cached_kvk_, cached_rdap_, phones_.get(), clock),
      service_(prevalidator_, clock) {
  grpc_util::ServerConfig config;
  config.listen_address = "127.0.0.1:0";
  config.shutdown_grace = absl::Seconds(1);
  auto host = grpc_util::ServerHost::Start(
      config, {{&service_, "sslpanel.prevalidation.v1.PrevalidationService"}});
  EXPECT_TRUE(host.ok()) << host.status();
  host_ = *std::move(host);
  stub_ = v1::PrevalidationService::NewStub(::grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", host_->port()), ::grpc::InsecureChannelCredentials()));
}

::grpc::Status Stack::Prevalidate(const v1::PrevalidateRequest& request,
                                  v1::PrevalidationReport* out) {
  ::grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::PrevalidateResponse response;
  ::grpc::Status status = stub_->Prevalidate(&context, request, &response);
  *out = response.report();
  return status;
}

v1::PrevalidateRequest DonaldRequest() {
  v1::PrevalidateRequest request;
  request.set_validation_type(v1::VALIDATION_TYPE_OV);
  request.set_common_name("www.testbvdonald.nl");
  request.add_additional_names("testbvdonald.nl");
  v1::Organization* organization = request.mutable_organization();
  organization->set_legal_name("Test BV Donald");
  organization->set_kvk_number("68750110");
  organization->set_street("Hizzaarderlaan");
  organization->set_house_number("3");
  organization->set_house_number_addition("a");
  organization->set_postcode("8823 sj");
  organization->set_city("Lollum");
  organization->set_country_code("NL");
  organization->set_phone("+31 58 123 4567");
  request.set_csr(Read("csr/testbvdonald.csr.pem"));
  return request;
}

const v1::CheckResult& Check(const v1::PrevalidationReport& report, const std::string& code) {
  for (const v1::CheckResult& check : report.checks()) {
    if (check.code() == code) {
      return check;
    }
  }
  static const v1::CheckResult* missing = new v1::CheckResult();
  ADD_FAILURE() << "no check " << code << " in " << report.DebugString();
  return *missing;
}

std::set<std::string> NotPassing(const v1::PrevalidationReport& report) {
  std::set<std::string> codes;
  for (const v1::CheckResult& check : report.checks()) {
    if (check.outcome() != v1::CHECK_OUTCOME_PASS) {
      codes.insert(check.code());
    }
  }
  return codes;
}

void PrevalidationServiceTest::SetUp() {
  fake::FakeRegistriesOptions options;
  options.testdata_dir = SSLPANEL_PREVALIDATION_TESTDATA;
  options.kvk_api_key = "test-key";
  auto started = fake::FakeRegistries::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  fake_ = *std::move(started);
  stack_ =
      std::make_unique<Stack>(StackOptions{fake_->kvk_base_url(), fake_->rdap_base_url()}, clock_);
}

}  // namespace sslpanel::prevalidation::grpc

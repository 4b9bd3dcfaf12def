#include "bench/src/requests.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/testing/csr.h"
#include "sslpanel/bench/v1/echo.pb.h"
#include "sslpanel/workflow/v1/workflow.pb.h"

namespace sslpanel::bench {

namespace wf = ::sslpanel::workflow::v1;

grpc::ByteBuffer Serialize(const google::protobuf::Message& message) {
  const std::string bytes = message.SerializeAsString();
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

bool Parse(const grpc::ByteBuffer& buffer, google::protobuf::Message* message) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) {
    return false;
  }
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return message->ParseFromString(bytes);
}

grpc::ByteBuffer EchoRequest(int payload_bytes) {
  v1::EchoRequest request;
  request.set_payload(std::string(static_cast<size_t>(payload_bytes), 'x'));
  return Serialize(request);
}

std::vector<grpc::ByteBuffer> GetOrderRequests(const std::vector<int64_t>& order_ids) {
  std::vector<grpc::ByteBuffer> requests;
  requests.reserve(order_ids.size());
  for (int64_t id : order_ids) {
    wf::GetOrderRequest request;
    request.set_order_id(absl::StrCat(id));
    requests.push_back(Serialize(request));
  }
  return requests;
}

CreateOrderRequests::CreateOrderRequests(std::string prefix, std::string product)
    : prefix_(std::move(prefix)),
      product_(std::move(product)),
      common_name_("www.bench.example.com"),
      csr_(testing::MakeCsr(common_name_, {common_name_})) {}

grpc::ByteBuffer CreateOrderRequests::operator()(int64_t seq) const {
  wf::CreateOrderRequest request;
  request.set_request_id(absl::StrCat("create-", prefix_, "-", seq));
  request.set_external_order_id(absl::StrCat(prefix_, "-", seq));
  request.set_product_id(product_);
  request.set_period_months(1);
  request.set_common_name(common_name_);
  request.set_csr(csr_);
  request.set_dcv_method(wf::DCV_METHOD_DNS);
  request.set_actor("bench:billing");
  return Serialize(request);
}

int64_t CreatedOrderId(const grpc::ByteBuffer& response) {
  wf::CreateOrderResponse parsed;
  int64_t id = 0;
  if (Parse(response, &parsed)) {
    (void)absl::SimpleAtoi(parsed.order().order_id(), &id);
  }
  return id;
}

}  // namespace sslpanel::bench

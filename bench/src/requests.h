// Requests the benchmarks send, serialised once or per call into the
// ByteBuffers the load generator takes.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "google/protobuf/message.h"

namespace sslpanel::bench {

inline constexpr char kEchoMethod[] = "/sslpanel.bench.v1.EchoService/Echo";
inline constexpr char kGetOrderMethod[] = "/sslpanel.workflow.v1.WorkflowService/GetOrder";
inline constexpr char kCreateOrderMethod[] = "/sslpanel.workflow.v1.WorkflowService/CreateOrder";

grpc::ByteBuffer Serialize(const google::protobuf::Message& message);
bool Parse(const grpc::ByteBuffer& buffer, google::protobuf::Message* message);

// An EchoRequest with `payload_bytes` bytes.
grpc::ByteBuffer EchoRequest(int payload_bytes);

// GetOrderRequests for each of `order_ids`, serialised once.
std::vector<grpc::ByteBuffer> GetOrderRequests(const std::vector<int64_t>& order_ids);

// Makes CreateOrder requests for sandbox DV orders: unique request and
// external order ids from `prefix` and the call number, one CSR made once.
class CreateOrderRequests {
 public:
  explicit CreateOrderRequests(std::string prefix, std::string product = "sandbox-dv");
  grpc::ByteBuffer operator()(int64_t seq) const;

 private:
  std::string prefix_;
  std::string product_;
  std::string common_name_;
  std::string csr_;
};

// The order id in a CreateOrderResponse; 0 when it has none.
int64_t CreatedOrderId(const grpc::ByteBuffer& response);

}  // namespace sslpanel::bench

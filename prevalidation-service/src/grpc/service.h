// The gRPC face of the prevalidation use case: decode, run, encode, and map
// errors in the one shared way (common/grpc/status.h).
#pragma once

#include "app/prevalidator.h"
#include "common/time/clock.h"
#include "sslpanel/prevalidation/v1/prevalidation.grpc.pb.h"

namespace sslpanel::prevalidation::grpc {

class PrevalidationServiceImpl final
    : public sslpanel::prevalidation::v1::PrevalidationService::Service {
 public:
  // `clock` times calls for the log.
  PrevalidationServiceImpl(const app::Prevalidator& prevalidator, const Clock& clock)
      : prevalidator_(prevalidator), clock_(clock) {}

  ::grpc::Status Prevalidate(::grpc::ServerContext* context,
                             const sslpanel::prevalidation::v1::PrevalidateRequest* request,
                             sslpanel::prevalidation::v1::PrevalidateResponse* response) override;

 private:
  const app::Prevalidator& prevalidator_;
  const Clock& clock_;
};

}  // namespace sslpanel::prevalidation::grpc

// The v1 enums of the workflow's domain enums and back, for the conversions
// (convert.cc, convert_input.cc). Internal to the gRPC layer.
#pragma once

#include "sslpanel/workflow/v1/workflow.pb.h"
#include "workflow-service/src/domain/model.h"

namespace sslpanel::workflow::grpc_api {

namespace v1 = ::sslpanel::workflow::v1;

v1::CertificateStatus ToProto(domain::CertificateStatus s);
v1::PendingOperation ToProto(domain::PendingOperation p);
v1::HoldReason ToProto(domain::HoldReason h);
v1::CertificateKind ToProto(domain::CertificateKind k);
v1::ResellerCode ToProto(domain::ResellerCode c);
v1::ValidationType ToProto(domain::ValidationType t);
v1::DcvMethod ToProto(domain::DcvMethod m);
v1::Action ToProto(domain::Action a);

}  // namespace sslpanel::workflow::grpc_api

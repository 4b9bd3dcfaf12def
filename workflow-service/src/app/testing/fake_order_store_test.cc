// The fakes against the contract the MySQL implementations also pass.
#include "workflow-service/src/app/testing/fake_order_store.h"

#include "workflow-service/src/app/testing/order_store_contract.h"

namespace sslpanel::workflow::app::testing {
namespace {

class FakeBackend {
 public:
  absl::Status Open() { return absl::OkStatus(); }
  OrderRepository& repo() { return repo_; }
  WorkQueue& queue() { return queue_; }

 private:
  FakeOrderRepository repo_;
  FakeWorkQueue queue_{repo_};
};

INSTANTIATE_TYPED_TEST_SUITE_P(Fake, OrderStoreContract, FakeBackend);

}  // namespace
}  // namespace sslpanel::workflow::app::testing

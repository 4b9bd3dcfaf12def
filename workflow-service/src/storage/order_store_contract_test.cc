// The MySQL repository and work queue against the contract the in-memory
// fakes (app/testing) also pass.
#include "workflow-service/src/app/testing/order_store_contract.h"
#include "workflow-service/src/storage/mysql_test_store.h"

namespace sslpanel::workflow::app::testing {
INSTANTIATE_TYPED_TEST_SUITE_P(Mysql, OrderStoreContract, storage::MysqlTestStore);
}  // namespace sslpanel::workflow::app::testing

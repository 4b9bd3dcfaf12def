// The processor's tests on the in-memory fakes.
#include "workflow-service/src/app/testing/fake_order_store.h"
#include "workflow-service/src/app/testing/processor_backend.h"

namespace sslpanel::workflow::app::testing {
namespace {

class FakeBackend final : public ProcessorBackend {
 public:
  absl::Status Open() override { return absl::OkStatus(); }
  OrderRepository& repo() override { return repo_; }
  WorkQueue& queue() override { return queue_; }

  int64_t OutboxRows(const std::string& kind, const std::string& status) override {
    int64_t count = 0;
    for (const FakeOutboxRow& row : repo_.OutboxRows()) {
      count += Matches(row, kind) && (status.empty() || row.status == status);
    }
    return count;
  }
  std::string OutboxStatus(const std::string& kind) override {
    const FakeOutboxRow* row = First(kind);
    return row == nullptr ? "" : row->status;
  }
  std::string OutboxLastError(const std::string& kind) override {
    const FakeOutboxRow* row = First(kind);
    return row == nullptr ? "" : row->last_error.value_or("NULL");
  }
  int64_t WatchedCertificates() override { return repo_.WatchedCertificates(); }
  int64_t RequestIds() override { return repo_.RequestIds(); }
  int64_t Orders() override { return repo_.Orders(); }

 private:
  static bool Matches(const FakeOutboxRow& row, const std::string& kind) {
    return kind.empty() || domain::ToString(row.item.kind) == kind;
  }
  const FakeOutboxRow* First(const std::string& kind) {
    rows_ = repo_.OutboxRows();
    for (const FakeOutboxRow& row : rows_) {
      if (Matches(row, kind)) {
        return &row;
      }
    }
    return nullptr;
  }

  FakeOrderRepository repo_;
  FakeWorkQueue queue_{repo_};
  std::vector<FakeOutboxRow> rows_;
};

}  // namespace

std::unique_ptr<ProcessorBackend> NewProcessorBackend() { return std::make_unique<FakeBackend>(); }

}  // namespace sslpanel::workflow::app::testing

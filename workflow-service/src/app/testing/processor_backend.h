// The store the processor's tests run on: the in-memory fakes in the unit
// test (workflow_processor_unit_test, no MariaDB) and MySQL in the
// integration test (workflow_processor_test), the same tests in both.
// Each test binary links one definition of NewProcessorBackend().
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "workflow-service/src/app/ports.h"
#include "workflow-service/src/app/processing_ports.h"

namespace sslpanel::workflow::app::testing {

class ProcessorBackend {
 public:
  virtual ~ProcessorBackend() = default;
  // A fresh, empty store.
  virtual absl::Status Open() = 0;
  virtual OrderRepository& repo() = 0;
  virtual WorkQueue& queue() = 0;

  // What the tests check in the store. "" matches any kind or status.
  virtual int64_t OutboxRows(const std::string& kind, const std::string& status) = 0;
  // The status and last error ("NULL" when none) of the first row of `kind`.
  virtual std::string OutboxStatus(const std::string& kind) = 0;
  virtual std::string OutboxLastError(const std::string& kind) = 0;
  // Certificates the CA status sync watches.
  virtual int64_t WatchedCertificates() = 0;
  virtual int64_t RequestIds() = 0;
  virtual int64_t Orders() = 0;
};

std::unique_ptr<ProcessorBackend> NewProcessorBackend();

}  // namespace sslpanel::workflow::app::testing
